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
    /* A training forward keeps the pre-activation when backward needs it. */
    LrTensor pre = {0};
    if (training && l->pre.data)
        pre = tensor_first_rows(&l->pre, x->rows);
    /* x . W, then the bias and the activation in one pass over y. */
    blas_gemm(false, false, 1.0f, x, &l->weight, 0.0f, &y);
    activation_forward_bias(l->from_logits ? ACT_LINEAR : l->activation, l->alpha,
                            l->approximate, l->bias.data, &y, pre.data ? &pre : NULL);
}

typedef struct GradJob {
    const LrLayer *l;
    LrActivation act; /* element-wise */
    const LrTensor *y, *pre;
    LrTensor *dy;
    float *dbias;
} GradJob;

/* Columns [begin, end): dy := act'(y) dy, then the bias gradient, each
 * column summed over the rows in row order (the same bytes for any split
 * of the columns). */
static void activation_bias_grad_cols(void *ctx, size_t begin, size_t end)
{
    const GradJob *job = ctx;
    float *restrict db = job->dbias + begin;
    const int width = (int)(end - begin);
    for (int j = 0; j < width; j++)
        db[j] = 0.0f;
    for (int i = 0; i < job->dy->rows; i++) {
        LrTensor gr = tensor_slice(job->dy, i, 1, (int)begin, width);
        if (job->act != ACT_LINEAR) {
            LrTensor yr = tensor_slice(job->y, i, 1, (int)begin, width);
            LrTensor xr = job->pre->data ? tensor_slice(job->pre, i, 1, (int)begin, width)
                                         : (LrTensor){0};
            activation_backward(job->act, job->l->alpha, job->l->approximate, &xr, &yr, &gr);
        }
        const float *restrict g = gr.data;
        for (int j = 0; j < width; j++)
            db[j] += g[j];
    }
}

static void dense_backward(LrLayer *l, const LrTensor *x, const LrTensor *out,
                           LrTensor *dout, LrTensor *dx)
{
    const int n = x->rows;
    LrTensor y = tensor_first_rows(out, n);
    LrTensor dy = tensor_first_rows(dout, n);
    /* From here on dy holds dLoss/d(pre-activation). */
    LrActivation act = l->from_logits ? ACT_LINEAR : l->activation;
    if (act == ACT_SOFTMAX) {
        /* Not element-wise: each row as a whole, before the column split. */
        activation_backward(act, 0, false, NULL, &y, &dy);
        act = ACT_LINEAR;
    }
    LrTensor pre = l->pre.data ? tensor_first_rows(&l->pre, n) : (LrTensor){0};
    GradJob job = {l, act, &y, &pre, &dy, l->dbias.data};
    pool_run((size_t)dy.cols, pool_grain((size_t)n), activation_bias_grad_cols, &job);
    blas_gemm(true, false, 1.0f, x, &dy, 0.0f, &l->dweight);

    /* d(l2 sum W^2)/dW = 2 l2 W. */
    if (l->l2 != 0.0f) {
        const float k = 2.0f * l->l2;
        for (int i = 0; i < l->dweight.rows; i++) {
            float *dw = &TENSOR_AT(l->dweight, i, 0);
            const float *w = &TENSOR_AT(l->weight, i, 0);
            for (int j = 0; j < l->dweight.cols; j++)
                dw[j] += k * w[j];
        }
    }


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
    if (l->ops != &layer_dense_ops || l->l2 == 0.0f)
        return 0.0;
    double sum = 0.0;
    for (int i = 0; i < l->weight.rows; i++) {
        const float *w = &TENSOR_AT(l->weight, i, 0);
        for (int j = 0; j < l->weight.cols; j++)
            sum += (double)w[j] * w[j];
    }
    return (double)l->l2 * sum;
}
