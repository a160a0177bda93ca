/* layers.c — see layers.h: the layers' ops, and the buffers and
 * variables they are given. */
#include "layers.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "blas.h"

static bool is_pooling(LrLayerKind kind)
{
    return kind == LAYER_MAXPOOL2D || kind == LAYER_AVGPOOL2D;
}

/* -------------------------------------------------------- the layers */

/* The layer table's runtime columns, by kind: the ops (whose name is
 * Keras's layer name) and Keras's class name. */
static const struct {
    const LrLayerOps *ops;
    const char *title;
} kinds[] = {
    [LAYER_DENSE] = {&layer_dense_ops, "Dense"},
    [LAYER_DROPOUT] = {&layer_dropout_ops, "Dropout"},
    [LAYER_CONV2D] = {&layer_conv2d_ops, "Conv2D"},
    [LAYER_MAXPOOL2D] = {&layer_maxpool2d_ops, "MaxPooling2D"},
    [LAYER_AVGPOOL2D] = {&layer_avgpool2d_ops, "AveragePooling2D"},
    [LAYER_GLOBAL_AVGPOOL2D] = {&layer_global_avgpool2d_ops, "GlobalAveragePooling2D"},
    [LAYER_FLATTEN] = {&layer_flatten_ops, "Flatten"},
    [LAYER_RESHAPE] = {&layer_reshape_ops, "Reshape"},
    [LAYER_BATCHNORM] = {&layer_batchnorm_ops, "BatchNormalization"},
    [LAYER_RANDOM_FLIP] = {&layer_random_flip_ops, "RandomFlip"},
    [LAYER_ACTIVATION] = {&layer_activation_ops, "Activation"},
};
static_assert(sizeof kinds / sizeof kinds[0] == LAYER_ACTIVATION + 1, "a row per layer kind");

const LrLayerOps *layer_ops(LrLayerKind kind)
{
    return kinds[kind].ops;
}

const char *layer_title(LrLayerKind kind)
{
    return kinds[kind].title;
}

void layer_name(LrLayerKind kind, int index, char *out, size_t size)
{
    if (index == 0)
        snprintf(out, size, "%s", layer_ops(kind)->name);
    else
        snprintf(out, size, "%s_%d", layer_ops(kind)->name, index);
}

void layer_setup(LrLayer *l, const LrLayerSpec *ls, const LrShape *in, const LrShape *out)
{
    memset(l, 0, sizeof *l);
    l->ops = layer_ops(ls->kind);
    l->in_shape = *in;
    l->out_shape = *out;
    l->in = (int)shape_count(in);
    l->out = (int)shape_count(out);
    l->activation = ls->kind == LAYER_DROPOUT ? ACT_LINEAR : ls->activation;
    l->alpha = (float)ls->alpha;
    l->approximate = ls->approximate;
    l->l2 = (float)ls->l2;
    l->rate = (float)ls->rate;
    l->momentum = (float)ls->momentum;
    l->epsilon = (float)ls->epsilon;
    l->flip = ls->flip;
    l->channels = in->dims[in->rank - 1];
    if (ls->kind == LAYER_CONV2D || is_pooling(ls->kind))
        window_init(&l->window, in->dims[0], in->dims[1], in->dims[2], ls->kernel[0],
                    ls->kernel[1], ls->stride[0], ls->stride[1], ls->same);
}

void layer_bind(LrLayer *l, const LrVarShape *vars, int count, float **params, float **dparams,
                float **state)
{
    for (int i = 0; i < count; i++) {
        const LrVarShape *v = &vars[i];
        /* A kernel is a matrix of its last dimension's columns. */
        int cols = v->dims[v->rank - 1], rows = (int)(v->count / (size_t)cols);
        LrTensor *t = NULL, *dt = NULL;
        if (strcmp(v->name, "kernel") == 0 || strcmp(v->name, "gamma") == 0)
            t = &l->weight, dt = &l->dweight;
        else if (strcmp(v->name, "bias") == 0 || strcmp(v->name, "beta") == 0)
            t = &l->bias, dt = &l->dbias;
        if (!v->trainable) {
            float **slot = strcmp(v->name, "moving_mean") == 0 ? &l->moving_mean
                                                                : &l->moving_variance;
            *slot = *state;
            *state += v->count;
            continue;
        }
        *t = tensor_view(*params, rows, cols);
        *params += v->count;
        if (dparams) {
            *dt = tensor_view(*dparams, rows, cols);
            *dparams += v->count;
        }
    }
}

void layer_move_gradients(LrLayer *l, const float *from, float *to)
{
    if (l->dweight.data)
        l->dweight.data = to + (l->dweight.data - from);
    if (l->dbias.data)
        l->dbias.data = to + (l->dbias.data - from);
}

/* Output pixels and patch width of a conv2d layer's im2col rows. */
static size_t conv_pixels(const LrLayer *l)
{
    return (size_t)l->window.out_h * (size_t)l->window.out_w;
}

static size_t conv_patch(const LrLayer *l)
{
    return (size_t)l->window.k_h * (size_t)l->window.k_w * (size_t)l->window.in_c;
}

int layer_draws(const LrLayer *l)
{
    if (l->ops == &layer_dropout_ops)
        return l->rate > 0.0f ? l->in : 0;
    if (l->ops == &layer_random_flip_ops)
        return l->flip == FLIP_BOTH ? 2 : 1;
    return 0;
}

int layer_chunk(const LrLayer *l, int batch)
{
    size_t per_image = conv_pixels(l) * conv_patch(l) * sizeof(float);
    size_t fit = per_image ? LAYER_CONV_SCRATCH / per_image : (size_t)batch;
    if (fit < 1)
        fit = 1;
    return fit < (size_t)batch ? (int)fit : batch;
}

/* What layer_alloc allocates, as counts of floats (and argmax's ints). */
typedef struct Needs {
    size_t cols, dcols, mask, argmax, stats, pre;
} Needs;

static Needs needs_of(const LrLayer *l, int batch, bool training)
{
    Needs n = {0};
    size_t rows = (size_t)batch;
    if (l->ops == &layer_conv2d_ops) {
        n.cols = (size_t)layer_chunk(l, batch) * conv_pixels(l) * conv_patch(l);
        n.dcols = training ? n.cols : 0;
    }
    if (!training)
        return n;
    if (l->ops == &layer_dropout_ops)
        n.mask = rows * (size_t)l->in;
    if (l->ops == &layer_random_flip_ops)
        n.mask = rows * 2; /* an image's flips: left-right, top-bottom */
    if (l->ops == &layer_maxpool2d_ops)
        n.argmax = rows * (size_t)l->out;
    if (l->ops == &layer_batchnorm_ops)
        n.stats = 2 * (size_t)l->channels;
    if ((l->ops == &layer_dense_ops || l->ops == &layer_conv2d_ops) &&
        activation_needs_input(l->activation))
        n.pre = rows * (size_t)l->out;
    return n;
}

size_t layer_alloc_bytes(const LrLayer *l, int batch, bool training)
{
    Needs n = needs_of(l, batch, training);
    return (n.cols + n.dcols + n.mask + n.stats + n.pre) * sizeof(float) +
           n.argmax * sizeof(int32_t);
}

bool layer_alloc(LrLayer *l, int batch, bool training, LrRng *dropout_rng, LrArena *arena)
{
    Needs n = needs_of(l, batch, training);
    if (n.cols) {
        int rows = layer_chunk(l, batch) * (int)conv_pixels(l);
        float *cols = arena_array(arena, n.cols, sizeof(float));
        float *dcols = n.dcols ? arena_array(arena, n.dcols, sizeof(float)) : NULL;
        if (!cols || (n.dcols && !dcols))
            return false;
        l->cols = tensor_view(cols, rows, (int)conv_patch(l));
        if (dcols)
            l->dcols = tensor_view(dcols, rows, (int)conv_patch(l));
    }
    if (n.mask) {
        float *mask = arena_array(arena, n.mask, sizeof(float));
        if (!mask)
            return false;
        l->mask = tensor_view(mask, batch, (int)(n.mask / (size_t)batch));
    }
    l->rng = dropout_rng;
    if (n.argmax && !(l->argmax = arena_array(arena, n.argmax, sizeof(int32_t))))
        return false;
    if (n.stats) {
        float *stats = arena_array(arena, n.stats, sizeof(float));
        if (!stats)
            return false;
        l->batch_mean = stats;
        l->batch_inv_std = stats + l->channels;
    }
    if (n.pre) {
        float *pre = arena_array(arena, n.pre, sizeof(float));
        if (!pre)
            return false;
        l->pre = tensor_view(pre, batch, l->out);
    }
    return true;
}

int layers_pass_rows(size_t widths)
{
    size_t fit = LAYER_PASS_BYTES / (widths * sizeof(float) + 1);
    if (fit < 1)
        fit = 1;
    return fit < LAYER_PASS_ROWS ? (int)fit : LAYER_PASS_ROWS;
}

bool layer_uses_blas(const LrLayer *l, int batch)
{
    if (l->ops == &layer_dense_ops)
        return blas_needed(batch, l->in, l->out);
    if (l->ops == &layer_conv2d_ops)
        return blas_needed((long)layer_chunk(l, batch) * (long)conv_pixels(l),
                           (long)conv_patch(l), l->out_shape.dims[2]);
    return false;
}
