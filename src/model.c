/* model.c — see model.h. The description is written from the plan that
 * trained the model and read back with every field checked, because a
 * model file comes from anywhere: a value that does not fit is refused
 * here, by name, so that nothing downstream sees it. */
#include "model.h"

#include <ctype.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blas.h"
#include "decimal.h"
#include "diag.h"
#include "fileio.h"
#include "json.h"
#include "layers.h"
#include "loss.h"
#include "metrics.h"
#include "plan.h"
#include "pool.h"
#include "sha256.h"
#include "version.h"

static const char *const output_names[] = {
#define MODEL_OUTPUT_NAME(code, name) name,
    LR_OUTPUTS(MODEL_OUTPUT_NAME)
#undef MODEL_OUTPUT_NAME
};

const char *model_output_name(LrOutputKind k)
{
    return output_names[k];
}

/* ------------------------------------------------------------ describing */

/* prefix + index for index = first, first + 1, ...: x1, x2 (generated
 * inputs), 0, 1 (classes given as numbers). */
static const char **numbered_names(LrArena *arena, const char *prefix, int count, int first)
{
    const char **names = arena_array(arena, (size_t)count, sizeof *names);
    for (int i = 0; names && i < count; i++) {
        char name[32];
        int n = snprintf(name, sizeof name, "%s%d", prefix, first + i);
        if (!(names[i] = arena_strndup(arena, name, (size_t)n)))
            return NULL;
    }
    return names;
}

/* Each layer's Keras name: its kind's word, then _1, _2, ... for later
 * layers of the same kind (as plan_layer_name names the plan's). */
static void name_layers(LrModelLayer *layers, int count)
{
    for (int i = 0; i < count; i++) {
        int index = 0;
        for (int k = 0; k < i; k++)
            index += layers[k].kind == layers[i].kind;
        layer_name(layers[i].kind, index, layers[i].name, sizeof layers[i].name);
    }
}

const char *layer_kind_name(LrLayerKind kind)
{
    return kind == LAYER_ACTIVATION ? "activation" : words_name(words_layers, (int)kind);
}

int model_spec_layers(const LrSpec *spec, const LrShape *input, LrArena *arena, LrModelDesc *out)
{
    LrModelLayer *layers = arena_array(arena, (size_t)spec->layer_count, sizeof *layers);
    if (!layers)
        return -1;
    LrShape in = *input;
    for (int i = 0; i < spec->layer_count; i++) {
        const LrLayerSpec *ls = &spec->layers[i];
        LrModelLayer *l = &layers[i];
        char why[256];
        if (!layer_shape(ls, &in, NULL, &l->out_shape, why, sizeof why))
            return -2;
        l->spec = *ls;
        l->in_shape = in;
        l->kind = ls->kind;
        l->in = (int)shape_count(&in);
        l->out = (int)shape_count(&l->out_shape);
        l->activation = ls->kind == LAYER_DROPOUT ? ACT_LINEAR : ls->activation;
        l->rate = ls->kind == LAYER_DROPOUT ? ls->rate : 0;
        l->alpha = ls->alpha;
        l->approximate = ls->approximate;
        in = l->out_shape;
    }
    name_layers(layers, spec->layer_count);
    out->input_shape = *input;
    out->features = (int)shape_count(input);
    out->layer_count = spec->layer_count;
    out->layers = layers;
    out->outputs = (int)shape_count(&in);
    return 0;
}

int model_describe_spec(const LrSpec *spec, const LrShape *input, LrArena *arena,
                        LrModelDesc *out)
{
    memset(out, 0, sizeof *out);
    int status = model_spec_layers(spec, input, arena, out);
    if (status < 0)
        return status;
    const LrDatasetSpec *ds = spec->has_train ? &spec->datasets[spec->train.on.dataset] : NULL;
    out->normalize = ds ? ds->normalize : NORM_NONE;
    out->loss = spec->loss;
    out->output = spec->has_loss ? loss_output_kind(spec->loss.kind, out->outputs) : OUTPUT_REGRESSION;
    out->class_count = out->output == OUTPUT_CLASSES ? out->outputs
                       : out->output == OUTPUT_BINARY ? 2
                                                       : 0;
    out->version = LRC_VERSION;
    out->experiment_sha256 = "";
    return 0;
}

int model_describe(const LrPlan *plan, const char *experiment_sha256, LrArena *arena,
                   LrModelDesc *out)
{
    const LrSpec *spec = plan->spec;
    const LrDatasetSpec *ds = &spec->datasets[spec->train.on.dataset];
    const LrDataset *data = &plan->data[spec->train.on.dataset];
    memset(out, 0, sizeof *out);
    out->features = plan->features;
    out->feature_names = data->feature_names
                             ? data->feature_names
                             : (const char *const *)numbered_names(arena, "x", plan->features, 1);
    /* A transform loaded from a file without a description has no known
     * kind: standard is the most likely one. */
    out->normalize = !plan->normalized               ? NORM_NONE
                     : plan->norm_kind != NORM_NONE ? plan->norm_kind
                                                    : NORM_STANDARD;
    if (plan->normalized) {
        out->norm_offset = plan->norm_offset;
        out->norm_scale = plan->norm_scale;
    }
    if (!out->feature_names || model_spec_layers(spec, &plan->input_shape, arena, out) < 0)
        return -1;
    out->outputs = plan->outputs;
    out->output = loss_output_kind(spec->loss.kind, plan->outputs);
    out->target_count = plan->targets;
    static const char *const single_target[] = {"y"};
    if (ds->kind == DATA_CSV && ds->label_count == plan->targets)
        out->target_names = ds->labels;
    else if (plan->targets == 1)
        out->target_names = single_target;
    else if (!(out->target_names =
                   (const char *const *)numbered_names(arena, "y", plan->targets, 1)))
        return -1;
    if (out->output != OUTPUT_REGRESSION) {
        int count = out->output == OUTPUT_BINARY ? 2 : plan->outputs;
        if (data->class_names && data->class_count == count) {
            out->class_names = data->class_names;
            out->named_classes = true;
        } else if (!(out->class_names =
                         (const char *const *)numbered_names(arena, "", count, 0))) {
            return -1;
        }
        out->class_count = count;
    }
    out->loss = spec->loss;
    out->version = LRC_VERSION;
    out->experiment_sha256 = experiment_sha256 ? experiment_sha256 : "";
    return 0;
}

/* "3" or "[3, 5]": a window side's pair as the language writes it. */
static void pair_text(const int *pair, char *out, size_t size)
{
    if (pair[0] == pair[1])
        snprintf(out, size, "%d", pair[0]);
    else
        snprintf(out, size, "[%d, %d]", pair[0], pair[1]);
}

/* One layer as the model statement writes it. */
static void layer_text(const LrModelLayer *l, char *one, size_t size)
{
    const LrLayerSpec *ls = &l->spec;
    const char *act = words_name(words_activations, (int)l->activation);
    char k[32], st[32], shape[64];
    switch (l->kind) {
    case LAYER_DENSE:
        if (l->activation == ACT_LINEAR)
            snprintf(one, size, "dense(%d)", l->out);
        else
            snprintf(one, size, "dense(%d, activation=%s)", l->out, act);
        return;
    case LAYER_DROPOUT:
        snprintf(one, size, "dropout(%g)", l->rate);
        return;
    case LAYER_CONV2D:
        pair_text(ls->kernel, k, sizeof k);
        pair_text(ls->stride, st, sizeof st);
        snprintf(one, size, "conv2d(%d, kernel=%s%s%s%s%s%s)", ls->units, k,
                 ls->stride[0] != 1 || ls->stride[1] != 1 ? ", stride=" : "",
                 ls->stride[0] != 1 || ls->stride[1] != 1 ? st : "",
                 ls->same ? ", padding=same" : "", l->activation != ACT_LINEAR ? ", activation=" : "",
                 l->activation != ACT_LINEAR ? act : "");
        return;
    case LAYER_MAXPOOL2D:
    case LAYER_AVGPOOL2D: {
        pair_text(ls->kernel, k, sizeof k);
        pair_text(ls->stride, st, sizeof st);
        bool stride = ls->stride[0] != ls->kernel[0] || ls->stride[1] != ls->kernel[1];
        snprintf(one, size, "%s(%s%s%s%s)", layer_kind_name(l->kind), k, stride ? ", stride=" : "",
                 stride ? st : "", ls->same ? ", padding=same" : "");
        return;
    }
    case LAYER_RESHAPE:
        shape_text(&l->out_shape, shape, sizeof shape);
        snprintf(one, size, "reshape(%s)", shape);
        return;
    case LAYER_RANDOM_FLIP:
        if (ls->flip != FLIP_BOTH) {
            snprintf(one, size, "random_flip(mode=%s)", words_name(words_flip_modes, ls->flip));
            return;
        }
        /* fall through */
    case LAYER_GLOBAL_AVGPOOL2D:
    case LAYER_FLATTEN:
    case LAYER_BATCHNORM:
        snprintf(one, size, "%s", layer_kind_name(l->kind));
        return;
    case LAYER_ACTIVATION:
        break;
    }
    model_activation_text(l, one, size);
}

void model_activation_text(const LrModelLayer *l, char *out, size_t size)
{
    const char *name = words_name(words_activations, (int)l->activation);
    if (activation_has_alpha(l->activation))
        snprintf(out, size, "%s(alpha=%g)", name, l->alpha);
    else if (l->activation == ACT_GELU)
        snprintf(out, size, "%s(approximate=%s)", name, l->approximate ? "true" : "false");
    else
        snprintf(out, size, "%s", name);
}

void model_chain(const LrModelLayer *layers, int count, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < count; i++) {
        char one[160];
        layer_text(&layers[i], one, sizeof one);
        const char *sep = i > 0 ? " -> " : "";
        /* room for this layer and, should more follow, " -> ..." */
        if (used + strlen(sep) + strlen(one) + (i + 1 < count ? 8 : 0) >= size) {
            if (used + 8 < size)
                snprintf(out + used, size - used, "%s...", sep);
            return;
        }
        used += (size_t)snprintf(out + used, size - used, "%s%s", sep, one);
    }
}

/* The layers that act outside training, in order (dropout and random_flip
 * are the identity there). */
static int acting_layers(const LrModelLayer *layers, int count, const LrModelLayer **out)
{
    int n = 0;
    for (int i = 0; i < count; i++)
        if (layers[i].kind != LAYER_DROPOUT && layers[i].kind != LAYER_RANDOM_FLIP)
            out[n++] = &layers[i];
    return n;
}

static bool same_model(const LrModelDesc *a, const LrModelDesc *b)
{
    const LrModelLayer *la[SPEC_MAX_LAYERS], *lb[SPEC_MAX_LAYERS];
    int na = acting_layers(a->layers, a->layer_count, la);
    if (na != acting_layers(b->layers, b->layer_count, lb))
        return false;
    for (int i = 0; i < na; i++) {
        const LrLayerSpec *x = &la[i]->spec, *y = &lb[i]->spec;
        if (la[i]->kind != lb[i]->kind || la[i]->out != lb[i]->out ||
            la[i]->activation != lb[i]->activation ||
            la[i]->alpha != lb[i]->alpha || la[i]->approximate != lb[i]->approximate ||
            !shape_equal(&la[i]->out_shape, &lb[i]->out_shape))
            return false;
        bool window = la[i]->kind == LAYER_CONV2D || la[i]->kind == LAYER_MAXPOOL2D ||
                      la[i]->kind == LAYER_AVGPOOL2D;
        if (window && (x->kernel[0] != y->kernel[0] || x->kernel[1] != y->kernel[1] ||
                       x->stride[0] != y->stride[0] || x->stride[1] != y->stride[1] ||
                       x->same != y->same))
            return false;
    }
    return true;
}

int model_match_inputs(const LrModelDesc *d, const LrSpec *spec, int index,
                       const char *const *names, int count, int *col, const LrSource *src,
                       LrDiag *diag)
{
    const LrDatasetSpec *ds = &spec->datasets[index];
    const char *name = ds->name[0] ? ds->name : "the data set";
    const char **have = malloc(((size_t)count + 1) * sizeof *have);
    char (*numbered)[16] = malloc(((size_t)count + 1) * sizeof *numbered);
    if (!have || !numbered) {
        free(have);
        free(numbered);
        return -1;
    }
    for (int j = 0; j < count; j++) {
        snprintf(numbered[j], sizeof numbered[j], "x%d", j + 1);
        have[j] = names ? names[j] : numbered[j];
    }
    have[count] = NULL;
    int missing = 0;
    for (int i = 0; i < d->features; i++) {
        col[i] = -1;
        for (int j = 0; j < count && col[i] < 0; j++)
            if (strcmp(have[j], d->feature_names[i]) == 0)
                col[i] = j;
        if (col[i] >= 0)
            continue;
        const char *near = diag_suggest(d->feature_names[i], strlen(d->feature_names[i]), have);
        diag_error(diag, src, ds->span, "the model's input '%s' is not a feature of %s%s%s%s",
                   d->feature_names[i], name, near ? "; did you mean '" : "", near ? near : "",
                   near ? "'?" : "");
        missing++;
    }
    free(have);
    free(numbered);
    return missing;
}

/* model_check_load of an inference file. */
static LrStatus check_inference(const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    char why[1024];
    LrSafetensors st;
    /* One that does not open is the run's failure, as for a training file. */
    if (safetensors_open(&st, spec->load_path, why, sizeof why) < 0) {
        safetensors_close(&st);
        return status_of(LR_OK);
    }
    LrArena arena = {0};
    LrModelDesc d;
    LrStatus status = status_of(LR_OK);
    if (model_read_description(&st, &arena, &d, why, sizeof why) != 0) {
        diag_error(diag, src, spec->load_span, "%s", why);
        status = status_of(LR_LANGUAGE_ERROR);
    } else if (metrics_check_fit(spec, d.loss.kind, d.outputs, src, diag) > 0) {
        status = status_of(LR_LANGUAGE_ERROR);
    }
    bool used[SPEC_MAX_DATASETS] = {false};
    for (int i = 0; i < spec->evaluate_count; i++)
        used[spec->evaluates[i].on.dataset] = true;
    for (int i = 0; i < spec->predict_count; i++)
        used[spec->predicts[i].on.dataset] = true;
    int *col = status_ok(status) ? malloc((size_t)d.features * sizeof *col) : NULL;
    if (status_ok(status) && !col) {
        diag_error(diag, src, spec->load_span, "out of memory");
        status = status_of(LR_RUN_FAILED);
    }
    for (int i = 0; status_ok(status) && i < spec->dataset_count; i++) {
        const char *const *names;
        int count;
        if (!used[i] ||
            !status_ok(status = data_feature_names(&spec->datasets[i], src, diag, &names, &count)))
            continue;
        int missing = model_match_inputs(&d, spec, i, names, count, col, src, diag);
        free((void *)names);
        if (missing != 0)
            status = status_of(missing < 0 ? LR_RUN_FAILED : LR_LANGUAGE_ERROR);
        if (missing < 0)
            diag_error(diag, src, spec->datasets[i].span, "out of memory");
    }
    free(col);
    arena_free(&arena);
    safetensors_close(&st);
    return status;
}

LrStatus model_check_load(const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    if (spec->load_path && !spec->has_train && (spec->evaluate_count > 0 || spec->predict_count > 0))
        return check_inference(spec, src, diag);
    if (!spec->load_path || !spec->has_model)
        return status_of(LR_OK);
    char why[1024];
    LrSafetensors st;
    if (safetensors_open(&st, spec->load_path, why, sizeof why) < 0) {
        safetensors_close(&st);
        return status_of(LR_OK);
    }
    LrArena arena = {0};
    LrModelDesc saved, here;
    LrStatus status = status_of(LR_OK);
    int read = model_read_description(&st, &arena, &saved, why, sizeof why);
    LrDataShape shape = {0};
    LrShape input;
    int layers = 0;
    if (read < 0) {
        diag_error(diag, src, spec->load_span, "%s", why);
        status = status_of(LR_LANGUAGE_ERROR);
    } else if (read == 0 && spec->has_train &&
               !status_ok(status = data_check_columns(&spec->datasets[spec->train.on.dataset],
                                                      src, diag, &shape))) {
        /* reported */
    } else if (read == 0 &&
               (input = spec->has_train ? layers_input_shape(spec, &shape.shape, shape.features)
                                        : saved.input_shape,
                layers = model_spec_layers(spec, &input, &arena, &here)) == -1) {
        diag_error(diag, src, spec->load_span, "out of memory");
        status = status_of(LR_RUN_FAILED);
    } else if (read == 0 && layers == -2) {
        /* the plan names the layer that does not fit */
    } else if (read == 0 && !same_model(&saved, &here)) {
        char a[512], b[512];
        model_chain(saved.layers, saved.layer_count, a, sizeof a);
        model_chain(here.layers, here.layer_count, b, sizeof b);
        diag_error(diag, src, spec->load_span, "'%s' holds %s but the model here is %s",
                   st.path, a, b);
        status = status_of(LR_LANGUAGE_ERROR);
    } else if (read == 0 && spec->has_train && saved.features != shape.features) {
        diag_error(diag, src, spec->load_span,
                   "'%s' takes %d input%s but the data set trained on here has %d feature "
                   "column%s",
                   st.path, saved.features, saved.features == 1 ? "" : "s", shape.features,
                   shape.features == 1 ? "" : "s");
        status = status_of(LR_LANGUAGE_ERROR);
    }
    arena_free(&arena);
    safetensors_close(&st);
    return status;
}

/* ------------------------------------------------------------- to metadata */

static void names_json(LrJsonWriter *w, const char *const *names, int count)
{
    json_begin_array(w);
    for (int i = 0; i < count; i++)
        json_write_string(w, names[i]);
    json_end_array(w);
}

/* A float32 in the shortest text that reads back (as float) to it. */
static void float_json(LrJsonWriter *w, float v)
{
    char text[DECIMAL_SHORTEST_SIZE];
    decimal_shortest_float(v, text);
    /* Through a double that prints as the text: the writer's own form. */
    json_write_number(w, strtod(text, NULL));
}

static void floats_json(LrJsonWriter *w, const float *v, int count)
{
    json_begin_array(w);
    for (int i = 0; i < count; i++)
        float_json(w, v[i]);
    json_end_array(w);
}

static const char *json_text(LrArena *arena, LrBuffer *b)
{
    const char *s = b->failed ? NULL : arena_strndup(arena, b->data ? b->data : "", b->length);
    buffer_free(b);
    return s;
}

static void ints_json(LrJsonWriter *w, const int *v, int count)
{
    json_begin_array(w);
    for (int i = 0; i < count; i++)
        json_write_integer(w, v[i]);
    json_end_array(w);
}

/* A layer's options in the description (model.h lists them). */
static void layer_json(LrJsonWriter *w, const LrModelLayer *l)
{
    const LrLayerSpec *ls = &l->spec;
    bool window = l->kind == LAYER_MAXPOOL2D || l->kind == LAYER_AVGPOOL2D ||
                  l->kind == LAYER_CONV2D;
    if (l->kind == LAYER_DROPOUT) {
        json_key(w, "rate");
        json_write_number(w, l->rate);
    }
    if (l->kind == LAYER_DENSE || l->kind == LAYER_CONV2D || l->kind == LAYER_ACTIVATION) {
        json_key(w, "activation");
        json_write_string(w, words_name(words_activations, (int)l->activation));
        if (activation_has_alpha(l->activation)) {
            json_key(w, "alpha");
            json_write_number(w, l->alpha);
        } else if (l->activation == ACT_GELU) {
            json_key(w, "approximate");
            json_write_bool(w, l->approximate);
        }
    }
    if (l->kind == LAYER_CONV2D) {
        json_key(w, "filters");
        json_write_integer(w, ls->units);
    }
    if (window) {
        json_key(w, l->kind == LAYER_CONV2D ? "kernel" : "size");
        ints_json(w, ls->kernel, 2);
        json_key(w, "stride");
        ints_json(w, ls->stride, 2);
        json_key(w, "padding");
        json_write_string(w, words_name(words_paddings, ls->same ? PAD_SAME : PAD_VALID));
    }
    if (l->kind == LAYER_RANDOM_FLIP) {
        json_key(w, "mode");
        json_write_string(w, words_name(words_flip_modes, ls->flip));
    }
    if (l->kind == LAYER_BATCHNORM) {
        json_key(w, "momentum");
        json_write_number(w, ls->momentum);
        json_key(w, "epsilon");
        json_write_number(w, ls->epsilon);
    }
    if (l->out_shape.rank != 1 || l->in_shape.rank != 1) {
        json_key(w, "shape");
        ints_json(w, l->out_shape.dims, l->out_shape.rank);
    }
}

int model_to_meta(const LrModelDesc *d, LrArena *arena, LrMeta *meta)
{
    int n = 0;
    char number[16];
    snprintf(number, sizeof number, "%d", MODEL_DESCRIPTION_VERSION);
    meta[n++] = (LrMeta){"format", "lrc-model"};
    meta[n++] = (LrMeta){"lrc_version", d->version};
    meta[n++] = (LrMeta){"lrc_model", arena_strndup(arena, number, strlen(number))};
    meta[n++] = (LrMeta){"experiment_sha256", d->experiment_sha256};

    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b};
    names_json(&w, d->feature_names, d->features);
    meta[n++] = (LrMeta){"inputs", json_text(arena, &b)};

    w = (LrJsonWriter){.out = &b};
    json_begin_object(&w);
    json_key(&w, "kind");
    json_write_string(&w, words_name(words_normalizers, (int)d->normalize));
    if (d->normalize != NORM_NONE) {
        json_key(&w, "offset");
        floats_json(&w, d->norm_offset, d->features);
        json_key(&w, "scale");
        floats_json(&w, d->norm_scale, d->features);
    }
    json_end_object(&w);
    meta[n++] = (LrMeta){"normalize", json_text(arena, &b)};

    /* A plain row needs no shape (and files stay as lrc 0.3.0 wrote them). */
    if (d->input_shape.rank > 1) {
        w = (LrJsonWriter){.out = &b};
        ints_json(&w, d->input_shape.dims, d->input_shape.rank);
        meta[n++] = (LrMeta){"input_shape", json_text(arena, &b)};
    }

    w = (LrJsonWriter){.out = &b};
    json_begin_array(&w);
    for (int i = 0; i < d->layer_count; i++) {
        const LrModelLayer *l = &d->layers[i];
        json_begin_object(&w);
        json_key(&w, "name");
        json_write_string(&w, l->name);
        json_key(&w, "kind");
        json_write_string(&w, layer_kind_name(l->kind));
        json_key(&w, "units");
        json_write_integer(&w, l->out);
        layer_json(&w, l);
        json_end_object(&w);
    }
    json_end_array(&w);
    meta[n++] = (LrMeta){"layers", json_text(arena, &b)};

    meta[n++] = (LrMeta){"output", model_output_name(d->output)};
    w = (LrJsonWriter){.out = &b};
    names_json(&w, d->target_names, d->target_count);
    meta[n++] = (LrMeta){"targets", json_text(arena, &b)};
    if (d->output != OUTPUT_REGRESSION) {
        w = (LrJsonWriter){.out = &b};
        names_json(&w, d->class_names, d->class_count);
        meta[n++] = (LrMeta){"classes", json_text(arena, &b)};
    }

    w = (LrJsonWriter){.out = &b};
    json_begin_object(&w);
    json_key(&w, "kind");
    json_write_string(&w, words_name(words_losses, (int)d->loss.kind));
    if (d->loss.kind == LOSS_HUBER) {
        json_key(&w, "delta");
        json_write_number(&w, d->loss.delta);
    }
    json_end_object(&w);
    meta[n++] = (LrMeta){"loss", json_text(arena, &b)};

    for (int i = 0; i < n; i++)
        if (!meta[i].value)
            return -1;
    return n;
}

/* ------------------------------------------------------------ reading back */

typedef struct Reader {
    const LrSafetensors *st;
    LrArena *arena;
    char *why;
    size_t why_size;
} Reader;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int bad(Reader *r, const char *key, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(r->why, r->why_size, "'%s': the model description is damaged: '%s' %s", r->st->path,
             key, what);
    return -1;
}

/* The metadata value key, parsed as JSON (the caller frees it). */
static LrJson *meta_json(Reader *r, const char *key)
{
    const char *text = safetensors_meta(r->st, key);
    if (!text) {
        bad(r, key, "is missing");
        return NULL;
    }
    char why[256];
    LrJson *j = json_parse(text, strlen(text), why, sizeof why);
    if (!j)
        bad(r, key, "is not JSON (%s)", why);
    return j;
}

/* A JSON array of count (-1: any number, at most limit) distinct,
 * non-empty strings, NULL-terminated (diag_suggest's and data.h's lists). */
static const char **meta_names(Reader *r, const char *key, int count, int limit, int *out_count)
{
    LrJson *j = meta_json(r, key);
    if (!j)
        return NULL;
    const char **names = NULL;
    if (j->kind != LR_JSON_ARRAY) {
        bad(r, key, "is not an array of names");
    } else if (count >= 0 && j->count != count) {
        bad(r, key, "has %d names where %d are needed", j->count, count);
    } else if (j->count < 1 || j->count > limit) {
        bad(r, key, "has %d names (1 to %d are allowed)", j->count, limit);
    } else if ((names = arena_array(r->arena, (size_t)j->count + 1, sizeof *names))) {
        int i = 0;
        for (const LrJson *e = j->first; e; e = e->next, i++) {
            if (e->kind != LR_JSON_STRING || !e->string[0]) {
                bad(r, key, "has an entry %d that is not a non-empty name", i + 1);
                names = NULL;
                break;
            }
            for (int k = 0; k < i; k++) {
                if (strcmp(names[k], e->string) == 0) {
                    bad(r, key, "names '%s' twice", e->string);
                    names = NULL;
                    break;
                }
            }
            if (!names || !(names[i] = arena_strndup(r->arena, e->string, strlen(e->string)))) {
                if (names)
                    snprintf(r->why, r->why_size, "out of memory");
                names = NULL;
                break;
            }
        }
        if (names && out_count)
            *out_count = j->count;
    } else {
        snprintf(r->why, r->why_size, "out of memory");
    }
    json_free(j);
    return names;
}

/* A word of table named by member key of object j. */
static int member_word(Reader *r, const char *meta_key, const LrJson *j, const char *key,
                       const LrWord *table, int *code)
{
    const LrJson *v = json_get(j, key);
    if (!v || v->kind != LR_JSON_STRING)
        return bad(r, meta_key, "lacks a \"%s\" name", key);
    const LrWord *w = words_find(table, v->string, strlen(v->string));
    if (!w || !w->supported)
        return bad(r, meta_key, "has the unknown %s '%s'", key, v->string);
    *code = w->code;
    return 0;
}

static int read_normalize(Reader *r, LrModelDesc *d)
{
    LrJson *j = meta_json(r, "normalize");
    if (!j)
        return -1;
    int kind = 0, status = 0;
    if (j->kind != LR_JSON_OBJECT)
        status = bad(r, "normalize", "is not an object");
    else
        status = member_word(r, "normalize", j, "kind", words_normalizers, &kind);
    d->normalize = (LrNormalizeKind)kind;
    const char *const parts[2] = {"offset", "scale"};
    float *values[2] = {NULL, NULL};
    for (int p = 0; status == 0 && kind != NORM_NONE && p < 2; p++) {
        const LrJson *a = json_get(j, parts[p]);
        if (!a || a->kind != LR_JSON_ARRAY || a->count != d->features) {
            status = bad(r, "normalize", "needs \"%s\": an array of %d numbers", parts[p],
                         d->features);
            break;
        }
        if (!(values[p] = arena_array(r->arena, (size_t)d->features, sizeof(float)))) {
            snprintf(r->why, r->why_size, "out of memory");
            status = -1;
            break;
        }
        int i = 0;
        for (const LrJson *e = a->first; e; e = e->next, i++) {
            /* (a double past float's range would be undefined as a float) */
            bool fits = e->kind == LR_JSON_NUMBER && fabs(e->number) <= FLT_MAX;
            float v = fits ? (float)e->number : 0;
            if (!fits || (p == 1 && !(v > 0))) {
                status = bad(r, "normalize", "has \"%s\" entry %d that is not a %s number",
                             parts[p], i + 1, p == 1 ? "positive" : "finite");
                break;
            }
            values[p][i] = v;
        }
    }
    d->norm_offset = values[0];
    d->norm_scale = values[1];
    json_free(j);
    return status;
}

/* An array of count (or, count 0, 1 to SHAPE_MAX_RANK) integers from 1 to
 * SPEC_MAX_UNITS at member key of j; its length in *got. */
static int member_ints(Reader *r, const char *meta_key, const LrJson *j, const char *key,
                       int count, int *out, int *got)
{
    const LrJson *v = json_get(j, key);
    int n = 0;
    bool ok = v && v->kind == LR_JSON_ARRAY &&
              (count ? v->count == count : v->count >= 1 && v->count <= SHAPE_MAX_RANK);
    for (const LrJson *e = ok ? v->first : NULL; e; e = e->next) {
        if (e->kind != LR_JSON_NUMBER || !e->is_integer || e->integer < 1 ||
            e->integer > SPEC_MAX_UNITS) {
            ok = false;
            break;
        }
        out[n++] = (int)e->integer;
    }
    if (!ok) {
        if (count)
            return bad(r, meta_key, "needs \"%s\": %d integers from 1 to %d", key, count,
                       SPEC_MAX_UNITS);
        return bad(r, meta_key, "needs \"%s\": 1 to %d integers from 1 to %d", key,
                   SHAPE_MAX_RANK, SPEC_MAX_UNITS);
    }
    if (got)
        *got = n;
    return 0;
}

static int member_number(Reader *r, const char *meta_key, const LrJson *j, const char *key,
                         double lo, double hi, bool hi_open, double *out)
{
    const LrJson *v = json_get(j, key);
    if (!v || v->kind != LR_JSON_NUMBER || !(v->number >= lo) ||
        (hi_open ? !(v->number < hi) : !(v->number <= hi)))
        return bad(r, meta_key, "needs a \"%s\" in [%g, %g%s", key, lo, hi, hi_open ? ")" : "]");
    *out = v->number;
    return 0;
}

/* A layer's kind and options (layer_json's keys) into l->spec. */
static int read_layer_options(Reader *r, const char *key, const LrJson *e, const char *kind,
                              LrModelLayer *l)
{
    LrLayerSpec *ls = &l->spec;
    int code = 0;
    if (strcmp(kind, "activation") == 0) {
        ls->kind = LAYER_ACTIVATION;
    } else {
        const LrWord *w = words_find(words_layers, kind, strlen(kind));
        if (!w || !w->supported || w->code >= LAYER_WORD_ACTIVATION)
            return bad(r, key, "has the unknown kind '%s'", kind);
        ls->kind = (LrLayerKind)w->code;
    }
    int status = 0;
    if (ls->kind == LAYER_DENSE || ls->kind == LAYER_CONV2D || ls->kind == LAYER_ACTIVATION) {
        status = member_word(r, key, e, "activation", words_activations, &code);
        ls->activation = (LrActivation)code;
    }
    if (status == 0 && ls->kind == LAYER_DROPOUT)
        status = member_number(r, key, e, "rate", 0, 1, true, &ls->rate);
    if (status == 0 && ls->kind == LAYER_CONV2D) {
        const LrJson *f = json_get(e, "filters");
        if (!f || f->kind != LR_JSON_NUMBER || !f->is_integer || f->integer < 1 ||
            f->integer > SPEC_MAX_UNITS)
            status = bad(r, key, "needs \"filters\" between 1 and %d", SPEC_MAX_UNITS);
        else
            ls->units = (int)f->integer;
    }
    if (status == 0 && (ls->kind == LAYER_CONV2D || ls->kind == LAYER_MAXPOOL2D ||
                        ls->kind == LAYER_AVGPOOL2D)) {
        status = member_ints(r, key, e, ls->kind == LAYER_CONV2D ? "kernel" : "size", 2,
                             ls->kernel, NULL);
        if (status == 0)
            status = member_ints(r, key, e, "stride", 2, ls->stride, NULL);
        if (status == 0)
            status = member_word(r, key, e, "padding", words_paddings, &code);
        ls->same = code == PAD_SAME;
    }
    if (status == 0 && ls->kind == LAYER_BATCHNORM) {
        status = member_number(r, key, e, "momentum", 0, 1, true, &ls->momentum);
        if (status == 0)
            status = member_number(r, key, e, "epsilon", DBL_MIN, 1e300, false, &ls->epsilon);
    }
    if (status == 0 && ls->kind == LAYER_RESHAPE)
        status = member_ints(r, key, e, "shape", 0, ls->target.dims, &ls->target.rank);
    if (status == 0 && ls->kind == LAYER_RANDOM_FLIP) {
        status = member_word(r, key, e, "mode", words_flip_modes, &code);
        ls->flip = (LrFlipMode)code;
    }
    return status;
}

/* leaky_relu's and elu's "alpha", gelu's "approximate", in the language's
 * ranges. */
static int read_activation_parameters(Reader *r, const char *key, const LrJson *e,
                                      LrModelLayer *l)
{
    if (activation_has_alpha(l->activation)) {
        const LrJson *alpha = json_get(e, "alpha");
        bool positive = l->activation == ACT_ELU;
        if (!alpha || alpha->kind != LR_JSON_NUMBER ||
            !(positive ? alpha->number > 0 : alpha->number >= 0) || !isfinite(alpha->number))
            return bad(r, key, "needs an \"alpha\" %s", positive ? "> 0" : ">= 0");
        l->alpha = alpha->number;
    } else if (l->activation == ACT_GELU) {
        const LrJson *approximate = json_get(e, "approximate");
        if (!approximate || approximate->kind != LR_JSON_BOOL)
            return bad(r, key, "needs \"approximate\", true or false");
        l->approximate = approximate->number != 0;
    }
    return 0;
}

static int read_layers(Reader *r, LrModelDesc *d)
{
    LrJson *j = meta_json(r, "layers");
    if (!j)
        return -1;
    int status = 0;
    LrModelLayer *layers = NULL;
    if (j->kind != LR_JSON_ARRAY || j->count < 1 || j->count > SPEC_MAX_LAYERS)
        status = bad(r, "layers", "is not an array of 1 to %d layers", SPEC_MAX_LAYERS);
    else if (!(layers = arena_array(r->arena, (size_t)j->count, sizeof *layers))) {
        snprintf(r->why, r->why_size, "out of memory");
        status = -1;
    }
    int i = 0;
    LrShape in = d->input_shape;
    for (const LrJson *e = status == 0 ? j->first : NULL; e && status == 0; e = e->next, i++) {
        LrModelLayer *l = &layers[i];
        char key[32];
        snprintf(key, sizeof key, "layers[%d]", i);
        const LrJson *name = json_get(e, "name"), *kind = json_get(e, "kind"),
                     *units = json_get(e, "units");
        if (e->kind != LR_JSON_OBJECT || !name || name->kind != LR_JSON_STRING || !name->string[0] ||
            strlen(name->string) >= sizeof l->name || !kind || kind->kind != LR_JSON_STRING) {
            status = bad(r, key, "needs a \"name\" and a \"kind\"");
            break;
        }
        snprintf(l->name, sizeof l->name, "%s", name->string);
        if (!units || units->kind != LR_JSON_NUMBER || !units->is_integer || units->integer < 1 ||
            units->integer > SPEC_MAX_UNITS) {
            status = bad(r, key, "needs \"units\" between 1 and %d", SPEC_MAX_UNITS);
            break;
        }
        status = read_layer_options(r, key, e, kind->string, l);
        if (status != 0)
            break;
        /* dense's units are its option; every other layer's follow from its input. */
        if (l->spec.kind == LAYER_DENSE)
            l->spec.units = (int)units->integer;
        char why[256];
        if (!layer_shape(&l->spec, &in, NULL, &l->out_shape, why, sizeof why)) {
            status = bad(r, key, "does not fit its input: %s", why);
            break;
        }
        l->kind = l->spec.kind;
        l->activation = l->spec.activation;
        l->rate = l->spec.rate;
        l->in_shape = in;
        l->in = (int)shape_count(&in);
        l->out = (int)shape_count(&l->out_shape);
        if (l->kind == LAYER_DENSE || l->kind == LAYER_CONV2D || l->kind == LAYER_ACTIVATION)
            status = read_activation_parameters(r, key, e, l);
        l->spec.alpha = l->alpha;
        l->spec.approximate = l->approximate;
        LrShape written;
        if (status != 0)
            break;
        if (l->out != units->integer)
            status = l->kind == LAYER_DENSE || l->in_shape.rank != 1 || l->out_shape.rank != 1
                         ? bad(r, key, "has %lld units but its input makes %d",
                               (long long)units->integer, l->out)
                         : bad(r, key, "has %lld units but its input has %d",
                               (long long)units->integer, l->in);
        else if (json_get(e, "shape") &&
                 (member_ints(r, key, e, "shape", 0, written.dims, &written.rank) < 0 ||
                  !shape_equal(&written, &l->out_shape)))
            status = status ? status : bad(r, key, "has a \"shape\" that its input does not make");
        if (status == 0 && l->kind == LAYER_DENSE && (size_t)l->in * (size_t)l->out > (size_t)1 << 31)
            status = bad(r, key, "has a kernel of %d x %d, larger than 2^31", l->in, l->out);
        if (status == 0 && l->kind == LAYER_CONV2D &&
            (size_t)l->spec.kernel[0] * (size_t)l->spec.kernel[1] * (size_t)in.dims[2] *
                    (size_t)l->spec.units > (size_t)1 << 31)
            status = bad(r, key, "has a kernel larger than 2^31 values");
        for (int k = 0; status == 0 && k < i; k++)
            if (strcmp(layers[k].name, l->name) == 0)
                status = bad(r, key, "repeats the name '%s'", l->name);
        in = l->out_shape;
    }
    d->layers = layers;
    d->layer_count = status == 0 ? j->count : 0;
    d->outputs = (int)shape_count(&in);
    json_free(j);
    return status;
}

/* input_shape: absent in files of lrc 0.3.0, whose inputs are a row. */
static int read_input_shape(Reader *r, LrModelDesc *d)
{
    d->input_shape = (LrShape){1, {d->features, 0, 0}};
    if (!safetensors_meta(r->st, "input_shape"))
        return 0;
    LrJson *j = meta_json(r, "input_shape");
    if (!j)
        return -1;
    int status = 0, n = 0;
    LrShape s = {0};
    if (j->kind != LR_JSON_ARRAY || j->count < 1 || j->count > SHAPE_MAX_RANK || j->count == 2)
        status = bad(r, "input_shape", "is not [n] or [height, width, channels]");
    for (const LrJson *e = status == 0 ? j->first : NULL; e; e = e->next) {
        if (e->kind != LR_JSON_NUMBER || !e->is_integer || e->integer < 1 ||
            e->integer > SPEC_MAX_UNITS) {
            status = bad(r, "input_shape", "holds something other than integers from 1 to %d",
                         SPEC_MAX_UNITS);
            break;
        }
        s.dims[n++] = (int)e->integer;
    }
    s.rank = n;
    if (status == 0 && shape_count(&s) != (size_t)d->features)
        status = bad(r, "input_shape", "has %zu values but the model has %d inputs",
                     shape_count(&s), d->features);
    if (status == 0)
        d->input_shape = s;
    json_free(j);
    return status;
}

static int read_loss(Reader *r, LrModelDesc *d)
{
    LrJson *j = meta_json(r, "loss");
    if (!j)
        return -1;
    int kind = 0, status = j->kind != LR_JSON_OBJECT ? bad(r, "loss", "is not an object")
                                                  : member_word(r, "loss", j, "kind", words_losses,
                                                                &kind);
    d->loss.kind = (LrLossKind)kind;
    d->loss.delta = 1.0;
    const LrJson *delta = status == 0 ? json_get(j, "delta") : NULL;
    if (status == 0 && kind == LOSS_HUBER) {
        if (!delta || delta->kind != LR_JSON_NUMBER || !(delta->number > 0) ||
            !isfinite(delta->number))
            status = bad(r, "loss", "needs a positive \"delta\" for huber");
        else
            d->loss.delta = delta->number;
    }
    json_free(j);
    return status;
}

static const char *meta_string(Reader *r, const char *key)
{
    const char *v = safetensors_meta(r->st, key);
    if (!v) {
        bad(r, key, "is missing");
        return NULL;
    }
    const char *copy = arena_strndup(r->arena, v, strlen(v));
    if (!copy)
        snprintf(r->why, r->why_size, "out of memory");
    return copy;
}

int model_read_description(const LrSafetensors *st, LrArena *arena, LrModelDesc *out,
                           char *why, size_t why_size)
{
    Reader r = {st, arena, why, why_size};
    memset(out, 0, sizeof *out);
    const char *described = safetensors_meta(st, "lrc_model");
    if (!described) {
        snprintf(why, why_size,
                 "'%s' has no model description (it was saved before lrc 0.3.0, or is not a "
                 "model): train it again, or `load` it in an experiment that describes the "
                 "model, to save one that has it",
                 st->path);
        return MODEL_UNDESCRIBED;
    }
    if (strcmp(described, "1") != 0)
        return bad(&r, "lrc_model", "is version '%s'; this lrc reads version %d", described,
                   MODEL_DESCRIPTION_VERSION);
    if (!(out->version = meta_string(&r, "lrc_version")) ||
        !(out->experiment_sha256 = meta_string(&r, "experiment_sha256")))
        return -1;
    /* Printed by summary and export: it must be what it says. */
    size_t hex = strlen(out->experiment_sha256);
    for (size_t i = 0; hex == 64 && i < 64; i++)
        if (!isxdigit((unsigned char)out->experiment_sha256[i]) ||
            isupper((unsigned char)out->experiment_sha256[i]))
            hex = 0;
    if (hex != 0 && hex != 64)
        return bad(&r, "experiment_sha256", "is neither empty nor 64 lowercase hex digits");
    const char **names = meta_names(&r, "inputs", -1, MODEL_MAX_FEATURES, &out->features);
    if (!names)
        return -1;
    out->feature_names = names;
    if (read_normalize(&r, out) < 0 || read_input_shape(&r, out) < 0 || read_layers(&r, out) < 0 ||
        read_loss(&r, out) < 0)
        return -1;
    const char *output = safetensors_meta(st, "output");
    int kind = -1;
    for (int k = 0; output && k < (int)(sizeof output_names / sizeof *output_names); k++)
        if (strcmp(output, output_names[k]) == 0)
            kind = k;
    if (kind < 0)
        return bad(&r, "output", "is not one of regression, binary, classes");
    out->output = (LrOutputKind)kind;
    if (out->output == OUTPUT_BINARY && out->outputs != 1)
        return bad(&r, "output", "is binary but the model has %d outputs", out->outputs);
    if (out->output == OUTPUT_CLASSES && out->outputs < 2)
        return bad(&r, "output", "is classes but the model has %d output", out->outputs);
    if (!(names = meta_names(&r, "targets", -1, SPEC_MAX_UNITS, &out->target_count)))
        return -1;
    out->target_names = names;
    /* A regression predicts each target; a classifier one class index (or
     * one-hot columns, one per class). */
    if (out->output == OUTPUT_REGRESSION ? out->target_count != out->outputs
        : out->output == OUTPUT_BINARY   ? out->target_count != 1
                                         : out->target_count != 1 &&
                                               out->target_count != out->outputs)
        return bad(&r, "targets", "has %d names, which does not fit a %s output of %d",
                   out->target_count, output_names[out->output], out->outputs);
    if (out->output != OUTPUT_REGRESSION) {
        int count = out->output == OUTPUT_BINARY ? 2 : out->outputs;
        if (!(names = meta_names(&r, "classes", count, MODEL_MAX_CLASSES, &out->class_count)))
            return -1;
        out->class_names = names;
        out->named_classes = false;
        for (int i = 0; i < count && !out->named_classes; i++) {
            char index[16];
            snprintf(index, sizeof index, "%d", i);
            out->named_classes = strcmp(names[i], index) != 0;
        }
        /* Text labels find their class by a binary search (data.c). */
        for (int i = 1; out->named_classes && i < count; i++)
            if (strcmp(names[i - 1], names[i]) >= 0)
                return bad(&r, "classes", "are not sorted by byte ('%s' comes before '%s')",
                           names[i - 1], names[i]);
    }
    return 0;
}

/* ------------------------------------------------------ running it forward */

int model_open(LrModel *m, const char *path, int block, char *why, size_t why_size)
{
    memset(m, 0, sizeof *m);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        snprintf(m->path, sizeof m->path, "%s/model.safetensors", path);
    else
        snprintf(m->path, sizeof m->path, "%s", path);
    LrSafetensors st;
    if (safetensors_open(&st, m->path, why, why_size) < 0)
        return -1;
    int status = model_open_file(m, &st, block, why, why_size);
    safetensors_close(&st);
    if (status == 0 && sha256_file_hex(m->path, m->sha256) < 0) {
        snprintf(why, why_size, "cannot read back '%s'", m->path);
        status = -1;
    }
    if (status == 0 && m->needs_blas) {
        status = blas_load(why, why_size);
        if (status == 0)
            pool_start();
    }
    return status;
}

int model_open_file(LrModel *m, const LrSafetensors *st, int block, char *why, size_t why_size)
{
    if (!m->path[0])
        snprintf(m->path, sizeof m->path, "%s", st->path);
    int status = model_read_description(st, &m->arena, &m->desc, why, why_size);
    if (status != 0)
        return status;
    const LrModelDesc *d = &m->desc;
    if (block == MODEL_PASS_ROWS) {
        size_t widths = 0;
        for (int i = 0; i < d->layer_count; i++)
            widths += (size_t)d->layers[i].out;
        block = layers_pass_rows(widths);
    }
    m->block = block;
    /* Every variable, trainable or state, in layer order, as saved. */
    size_t params = 0;
    for (int i = 0; i < d->layer_count; i++) {
        const LrModelLayer *ml = &d->layers[i];
        LrVarShape vars[LAYER_MAX_VARS];
        int count = layer_vars(&ml->spec, &ml->in_shape, &ml->out_shape, vars);
        for (int v = 0; v < count; v++)
            params += vars[v].count;
    }
    /* The tensors are in the file: a description that asks for more than
     * it holds is damaged, and is said to be before anything is allocated. */
    if (params > st->data_size / sizeof(float)) {
        snprintf(why, why_size,
                 "'%s': the model description's layers need %zu weights, more than the %zu "
                 "bytes of tensors in the file hold",
                 m->path, params, st->data_size);
        return -1;
    }
    m->params = arena_array(&m->arena, params, sizeof(float));
    m->param_count = params;
    m->layers = arena_array(&m->arena, (size_t)d->layer_count, sizeof(LrLayer));
    m->acts = arena_array(&m->arena, (size_t)d->layer_count, sizeof(LrTensor));
    m->input = arena_array(&m->arena, (size_t)block * (size_t)d->features, sizeof(float));
    status = m->params && m->layers && m->acts && m->input ? 0 : -1;
    if (status < 0)
        snprintf(why, why_size, "out of memory for the model in '%s'", m->path);
    float *next = m->params;
    for (int i = 0; status == 0 && i < d->layer_count; i++) {
        const LrModelLayer *ml = &d->layers[i];
        LrLayer *l = &m->layers[i];
        layer_setup(l, &ml->spec, &ml->in_shape, &ml->out_shape);
        LrVarShape vars[LAYER_MAX_VARS];
        int count = layer_vars(&ml->spec, &ml->in_shape, &ml->out_shape, vars);
        for (int v = 0; status == 0 && v < count; v++) {
            float *data = next;
            /* state and parameters alike come from the one block */
            layer_bind(l, &vars[v], 1, &next, NULL, &next);
            char name[96];
            snprintf(name, sizeof name, "%s/%s", ml->name, vars[v].name);
            int64_t shape[LAYER_MAX_VAR_RANK];
            for (int k = 0; k < vars[v].rank; k++)
                shape[k] = vars[v].dims[k];
            status = safetensors_read(st, name, DTYPE_F32, vars[v].rank, shape, data, why,
                                      why_size);
        }
        m->needs_blas |= layer_uses_blas(l, block);
        float *act = arena_array(&m->arena, (size_t)block * (size_t)ml->out, sizeof(float));
        if (status == 0 && (!act || !layer_alloc(l, block, false, NULL, &m->arena))) {
            snprintf(why, why_size, "out of memory for the model in '%s'", m->path);
            status = -1;
        }
        m->acts[i] = tensor_view(act, block, ml->out);
    }
    const LrModelLayer *last = &d->layers[d->layer_count - 1];
    LrActivation fused = loss_fused_activation(d->loss.kind);
    if (status == 0 && fused != ACT_LINEAR && last->kind != LAYER_DROPOUT &&
        last->activation == fused) {
        m->layers[d->layer_count - 1].from_logits = true;
        m->pending = fused;
    }
    for (size_t i = 0; status == 0 && i < params; i++) {
        if (!isfinite(m->params[i])) {
            snprintf(why, why_size, "'%s': a weight is %s, not a finite number", m->path,
                     isnan(m->params[i]) ? "nan" : "infinite");
            status = -1;
        }
    }
    /* The tensors hold the normalization too; they must be the description's
     * (as numbers: the text of -0 may read back as 0). */
    if (status == 0 && d->normalize != NORM_NONE) {
        float *v = arena_array(&m->arena, (size_t)d->features, sizeof(float));
        const char *const names[2] = {"normalize/offset", "normalize/scale"};
        const float *const want[2] = {d->norm_offset, d->norm_scale};
        int64_t shape[1] = {d->features};
        for (int p = 0; status == 0 && p < 2; p++) {
            status = v ? safetensors_read(st, names[p], DTYPE_F32, 1, shape, v, why, why_size)
                       : -1;
            for (int j = 0; status == 0 && j < d->features; j++) {
                if (v[j] != want[p][j]) {
                    snprintf(why, why_size,
                             "'%s': the tensor '%s' differs from the description's "
                             "normalization",
                             m->path, names[p]);
                    status = -1;
                }
            }
        }
        if (!v && status < 0)
            snprintf(why, why_size, "out of memory for the model in '%s'", m->path);
    }
    return status;
}

LrTensor model_forward(LrModel *m, const float *x, int rows)
{
    LrTensor out = model_logits(m, x, rows);
    activation_forward(m->pending, 0, false, &out);
    return out;
}

LrTensor model_logits(LrModel *m, const float *x, int rows)
{
    const LrModelDesc *d = &m->desc;
    const size_t f = (size_t)d->features;
    for (int i = 0; i < rows; i++) {
        const float *src = x + (size_t)i * f;
        float *dst = m->input + (size_t)i * f;
        if (d->normalize == NORM_NONE) {
            memcpy(dst, src, f * sizeof(float));
        } else {
            for (size_t j = 0; j < f; j++)
                dst[j] = (src[j] - d->norm_offset[j]) / d->norm_scale[j];
        }
    }
    LrTensor in = tensor_view(m->input, rows, d->features);
    for (int i = 0; i < d->layer_count; i++) {
        LrTensor out = tensor_first_rows(&m->acts[i], rows);
        m->layers[i].ops->forward(&m->layers[i], &in, &out, false);
        in = out;
    }
    return in;
}

void model_close(LrModel *m)
{
    arena_free(&m->arena);
    memset(m, 0, sizeof *m);
}
