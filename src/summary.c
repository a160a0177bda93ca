/* summary.c — see summary.h. */
#include "summary.h"

#include <stdio.h>
#include <string.h>

#include "data.h"
#include "layers.h"
#include "plan.h"

size_t summary_layer_params(const LrModelLayer *l)
{
    LrVarShape vars[LAYER_MAX_VARS];
    int count = layer_vars(&l->spec, &l->in_shape, &l->out_shape, vars);
    size_t total = 0;
    for (int i = 0; i < count; i++)
        total += vars[i].count;
    return total;
}

size_t summary_total_params(const LrModelDesc *d)
{
    size_t total = 0;
    for (int i = 0; i < d->layer_count; i++)
        total += summary_layer_params(&d->layers[i]);
    return total;
}

void summary_size(char *out, size_t size, double bytes)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (bytes >= 1024 && u < 5) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, size, "%.2f %s", bytes, units[u]);
}

void summary_count(char *out, size_t size, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* "(None, 26, 26, 32)", Keras's way, the batch first. */
static void shape_cell(const LrShape *s, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "(None");
    for (int i = 0; i < s->rank && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, ", %d", s->dims[i]);
    if (used < size)
        snprintf(out + used, size - used, ")");
}

/* "relu", "leaky_relu(alpha=0.1)", a dropout's rate, or "linear". */
static void activation_cell(const LrModelLayer *l, char *out, size_t size)
{
    if (l->kind == LAYER_DROPOUT)
        snprintf(out, size, "rate=%g", l->rate);
    else if (l->kind != LAYER_DENSE && l->kind != LAYER_CONV2D && l->kind != LAYER_ACTIVATION)
        snprintf(out, size, "-");
    else
        model_activation_text(l, out, size);
}

enum { COLUMNS = 4, CELL = 64, LIST_SHOWN = 20 };

/* A list of names, the first LIST_SHOWN of them and how many more. */
static void names_list(LrBuffer *out, const char *const *names, int count)
{
    for (int i = 0; i < count && i < LIST_SHOWN; i++)
        buffer_printf(out, "%s%s", i ? ", " : "", names[i]);
    if (count > LIST_SHOWN)
        buffer_printf(out, ", ... (%d more)", count - LIST_SHOWN);
}

void summary_write(const LrModelDesc *d, const char *prefix, LrBuffer *out)
{
    static const char *const head[COLUMNS] = {"Layer (type)", "Output Shape", "Activation",
                                              "Param #"};
    int widths[COLUMNS];
    for (int c = 0; c < COLUMNS; c++)
        widths[c] = (int)strlen(head[c]);
    /* Two passes over the rows: the widths, then the lines. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            buffer_printf(out, "%s%-*s  %-*s  %-*s  %*s\n", prefix, widths[0], head[0], widths[1],
                          head[1], widths[2], head[2], widths[3], head[3]);
        }
        for (int i = 0; i < d->layer_count; i++) {
            const LrModelLayer *l = &d->layers[i];
            char cells[COLUMNS][CELL];
            snprintf(cells[0], CELL, "%.32s (%.24s)", l->name, layer_title(l->kind));
            shape_cell(&l->out_shape, cells[1], CELL);
            activation_cell(l, cells[2], CELL);
            summary_count(cells[3], CELL, summary_layer_params(l));
            for (int c = 0; pass == 0 && c < COLUMNS; c++) {
                int w = (int)strlen(cells[c]);
                widths[c] = w > widths[c] ? w : widths[c];
            }
            if (pass == 1)
                buffer_printf(out, "%s%-*s  %-*s  %-*s  %*s\n", prefix, widths[0], cells[0],
                              widths[1], cells[1], widths[2], cells[2], widths[3], cells[3]);
        }
    }
    size_t total = summary_total_params(d);
    char count[32], bytes[32];
    summary_count(count, sizeof count, total);
    summary_size(bytes, sizeof bytes, (double)total * sizeof(float));
    buffer_printf(out, "%sTotal params: %s (%s)\n", prefix, count, bytes);
    buffer_printf(out, "%sInput: %d feature%s", prefix, d->features, d->features == 1 ? "" : "s");
    if (d->feature_names) {
        buffer_printf(out, " (");
        names_list(out, d->feature_names, d->features);
        buffer_printf(out, ")");
    }
    buffer_printf(out, ", normalize=%s\n", words_name(words_normalizers, (int)d->normalize));
    buffer_printf(out, "%sOutput: %s", prefix, model_output_name(d->output));
    if (d->class_names) {
        buffer_printf(out, " (");
        names_list(out, d->class_names, d->class_count);
        buffer_printf(out, ")");
    } else if (d->class_count > 0) {
        buffer_printf(out, " (%d)", d->class_count);
    }
    buffer_printf(out, "\n");
}

void summary_json(const LrModelDesc *d, LrJsonWriter *w)
{
    json_begin_object(w);
    json_key(w, "layers");
    json_begin_array(w);
    for (int i = 0; i < d->layer_count; i++) {
        const LrModelLayer *l = &d->layers[i];
        json_begin_object(w);
        json_key(w, "name");
        json_write_string(w, l->name);
        json_key(w, "kind");
        json_write_string(w, layer_kind_name(l->kind));
        json_key(w, "output_shape");
        json_begin_array(w);
        json_write_null(w);
        for (int k = 0; k < l->out_shape.rank; k++)
            json_write_integer(w, l->out_shape.dims[k]);
        json_end_array(w);
        if (l->kind == LAYER_DROPOUT) {
            json_key(w, "rate");
            json_write_number(w, l->rate);
        } else if (l->kind == LAYER_DENSE || l->kind == LAYER_CONV2D ||
                   l->kind == LAYER_ACTIVATION) {
            json_key(w, "activation");
            json_write_string(w, words_name(words_activations, (int)l->activation));
        }
        json_key(w, "params");
        json_write_integer(w, (int64_t)summary_layer_params(l));
        json_end_object(w);
    }
    json_end_array(w);
    size_t total = summary_total_params(d);
    json_key(w, "total_params");
    json_write_integer(w, (int64_t)total);
    json_key(w, "total_bytes");
    json_write_integer(w, (int64_t)(total * sizeof(float)));
    json_end_object(w);
}

LrStatus summary_of_spec(const LrSpec *spec, const LrSource *src, LrDiag *diag, LrArena *arena,
                         LrModelDesc *out)
{
    if (!spec->has_model) {
        diag_plain("'%s' has no model to summarize", src->name);
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (!spec->has_train) {
        diag_plain("'%s' trains on no data set, so its model's input width is not known",
                   src->name);
        return status_of(LR_LANGUAGE_ERROR);
    }
    LrDataShape shape;
    LrStatus status = data_check_columns(&spec->datasets[spec->train.on.dataset], src, diag, &shape);
    if (!status_ok(status))
        return status;
    LrShape input;
    const int on = spec->train.on.dataset;
    if (plan_input_shape(spec, &shape.shape, shape.features,
                         spec->datasets[on].name[0] ? spec->datasets[on].name : "(unnamed)", src,
                         diag, &input) < 0)
        return status_of(LR_LANGUAGE_ERROR);
    int described = model_describe_spec(spec, &input, arena, out);
    if (described == -2) {
        LrShape outs[SPEC_MAX_LAYERS];
        layers_shapes(spec->layers, spec->layer_count, &input, outs, src, diag);
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (described < 0) {
        diag_plain("out of memory");
        return status_of(LR_RUN_FAILED);
    }
    return status_of(LR_OK);
}
