/* explain.c — see explain.h. Numbers are written in the shortest form that
 * reads back to the same double, so the text determines the Spec. */
#include "explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"

static void num(LrBuffer *b, double v)
{
    char text[DECIMAL_SHORTEST_SIZE];
    decimal_shortest(v, text);
    buffer_printf(b, "%s", text);
}

static void init(LrBuffer *b, const LrInitSpec *i)
{
    buffer_printf(b, "%s", words_name(words_initializers, (int)i->kind));
    if (i->kind == INIT_CONSTANT) {
        buffer_printf(b, "(value=");
        num(b, i->a);
        buffer_printf(b, ")");
    } else if (i->kind == INIT_NORMAL || i->kind == INIT_UNIFORM) {
        buffer_printf(b, i->kind == INIT_NORMAL ? "(mean=" : "(low=");
        num(b, i->a);
        buffer_printf(b, i->kind == INIT_NORMAL ? ", stddev=" : ", high=");
        num(b, i->b);
        buffer_printf(b, ")");
    }
}

static void kv(LrBuffer *b, const char *key, double v)
{
    buffer_printf(b, " %s=", key);
    num(b, v);
}

static void schedule(LrBuffer *b, const LrScheduleSpec *s)
{
    switch (s->kind) {
    case SCHED_CONSTANT:
        num(b, s->initial);
        return;
    case SCHED_EXP_DECAY:
    case SCHED_INVERSE_TIME:
        buffer_printf(b, "%s(", words_name(words_schedules, (int)s->kind));
        num(b, s->initial);
        buffer_printf(b, ", steps=");
        num(b, s->steps);
        buffer_printf(b, ", rate=");
        num(b, s->rate);
        buffer_printf(b, ", staircase=%s)", s->staircase ? "true" : "false");
        return;
    case SCHED_POLYNOMIAL:
        buffer_printf(b, "%s(", words_name(words_schedules, (int)s->kind));
        num(b, s->initial);
        buffer_printf(b, ", steps=");
        num(b, s->steps);
        buffer_printf(b, ", end=");
        num(b, s->end);
        buffer_printf(b, ", power=");
        num(b, s->power);
        buffer_printf(b, ", cycle=%s)", s->cycle ? "true" : "false");
        return;
    case SCHED_COSINE:
        buffer_printf(b, "%s(", words_name(words_schedules, (int)s->kind));
        num(b, s->initial);
        buffer_printf(b, ", steps=");
        num(b, s->steps);
        buffer_printf(b, ", alpha=");
        num(b, s->alpha);
        buffer_printf(b, ", warmup=");
        num(b, s->warmup);
        if (s->has_target) { /* it has no default: without it, warmup does nothing */
            buffer_printf(b, ", target=");
            num(b, s->target);
        }
        buffer_printf(b, ")");
        return;
    case SCHED_PIECEWISE:
        buffer_printf(b, "%s(boundaries=[", words_name(words_schedules, (int)s->kind));
        for (int i = 0; i < s->count; i++) {
            buffer_printf(b, i ? ", " : "");
            num(b, s->boundaries[i]);
        }
        buffer_printf(b, "], values=[");
        for (int i = 0; i <= s->count; i++) {
            buffer_printf(b, i ? ", " : "");
            num(b, s->values[i]);
        }
        buffer_printf(b, "])");
        return;
    }
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

/* normalize is what the data set's inputs go through: the model's
 * normalization, fitted on the data set trained on and applied to every
 * data set, whatever each one's own option says (which has no effect). */
static void dataset(LrBuffer *b, const LrDatasetSpec *d, LrNormalizeKind normalize)
{
    buffer_printf(b, "dataset ");
    if (d->name[0])
        buffer_printf(b, "%s = ", d->name);
    buffer_printf(b, "%s(", words_name(words_sources, (int)d->kind));
    switch (d->kind) {
    case DATA_LINEAR:
        buffer_printf(b, "n=%lld, features=%d, low=", (long long)d->n, d->features);
        num(b, d->low);
        buffer_printf(b, ", high=");
        num(b, d->high);
        buffer_printf(b, ", weights=[");
        for (int i = 0; i < d->features; i++) {
            buffer_printf(b, i ? ", " : "");
            num(b, d->weights[i]);
        }
        buffer_printf(b, "], bias=");
        num(b, d->bias);
        buffer_printf(b, ", noise=");
        num(b, d->noise);
        buffer_printf(b, ")");
        break;
    case DATA_CSV:
        string(b, d->portable_path);
        buffer_printf(b, ", labels=[");
        for (int i = 0; i < d->label_count; i++) {
            buffer_printf(b, i ? ", " : "");
            string(b, d->labels[i]);
        }
        buffer_printf(b, "]");
        if (d->feature_count) {
            buffer_printf(b, ", features=[");
            for (int i = 0; i < d->feature_count; i++) {
                buffer_printf(b, i ? ", " : "");
                string(b, d->feature_names[i]);
            }
            buffer_printf(b, "]");
        }
        buffer_printf(b, ", header=%s, delimiter=", d->header ? "true" : "false");
        char delim[2] = {d->delimiter, 0};
        string(b, delim);
        buffer_printf(b, ")");
        break;
    case DATA_BLOBS:
        buffer_printf(b, "n=%lld, features=%d, classes=%d, spread=", (long long)d->n,
                      d->features, d->classes);
        num(b, d->spread);
        buffer_printf(b, ")");
        break;
    case DATA_MOONS:
        buffer_printf(b, "n=%lld, noise=", (long long)d->n);
        num(b, d->noise);
        buffer_printf(b, ")");
        break;
    case DATA_SPIRAL:
        buffer_printf(b, "n=%lld, classes=%d, noise=", (long long)d->n, d->classes);
        num(b, d->noise);
        buffer_printf(b, ")");
        break;
    }
    kv(b, "validation", d->validation);
    kv(b, "test", d->test);
    buffer_printf(b, " normalize=%s\n", words_name(words_normalizers, (int)normalize));
}

/* NAME lr=... option=value ...; sep separates the options (" " in the
 * statement, ", " inside minimize's optimizer=NAME(...)). */
static void optimizer(LrBuffer *b, const LrOptimizerSpec *o, const char *sep)
{
    buffer_printf(b, "%s%slr=", words_name(words_optimizers, (int)o->kind),
                  strcmp(sep, " ") ? "(" : " ");
    schedule(b, &o->lr);
    const char *keys[4];
    double values[4];
    int n = 0;
    switch (o->kind) {
    case OPT_SGD:
        keys[n] = "momentum", values[n++] = o->momentum;
        break;
    case OPT_ADAM:
    case OPT_ADAMW:
        keys[n] = "beta1", values[n++] = o->beta1;
        keys[n] = "beta2", values[n++] = o->beta2;
        keys[n] = "epsilon", values[n++] = o->epsilon;
        if (o->kind == OPT_ADAMW)
            keys[n] = "weight_decay", values[n++] = o->weight_decay;
        break;
    case OPT_RMSPROP:
        keys[n] = "rho", values[n++] = o->rho;
        keys[n] = "momentum", values[n++] = o->momentum;
        keys[n] = "epsilon", values[n++] = o->epsilon;
        break;
    case OPT_ADAGRAD:
        keys[n] = "initial_accumulator", values[n++] = o->initial_accumulator;
        keys[n] = "epsilon", values[n++] = o->epsilon;
        break;
    }
    for (int i = 0; i < n; i++) {
        buffer_printf(b, "%s%s=", sep, keys[i]);
        num(b, values[i]);
    }
    if (o->kind == OPT_SGD)
        buffer_printf(b, "%snesterov=%s", sep, o->nesterov ? "true" : "false");
    if (o->clip_norm > 0) {
        buffer_printf(b, "%sclip_norm=", sep);
        num(b, o->clip_norm);
    }
    if (strcmp(sep, " "))
        buffer_printf(b, ")");
}

static void data_ref(LrBuffer *b, const LrSpec *spec, LrDataRef ref)
{
    static const char *const parts[] = {"", ".validation", ".test"};
    buffer_printf(b, "%s%s", spec->datasets[ref.dataset].name, parts[ref.part]);
}

static void metrics(LrBuffer *b, const LrMetricKind *m, int count)
{
    buffer_printf(b, " metrics=[");
    for (int i = 0; i < count; i++)
        buffer_printf(b, "%s%s", i ? ", " : "", words_name(words_metrics, (int)m[i]));
    buffer_printf(b, "]");
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
        for (int i = 0; i < spec->layer_count; i++) {
            const LrLayerSpec *l = &spec->layers[i];
            buffer_printf(b, i ? " -> " : "");
            if (l->kind == LAYER_DENSE) {
                buffer_printf(b, "%s(%d, activation=%s, init=",
                              words_name(words_layers, (int)l->kind), l->units,
                              words_name(words_activations, (int)l->activation));
                init(b, &l->init);
                buffer_printf(b, ", bias_init=");
                init(b, &l->bias_init);
                buffer_printf(b, ", l2=");
                num(b, l->l2);
                buffer_printf(b, ")");
            } else if (l->kind == LAYER_DROPOUT) {
                buffer_printf(b, "%s(", words_name(words_layers, (int)l->kind));
                num(b, l->rate);
                buffer_printf(b, ")");
            } else {
                buffer_printf(b, "%s", words_name(words_activations, (int)l->activation));
            }
        }
        buffer_printf(b, "\n");
    }
    if (spec->has_loss) {
        buffer_printf(b, "loss %s", words_name(words_losses, (int)spec->loss.kind));
        if (spec->loss.kind == LOSS_HUBER) {
            buffer_printf(b, "(delta=");
            num(b, spec->loss.delta);
            buffer_printf(b, ")");
        }
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
        const LrTrainSpec *t = &spec->train;
        buffer_printf(b, "train");
        if (spec->datasets[t->on.dataset].name[0]) {
            buffer_printf(b, " on=");
            data_ref(b, spec, t->on);
        }
        if (t->validation.dataset >= 0) {
            buffer_printf(b, " validation=");
            data_ref(b, spec, t->validation);
        }
        buffer_printf(b, " epochs=%lld batch=%lld shuffle=%s", (long long)t->epochs,
                      (long long)t->batch, t->shuffle ? "true" : "false");
        metrics(b, t->metrics, t->metric_count);
        if (t->early_stop.enabled) {
            buffer_printf(b, " early_stop=patience(%lld, min_delta=", (long long)t->early_stop.patience);
            num(b, t->early_stop.min_delta);
            buffer_printf(b, ", restore_best=%s)", t->early_stop.restore_best ? "true" : "false");
        }
        buffer_printf(b, "\n");
    }
    for (int i = 0; i < spec->evaluate_count; i++) {
        buffer_printf(b, "evaluate");
        if (spec->datasets[spec->evaluates[i].on.dataset].name[0]) {
            buffer_printf(b, " on=");
            data_ref(b, spec, spec->evaluates[i].on);
        }
        metrics(b, spec->evaluates[i].metrics, spec->evaluates[i].metric_count);
        buffer_printf(b, "\n");
    }
    if (spec->save_path) {
        buffer_printf(b, "save ");
        string(b, spec->save_portable);
        buffer_printf(b, "\n");
    }
    for (int i = 0; i < spec->minimize_count; i++) {
        const LrMinimizeSpec *m = &spec->minimizes[i];
        buffer_printf(b, "minimize %s from ", m->text);
        for (int v = 0; v < m->var_count; v++) {
            buffer_printf(b, "%s%s=", v ? ", " : "", m->var_names[v]);
            num(b, m->start[v]);
        }
        buffer_printf(b, " steps=%lld optimizer=", (long long)m->steps);
        optimizer(b, &m->optimizer, ", ");
        buffer_printf(b, " trace=%s\n", m->trace ? "true" : "false");
    }
}
