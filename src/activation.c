/* activation.c — element-wise activations applied in place to a layer's
 * output, and their derivatives expressed through that output (so backward
 * needs no copy of the pre-activation). */
#include <math.h>

#include "layer.h"

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

void activation_forward(LrActivation act, LrTensor *y)
{
    if (act == ACT_LINEAR)
        return;
    for (int i = 0; i < y->rows; i++) {
        float *row = &TENSOR_AT(*y, i, 0);
        for (int j = 0; j < y->cols; j++) {
            float v = row[j];
            switch (act) {
            case ACT_RELU:
                row[j] = v > 0 ? v : 0.0f;
                break;
            case ACT_SIGMOID:
                row[j] = sigmoid(v);
                break;
            case ACT_TANH:
                row[j] = tanhf(v);
                break;
            case ACT_LINEAR:
                break;
            }
        }
    }
}

void activation_backward(LrActivation act, const LrTensor *y, LrTensor *dy)
{
    if (act == ACT_LINEAR)
        return;
    for (int i = 0; i < dy->rows; i++) {
        const float *yr = &TENSOR_AT(*y, i, 0);
        float *g = &TENSOR_AT(*dy, i, 0);
        for (int j = 0; j < dy->cols; j++) {
            float v = yr[j];
            switch (act) {
            case ACT_RELU: /* relu'(0) = 0, as TensorFlow */
                g[j] = v > 0 ? g[j] : 0.0f;
                break;
            case ACT_SIGMOID:
                g[j] *= v * (1.0f - v);
                break;
            case ACT_TANH:
                g[j] *= 1.0f - v * v;
                break;
            case ACT_LINEAR:
                break;
            }
        }
    }
}
