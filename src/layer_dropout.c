/* layer_dropout.c — inverted dropout with Keras semantics: in training each
 * element is kept with probability 1 - rate and scaled by 1 / (1 - rate), so
 * that inference needs no rescaling and is the identity. The mask (0 or
 * 1 / (1 - rate) per element) is drawn from the dropout stream into a
 * Plan-owned buffer during forward and reused by backward. No allocation. */
#include <assert.h>
#include <string.h>

#include "layer.h"

/* Training: one rng_uniform() per element in row-major order; the element
 * is kept when the draw is < 1 - rate (a Bernoulli(1 - rate) draw, as
 * Keras's backends). rate 0 draws nothing. */
static void dropout_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    LrTensor y = tensor_first_rows(out, x->rows);
    if (!training || l->rate == 0.0f) {
        tensor_copy_rows(x, &y);
        return;
    }
    LrTensor mask = tensor_first_rows(&l->mask, x->rows);
    const double keep = 1.0 - (double)l->rate;
    const float scale = (float)(1.0 / keep);
    for (int i = 0; i < x->rows; i++) {
        const float *xr = &TENSOR_AT(*x, i, 0);
        float *mr = &TENSOR_AT(mask, i, 0);
        float *yr = &TENSOR_AT(y, i, 0);
        for (int j = 0; j < x->cols; j++) {
            mr[j] = rng_uniform(l->rng) < keep ? scale : 0.0f;
            yr[j] = xr[j] * mr[j];
        }
    }
}

/* dx = dy * mask, the mask of the last training forward. */
static void dropout_backward(LrLayer *l, const LrTensor *x, const LrTensor *out,
                             LrTensor *dout, LrTensor *dx)
{
    (void)out;
    if (!dx)
        return;
    const int n = x->rows;
    LrTensor dy = tensor_first_rows(dout, n);
    LrTensor d = tensor_first_rows(dx, n);
    if (l->rate == 0.0f) {
        tensor_copy_rows(&dy, &d);
        return;
    }
    LrTensor mask = tensor_first_rows(&l->mask, n);
    for (int i = 0; i < n; i++) {
        const float *gr = &TENSOR_AT(dy, i, 0);
        const float *mr = &TENSOR_AT(mask, i, 0);
        float *dr = &TENSOR_AT(d, i, 0);
        for (int j = 0; j < dy.cols; j++)
            dr[j] = gr[j] * mr[j];
    }
}

const LrLayerOps layer_dropout_ops = {
    .name = "dropout",
    .forward = dropout_forward,
    .backward = dropout_backward,
};
