/* activation.c — activations applied in place to a layer's output, and their
 * derivatives expressed through that output (so backward needs no copy of
 * the pre-activation), except gelu's, which needs its input
 * (activation_needs_input). Element-wise except softmax, which works on each
 * row as a whole. Formulas and derivatives at the kinks are TensorFlow's
 * (Keras's backend). */
#include <math.h>
#include <string.h>

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

#define SQRT_2_OVER_PI 0.7978845608028654f
#define INV_SQRT_2PI 0.3989422804014327f
#define SQRT_HALF 0.7071067811865476f
#define GELU_CUBIC 0.044715f

/* x Phi(x) through erfc, as TensorFlow: 1 + erf(z) would cancel for
 * negative x and lose the small tail. */
static float gelu_exact(float x)
{
    return 0.5f * x * erfcf(-x * SQRT_HALF);
}

static float gelu_tanh(float x)
{
    return 0.5f * x * (1.0f + tanhf(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)));
}

/* d/dx x Phi(x) = Phi(x) + x phi(x). */
static float gelu_exact_grad(float x)
{
    return 0.5f * erfcf(-x * SQRT_HALF) + x * INV_SQRT_2PI * expf(-0.5f * x * x);
}

static float gelu_tanh_grad(float x)
{
    /* Beyond 10 tanh is +-1 in float and the formula's x^2 could overflow
     * into 0 * inf. */
    if (fabsf(x) > 10.0f)
        return x > 0 ? 1.0f : 0.0f;
    float t = tanhf(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x));
    return 0.5f * (1.0f + t) +
           0.5f * x * (1.0f - t * t) * SQRT_2_OVER_PI * (1.0f + 3.0f * GELU_CUBIC * x * x);
}

bool activation_needs_input(LrActivation act)
{
    return act == ACT_GELU;
}

bool activation_has_alpha(LrActivation act)
{
    return act == ACT_LEAKY_RELU || act == ACT_ELU;
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
void activation_forward(LrActivation act, float alpha, bool approximate, LrTensor *y)
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
        case ACT_GELU:
            if (approximate)
                for (int j = 0; j < n; j++)
                    row[j] = gelu_tanh(row[j]);
            else
                for (int j = 0; j < n; j++)
                    row[j] = gelu_exact(row[j]);
            break;
        case ACT_LEAKY_RELU:
            for (int j = 0; j < n; j++)
                row[j] = row[j] > 0 ? row[j] : alpha * row[j];
            break;
        case ACT_ELU:
            for (int j = 0; j < n; j++)
                row[j] = row[j] > 0 ? row[j] : alpha * expm1f(row[j]);
            break;
        case ACT_LINEAR:
            break;
        }
    }
}

typedef struct BiasJob {
    LrActivation act;
    float alpha;
    bool approximate;
    const float *bias;
    LrTensor *y, *pre;
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
        if (job->pre)
            memcpy(&TENSOR_AT(*job->pre, i, 0), row, (size_t)n * sizeof(float));
        if (job->act != ACT_LINEAR) {
            LrTensor one = {row, 1, n, n};
            activation_forward(job->act, job->alpha, job->approximate, &one);
        }
    }
}

void activation_forward_bias(LrActivation act, float alpha, bool approximate, const float *bias,
                             LrTensor *y, LrTensor *pre)
{
    BiasJob job = {act, alpha, approximate, bias, y, pre};
    pool_run((size_t)y->rows, pool_grain((size_t)y->cols), forward_bias_rows, &job);
}

void activation_backward(LrActivation act, float alpha, bool approximate, const LrTensor *x,
                         const LrTensor *y, LrTensor *dy)
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
        case ACT_GELU: {
            const float *xr = &TENSOR_AT(*x, i, 0);
            if (approximate)
                for (int j = 0; j < n; j++)
                    g[j] *= gelu_tanh_grad(xr[j]);
            else
                for (int j = 0; j < n; j++)
                    g[j] *= gelu_exact_grad(xr[j]);
            break;
        }
        case ACT_LEAKY_RELU:
            /* y > 0 exactly where x > 0 (alpha >= 0); at 0 the slope is
             * alpha, as TensorFlow's LeakyReluGrad; with alpha = 0 this is
             * relu's. */
            for (int j = 0; j < n; j++)
                g[j] = yr[j] > 0 ? g[j] : alpha * g[j];
            break;
        case ACT_ELU:
            /* Below 0, alpha exp(x) = y + alpha; at 0 the slope is 1, as
             * TensorFlow's EluGrad. */
            for (int j = 0; j < n; j++)
                g[j] = yr[j] < 0 ? g[j] * (yr[j] + alpha) : g[j];
            break;
        case ACT_LINEAR:
        case ACT_SOFTMAX:
            break;
        }
    }
}
