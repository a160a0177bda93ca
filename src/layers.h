/* layers.h — the layer table: for each kind of layer (words.h's LR_LAYERS
 * and the activation layer) its ops, its shape rule, its variables and the
 * buffers it needs. The plan (training) and a saved model (model.c) build
 * their layers through it alike; a new layer is a row here, its options a
 * row of options.c and its kernels a file of its own (layer_*.c). */
#ifndef LR_LAYERS_H
#define LR_LAYERS_H
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "layer.h"
#include "spec.h"

/* The most variables a layer has (batchnorm: gamma, beta, moving_mean,
 * moving_variance) and the highest rank of one (a conv2d kernel). */
#define LAYER_MAX_VARS 4
#define LAYER_MAX_VAR_RANK 4

/* A variable as saved (Keras's name and shape) and initialized. */
typedef struct LrVarShape {
    const char *name;    /* kernel, bias, gamma, beta, moving_mean, moving_variance */
    int rank;
    int dims[LAYER_MAX_VAR_RANK];
    size_t count;        /* the product of dims */
    bool trainable;      /* else state: saved and restored, not trained */
    LrInitSpec init;
} LrVarShape;

/* The layer's ops for its kind (spec's activation for LAYER_ACTIVATION),
 * and Keras's class name of the kind ("Conv2D"). */
const LrLayerOps *layer_ops(LrLayerKind kind);
const char *layer_title(LrLayerKind kind);

/* The values of one sample of shape s; its text "[28, 28, 1]". */
size_t shape_count(const LrShape *s);
void shape_text(const LrShape *s, char *buf, size_t size);
bool shape_equal(const LrShape *a, const LrShape *b);

/* The shape of one sample a spec's model takes, without checking it: its
 * input=, else the data's shape (rank 0: none), else [features]. */
LrShape layers_input_shape(const LrSpec *spec, const LrShape *data_shape, int features);

/* The shape of ls's output given its input's; false (why says what does
 * not fit, naming the layer but not where it is) when in does not fit.
 * from says where in comes from ("flatten gives"; NULL: "its input is"). */
bool layer_shape(const LrLayerSpec *ls, const LrShape *in, const char *from, LrShape *out,
                 char *why, size_t size);

/* The shapes of every layer's output (out[i], layer_count of them) from
 * the model's input; reports the first layer that does not fit at its
 * span, naming both shapes, and returns -1. */
int layers_shapes(const LrLayerSpec *layers, int count, const LrShape *input, LrShape *out,
                  const LrSource *src, LrDiag *diag);

/* The width of the model's output when the layers alone tell it (a last
 * dense layer's units; a conv2d's filters through global_avgpool2d), else
 * 0 (it depends on the input's shape). For the checker, before any data. */
int layers_output_width(const LrLayerSpec *layers, int count);

/* ls's variables, in the order they are drawn, saved and laid out
 * (trainable ones first, as the optimizer sees them); their count. */
int layer_vars(const LrLayerSpec *ls, const LrShape *in, const LrShape *out, LrVarShape *vars);

/* The random numbers a training forward of l draws per row (dropout's
 * and random_flip's, from the plan's dropout stream). */
int layer_draws(const LrLayer *l);

/* Images per conv2d product: the plan's batch, fewer when the im2col
 * scratch of that many would pass LAYER_CONV_SCRATCH bytes. Columns that
 * stay in cache beat one product for the whole batch even though
 * backward then unrolls them again (make bench-conv: Fashion-MNIST's
 * second conv2d at batch 128, 18.0 ms a step in chunks of 16 images
 * against 21.3 ms in one chunk, 2 threads). */
#define LAYER_CONV_SCRATCH ((size_t)2 << 20)
int layer_chunk(const LrLayer *l, int batch);

/* Keras's name of the index-th layer (from 0) of its kind in a model:
 * "dense", "dense_1", "conv2d", "max_pooling2d", "batch_normalization". */
void layer_name(LrLayerKind kind, int index, char *out, size_t size);

/* Sets l from ls and the shapes: ops, widths, window, activation and
 * options; not its variables or buffers. */
void layer_setup(LrLayer *l, const LrLayerSpec *ls, const LrShape *in, const LrShape *out);

/* Points l's weight/bias (and gradients when dparams is not NULL; a
 * batchnorm's moving statistics in state) at its variables, which start
 * at *params, *dparams and *state; advances them past what it takes. */
void layer_bind(LrLayer *l, const LrVarShape *vars, int count, float **params, float **dparams,
                float **state);
/* Points l's gradient views, bound into the buffer `from`, at the same
 * places of `to` (as large): a shard's backward then writes its own
 * gradients' buffer (train.c). */
void layer_move_gradients(LrLayer *l, const float *from, float *to);

/* Allocates from arena the buffers l needs for batches of `batch` rows
 * (with training, also those of backward: dropout's mask, maxpool's
 * argmax, batchnorm's batch statistics, conv2d's dcols, gelu's input).
 * false when out of memory. */
bool layer_alloc(LrLayer *l, int batch, bool training, LrRng *dropout_rng, LrArena *arena);

/* Bytes layer_alloc takes (for the plan's memory estimate). */
size_t layer_alloc_bytes(const LrLayer *l, int batch, bool training);

/* Rows a measuring forward pass takes at once (evaluate, the predict
 * statement, lrc predict, the epoch's loss), for a model whose layers'
 * outputs are `widths` floats a row in all: up to LAYER_PASS_ROWS, within
 * LAYER_PASS_BYTES of activations. One rule for the plan and a saved
 * model, since OpenBLAS rounds a row by the shape of the product it is
 * in: passes of the same rows give the same bytes. Tall passes pack each
 * kernel once for more rows (bench/mlp.lr: measuring 8% faster than by
 * batches of 128; 4096 rows were no faster than 1024). */
#define LAYER_PASS_ROWS 1024
#define LAYER_PASS_BYTES ((size_t)8 << 20)
int layers_pass_rows(size_t widths);

/* Whether l's forward or backward products are large enough for BLAS. */
bool layer_uses_blas(const LrLayer *l, int batch);

#endif
