/* layer_flip.c — random_flip (Keras's RandomFlip): while training each
 * image is mirrored left-right and/or top-bottom, each with probability
 * 1/2, as a fresh copy of the data set would be; outside training it is
 * the identity. Its draws come from the dropout stream, one per flip the
 * mode allows per image, in image order (layer_draws counts them). The
 * flips drawn are kept in the Plan-owned mask for backward, which mirrors
 * the gradient back the same way (a mirror is its own inverse). No
 * allocation. */
#include "layer.h"

/* out = in mirrored per the flags (one image of h x w x c). */
static void mirror(const float *in, float *out, int h, int w, int c, bool left_right,
                   bool top_bottom)
{
    for (int y = 0; y < h; y++) {
        const float *src = in + (size_t)(top_bottom ? h - 1 - y : y) * (size_t)w * (size_t)c;
        float *dst = out + (size_t)y * (size_t)w * (size_t)c;
        for (int x = 0; x < w; x++) {
            const float *p = src + (size_t)(left_right ? w - 1 - x : x) * (size_t)c;
            float *q = dst + (size_t)x * (size_t)c;
            for (int k = 0; k < c; k++)
                q[k] = p[k];
        }
    }
}

/* Uniform draws below 1/2 flip, as tf.image's random flips. */
static void flip_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    LrTensor y = tensor_first_rows(out, x->rows);
    if (!training) {
        tensor_copy_rows(x, &y);
        return;
    }
    const int h = l->in_shape.dims[0], w = l->in_shape.dims[1], c = l->in_shape.dims[2];
    for (int i = 0; i < x->rows; i++) {
        float *flags = &TENSOR_AT(l->mask, i, 0);
        flags[0] = l->flip != FLIP_VERTICAL && rng_uniform(l->rng) < 0.5 ? 1.0f : 0.0f;
        flags[1] = l->flip != FLIP_HORIZONTAL && rng_uniform(l->rng) < 0.5 ? 1.0f : 0.0f;
        mirror(&TENSOR_AT(*x, i, 0), &TENSOR_AT(y, i, 0), h, w, c, flags[0] != 0.0f,
               flags[1] != 0.0f);
    }
}

static void flip_backward(LrLayer *l, const LrTensor *x, const LrTensor *out, LrTensor *dout,
                          LrTensor *dx)
{
    (void)out;
    if (!dx)
        return;
    const int h = l->in_shape.dims[0], w = l->in_shape.dims[1], c = l->in_shape.dims[2];
    for (int i = 0; i < x->rows; i++) {
        const float *flags = &TENSOR_AT(l->mask, i, 0);
        mirror(&TENSOR_AT(*dout, i, 0), &TENSOR_AT(*dx, i, 0), h, w, c, flags[0] != 0.0f,
               flags[1] != 0.0f);
    }
}

const LrLayerOps layer_random_flip_ops = {
    .name = "random_flip",
    .forward = flip_forward,
    .backward = flip_backward,
};
