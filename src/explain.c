/* explain.c — see explain.h. Numbers are written in the shortest form that
 * reads back to the same double, so the text determines the Spec. Options
 * are written from options.h's rows (their names, fields and order), so
 * that each option is spelled once, where the checker reads it too. */
#include "explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "options.h"

static void num(LrBuffer *b, double v)
{
    char text[DECIMAL_SHORTEST_SIZE];
    decimal_shortest(v, text);
    buffer_printf(b, "%s", text);
}

static void string(LrBuffer *b, const char *s)
{
    buffer_printf(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buffer_printf(b, "\\%c", *s);
        else if (*s == '\n')
            buffer_printf(b, "\\n");
        else if (*s == '\t')
            buffer_printf(b, "\\t");
        else
            buffer_printf(b, "%c", *s);
    }
    buffer_printf(b, "\"");
}

static void numbers(LrBuffer *b, const double *xs, int count)
{
    buffer_printf(b, "[");
    for (int i = 0; i < count; i++) {
        buffer_printf(b, i ? ", " : "");
        num(b, xs[i]);
    }
    buffer_printf(b, "]");
}

static void strings(LrBuffer *b, const char *const *xs, int count)
{
    buffer_printf(b, "[");
    for (int i = 0; i < count; i++) {
        buffer_printf(b, i ? ", " : "");
        string(b, xs[i]);
    }
    buffer_printf(b, "]");
}

/* What a call or statement writes besides its rows' plain values: write
 * is asked of every row, with a NULL buffer, whether it is written, and
 * writes the value of the OPTION_OTHER ones. Without a Writer, every row
 * but those is written. */
typedef struct Writer {
    bool (*write)(LrBuffer *b, int row, const void *spec, const void *context);
    const void *context;
} Writer;

/* Writes row i of rows from spec after sep, as NAME=VALUE, or VALUE alone
 * when bare (a positional argument); false when it is not written. */
static bool option(LrBuffer *b, const OptionRow *rows, int i, const void *spec, const char *sep,
                   bool bare, const Writer *w)
{
    const OptionRow *r = &rows[i];
    const char *field = (const char *)spec + r->field;
    if (w ? !w->write(NULL, i, spec, w->context) : r->type == OPTION_OTHER)
        return false;
    /* A given_only option's default means none: nothing to write. */
    if (r->given_only && r->type == OPTION_NUMBER && *(const double *)field == r->dflt)
        return false;
    buffer_printf(b, "%s", sep);
    if (!bare)
        buffer_printf(b, "%s=", r->name);
    switch (r->type) {
    case OPTION_NUMBER:
        num(b, *(const double *)field);
        break;
    case OPTION_BOOL:
        buffer_printf(b, "%s", *(const bool *)field ? "true" : "false");
        break;
    case OPTION_INT:
        buffer_printf(b, "%d", *(const int *)field);
        break;
    case OPTION_INT64:
        buffer_printf(b, "%lld", (long long)*(const int64_t *)field);
        break;
    case OPTION_OTHER:
        w->write(b, i, spec, w->context);
        break;
    }
    return true;
}

/* Writes the rows, the first `bare` of them as values alone; each after
 * sep, the first too when lead. */
static void options(LrBuffer *b, const OptionRow *rows, const void *spec, int bare,
                    const char *sep, bool lead, const Writer *w)
{
    bool first = !lead;
    for (int i = 0; rows[i].name; i++)
        if (option(b, rows, i, spec, first ? "" : sep, i < bare, w))
            first = false;
}

/* name(options), or name alone when the call has no options. */
static void call(LrBuffer *b, const char *name, const OptionRow *rows, const void *spec,
                 int bare, const Writer *w)
{
    buffer_printf(b, "%s", name);
    if (!rows[0].name)
        return;
    buffer_printf(b, "(");
    options(b, rows, spec, bare, ", ", false, w);
    buffer_printf(b, ")");
}

static bool write_schedule_option(LrBuffer *b, int row, const void *spec, const void *context)
{
    (void)context;
    const LrScheduleSpec *s = spec;
    if (s->kind == SCHED_COSINE && row == SCHEDULE_COSINE_TARGET)
        return s->has_target; /* it has no default: without it, warmup does nothing */
    if (s->kind != SCHED_PIECEWISE || !b)
        return true;
    if (row == PIECEWISE_BOUNDARIES)
        numbers(b, s->boundaries, s->count);
    else
        numbers(b, s->values, s->count + 1);
    return true;
}

static void schedule(LrBuffer *b, const LrScheduleSpec *s)
{
    if (s->kind == SCHED_CONSTANT) {
        num(b, s->initial);
        return;
    }
    static const Writer w = {write_schedule_option, NULL};
    call(b, words_name(words_schedules, (int)s->kind), options_schedules[s->kind], s,
         s->kind == SCHED_PIECEWISE ? 0 : 1, &w);
}

static void init(LrBuffer *b, const LrInitSpec *i)
{
    call(b, words_name(words_initializers, (int)i->kind), options_initializers[i->kind], i, 0,
         NULL);
}

/* "[28, 28, 1]". */
static void shape(LrBuffer *b, const LrShape *s)
{
    buffer_printf(b, "[");
    for (int i = 0; i < s->rank; i++)
        buffer_printf(b, "%s%d", i ? ", " : "", s->dims[i]);
    buffer_printf(b, "]");
}

/* A window's side pair: one number when both sides agree. */
static void pair(LrBuffer *b, const int *p)
{
    if (p[0] == p[1])
        buffer_printf(b, "%d", p[0]);
    else
        buffer_printf(b, "[%d, %d]", p[0], p[1]);
}

/* A layer's options that are words, initializers, windows and shapes. */
static bool write_layer_option(LrBuffer *b, int row, const void *spec, const void *context)
{
    (void)context;
    const LrLayerSpec *l = spec;
    if (!b)
        return true;
    const char *name = options_layers[l->kind][row].name;
    if (strcmp(name, "activation") == 0)
        buffer_printf(b, "%s", words_name(words_activations, (int)l->activation));
    else if (strcmp(name, "init") == 0)
        init(b, &l->init);
    else if (strcmp(name, "bias_init") == 0)
        init(b, &l->bias_init);
    else if (strcmp(name, "kernel") == 0 || strcmp(name, "size") == 0)
        pair(b, l->kernel);
    else if (strcmp(name, "stride") == 0)
        pair(b, l->stride);
    else if (strcmp(name, "padding") == 0)
        buffer_printf(b, "%s", words_name(words_paddings, l->same ? PAD_SAME : PAD_VALID));
    else if (strcmp(name, "mode") == 0)
        buffer_printf(b, "%s", words_name(words_flip_modes, l->flip));
    else if (strcmp(name, "shape") == 0)
        shape(b, &l->target);
    return true;
}

static void layer(LrBuffer *b, const LrLayerSpec *l)
{
    static const Writer w = {write_layer_option, NULL};
    if (l->kind == LAYER_ACTIVATION)
        call(b, words_name(words_activations, (int)l->activation),
             options_activations[l->activation], l, 0, NULL);
    else
        /* The first option bare where it is the layer's own (units, a
         * window, a shape); batchnorm's and random_flip's are all named. */
        call(b, words_name(words_layers, (int)l->kind), options_layers[l->kind], l,
             l->kind != LAYER_BATCHNORM && l->kind != LAYER_RANDOM_FLIP, &w);
}

/* linear's weights and csv's columns. */
static bool write_source_option(LrBuffer *b, int row, const void *spec, const void *context)
{
    (void)context;
    const LrDatasetSpec *d = spec;
    if (d->kind == DATA_CSV && (row == CSV_LABEL || (row == CSV_FEATURES && !d->feature_count) ||
                                (row == CSV_EXCLUDE && !d->exclude_count) ||
                                (row == CSV_SHAPE && !d->shape.rank)))
        return false; /* written as labels=[...]; none: every other column */
    if (!b)
        return true;
    if (d->kind == DATA_IDX) {
        string(b, row == IDX_PATH ? d->portable_path : d->labels_portable);
    } else if (d->kind == DATA_LINEAR) {
        numbers(b, d->weights, d->features);
    } else if (row == CSV_PATH) {
        string(b, d->portable_path);
    } else if (row == CSV_LABELS) {
        strings(b, d->labels, d->label_count);
    } else if (row == CSV_FEATURES) {
        strings(b, d->feature_names, d->feature_count);
    } else if (row == CSV_EXCLUDE) {
        strings(b, d->exclude_names, d->exclude_count);
    } else if (row == CSV_SHAPE) {
        buffer_printf(b, "[");
        for (int i = 0; i < d->shape.rank; i++)
            buffer_printf(b, "%s%d", i ? ", " : "", d->shape.dims[i]);
        buffer_printf(b, "]");
    } else {
        char delim[2] = {d->delimiter, 0};
        string(b, delim);
    }
    return true;
}

/* The dataset statement's normalize: the context's; stratify only when
 * set. */
static bool write_normalize(LrBuffer *b, int row, const void *spec, const void *context)
{
    if (row == DATASET_STRATIFY)
        return ((const LrDatasetSpec *)spec)->stratify;
    if (b)
        buffer_printf(b, "%s", words_name(words_normalizers, *(const int *)context));
    return true;
}

/* normalize is what the data set's inputs go through: the model's
 * normalization, fitted on the data set trained on and applied to every
 * data set, whatever each one's own option says (which has no effect). */
static void dataset(LrBuffer *b, const LrDatasetSpec *d, LrNormalizeKind normalize)
{
    buffer_printf(b, "dataset ");
    if (d->name[0])
        buffer_printf(b, "%s = ", d->name);
    static const Writer source = {write_source_option, NULL};
    call(b, words_name(words_sources, (int)d->kind), options_sources[d->kind].rows, d,
         d->kind == DATA_CSV || d->kind == DATA_IDX ? 1 : 0, &source);
    int kind = (int)normalize;
    const Writer statement = {write_normalize, &kind};
    options(b, options_dataset, d, 0, " ", true, &statement);
    buffer_printf(b, "\n");
}

static bool write_lr(LrBuffer *b, int row, const void *spec, const void *context)
{
    (void)row, (void)context;
    if (b)
        schedule(b, &((const LrOptimizerSpec *)spec)->lr);
    return true;
}

/* NAME lr=... option=value ..., the options the optimizer accepts in the
 * order it lists them; sep separates them (" " in the statement, ", "
 * inside minimize's optimizer=NAME(...)). */
static void optimizer(LrBuffer *b, const LrOptimizerSpec *o, const char *sep)
{
    static const Writer w = {write_lr, NULL};
    bool statement = strcmp(sep, " ") == 0;
    buffer_printf(b, "%s%s", words_name(words_optimizers, (int)o->kind), statement ? "" : "(");
    bool first = !statement;
    for (const char *at = options_optimizers[o->kind].accepts; *at;) {
        size_t length = strcspn(at, " ");
        int row = options_find(options_optimizer, at, length);
        if (option(b, options_optimizer, row, o, first ? "" : sep, false, &w))
            first = false;
        at += length + (at[length] == ' ');
    }
    if (!statement)
        buffer_printf(b, ")");
}

static void data_ref(LrBuffer *b, const LrSpec *spec, LrDataRef ref)
{
    static const char *const parts[] = {"", ".validation", ".test"};
    buffer_printf(b, "%s%s", spec->datasets[ref.dataset].name, parts[ref.part]);
}

static void metrics(LrBuffer *b, const LrMetricKind *m, int count)
{
    buffer_printf(b, "[");
    for (int i = 0; i < count; i++)
        buffer_printf(b, "%s%s", i ? ", " : "", words_name(words_metrics, (int)m[i]));
    buffer_printf(b, "]");
}

/* train's data sets (named ones only: the only one is the default),
 * metrics and early stop; the context is the Spec. */
static bool write_train_option(LrBuffer *b, int row, const void *spec, const void *context)
{
    const LrTrainSpec *t = spec;
    const LrSpec *s = context;
    switch (row) {
    case TRAIN_ON:
        if (!s->datasets[t->on.dataset].name[0])
            return false;
        if (b)
            data_ref(b, s, t->on);
        return true;
    case TRAIN_VALIDATION:
        if (t->validation.dataset < 0)
            return false;
        if (b)
            data_ref(b, s, t->validation);
        return true;
    case TRAIN_METRICS:
        if (b)
            metrics(b, t->metrics, t->metric_count);
        return true;
    case TRAIN_EARLY_STOP:
        if (!t->early_stop.enabled)
            return false;
        if (b)
            call(b, LR_PATIENCE_WORD, options_patience, &t->early_stop, 1, NULL);
        return true;
    case TRAIN_SHARD:
        return t->shard > 0; /* written when given, so older files read as they did */
    default:
        return true;
    }
}

static bool write_evaluate_option(LrBuffer *b, int row, const void *spec, const void *context)
{
    const LrEvaluateSpec *e = spec;
    const LrSpec *s = context;
    if (row == EVALUATE_CONFUSION)
        return e->confusion; /* written when asked for, so older files read as they did */
    if (row == EVALUATE_ON) {
        if (!s->datasets[e->on.dataset].name[0])
            return false;
        if (b)
            data_ref(b, s, e->on);
    } else if (row == EVALUATE_METRICS && b) {
        metrics(b, e->metrics, e->metric_count);
    }
    return true;
}

/* predict's on= as evaluate's; keep= only when given. */
static bool write_predict_option(LrBuffer *b, int row, const void *spec, const void *context)
{
    const LrPredictSpec *p = spec;
    const LrSpec *s = context;
    if (row == PREDICT_ON) {
        if (!s->datasets[p->on.dataset].name[0])
            return false;
        if (b)
            data_ref(b, s, p->on);
    } else if (row == PREDICT_TO) {
        if (b)
            string(b, p->portable);
    } else if (row == PREDICT_KEEP) {
        if (p->keep_count == 0)
            return false;
        if (b)
            strings(b, p->keep, p->keep_count);
    }
    return true;
}

/* minimize's lr= is its optimizer's; plot= only when given. */
static bool write_minimize_option(LrBuffer *b, int row, const void *spec, const void *context)
{
    (void)context;
    const LrMinimizeSpec *m = spec;
    if (row == MINIMIZE_LR || (row == MINIMIZE_PLOT && !m->plot_path))
        return false;
    if (b && row == MINIMIZE_PLOT)
        string(b, m->plot_portable);
    if (b && row == MINIMIZE_OPTIMIZER)
        optimizer(b, &((const LrMinimizeSpec *)spec)->optimizer, ", ");
    return true;
}

void explain_spec(const LrSpec *spec, LrBuffer *b)
{
    buffer_printf(b, "seed %llu\n", (unsigned long long)spec->seed);
    for (int i = 0; i < spec->dataset_count; i++)
        dataset(b, &spec->datasets[i],
                spec->has_train ? spec->datasets[spec->train.on.dataset].normalize
                                : spec->datasets[i].normalize);
    if (spec->has_model) {
        buffer_printf(b, "model ");
        if (spec->input.rank > 0) {
            buffer_printf(b, "input=");
            shape(b, &spec->input);
            buffer_printf(b, " -> ");
        }
        for (int i = 0; i < spec->layer_count; i++) {
            buffer_printf(b, i ? " -> " : "");
            layer(b, &spec->layers[i]);
        }
        buffer_printf(b, "\n");
    }
    if (spec->has_loss) {
        buffer_printf(b, "loss ");
        call(b, words_name(words_losses, (int)spec->loss.kind), options_losses[spec->loss.kind],
             &spec->loss, 0, NULL);
        buffer_printf(b, "\n");
    }
    if (spec->has_optimizer) {
        buffer_printf(b, "optimizer ");
        optimizer(b, &spec->optimizer, " ");
        buffer_printf(b, "\n");
    }
    if (spec->load_path) {
        buffer_printf(b, "load ");
        string(b, spec->load_portable);
        buffer_printf(b, "\n");
    }
    if (spec->has_train) {
        /* on= and validation= first, as a data set before how it is used. */
        const Writer w = {write_train_option, spec};
        const LrTrainSpec *t = &spec->train;
        buffer_printf(b, "train");
        option(b, options_train, TRAIN_ON, t, " ", false, &w);
        option(b, options_train, TRAIN_VALIDATION, t, " ", false, &w);
        for (int i = 0; options_train[i].name; i++)
            if (i != TRAIN_ON && i != TRAIN_VALIDATION)
                option(b, options_train, i, t, " ", false, &w);
        buffer_printf(b, "\n");
    }
    for (int i = 0; i < spec->evaluate_count; i++) {
        const Writer w = {write_evaluate_option, spec};
        buffer_printf(b, "evaluate");
        options(b, options_evaluate, &spec->evaluates[i], 0, " ", true, &w);
        buffer_printf(b, "\n");
    }
    for (int i = 0; i < spec->predict_count; i++) {
        const Writer w = {write_predict_option, spec};
        buffer_printf(b, "predict");
        options(b, options_predict, &spec->predicts[i], 0, " ", true, &w);
        buffer_printf(b, "\n");
    }
    if (spec->save_path) {
        buffer_printf(b, "save ");
        string(b, spec->save_portable);
        buffer_printf(b, "\n");
    }
    /* The lets the formulas name, so that the text is the whole experiment. */
    for (int i = 0; i < spec->let_count; i++) {
        const LrLetSpec *l = &spec->lets[i];
        if (l->params) {
            buffer_printf(b, "let %s(%s) = %s\n", l->name, l->params, l->body);
        } else {
            buffer_printf(b, "let %s = ", l->name);
            num(b, l->value);
            buffer_printf(b, "\n");
        }
    }
    for (int i = 0; i < spec->minimize_count; i++) {
        static const Writer w = {write_minimize_option, NULL};
        const LrMinimizeSpec *m = &spec->minimizes[i];
        buffer_printf(b, "minimize %s from ", m->text);
        for (int v = 0; v < m->var_count; v++) {
            buffer_printf(b, "%s%s=", v ? ", " : "", m->var_names[v]);
            num(b, m->start[v]);
        }
        options(b, options_minimize, m, 0, " ", true, &w);
        buffer_printf(b, "\n");
    }
}
