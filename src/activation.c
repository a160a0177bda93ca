/* activation.c — activations applied in place to a layer's output, and their
 * derivatives expressed through that output (so backward needs no copy of
 * the pre-activation). Element-wise except softmax, which works on each row
 * as a whole. */
#include <math.h>

#include "layer.h"
#include "pool.h"

static float sigmoid(float x)
{
    /* exp of a non-positive argument only: no overflow for large |x|, and
     * the result saturates cleanly to 0 or 1. */
    if (x >= 0) {
        float z = expf(-x);
        return 1.0f / (1.0f + z);
    }
    float z = expf(x);
    return z / (1.0f + z);
}

/* Softmax of one row, in place: the row maximum is subtracted first, so
 * every exp argument is <= 0 (no overflow) and the largest term is 1 (the
 * sum is at least 1: no division by zero). The sum runs in double. */
static void softmax_row(float *row, int n)
{
    float top = row[0];
    for (int j = 1; j < n; j++)
        if (row[j] > top)
            top = row[j];
    double sum = 0.0;
    for (int j = 0; j < n; j++) {
        row[j] = expf(row[j] - top);
        sum += row[j];
    }
    for (int j = 0; j < n; j++)
        row[j] = (float)(row[j] / sum);
}

/* Each activation has its own loop (no switch per element), so that the
 * compiler vectorizes relu, the common case. */
void activation_forward(LrActivation act, LrTensor *y)
{
    if (act == ACT_LINEAR)
        return;
    for (int i = 0; i < y->rows; i++) {
        float *restrict row = &TENSOR_AT(*y, i, 0);
        const int n = y->cols;
        switch (act) {
        case ACT_SOFTMAX:
            softmax_row(row, n);
            break;
        case ACT_RELU:
            for (int j = 0; j < n; j++)
                row[j] = row[j] > 0 ? row[j] : 0.0f;
            break;
        case ACT_SIGMOID:
            for (int j = 0; j < n; j++)
                row[j] = sigmoid(row[j]);
            break;
        case ACT_TANH:
            for (int j = 0; j < n; j++)
                row[j] = tanhf(row[j]);
            break;
        case ACT_LINEAR:
            break;
        }
    }
}

typedef struct BiasJob {
    LrActivation act;
    const float *bias;
    LrTensor *y;
} BiasJob;

/* Rows [begin, end) of y := act(y + bias); rows are independent. */
static void forward_bias_rows(void *ctx, size_t begin, size_t end)
{
    const BiasJob *job = ctx;
    const float *restrict bias = job->bias;
    const int n = job->y->cols;
    for (size_t i = begin; i < end; i++) {
        float *restrict row = &TENSOR_AT(*job->y, i, 0);
        if (job->act == ACT_RELU) {
            for (int j = 0; j < n; j++) {
                float v = row[j] + bias[j];
                row[j] = v > 0 ? v : 0.0f;
            }
            continue;
        }
        for (int j = 0; j < n; j++)
            row[j] += bias[j];
        if (job->act != ACT_LINEAR) {
            LrTensor one = {row, 1, n, n};
            activation_forward(job->act, &one);
        }
    }
}

void activation_forward_bias(LrActivation act, const float *bias, LrTensor *y)
{
    BiasJob job = {act, bias, y};
    pool_run((size_t)y->rows, pool_grain((size_t)y->cols), forward_bias_rows, &job);
}

void activation_backward(LrActivation act, const LrTensor *y, LrTensor *dy)
{
    if (act == ACT_LINEAR)
        return;
    for (int i = 0; i < dy->rows; i++) {
        const float *yr = &TENSOR_AT(*y, i, 0);
        float *g = &TENSOR_AT(*dy, i, 0);
        if (act == ACT_SOFTMAX) {
            /* The Jacobian of softmax is diag(y) - y y^T, so
             * dx_i = y_i (dy_i - sum_j dy_j y_j). */
            double dot = 0.0;
            for (int j = 0; j < dy->cols; j++)
                dot += (double)g[j] * yr[j];
            for (int j = 0; j < dy->cols; j++)
                g[j] = (float)(yr[j] * (g[j] - dot));
            continue;
        }
        const int n = dy->cols;
        switch (act) {
        case ACT_RELU: /* relu'(0) = 0, as TensorFlow */
            for (int j = 0; j < n; j++)
                g[j] = yr[j] > 0 ? g[j] : 0.0f;
            break;
        case ACT_SIGMOID:
            for (int j = 0; j < n; j++)
                g[j] *= yr[j] * (1.0f - yr[j]);
            break;
        case ACT_TANH:
            for (int j = 0; j < n; j++)
                g[j] *= 1.0f - yr[j] * yr[j];
            break;
        case ACT_LINEAR:
        case ACT_SOFTMAX:
            break;
        }
    }
}
