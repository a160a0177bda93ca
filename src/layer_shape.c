/* layer_shape.c — the layer table's rules that need no runtime (layers.h):
 * shapes, windows, variables. The checker uses them before any data. */
#include "layers.h"

#include <stdio.h>
#include <string.h>

#include "words.h"

/* ------------------------------------------------------------- shapes */

/* One dimension of the window; false when its output would be empty. */
static bool window_dim(int in, int k, int stride, bool same, int *out, int *pad_before)
{
    if (in < 1 || k < 1 || stride < 1)
        return false;
    long long n;
    if (same) {
        n = ((long long)in + stride - 1) / stride;
        long long total = (n - 1) * stride + k - in;
        *pad_before = total > 0 ? (int)(total / 2) : 0;
    } else {
        if (k > in)
            return false;
        n = (in - k) / stride + 1;
        *pad_before = 0;
    }
    *out = (int)n;
    return n > 0;
}

bool window_init(LrWindow *w, int in_h, int in_w, int in_c, int k_h, int k_w, int stride_h,
                 int stride_w, bool same)
{
    *w = (LrWindow){.in_h = in_h, .in_w = in_w, .in_c = in_c, .k_h = k_h, .k_w = k_w,
                    .stride_h = stride_h, .stride_w = stride_w};
    return in_c > 0 && window_dim(in_h, k_h, stride_h, same, &w->out_h, &w->pad_top) &&
           window_dim(in_w, k_w, stride_w, same, &w->out_w, &w->pad_left);
}


size_t shape_count(const LrShape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= (size_t)s->dims[i];
    return n;
}

void shape_text(const LrShape *s, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < s->rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%d", i ? ", " : "", s->dims[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

bool shape_equal(const LrShape *a, const LrShape *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return false;
    return true;
}

static LrShape flat(size_t n)
{
    LrShape s = {1, {(int)n, 0, 0}};
    return s;
}

LrShape layers_input_shape(const LrSpec *spec, const LrShape *data_shape, int features)
{
    if (spec->input.rank > 0)
        return spec->input;
    if (data_shape && data_shape->rank > 0)
        return *data_shape;
    return flat((size_t)features);
}

static const char *kind_name(const LrLayerSpec *ls)
{
    return ls->kind == LAYER_ACTIVATION ? words_name(words_activations, (int)ls->activation)
                                        : words_name(words_layers, (int)ls->kind);
}

/* A window layer's geometry on in (rank 3); false when it does not fit. */
static bool window_of(const LrLayerSpec *ls, const LrShape *in, LrWindow *w)
{
    return window_init(w, in->dims[0], in->dims[1], in->dims[2], ls->kernel[0], ls->kernel[1],
                       ls->stride[0], ls->stride[1], ls->same);
}

/* Widths are ints: a layer whose output passes SPEC_MAX_UNITS values per
 * sample is refused. */
static bool fits(const LrShape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        n *= (size_t)s->dims[i];
        if (n > SPEC_MAX_UNITS)
            return false;
    }
    return true;
}

bool layer_shape(const LrLayerSpec *ls, const LrShape *in, const char *from, LrShape *out,
                 char *why, size_t size)
{
    const char *name = kind_name(ls);
    char shape[64], have[128];
    shape_text(in, shape, sizeof shape);
    snprintf(have, sizeof have, "%s %s", from ? from : "its input is", shape);
    *out = *in;
    switch (ls->kind) {
    case LAYER_DENSE:
        if (in->rank != 1) {
            snprintf(why, size, "dense needs a flat input but %s: put flatten before it", have);
            return false;
        }
        *out = flat((size_t)ls->units);
        return true;
    case LAYER_CONV2D:
    case LAYER_MAXPOOL2D:
    case LAYER_AVGPOOL2D:
    case LAYER_GLOBAL_AVGPOOL2D:
    case LAYER_RANDOM_FLIP: {
        if (in->rank != 3) {
            snprintf(why, size,
                     "%s needs an image input [height, width, channels] but %s", name, have);
            return false;
        }
        if (ls->kind == LAYER_RANDOM_FLIP)
            return true;
        if (ls->kind == LAYER_GLOBAL_AVGPOOL2D) {
            *out = flat((size_t)in->dims[2]);
            return true;
        }
        LrWindow w;
        if (!window_of(ls, in, &w)) {
            snprintf(why, size, "%s's window %dx%d does not fit: %s (padding=valid)", name,
                     ls->kernel[0], ls->kernel[1], have);
            return false;
        }
        *out = (LrShape){3, {w.out_h, w.out_w, ls->kind == LAYER_CONV2D ? ls->units : in->dims[2]}};
        break;
    }
    case LAYER_FLATTEN:
        *out = flat(shape_count(in));
        return true;
    case LAYER_RESHAPE: {
        char want[64];
        shape_text(&ls->target, want, sizeof want);
        if (shape_count(&ls->target) != shape_count(in)) {
            snprintf(why, size, "reshape to %s needs %zu values but %s (%zu)", want,
                     shape_count(&ls->target), have, shape_count(in));
            return false;
        }
        *out = ls->target;
        return true;
    }
    case LAYER_DROPOUT:
    case LAYER_BATCHNORM:
    case LAYER_ACTIVATION:
        if (ls->kind == LAYER_ACTIVATION && ls->activation == ACT_SOFTMAX && in->rank != 1) {
            snprintf(why, size, "softmax needs a flat input but %s: put flatten before it", have);
            return false;
        }
        return true;
    }
    if (!fits(out)) {
        char got[64];
        shape_text(out, got, sizeof got);
        snprintf(why, size, "%s's output %s has more than %d values", name, got, SPEC_MAX_UNITS);
        return false;
    }
    return true;
}

int layers_shapes(const LrLayerSpec *layers, int count, const LrShape *input, LrShape *out,
                  const LrSource *src, LrDiag *diag)
{
    const LrShape *in = input;
    for (int i = 0; i < count; i++) {
        char why[384], from[64];
        if (i == 0)
            snprintf(from, sizeof from, "the model's input is");
        else
            snprintf(from, sizeof from, "%s gives", kind_name(&layers[i - 1]));
        if (!layer_shape(&layers[i], in, from, &out[i], why, sizeof why)) {
            if (i == 0 && in->rank == 1 && layers[i].kind != LAYER_DENSE)
                diag_error(diag, src, layers[i].span,
                           "%s (give the model input=[h, w, c], or the data set shape=)", why);
            else
                diag_error(diag, src, layers[i].span, "%s", why);
            return -1;
        }
        in = &out[i];
    }
    return 0;
}

int layers_output_width(const LrLayerSpec *layers, int count)
{
    bool channels = false; /* only the last dimension is known to matter */
    for (int i = count - 1; i >= 0; i--) {
        switch (layers[i].kind) {
        case LAYER_DENSE:
            return layers[i].units;
        case LAYER_CONV2D:
            return channels ? layers[i].units : 0;
        case LAYER_GLOBAL_AVGPOOL2D:
            channels = true;
            break;
        case LAYER_MAXPOOL2D:
        case LAYER_AVGPOOL2D:
            if (!channels)
                return 0;
            break;
        case LAYER_FLATTEN:
        case LAYER_RESHAPE:
            return 0;
        case LAYER_DROPOUT:
        case LAYER_BATCHNORM:
        case LAYER_RANDOM_FLIP:
        case LAYER_ACTIVATION:
            break;
        }
    }
    return 0;
}

/* ---------------------------------------------------------- variables */

static LrVarShape var(const char *name, int rank, const int *dims, bool trainable, LrInitSpec init)
{
    LrVarShape v = {name, rank, {0}, 1, trainable, init};
    for (int i = 0; i < rank; i++) {
        v.dims[i] = dims[i];
        v.count *= (size_t)dims[i];
    }
    return v;
}

int layer_vars(const LrLayerSpec *ls, const LrShape *in, const LrShape *out, LrVarShape *vars)
{
    const int units[1] = {out->dims[out->rank - 1]};
    switch (ls->kind) {
    case LAYER_DENSE: {
        const int kernel[2] = {in->dims[0], ls->units};
        vars[0] = var("kernel", 2, kernel, true, ls->init);
        vars[1] = var("bias", 1, units, true, ls->bias_init);
        return 2;
    }
    case LAYER_CONV2D: {
        const int kernel[4] = {ls->kernel[0], ls->kernel[1], in->dims[2], ls->units};
        vars[0] = var("kernel", 4, kernel, true, ls->init);
        vars[1] = var("bias", 1, units, true, ls->bias_init);
        return 2;
    }
    case LAYER_BATCHNORM: {
        /* Keras's BatchNormalization: gamma ones, beta zeros; the moving
         * mean starts at 0, the moving variance at 1. */
        const int channels[1] = {in->dims[in->rank - 1]};
        const LrInitSpec ones = {INIT_ONES, 0, 0}, zeros = {INIT_ZEROS, 0, 0};
        vars[0] = var("gamma", 1, channels, true, ones);
        vars[1] = var("beta", 1, channels, true, zeros);
        vars[2] = var("moving_mean", 1, channels, false, zeros);
        vars[3] = var("moving_variance", 1, channels, false, ones);
        return 4;
    }
    case LAYER_DROPOUT:
    case LAYER_MAXPOOL2D:
    case LAYER_AVGPOOL2D:
    case LAYER_GLOBAL_AVGPOOL2D:
    case LAYER_FLATTEN:
    case LAYER_RESHAPE:
    case LAYER_RANDOM_FLIP:
    case LAYER_ACTIVATION:
        break;
    }
    return 0;
}

