/* plan.c — see plan.h. Sizes are computed with checked arithmetic first, so
 * that an experiment too large for this machine is a language error (exit 2)
 * rather than an out-of-memory crash half way through. */
#include "plan.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "blas.h"
#include "dist.h"
#include "init.h"
#include "layers.h"
#include "pool.h"
#include "words.h"

/* a += b * c in bytes; false on overflow. */
static bool add_product(size_t *a, uint64_t b, uint64_t c)
{
    if (b && c > SIZE_MAX / b)
        return false;
    size_t p = (size_t)(b * c);
    if (*a > SIZE_MAX - p)
        return false;
    *a += p;
    return true;
}

static size_t machine_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return SIZE_MAX;
    if ((size_t)pages > SIZE_MAX / (size_t)page)
        return SIZE_MAX;
    return (size_t)pages * (size_t)page;
}

/* Width of each layer's output, given the model's input width. */

int plan_input_shape(const LrSpec *spec, const LrShape *data_shape, int features,
                     const char *data_name, const LrSource *src, LrDiag *diag, LrShape *out)
{
    if (spec->input.rank > 0) {
        if (shape_count(&spec->input) != (size_t)features) {
            char want[64];
            shape_text(&spec->input, want, sizeof want);
            diag_error(diag, src, spec->input_span,
                       "input %s has %zu values but data set '%s' has %d features", want,
                       shape_count(&spec->input), data_name, features);
            return -1;
        }
    }
    *out = layers_input_shape(spec, data_shape, features);
    return 0;
}

static const char *dataset_label(const LrSpec *spec, int i);

/* The plan's layers as the spec and the input shape make them (ops,
 * widths, windows), for sizing; shapes[i] is layer i's output. -1 after
 * reporting a layer that does not fit its input. */
static int spec_layers(const LrSpec *spec, const LrShape *input, LrShape *shapes, LrLayer *out,
                       const LrSource *src, LrDiag *diag)
{
    if (layers_shapes(spec->layers, spec->layer_count, input, shapes, src, diag) < 0)
        return -1;
    for (int i = 0; i < spec->layer_count; i++)
        layer_setup(&out[i], &spec->layers[i], i ? &shapes[i - 1] : input, &shapes[i]);
    return 0;
}

/* How many shards of a batch this rank computes at most (rank 0 the
 * most), 0 when a step is the plain pass of one process; their rows in
 * *rows. */
static int shard_slots(const LrTrainSpec *t, int64_t batch, int *rows)
{
    int64_t shard = t->shard > 0 && t->shard < batch ? t->shard : batch;
    int shards = (int)((batch + shard - 1) / shard), first, end;
    if (rows)
        *rows = (int)shard;
    if (shards == 1 && dist_size() == 1)
        return 0;
    dist_shards_of(shards, 0, dist_size(), &first, &end);
    return end - first;
}

/* Bytes for the data (at most `rows` of each set) and the model at a
 * batch size; SIZE_MAX when that does not even fit size_t. */
static size_t plan_size(const LrSpec *spec, const LrDataShape *shapes, const int64_t *rows,
                        int64_t batch, const LrShape *input, const LrShape *outs,
                        const LrLayer *layers)
{
    size_t bytes = 0, params = 0;
    bool ok = true;
    for (int i = 0; ok && i < spec->dataset_count; i++) {
        size_t x, y, centers;
        ok = data_bytes(&spec->datasets[i], &shapes[i], rows[i], &x, &y, &centers) &&
             add_product(&bytes, 1, x) && add_product(&bytes, 1, y) &&
             add_product(&bytes, 1, centers) &&
             add_product(&bytes, (uint64_t)rows[i], sizeof(int64_t)); /* the epoch's order */
    }
    int in = shapes[spec->train.on.dataset].features;
    ok = ok && add_product(&bytes, (uint64_t)batch, ((uint64_t)in + 1) * sizeof(float));
    for (int i = 0; ok && i < spec->layer_count; i++) {
        LrVarShape vars[LAYER_MAX_VARS];
        int count = layer_vars(&spec->layers[i], i ? &outs[i - 1] : input, &outs[i], vars);
        for (int v = 0; v < count; v++)
            ok = ok && add_product(&params, 1, vars[v].count);
        /* activations and gradients, and the layer's own buffers */
        ok = ok && add_product(&bytes, (uint64_t)batch, 2 * (uint64_t)layers[i].out * sizeof(float)) &&
             add_product(&bytes, 1, layer_alloc_bytes(&layers[i], (int)batch, true));
    }
    /* parameters, gradients, two optimizer slots, the best epoch's copy */
    ok = ok && add_product(&bytes, params, 5 * sizeof(float));
    /* the gradients of this rank's shards and their sum (build_shards) */
    int slots = shard_slots(&spec->train, batch, NULL);
    if (slots > 0)
        ok = ok && add_product(&bytes, params,
                               (uint64_t)(slots - 1) * sizeof(float) +
                                   (dist_size() > 1 ? sizeof(int64_t) : 0));
    /* activations for measuring, at most */
    ok = ok && add_product(&bytes, 1, LAYER_PASS_BYTES);
    return ok ? bytes : SIZE_MAX;
}

static void report_size(const LrSource *src, LrDiag *diag, LrSpan span, size_t bytes, size_t have)
{
    if (bytes == SIZE_MAX)
        diag_error(diag, src, span, "the experiment needs more memory than can be addressed");
    else
        diag_error(diag, src, span,
                   "the experiment needs %zu bytes of memory but this machine has %zu", bytes,
                   have);
}

/* Updates per epoch: the rows in batches, the last one short. */
static int64_t steps_per_epoch(int64_t rows, int64_t batch)
{
    int64_t b = batch < rows ? batch : rows;
    return b > 0 ? (rows + b - 1) / b : 0;
}

void plan_schedule(const LrSpec *spec, const LrScheduleSpec *lr, int64_t per_epoch, bool warn,
                   const LrSource *src, LrDiag *diag, LrScheduleSpec *out)
{
    *out = *lr;
    if (lr->epochs > 0)
        out->steps = lr->epochs * (double)per_epoch;
    int64_t epochs = spec->train.epochs, total = epochs * per_epoch;
    if (!warn || lr->kind == SCHED_CONSTANT || lr->kind == SCHED_PIECEWISE || total <= 0)
        return;
    const char *name = words_name(words_schedules, (int)lr->kind);
    char decay[64];
    if (lr->epochs > 0)
        snprintf(decay, sizeof decay, "%.15g epoch%s = %.15g steps", lr->epochs, lr->epochs == 1 ? "" : "s", out->steps);
    else
        snprintf(decay, sizeof decay, "%.15g steps", out->steps);
    double span = out->steps + (lr->kind == SCHED_COSINE && lr->has_target ? lr->warmup : 0);
    bool ends_early = (lr->kind == SCHED_POLYNOMIAL && !lr->cycle) || lr->kind == SCHED_COSINE;
    /* Updates use steps 0 .. total - 1, so a staircase at total never drops. */
    if (ends_early && span < (double)total)
        diag_warning(diag, src, lr->span,
                     "%s decays over %s%s but training runs %lld (epochs %lld x %lld steps)",
                     name, decay, span != out->steps ? " after its warmup" : "",
                     (long long)total, (long long)epochs, (long long)per_epoch);
    else if (!ends_early && lr->staircase && out->steps >= (double)total)
        diag_warning(diag, src, lr->span,
                     "%s with staircase=true drops every %s but training runs %lld (epochs %lld "
                     "x %lld steps): the rate never changes",
                     name, decay, (long long)total, (long long)epochs, (long long)per_epoch);
}

/* Whether the data set trained on is held in shares (data.h): under
 * mpirun, unless a predict statement writes its rows or r2 is measured
 * (r2's tally runs through the rows in order): then every rank reads it
 * whole, as it reads every other data set. */
static bool shares_data(const LrSpec *spec)
{
    if (dist_size() == 1)
        return false;
    for (int i = 0; i < spec->predict_count; i++)
        if (spec->predicts[i].on.dataset == spec->train.on.dataset)
            return false;
    return !metric_wanted(spec, METRIC_R2);
}

/* A share's rows after its own, enough for the measurement block that
 * starts in its last rows (eval_rows: at most LAYER_PASS_ROWS, or the
 * batch). */
static int64_t share_halo(const LrSpec *spec)
{
    return spec->train.batch > LAYER_PASS_ROWS ? spec->train.batch : LAYER_PASS_ROWS;
}

LrStatus plan_check_size(const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    /* Each data set's width (a CSV file's from its header) and its rows:
     * a CSV file counts the rows it surely has, so that the estimate
     * never refuses what fits; the batch is capped by the rows it may
     * have. */
    LrDataShape shapes[SPEC_MAX_DATASETS];
    int64_t rows[SPEC_MAX_DATASETS];
    for (int i = 0; i < spec->dataset_count; i++) {
        LrStatus status = data_check_columns(&spec->datasets[i], src, diag, &shapes[i]);
        if (!status_ok(status))
            return status;
        rows[i] = shapes[i].rows_at_least;
    }
    /* Under mpirun a rank holds its share of the data set trained on. */
    if (shares_data(spec))
        rows[spec->train.on.dataset] = data_share_rows(rows[spec->train.on.dataset], dist_size(),
                                                       share_halo(spec));
    const LrDataShape *on = &shapes[spec->train.on.dataset];
    int64_t batch = spec->train.batch < on->rows_at_most ? spec->train.batch : on->rows_at_most;
    /* A generated data set's rows are known now, so are the steps of an
     * epoch (a CSV file's when plan_build has read it, a stratified
     * split's when it is drawn). */
    const LrDatasetSpec *train_on = &spec->datasets[spec->train.on.dataset];
    if (train_on->kind != DATA_CSV && train_on->kind != DATA_IDX && !train_on->stratify) {
        int64_t train_rows = data_part_rows(train_on, train_on->n, spec->train.on.part);
        LrScheduleSpec resolved;
        plan_schedule(spec, &spec->optimizer.lr, steps_per_epoch(train_rows, spec->train.batch), true,
                      src, diag, &resolved);
    }
    size_t have = machine_memory();
    /* A data set too large by itself is named at its own statement. */
    for (int i = 0; i < spec->dataset_count; i++) {
        size_t x, y, centers, bytes = SIZE_MAX;
        if (data_bytes(&spec->datasets[i], &shapes[i], rows[i], &x, &y, &centers)) {
            bytes = x;
            if (!add_product(&bytes, 1, y) || !add_product(&bytes, 1, centers))
                bytes = SIZE_MAX;
        }
        if (bytes == SIZE_MAX || bytes > have) {
            report_size(src, diag, spec->datasets[i].span, bytes, have);
            return status_of(LR_LANGUAGE_ERROR);
        }
    }
    LrShape input, outs[SPEC_MAX_LAYERS];
    LrLayer *layers = calloc((size_t)spec->layer_count, sizeof *layers);
    if (!layers) {
        diag_error(diag, src, spec->train.span, "out of memory");
        return status_of(LR_RUN_FAILED);
    }
    const int on_index = spec->train.on.dataset;
    if (plan_input_shape(spec, &on->shape, on->features, dataset_label(spec, on_index), src, diag,
                         &input) < 0 ||
        spec_layers(spec, &input, outs, layers, src, diag) < 0) {
        free(layers);
        return status_of(LR_LANGUAGE_ERROR);
    }
    size_t bytes = plan_size(spec, shapes, rows, batch, &input, outs, layers);
    free(layers);
    if (bytes == SIZE_MAX || bytes > have) {
        report_size(src, diag, spec->datasets[spec->train.on.dataset].span, bytes, have);
        return status_of(LR_LANGUAGE_ERROR);
    }
    return status_of(LR_OK);
}

LrPartView plan_part(const LrPlan *plan, LrDataRef ref)
{
    const LrDataset *d = &plan->data[ref.dataset];
    int64_t begin = d->part_begin[ref.part], held = d->part_count[ref.part];
    LrPartView v = {d->x + (size_t)begin * (size_t)d->features,
                    d->y + (size_t)begin * (size_t)d->targets, held, NULL, ref.part, 0, held, 0};
    const LrDataShare *sh = &d->share;
    if (sh->held) {
        v.share = sh;
        v.rows = sh->part_total[ref.part];
        v.first = sh->starts[(size_t)ref.part * (size_t)(sh->ranks + 1) + (size_t)dist_rank()];
        v.halo = sh->halo[ref.part];
    }
    return v;
}

void plan_layer_name(const LrPlan *plan, int layer, char *out, size_t size)
{
    int index = 0;
    for (int i = 0; i < layer; i++)
        index += plan->spec->layers[i].kind == plan->spec->layers[layer].kind;
    layer_name(plan->spec->layers[layer].kind, index, out, size);
}

static void *plan_alloc(LrPlan *plan, size_t count, size_t size)
{
    return arena_array(&plan->arena, count, size);
}

/* ------------------------------------------------------------ the data */

static const char *dataset_label(const LrSpec *spec, int i)
{
    return spec->datasets[i].name[0] ? spec->datasets[i].name : "(unnamed)";
}

/* Every dataset the model sees must have its input width and targets that
 * fit its output: class indices in range for sparse cross-entropy, 0..1
 * for binary cross-entropy. */
static LrStatus check_data(LrPlan *plan, const LrSource *src, LrDiag *diag)
{
    const LrSpec *spec = plan->spec;
    bool sparse = spec->loss.kind == LOSS_CATEGORICAL_CROSSENTROPY && plan->targets == 1;
    for (int i = 0; i < plan->dataset_count; i++) {
        const LrDataset *d = &plan->data[i];
        if (d->features != plan->features) {
            diag_error(diag, src, spec->datasets[i].span,
                       "dataset '%s' has %d features but the model takes %d (those of '%s')",
                       dataset_label(spec, i), d->features, plan->features,
                       dataset_label(spec, spec->train.on.dataset));
            return status_of(LR_LANGUAGE_ERROR);
        }
        if (d->targets != plan->targets) {
            diag_error(diag, src, spec->datasets[i].span,
                       "dataset '%s' has %d target columns but '%s' has %d",
                       dataset_label(spec, i), d->targets,
                       dataset_label(spec, spec->train.on.dataset), plan->targets);
            return status_of(LR_LANGUAGE_ERROR);
        }
        for (int64_t r = 0; r < d->n; r++) {
            for (int t = 0; t < d->targets; t++) {
                double y = d->y[(size_t)r * (size_t)d->targets + (size_t)t];
                bool bad = false;
                const char *want = "";
                if (sparse) {
                    bad = y != floor(y) || y < 0 || y >= plan->outputs;
                    want = "a class index";
                } else if (spec->loss.kind == LOSS_BINARY_CROSSENTROPY ||
                           spec->loss.kind == LOSS_CATEGORICAL_CROSSENTROPY) {
                    bad = !(y >= 0 && y <= 1);
                    want = "a probability between 0 and 1";
                }
                if (bad) {
                    if (sparse)
                        diag_error(diag, src, spec->datasets[i].span,
                                   "dataset '%s' has the label %g, but the model's %d outputs "
                                   "are classes 0 to %d",
                                   dataset_label(spec, i), y, plan->outputs, plan->outputs - 1);
                    else
                        diag_error(diag, src, spec->datasets[i].span,
                                   "dataset '%s' has the target %g where %s is needed",
                                   dataset_label(spec, i), y, want);
                    return status_of(LR_LANGUAGE_ERROR);
                }
            }
        }
    }
    return status_of(LR_OK);
}

/* The width of the model's output as the checker knows it (spec.h's
 * spec_output_width): the labels' rule needs it before the data are read. */
static int spec_outputs(const LrSpec *spec)
{
    return layers_output_width(spec->layers, spec->layer_count);
}

/* Text labels of the data set trained on fit the loss: binary
 * cross-entropy takes two classes, categorical as many as the outputs. */
static LrStatus check_classes(const LrSpec *spec, const LrDataset *on, int outputs,
                              const LrSource *src, LrDiag *diag)
{
    const LrDatasetSpec *ds = &spec->datasets[spec->train.on.dataset];
    char list[256];
    data_describe_classes(on->class_names, on->class_count, list, sizeof list);
    if (spec->loss.kind == LOSS_BINARY_CROSSENTROPY && on->class_count != 2) {
        diag_error(diag, src, ds->label_span,
                   "binary_crossentropy needs 2 classes, but column '%s' of '%s' has %d: %s",
                   ds->labels[0], ds->path, on->class_count, list);
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (spec->loss.kind == LOSS_CATEGORICAL_CROSSENTROPY && on->class_count != outputs) {
        diag_error(diag, src, ds->label_span,
                   "column '%s' of '%s' has %d classes (%s) but the model has %d outputs",
                   ds->labels[0], ds->path, on->class_count, list, outputs);
        return status_of(LR_LANGUAGE_ERROR);
    }
    return status_of(LR_OK);
}

void plan_label_rule(LrLossKind loss, int outputs, const LrDatasetSpec *on, LrLabelRule *rule)
{
    int targets = on->kind == DATA_CSV ? on->label_count : 1;
    bool cross_entropy = loss == LOSS_CATEGORICAL_CROSSENTROPY || loss == LOSS_BINARY_CROSSENTROPY;
    *rule = (LrLabelRule){.outputs = outputs,
                          .loss = words_name(words_losses, (int)loss),
                          .text_classes = cross_entropy};
    if (loss == LOSS_CATEGORICAL_CROSSENTROPY && targets == 1)
        rule->want = LABEL_CLASS_INDEX;
    else if (cross_entropy)
        rule->want = LABEL_PROBABILITY;
}

/* Loads the data set trained on first: its text labels, if any, name the
 * classes that every other data set's labels are read as. */
static LrStatus load_data(LrPlan *plan, const LrSource *src, LrDiag *diag)
{
    const LrSpec *spec = plan->spec;
    const int train_on = spec->train.on.dataset;
    const LrDatasetSpec *train_spec = &spec->datasets[train_on];
    LrLabelRule rule;
    plan_label_rule(spec->loss.kind, spec_outputs(spec), train_spec, &rule);
    /* plan->data is zeroed: plan_free may free those not loaded yet. */
    plan->dataset_count = spec->dataset_count;
    for (int k = 0; k < spec->dataset_count; k++) {
        /* train_on first, then the others in order. */
        int i = k == 0 ? train_on : k <= train_on ? k - 1 : k;
        LrStatus status =
            i == train_on && plan->shared
                ? data_load_share(&spec->datasets[i], i, spec->seed, src, diag, &rule,
                                  share_halo(spec), &plan->data[i])
                : data_load_labels(&spec->datasets[i], i, spec->seed, src, diag, &rule,
                                   &plan->data[i]);
        if (!status_ok(status))
            return status;
        if (i == train_on) {
            const LrDataset *on = &plan->data[train_on];
            rule.text_classes = false;
            if (on->class_names) {
                status = check_classes(spec, on, rule.outputs, src, diag);
                if (!status_ok(status))
                    return status;
                rule.class_count = on->class_count;
                rule.class_names = on->class_names;
            }
        }
    }
    const LrDataset *on = &plan->data[train_on];
    plan->features = on->features;
    plan->targets = on->targets;
    if (on->part_count[spec->train.on.part] == 0) {
        diag_error(diag, src, spec->train.on.span, "there are no rows to train on");
        return status_of(LR_LANGUAGE_ERROR);
    }
    return status_of(LR_OK);
}

/* The model's input transform, fitted on the rows it trains on (it is part
 * of the model, saved with its weights; `load` may replace it). */
static void fit_normalization(LrPlan *plan)
{
    const LrSpec *spec = plan->spec;
    const LrDatasetSpec *d = &spec->datasets[spec->train.on.dataset];
    const LrDataset *on = &plan->data[spec->train.on.dataset];
    data_normalize_fit_part(on, d->normalize, spec->train.on.part, plan->norm_offset,
                            plan->norm_scale);
    plan->normalized = d->normalize != NORM_NONE;
    plan->norm_kind = d->normalize;
}

void plan_apply_normalization(LrPlan *plan)
{
    if (!plan->normalized)
        return;
    for (int i = 0; i < plan->dataset_count; i++)
        data_normalize_apply(&plan->data[i], plan->norm_offset, plan->norm_scale);
}

/* ------------------------------------------------------------ the model */

/* Softmax + categorical cross-entropy and sigmoid + binary cross-entropy
 * are computed together from the logits (stable, no log(0)). */
static void fuse_output(LrPlan *plan)
{
    const LrSpec *spec = plan->spec;
    LrLayer *last = &plan->layers[plan->layer_count - 1];
    plan->loss.kind = spec->loss.kind;
    plan->loss.delta = spec->loss.delta;
    plan->pending = ACT_LINEAR;
    LrActivation want = loss_fused_activation(spec->loss.kind);
    if (want != ACT_LINEAR && last->ops != &layer_dropout_ops && last->activation == want) {
        last->from_logits = true;
        plan->loss.from_logits = true;
        plan->pending = want;
    }
}

/* The tally's buffers, for what the experiment asks (metric_tally_size),
 * auc's for the largest part measured. Allocated once here, never while
 * measuring. Reports a metric that does not fit the model as built (the checker
 * found those of the experiment's model already). */
static LrStatus build_tally(LrPlan *plan, const LrSource *src, LrDiag *diag)
{
    const LrSpec *spec = plan->spec;
    if (metrics_check_fit(spec, plan->loss.kind, plan->outputs, src, diag) > 0)
        return status_of(LR_LANGUAGE_ERROR);
    int64_t largest = plan->train.rows > 0 ? plan->train.rows : 1;
    LrPartView part;
    if (spec->train.validation.dataset >= 0 &&
        (part = plan_part(plan, spec->train.validation)).rows > largest)
        largest = part.rows;
    for (int e = 0; e < spec->evaluate_count; e++)
        if ((part = plan_part(plan, spec->evaluates[e].on)).rows > largest)
            largest = part.rows;
    if (metric_tally_size(&plan->tally, spec, plan->loss.kind, plan->outputs, largest,
                          &plan->arena) < 0) {
        diag_error(diag, src, spec->train.span, "out of memory");
        return status_of(LR_RUN_FAILED);
    }
    return status_of(LR_OK);
}

/* Rows per forward pass when measuring (train_measure: no gradients). A
 * model whose products go to BLAS measures layers_pass_rows at a time, as
 * lrc predict runs a saved model (the same passes, the same bytes), or
 * fewer when no data set has that many. Others, whose products take the
 * plain loop, measure by training batches. */
static int eval_rows(const LrPlan *plan, int batch, size_t widths)
{
    if (!plan->uses_blas)
        return batch;
    int64_t rows = layers_pass_rows(widths);
    int64_t largest = 0;
    for (int i = 0; i < plan->dataset_count; i++) {
        int64_t n = data_rows(&plan->data[i]);
        largest = n > largest ? n : largest;
    }
    return (int)(rows < largest ? rows : largest);
}

/* The shards of a step (dist.h): the gradients of as many as this rank
 * computes, in dparams and after it (build_layers made the room), and
 * the integers of their sum under mpirun. */
static bool build_shards(LrPlan *plan)
{
    /* train.c: the maxima, three flags, two powers of two per variable */
    plan->grad_max = plan_alloc(plan, 3 * (size_t)plan->var_count + 3, sizeof(double));
    if (!plan->grad_max)
        return false;
    if (plan->shard_slots == 0)
        return true;
    plan->shard_grads = plan->dparams;
    if (dist_size() == 1) /* the sum goes straight to floats (train.c) */
        return true;
    plan->grad_sum = plan_alloc(plan, plan->param_count, sizeof(int64_t));
    return plan->grad_sum != NULL;
}

static bool build_layers(LrPlan *plan, const LrSource *src, LrDiag *diag, bool *shape_error)
{
    const LrSpec *spec = plan->spec;
    const int n = spec->layer_count;
    int64_t batch = spec->train.batch < plan->train.rows ? spec->train.batch : plan->train.rows;
    plan->batch = (int)batch;
    plan->layer_count = n;
    plan->layers = plan_alloc(plan, (size_t)n, sizeof(LrLayer));
    plan->shapes = plan_alloc(plan, (size_t)n, sizeof(LrShape));
    plan->acts = plan_alloc(plan, (size_t)n, sizeof(LrTensor));
    plan->grads = plan_alloc(plan, (size_t)n, sizeof(LrTensor));
    LrVarShape(*vars)[LAYER_MAX_VARS] = plan_alloc(plan, (size_t)n, sizeof *vars);
    int *var_counts = plan_alloc(plan, (size_t)n, sizeof(int));
    if (!plan->layers || !plan->shapes || !plan->acts || !plan->grads || !vars || !var_counts)
        return false;
    const LrDataset *on = &plan->data[spec->train.on.dataset];
    if (plan_input_shape(spec, &on->shape, plan->features,
                         dataset_label(spec, spec->train.on.dataset), src, diag,
                         &plan->input_shape) < 0 ||
        spec_layers(spec, &plan->input_shape, plan->shapes, plan->layers, src, diag) < 0) {
        *shape_error = true;
        return false;
    }
    size_t params = 0, state = 0, widths = 0;
    int trainable = 0, all = 0;
    /* BLAS is loaded only when some product is too large for the loop. */
    plan->uses_blas = false;
    for (int i = 0; i < n; i++) {
        const LrShape *in = i ? &plan->shapes[i - 1] : &plan->input_shape;
        var_counts[i] = layer_vars(&spec->layers[i], in, &plan->shapes[i], vars[i]);
        for (int v = 0; v < var_counts[i]; v++) {
            if (vars[i][v].trainable) {
                params += vars[i][v].count;
                trainable++;
            } else {
                state += vars[i][v].count;
            }
            all++;
        }
        plan->uses_blas |= layer_uses_blas(&plan->layers[i], (int)batch);
        widths += (size_t)plan->layers[i].out;
    }
    plan->outputs = plan->layers[n - 1].out;
    plan->param_count = params;
    plan->state_count = state;
    plan->var_count = trainable;
    plan->eval_rows = eval_rows(plan, (int)batch, widths);
    /* The state lives after the parameters, so that the best epoch's copy
     * and a checkpoint take both; the optimizer sees only the first
     * param_count. */
    plan->params = plan_alloc(plan, params + state, sizeof(float));
    /* A step's shards keep their gradients side by side, the first in
     * dparams, where their sum goes: one slot less, and one buffer less
     * in the caches (train.c). */
    plan->shard_slots = shard_slots(&spec->train, batch, &plan->shard_rows);
    plan->dparams = plan_alloc(plan, params * (size_t)(plan->shard_slots > 1 ? plan->shard_slots : 1),
                               sizeof(float));
    plan->best = plan_alloc(plan, params + state, sizeof(float));
    plan->var_offsets = plan_alloc(plan, (size_t)trainable + 1, sizeof(size_t));
    plan->vars = plan_alloc(plan, (size_t)all, sizeof(LrPlanVar));
    plan->xb = plan_alloc(plan, (size_t)batch * (size_t)plan->features, sizeof(float));
    plan->yb = plan_alloc(plan, (size_t)batch * (size_t)plan->targets, sizeof(float));
    if (!plan->params || !plan->dparams || !plan->best || !plan->var_offsets || !plan->vars ||
        !plan->xb || !plan->yb)
        return false;
    plan->state = plan->params + params;
    float *p = plan->params, *dp = plan->dparams, *st = plan->state;
    int var = 0;
    plan->all_var_count = 0;
    for (int i = 0; i < n; i++) {
        LrLayer *l = &plan->layers[i];
        char layer[32];
        plan_layer_name(plan, i, layer, sizeof layer);
        for (int v = 0; v < var_counts[i]; v++) {
            const LrVarShape *vs = &vars[i][v];
            LrPlanVar *pv = &plan->vars[plan->all_var_count++];
            snprintf(pv->name, sizeof pv->name, "%s/%s", layer, vs->name);
            pv->data = vs->trainable ? p : st;
            pv->shape = *vs;
            if (vs->trainable)
                plan->var_offsets[var++] = (size_t)(p - plan->params);
            layer_bind(l, vs, 1, &p, &dp, &st);
        }
        if (!layer_alloc(l, (int)batch, true, &plan->dropout_rng, &plan->arena))
            return false;
        /* a training batch or a measuring pass, whichever is taller */
        int act_rows = plan->eval_rows > (int)batch ? plan->eval_rows : (int)batch;
        float *act = plan_alloc(plan, (size_t)act_rows * (size_t)l->out, sizeof(float));
        float *grad = plan_alloc(plan, (size_t)batch * (size_t)l->out, sizeof(float));
        if (!act || !grad)
            return false;
        plan->acts[i] = tensor_view(act, act_rows, l->out);
        plan->grads[i] = tensor_view(grad, (int)batch, l->out);
    }
    plan->var_offsets[var] = params;
    for (int i = 0; i < n; i++)
        plan->dropout_draws += layer_draws(&plan->layers[i]);
    return build_shards(plan);
}

static bool build_optimizer(LrPlan *plan)
{
    LrOptimizer *o = &plan->optimizer;
    plan->optimizer_spec = plan->spec->optimizer;
    o->spec = &plan->optimizer_spec;
    o->params = plan->params;
    o->grads = plan->dparams;
    o->count = plan->param_count;
    o->var_offsets = plan->var_offsets;
    o->var_count = plan->var_count;
    int slots = optim_slot_count(o->spec);
    if (slots >= 1 && !(o->slot1 = plan_alloc(plan, plan->param_count, sizeof(float))))
        return false;
    if (slots >= 2 && !(o->slot2 = plan_alloc(plan, plan->param_count, sizeof(float))))
        return false;
    optim_reset(o);
    return true;
}

/* Layer by layer, each variable in order (kernel then bias), from the
 * init stream. */
static void init_params(LrPlan *plan)
{
    LrRng rng;
    rng_seed(&rng, plan->spec->seed, RNG_STREAM_INIT);
    for (int i = 0; i < plan->all_var_count; i++) {
        const LrVarShape *v = &plan->vars[i].shape;
        int fan_in, fan_out;
        init_fans(v->rank, v->dims, &fan_in, &fan_out);
        init_fill(&v->init, plan->vars[i].data, v->count, fan_in, fan_out, &rng);
    }
}

/* A share's buffers (plan.h): a step's rows on their way, and the
 * measurement's sums per block. */
static bool build_share(LrPlan *plan)
{
    if (!plan->shared)
        return true;
    const size_t ranks = (size_t)dist_size(), width = (size_t)(plan->features + plan->targets);
    const LrDataset *on = &plan->data[plan->spec->train.on.dataset];
    plan->rows_out = plan_alloc(plan, ranks * (size_t)plan->batch * width, sizeof(float));
    plan->rows_in = plan_alloc(plan, (size_t)plan->batch * width, sizeof(float));
    plan->row_counts = plan_alloc(plan, 4 * ranks, sizeof(int));
    plan->block_capacity = on->share.rows / plan->eval_rows + 1;
    plan->block_sums = plan_alloc(plan, (size_t)plan->block_capacity * (1 + SPEC_MAX_METRICS),
                                  sizeof(double));
    return plan->rows_out && plan->rows_in && plan->row_counts && plan->block_sums;
}

static LrStatus build(LrPlan *plan, const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    LrStatus status = load_data(plan, src, diag);
    if (!status_ok(status))
        return status;
    plan->train = plan_part(plan, spec->train.on);
    plan->norm_offset = plan_alloc(plan, (size_t)plan->features, sizeof(float));
    plan->norm_scale = plan_alloc(plan, (size_t)plan->features, sizeof(float));
    plan->order = plan_alloc(plan, (size_t)plan->train.rows, sizeof(int64_t));
    plan->metric_count = spec->train.metric_count;
    /* epoch, step, loss, val_loss, metrics and their val_ twins, lr, seconds */
    plan->history_cols = 6 + 2 * plan->metric_count;
    plan->history = plan_alloc(plan, (size_t)spec->train.epochs * (size_t)plan->history_cols,
                               sizeof(double));
    bool shape_error = false;
    if (!plan->norm_offset || !plan->norm_scale || !plan->order || !plan->history ||
        !build_layers(plan, src, diag, &shape_error) || !build_optimizer(plan) ||
        !build_share(plan)) {
        if (shape_error)
            return status_of(LR_LANGUAGE_ERROR);
        diag_error(diag, src, spec->train.span, "out of memory");
        return status_of(LR_RUN_FAILED);
    }
    /* plan_check_size warned already when the rows were known then. */
    plan_schedule(spec, &spec->optimizer.lr, steps_per_epoch(plan->train.rows, plan->batch),
                  spec->datasets[spec->train.on.dataset].kind == DATA_CSV ||
                      spec->datasets[spec->train.on.dataset].kind == DATA_IDX ||
                      spec->datasets[spec->train.on.dataset].stratify,
                  src, diag,
                  &plan->optimizer_spec.lr);
    status = check_data(plan, src, diag);
    if (!status_ok(status))
        return status;
    fuse_output(plan);
    status = build_tally(plan, src, diag);
    if (!status_ok(status))
        return status;
    char why_blas[512];
    if (plan->uses_blas && blas_load(why_blas, sizeof why_blas) < 0) {
        diag_error(diag, src, spec->train.span, "%s", why_blas);
        return status_of(LR_RUN_FAILED);
    }
    /* lrc's threads, when a product or a loop of the step is large enough
     * to split (pool.h); the grades example never starts them. */
    size_t widest = plan->param_count;
    for (int i = 0; i < plan->layer_count; i++) {
        size_t cells = (size_t)plan->batch * (size_t)plan->layers[i].out;
        widest = cells > widest ? cells : widest;
    }
    if (plan->uses_blas || widest >= 2 * (size_t)POOL_GRAIN)
        pool_start();
    if (plan->uses_blas && blas_check_memory(pool_threads(), why_blas, sizeof why_blas) < 0) {
        diag_error(diag, src, spec->train.span, "%s", why_blas);
        return status_of(LR_RUN_FAILED);
    }
    init_params(plan);
    for (int64_t i = 0; i < plan->train.rows; i++)
        plan->order[i] = i;
    rng_seed(&plan->shuffle_rng, spec->seed, RNG_STREAM_SHUFFLE);
    rng_seed(&plan->dropout_rng, spec->seed, RNG_STREAM_DROPOUT);
    return status_of(LR_OK);
}

LrStatus plan_build(LrPlan *plan, const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    memset(plan, 0, sizeof *plan);
    plan->spec = spec;
    plan->shared = shares_data(spec);
    LrStatus status = build(plan, spec, src, diag);
    /* A share's fit runs through the ranks: all of them, or none. */
    if (plan->shared)
        status = dist_agree(status);
    if (status_ok(status))
        fit_normalization(plan);
    return status;
}

void plan_free(LrPlan *plan)
{
    for (int i = 0; i < plan->dataset_count; i++)
        data_free(&plan->data[i]);
    arena_free(&plan->arena);
    memset(plan, 0, sizeof *plan);
}
