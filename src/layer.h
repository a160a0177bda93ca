/* layer.h — the layer interface: a small ops table per layer kind
 * (layer_dense.c, ...). Layers compute on views into Plan-owned buffers and
 * never allocate. */
#ifndef LR_LAYER_H
#define LR_LAYER_H
#include <stdbool.h>
#include <stdint.h>

#include "rng.h"
#include "spec.h"
#include "tensor.h"

typedef struct LrLayer LrLayer;

/* The window of a conv2d or pooling layer over a channels-last image
 * in_h x in_w x in_c (spec.h's LrShape): k_h x k_w moved by stride_h,
 * stride_w. padding=valid: no padding, out = floor((in - k) / stride) + 1.
 * padding=same (TensorFlow's): out = ceil(in / stride), padded with
 * zeros by max((out - 1) stride + k - in, 0) in all, pad_top / pad_left
 * = half of it rounded down (the odd one goes to the bottom / right). */
typedef struct LrWindow {
    int in_h, in_w, in_c;
    int k_h, k_w, stride_h, stride_w;
    int pad_top, pad_left;
    int out_h, out_w;
} LrWindow;

/* Fills w; false (w unusable) when the output would be empty (a valid
 * window larger than its input). layer_conv.c. */
bool window_init(LrWindow *w, int in_h, int in_w, int in_c, int k_h, int k_w, int stride_h,
                 int stride_w, bool same);

/* conv2d's kernel gradient is computed in GEMM blocks of this many rows
 * (blas_gemm_rows): blas_gemm would cut a 288 x 64 gradient (3x3x32 ->
 * 64) into blocks of 256 and 32 rows, one thread idle most of the time.
 * Each block packs the whole output gradient again: 16 rows cost 10% more
 * CPU time than one block, 72 (4 blocks there) 3%. `make bench-conv`
 * times the choice (a compile-time setting there). */
#ifndef CONV_DWEIGHT_ROWS
#define CONV_DWEIGHT_ROWS 72
#endif

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
    float l2;                /* dense, conv2d: kernel penalty l2 * sum(w^2) */
    bool penalty_elsewhere;  /* dense, conv2d: backward leaves the penalty's
                                gradient out (a batch's shards but its first:
                                train.c) */
    float rate;              /* dropout: fraction dropped */
    LrTensor mask;           /* dropout: batch x in, Plan-owned; 0 or 1/(1-rate);
                                random_flip: batch x 2, 1 where an image
                                is flipped left-right, top-bottom */
    LrRng *rng;              /* dropout: the dropout stream, Plan-owned */
    /* Image layers. in and out above stay the widths of one row (h w c). */
    LrShape in_shape, out_shape;
    LrWindow window;         /* conv2d, maxpool2d, avgpool2d */
    /* conv2d: im2col scratch, Plan-owned, of (chunk images x out_h out_w)
     * rows of k_h k_w in_c: forward and backward go chunk by chunk of
     * whole images, the chunk fixed by the plan (not by the thread count),
     * so that results are the same bytes on any thread count. dcols has
     * the same shape (backward's dLoss/dcols). cols is the layer's own:
     * when one chunk holds the whole batch, backward reuses the columns
     * forward left there. weight is the kernel as
     * Keras stores it, [kh, kw, in, out] row-major = (kh kw in) x out. */
    LrTensor cols, dcols;
    int32_t *argmax;         /* maxpool2d: batch x out, the input index each
                                output took in the last training forward */
    /* batchnorm over the last dimension (channels; a dense input's
     * features): weight = gamma and bias = beta, 1 x channels. */
    int channels;
    float *moving_mean, *moving_variance; /* channels each: Plan-owned state,
                                             saved with the model, not trained */
    float *batch_mean, *batch_inv_std;    /* channels each: the last training
                                             forward's, for backward */
    float momentum, epsilon;
    /* activations */
    float alpha;             /* leaky_relu: the slope below 0; elu: its scale */
    bool approximate;        /* gelu: the tanh form */
    LrFlipMode flip;         /* random_flip: which flips it draws */
    LrTensor pre;            /* batch x out, Plan-owned, when the activation's
                                derivative needs its input (gelu): the
                                training forward's pre-activation; else empty */
};

extern const LrLayerOps layer_dense_ops;
extern const LrLayerOps layer_dropout_ops;
extern const LrLayerOps layer_activation_ops;
extern const LrLayerOps layer_conv2d_ops;              /* layer_conv.c */
extern const LrLayerOps layer_maxpool2d_ops;           /* layer_pool.c */
extern const LrLayerOps layer_avgpool2d_ops;
extern const LrLayerOps layer_global_avgpool2d_ops;
extern const LrLayerOps layer_flatten_ops;             /* layer_reshape.c */
extern const LrLayerOps layer_reshape_ops;
extern const LrLayerOps layer_batchnorm_ops;           /* layer_batchnorm.c */
extern const LrLayerOps layer_random_flip_ops;         /* layer_flip.c */

/* Whether act's derivative needs its input, not only its output (gelu):
 * a dense or conv2d layer then keeps its pre-activation in `pre`. */
bool activation_needs_input(LrActivation act);

/* The epilogue dense and conv2d share (layer_dense.c), on y with a column
 * per unit or filter (conv2d: a row per output pixel): y := act(y + bias)
 * with l's activation, none with from_logits; in training, the
 * pre-activation into l->pre when it is there (activation_needs_input). */
void layer_bias_activation(const LrLayer *l, LrTensor *y, bool training);
/* Its backward: dy := dLoss/d(pre-activation) given dLoss/dy and y, and
 * l->dbias := the column sums of that, each in row order. */
void layer_bias_activation_backward(LrLayer *l, const LrTensor *y, LrTensor *dy);
/* l->dweight += 2 l2 weight, the gradient of layer_penalty (dense, conv2d),
 * unless l->penalty_elsewhere. */
void layer_l2_gradient(LrLayer *l);

/* l2 * sum(w^2) of a dense or conv2d layer's kernel (0 for other layers),
 * in double. */
double layer_penalty(const LrLayer *l);

/* The activations take their parameters beside the kind: alpha (leaky_relu's
 * slope below 0, elu's scale) and approximate (gelu's tanh form); the
 * others ignore them. */

/* Applies activation to y in place (softmax: over each row, stably). */
void activation_forward(LrActivation act, float alpha, bool approximate, LrTensor *y);
/* y := act(y + bias) with bias broadcast over the rows, in one pass where
 * the activation is element-wise (a dense layer's fused epilogue). pre,
 * when not NULL (y's rows), gets y + bias, the activation's input. */
void activation_forward_bias(LrActivation act, float alpha, bool approximate, const float *bias,
                             LrTensor *y, LrTensor *pre);
/* dy := dLoss/d(input) given dy = dLoss/d(output), the output y and the
 * input x (read only when activation_needs_input; else may be NULL)
 * (softmax: dy_i := y_i (dy_i - sum_j dy_j y_j)). */
void activation_backward(LrActivation act, float alpha, bool approximate, const LrTensor *x,
                         const LrTensor *y, LrTensor *dy);
/* Whether act's derivative needs its input, not only its output (gelu):
 * a dense layer then keeps its pre-activation in l->pre. */
bool activation_needs_input(LrActivation act);
/* Whether act takes alpha (leaky_relu, elu). */
bool activation_has_alpha(LrActivation act);

#endif
