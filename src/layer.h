/* layer.h — the layer interface: a small ops table per layer kind
 * (layer_dense.c, ...). Layers compute on views into Plan-owned buffers and
 * never allocate. */
#ifndef LR_LAYER_H
#define LR_LAYER_H
#include <stdbool.h>

#include "rng.h"
#include "spec.h"
#include "tensor.h"

typedef struct LrLayer LrLayer;

typedef struct LrLayerOps {
    const char *name; /* "dense", "dropout", "activation" (Keras's names) */
    /* y = layer(x); y has x->rows rows. training: dropout is active. */
    void (*forward)(LrLayer *l, const LrTensor *x, LrTensor *y, bool training);
    /* Given x and y from forward and dy = dLoss/dy (overwritten), accumulates
     * nothing: sets l->dweight and l->dbias (layers with parameters), and
     * dx = dLoss/dx when dx is not NULL. With l->from_logits the activation
     * is skipped: dy is already the gradient at its input. */
    void (*backward)(LrLayer *l, const LrTensor *x, const LrTensor *y, LrTensor *dy,
                     LrTensor *dx);
} LrLayerOps;

struct LrLayer {
    const LrLayerOps *ops;
    int in, out;
    LrActivation activation; /* dense, activation layers */
    bool from_logits;        /* the activation is left to the loss (fused) */
    LrTensor weight, bias;   /* dense: in x out, 1 x out (views into the parameters) */
    LrTensor dweight, dbias; /* same shapes (views into the gradients) */
    float l2;                /* dense: kernel penalty l2 * sum(w^2) */
    float rate;              /* dropout: fraction dropped */
    LrTensor mask;           /* dropout: batch x in, Plan-owned; 0 or 1/(1-rate) */
    LrRng *rng;              /* dropout: the dropout stream, Plan-owned */
};

extern const LrLayerOps layer_dense_ops;
extern const LrLayerOps layer_dropout_ops;
extern const LrLayerOps layer_activation_ops;

/* l2 * sum(w^2) of a dense layer's kernel (0 for other layers), in double. */
double layer_penalty(const LrLayer *l);

/* Applies activation to y in place (softmax: over each row, stably). */
void activation_forward(LrActivation act, LrTensor *y);
/* y := act(y + bias) with bias broadcast over the rows, in one pass where
 * the activation is element-wise (a dense layer's fused epilogue). */
void activation_forward_bias(LrActivation act, const float *bias, LrTensor *y);
/* dy := dLoss/d(input) given dy = dLoss/d(output) and the output y
 * (softmax: dy_i := y_i (dy_i - sum_j dy_j y_j)). */
void activation_backward(LrActivation act, const LrTensor *y, LrTensor *dy);

#endif
