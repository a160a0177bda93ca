/* layer.h — the layer interface: a small ops table per layer kind
 * (layer_dense.c, ...). Layers compute on views into Plan-owned buffers and
 * never allocate. */
#ifndef LR_LAYER_H
#define LR_LAYER_H
#include "spec.h"
#include "tensor.h"

typedef struct LrLayer LrLayer;

typedef struct LrLayerOps {
    const char *name; /* "dense" */
    /* y = layer(x); y has x->rows rows. */
    void (*forward)(LrLayer *l, const LrTensor *x, LrTensor *y);
    /* Given x and y from forward and dy = dLoss/dy (overwritten), accumulates
     * nothing: sets l->dweight and l->dbias, and dx = dLoss/dx when dx is not
     * NULL. */
    void (*backward)(LrLayer *l, const LrTensor *x, const LrTensor *y, LrTensor *dy,
                     LrTensor *dx);
} LrLayerOps;

struct LrLayer {
    const LrLayerOps *ops;
    int in, out;
    LrActivation activation;
    LrTensor weight, bias;   /* in x out, 1 x out (views into the parameters) */
    LrTensor dweight, dbias; /* same shapes (views into the gradients) */
};

extern const LrLayerOps layer_dense_ops;

/* Applies activation to y in place. */
void activation_forward(LrActivation act, LrTensor *y);
/* dy *= activation'(.) expressed through the activation's output y. */
void activation_backward(LrActivation act, const LrTensor *y, LrTensor *dy);

#endif
