/* layer_dense.c — the fully connected layer, y = act(x . W + b), with W
 * stored in x out row-major (Keras's kernel layout) so that a saved kernel
 * reads the same as Keras's, and its L2 kernel penalty (Keras's
 * regularizers.L2: l2 * sum(W^2) added to the loss). Computes on Plan-owned
 * views; no allocation. */
#include <assert.h>

#include "blas.h"
#include "layer.h"
#include "pool.h"

/* With from_logits the activation is left to the loss, which applies it in
 * a fused, stable form: y then holds the activation's input. */
static void dense_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    LrTensor y = tensor_first_rows(out, x->rows);
    /* x . W, then the bias and the activation in one pass over y. */
    blas_gemm(false, false, 1.0f, x, &l->weight, 0.0f, &y);
    layer_bias_activation(l, &y, training);
}

/* l->pre seen with y's rows and columns (y is a whole, contiguous buffer:
 * a dense layer's batch, a conv2d layer's pixels x filters), or empty. */
static LrTensor pre_view(const LrLayer *l, const LrTensor *y)
{
    if (!l->pre.data)
        return (LrTensor){0};
    assert(y->ld == y->cols);
    return tensor_view(l->pre.data, y->rows, y->cols);
}

void layer_bias_activation(const LrLayer *l, LrTensor *y, bool training)
{
    /* A training forward keeps the pre-activation when backward needs it. */
    LrTensor pre = training ? pre_view(l, y) : (LrTensor){0};
    activation_forward_bias(l->from_logits ? ACT_LINEAR : l->activation, l->alpha,
                            l->approximate, l->bias.data, y, pre.data ? &pre : NULL);
}

typedef struct GradJob {
    const LrLayer *l;
    LrActivation act; /* element-wise */
    const LrTensor *y, *pre;
    LrTensor *dy;
    float *dbias;
} GradJob;

/* Rows per activation_backward call in activation_bias_grad_cols: a
 * conv2d layer's gradient is tens of thousands of rows of 32 or 64
 * filters, and a call per row cost more than its arithmetic; a block
 * of rows is still in L1 when its column sums read it. */
#define GRAD_BLOCK_ROWS 64

/* Columns [begin, end): dy := act'(y) dy, then the bias gradient, each
 * column summed over the rows in row order (the same bytes for any split
 * of the columns), by blocks of rows. */
static void activation_bias_grad_cols(void *ctx, size_t begin, size_t end)
{
    const GradJob *job = ctx;
    float *restrict db = job->dbias + begin;
    const int width = (int)(end - begin), rows = job->dy->rows;
    for (int j = 0; j < width; j++)
        db[j] = 0.0f;
    for (int i0 = 0; i0 < rows; i0 += GRAD_BLOCK_ROWS) {
        const int count = rows - i0 < GRAD_BLOCK_ROWS ? rows - i0 : GRAD_BLOCK_ROWS;
        LrTensor gr = tensor_slice(job->dy, i0, count, (int)begin, width);
        if (job->act != ACT_LINEAR) {
            LrTensor yr = tensor_slice(job->y, i0, count, (int)begin, width);
            LrTensor xr = job->pre->data ? tensor_slice(job->pre, i0, count, (int)begin, width)
                                         : (LrTensor){0};
            activation_backward(job->act, job->l->alpha, job->l->approximate, &xr, &yr, &gr);
        }
        for (int i = 0; i < count; i++) {
            const float *restrict g = &TENSOR_AT(gr, i, 0);
            for (int j = 0; j < width; j++)
                db[j] += g[j];
        }
    }
}

void layer_bias_activation_backward(LrLayer *l, const LrTensor *y, LrTensor *dy)
{
    LrActivation act = l->from_logits ? ACT_LINEAR : l->activation;
    if (act == ACT_SOFTMAX) {
        /* Not element-wise: each row as a whole, before the column split. */
        activation_backward(act, 0, false, NULL, y, dy);
        act = ACT_LINEAR;
    }
    LrTensor pre = pre_view(l, dy);
    GradJob job = {l, act, y, &pre, dy, l->dbias.data};
    pool_run((size_t)dy->cols, pool_grain((size_t)dy->rows), activation_bias_grad_cols, &job);
}

void layer_l2_gradient(LrLayer *l)
{
    /* d(l2 sum W^2)/dW = 2 l2 W. */
    if (l->l2 == 0.0f || l->penalty_elsewhere)
        return;
    const float k = 2.0f * l->l2;
    for (int i = 0; i < l->dweight.rows; i++) {
        float *dw = &TENSOR_AT(l->dweight, i, 0);
        const float *w = &TENSOR_AT(l->weight, i, 0);
        for (int j = 0; j < l->dweight.cols; j++)
            dw[j] += k * w[j];
    }
}

static void dense_backward(LrLayer *l, const LrTensor *x, const LrTensor *out,
                           LrTensor *dout, LrTensor *dx)
{
    const int n = x->rows;
    LrTensor y = tensor_first_rows(out, n);
    LrTensor dy = tensor_first_rows(dout, n);
    /* From here on dy holds dLoss/d(pre-activation). */
    layer_bias_activation_backward(l, &y, &dy);
    blas_gemm(true, false, 1.0f, x, &dy, 0.0f, &l->dweight);
    layer_l2_gradient(l);

    if (dx) {
        LrTensor dxv = tensor_first_rows(dx, n);
        blas_gemm(false, true, 1.0f, &dy, &l->weight, 0.0f, &dxv);
    }
}

const LrLayerOps layer_dense_ops = {
    .name = "dense",
    .forward = dense_forward,
    .backward = dense_backward,
};

double layer_penalty(const LrLayer *l)
{
    if ((l->ops != &layer_dense_ops && l->ops != &layer_conv2d_ops) || l->l2 == 0.0f)
        return 0.0;
    double sum = 0.0;
    for (int i = 0; i < l->weight.rows; i++) {
        const float *w = &TENSOR_AT(l->weight, i, 0);
        for (int j = 0; j < l->weight.cols; j++)
            sum += (double)w[j] * w[j];
    }
    return (double)l->l2 * sum;
}
