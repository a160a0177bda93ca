/* run.c — see run.h. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "run.h"

#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blas.h"
#include "decimal.h"
#include "diag.h"
#include "dist.h"
#include "explain.h"
#include "fileio.h"
#include "json.h"
#include "metrics.h"
#include "model.h"
#include "minimize.h"
#include "plan.h"
#include "predict.h"
#include "report.h"
#include "sha256.h"
#include "summary.h"
#include "train.h"
#include "version.h"
#include "weights.h"

/* The one piece of global state: a signal handler can reach nothing else.
 * The training loop polls it after each step. */
static volatile sig_atomic_t interrupted;
/* Set while a progress line may be on the terminal, for give_up to erase. */
static volatile sig_atomic_t progress_shown;

/* The loop sees the flag only between steps, and a step can take long or
 * never end (a library stuck inside a product). So a signal must be
 * acknowledged (acknowledge_signal) within a second, or the alarm ends the
 * process without a checkpoint; a second signal ends it at once. Only
 * async-signal-safe calls here. */
static void give_up(int sig)
{
    /* The one exit status not made by main.c: a handler cannot return an
     * LrStatus, so it ends the process as main would for this signal. */
    static const char msg[] = "lrc: interrupted; no checkpoint could be written in time\n";
    static const char erase[] = DIAG_PROGRESS_ERASE;
    ssize_t ignored = progress_shown ? write(STDERR_FILENO, erase, sizeof erase - 1) : 0;
    ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(128 + (sig == SIGALRM ? (int)interrupted : sig));
}

static void on_signal(int sig)
{
    if (interrupted)
        give_up(sig);
    interrupted = sig;
    alarm(1);
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = give_up;
    sigaction(SIGALRM, &sa, NULL);
}

/* The run has seen the signal and is writing its checkpoint: that may
 * take more than the second the alarm allows. */
static void acknowledge_signal(void)
{
    if (interrupted)
        alarm(0);
}

typedef struct Run {
    const LrSource *src;
    const LrSpec *spec;
    const LrRunOptions *options;
    LrDiag *diag;
    char experiment_sha[65];
    char *experiment;     /* the resolved text */
    char source_path[PATH_MAX];
    int metrics_fd;       /* metrics.csv, open for appending; -1: none */
    LrBuffer metrics_pending; /* rows not written yet */
    double metrics_written;   /* training seconds at the last write */
    int64_t metrics_writes;   /* writes so far, */
    int64_t metrics_synced;   /* of which made durable */
    int64_t checkpoint_epochs; /* epochs done at the last checkpoint */
    double checkpoint_seconds; /* training seconds at the last checkpoint */
} Run;

static void path_in(const Run *r, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", r->options->out_dir, name);
}

/* Writes b (then frees it) to name in the run directory, atomically. */
static int write_file(const Run *r, const char *name, LrBuffer *b)
{
    char path[PATH_MAX], why[PATH_MAX + 512];
    path_in(r, name, path, sizeof path);
    int status = b->failed ? -1 : file_write_atomic(path, b->data, b->length, why, sizeof why);
    if (b->failed)
        snprintf(why, sizeof why, "out of memory writing '%s'", path);
    buffer_free(b);
    if (status < 0)
        diag_error(r->diag, NULL, (LrSpan){0, 0}, "%s", why);
    return status;
}

/* metrics.csv's header line. */
static void metrics_header(const Run *r, const LrPlan *plan, LrBuffer *b)
{
    const LrTrainSpec *t = &r->spec->train;
    bool has_val = t->validation.dataset >= 0;
    buffer_printf(b, "epoch,step,loss%s", has_val ? ",val_loss" : "");
    for (int m = 0; m < plan->metric_count; m++) {
        buffer_printf(b, ",%s", metric_name(t->metrics[m]));
        if (has_val)
            buffer_printf(b, ",val_%s", metric_name(t->metrics[m]));
    }
    buffer_printf(b, ",lr,seconds%s\n", t->early_stop.enabled ? ",best" : "");
}

/* metrics.csv's line for epoch e (from 0) of the history; with early
 * stopping, a last column marks best_epoch, the best so far (at the end,
 * the one whose parameters restore_best gives the model). */
static void metrics_row(const Run *r, const LrPlan *plan, int64_t e, int64_t best_epoch,
                        LrBuffer *b)
{
    bool has_val = r->spec->train.validation.dataset >= 0;
    const double *row = plan->history + (size_t)e * (size_t)plan->history_cols;
    char v[DECIMAL_SHORTEST_SIZE];
    buffer_printf(b, "%lld,%lld", (long long)row[HIST_EPOCH], (long long)row[HIST_STEP]);
    decimal_shortest(row[HIST_LOSS], v);
    buffer_printf(b, ",%s", v);
    if (has_val) {
        decimal_shortest(row[HIST_VAL_LOSS], v);
        buffer_printf(b, ",%s", v);
    }
    for (int m = 0; m < plan->metric_count; m++) {
        decimal_shortest(row[HIST_METRICS + m], v);
        buffer_printf(b, ",%s", v);
        if (has_val) {
            decimal_shortest(row[HIST_METRICS + plan->metric_count + m], v);
            buffer_printf(b, ",%s", v);
        }
    }
    decimal_shortest(row[HIST_LR(plan)], v);
    buffer_printf(b, ",%s,%.3f", v, row[HIST_SECONDS(plan)]);
    if (r->spec->train.early_stop.enabled)
        buffer_printf(b, ",%d", e + 1 == best_epoch);
    buffer_printf(b, "\n");
}

/* The whole of metrics.csv for the state's epochs. */
static void metrics_text(const Run *r, const LrPlan *plan, const LrTrainState *state,
                         LrBuffer *b)
{
    metrics_header(r, plan, b);
    for (int64_t e = 0; e < state->epochs_done; e++)
        metrics_row(r, plan, e, state->best_epoch, b);
}

/* Starts metrics.csv with the state's epochs, then keeps it open for a row
 * per epoch. A fresh run's file (the header) is not synced: until the
 * first checkpoint there is nothing to resume that it could disagree
 * with. A resumed run's is replaced atomically by the checkpoint's rows,
 * dropping any the interrupted run wrote after its last checkpoint, which
 * this run repeats. */
static int metrics_open(Run *r, const LrPlan *plan, const LrTrainState *state)
{
    char path[PATH_MAX], why[PATH_MAX + 512];
    path_in(r, "metrics.csv", path, sizeof path);
    LrBuffer b = {0};
    metrics_text(r, plan, state, &b);
    int status = b.failed ? -1 : 0;
    if (b.failed)
        snprintf(why, sizeof why, "out of memory writing '%s'", path);
    else if (state->epochs_done > 0)
        status = file_write_atomic(path, b.data, b.length, why, sizeof why);
    else
        status = file_write_unsynced(path, b.data, b.length, why, sizeof why);
    buffer_free(&b);
    if (status == 0 && (r->metrics_fd = file_open_append(path, why, sizeof why)) < 0)
        status = -1;
    if (status < 0)
        diag_error(r->diag, NULL, (LrSpan){0, 0}, "%s", why);
    return status;
}

/* Writes the rows waiting in metrics_pending to metrics.csv. */
static int metrics_write(Run *r, double seconds)
{
    char why[512], path[PATH_MAX];
    LrBuffer *b = &r->metrics_pending;
    if (b->failed || file_append(r->metrics_fd, b->data, b->length, why, sizeof why) < 0) {
        path_in(r, "metrics.csv", path, sizeof path);
        diag_error(r->diag, NULL, (LrSpan){0, 0}, "cannot write '%s': %s", path,
                   b->failed ? "out of memory" : why);
        return -1;
    }
    b->length = 0;
    r->metrics_written = seconds;
    r->metrics_writes++;
    return 0;
}

/* Adds the epoch just finished. Rows reach the file as epochs end, but
 * at most every METRICS_WRITE_SECONDS of training: a write per epoch of
 * microseconds would cost more than the epochs. */
enum { METRICS_WRITES_PER_SECOND = 10 };
static int metrics_append(Run *r, const LrPlan *plan, const LrTrainState *state)
{
    metrics_row(r, plan, state->epochs_done - 1, state->best_epoch, &r->metrics_pending);
    if (state->seconds - r->metrics_written >= 1.0 / METRICS_WRITES_PER_SECOND)
        return metrics_write(r, state->seconds);
    return 0;
}

/* Makes metrics.csv's rows so far durable: before a checkpoint, so that
 * the file always holds at least the checkpoint's epochs, and at the end. */
static int metrics_sync(Run *r, double seconds)
{
    char why[512], path[PATH_MAX];
    if (r->metrics_pending.length > 0 && metrics_write(r, seconds) < 0)
        return -1;
    if (r->metrics_synced == r->metrics_writes)
        return 0;
    if (file_sync(r->metrics_fd, why, sizeof why) < 0) {
        path_in(r, "metrics.csv", path, sizeof path);
        diag_error(r->diag, NULL, (LrSpan){0, 0}, "cannot write '%s': %s", path, why);
        return -1;
    }
    r->metrics_synced = r->metrics_writes;
    return 0;
}

/* With early stopping the best epoch is known only at the end: rows
 * appended on the way marked the best so far, so the file is replaced,
 * whole, with the mark on that one row. */
static int metrics_rewrite(Run *r, const LrPlan *plan, const LrTrainState *state)
{
    char why[PATH_MAX + 512], path[PATH_MAX];
    path_in(r, "metrics.csv", path, sizeof path);
    LrBuffer b = {0};
    metrics_text(r, plan, state, &b);
    int status = b.failed ? -1 : file_write_atomic(path, b.data, b.length, why, sizeof why);
    if (b.failed)
        snprintf(why, sizeof why, "out of memory writing '%s'", path);
    buffer_free(&b);
    if (status < 0)
        diag_error(r->diag, NULL, (LrSpan){0, 0}, "%s", why);
    r->metrics_pending.length = 0;
    return status;
}

static int checkpoint(Run *r, const LrPlan *plan, const LrTrainState *state)
{
    char why[PATH_MAX + 512];
    if (metrics_sync(r, state->seconds) < 0)
        return -1;
    if (checkpoint_write(r->options->out_dir, plan, state, r->source_path, r->experiment_sha,
                         r->options->sets, r->options->set_count, why, sizeof why) < 0) {
        diag_error(r->diag, NULL, (LrSpan){0, 0}, "%s", why);
        return -1;
    }
    r->checkpoint_epochs = state->epochs_done;
    r->checkpoint_seconds = state->seconds;
    return 0;
}

/* Whether --checkpoint-every asks for one after this epoch. */
static bool checkpoint_due(const Run *r, const LrTrainState *state)
{
    const LrCheckpointEvery *every = &r->options->checkpoint_every;
    if (every->epochs > 0)
        return state->epochs_done % every->epochs == 0;
    return state->seconds - r->checkpoint_seconds >= every->seconds;
}

/* The epoch-end and interruption hook: the epoch's metrics row, then a
 * checkpoint when one is due, at the last epoch, or on interruption. */
static int save_progress(void *ctx, const LrPlan *plan, const LrTrainState *state)
{
    Run *r = ctx;
    if (state->signal)
        acknowledge_signal();
    if (!r->options->out_dir)
        return 0;
    if (!state->signal && metrics_append(r, plan, state) < 0)
        return -1;
    const LrTrainSpec *t = &r->spec->train;
    bool last = state->stopped || state->epochs_done >= t->epochs;
    if (state->signal || last || checkpoint_due(r, state))
        return checkpoint(r, plan, state);
    return 0;
}

static const char *part_label(const LrSpec *spec, LrDataRef ref, char *out, size_t size)
{
    static const char *const parts[] = {"", ".validation", ".test"};
    const char *name = spec->datasets[ref.dataset].name;
    snprintf(out, size, "%s%s", name[0] ? name : "data", parts[ref.part]);
    return out;
}

typedef struct Evaluation {
    double loss;
    double values[SPEC_MAX_METRICS];
} Evaluation;

/* run.json's last field, what failed (when something did), then the
 * object closed and the file written. */
static int run_json_end(const Run *r, LrJsonWriter *w, LrBuffer *b, const char *error)
{
    if (error[0]) {
        json_key(w, "error");
        json_write_string(w, error);
    }
    json_end_object(w);
    buffer_printf(b, "\n");
    return write_file(r, "run.json", b);
}

static void write_metric_object(LrJsonWriter *w, const LrMetricKind *metrics, int count,
                                double loss, const double *values, const char *prefix)
{
    char key[64];
    snprintf(key, sizeof key, "%sloss", prefix);
    json_key(w, key);
    json_write_number(w, loss);
    for (int m = 0; m < count; m++) {
        snprintf(key, sizeof key, "%s%s", prefix, metric_name(metrics[m]));
        json_key(w, key);
        json_write_number(w, values[m]);
    }
}

/* {"loss": ..., metrics, then the val_ twins} of epoch (from 1) of the
 * history; {} for epoch 0 (none). */
static void write_epoch_object(LrJsonWriter *w, const Run *r, const LrPlan *plan, int64_t epoch)
{
    const LrTrainSpec *t = &r->spec->train;
    json_begin_object(w);
    if (epoch > 0) {
        const double *row = plan->history + (size_t)(epoch - 1) * (size_t)plan->history_cols;
        write_metric_object(w, t->metrics, plan->metric_count, row[HIST_LOSS],
                            row + HIST_METRICS, "");
        if (t->validation.dataset >= 0)
            write_metric_object(w, t->metrics, plan->metric_count, row[HIST_VAL_LOSS],
                                row + HIST_METRICS + plan->metric_count, "val_");
    }
    json_end_object(w);
}

static int write_run_json(const Run *r, const LrPlan *plan, const LrTrainState *state,
                          const Evaluation *evals, const char *weights_sha, const char *error)
{
    const LrSpec *spec = r->spec;
    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b, .indent = 2};
    json_begin_object(&w);
    json_key(&w, "lrc_version");
    json_write_string(&w, LRC_VERSION);
    json_key(&w, "blas");
    json_begin_object(&w);
    json_key(&w, "vendor");
    json_write_string(&w, blas_vendor());
    json_key(&w, "threads");
    json_write_integer(&w, r->options->threads);
    json_end_object(&w);
    if (dist_size() > 1) {
        json_key(&w, "mpi");
        json_begin_object(&w);
        json_key(&w, "library");
        json_write_string(&w, dist_library());
        json_key(&w, "ranks");
        json_write_integer(&w, dist_size());
        /* Whether each rank held its share of the data set trained on,
         * and how many of its rows (of every part: the halos aside). */
        const LrDataShare *sh = &plan->data[spec->train.on.dataset].share;
        json_key(&w, "data");
        json_write_string(&w, sh->held ? "shares" : "whole");
        if (sh->held) {
            json_key(&w, "rows_held");
            json_begin_array(&w);
            for (int rank = 0; rank < sh->ranks; rank++) {
                int64_t own = 0;
                for (int p = 0; p < 3; p++) {
                    const int64_t *start = sh->starts + (size_t)p * (size_t)(sh->ranks + 1);
                    own += start[rank + 1] - start[rank];
                }
                json_write_integer(&w, own);
            }
            json_end_array(&w);
        }
        json_end_object(&w);
    }
    json_key(&w, "source");
    json_write_string(&w, r->source_path);
    json_key(&w, "seed");
    json_write_integer(&w, (int64_t)spec->seed);
    json_key(&w, "experiment");
    json_write_string(&w, r->experiment);
    json_key(&w, "experiment_sha256");
    json_write_string(&w, r->experiment_sha);
    json_key(&w, "data");
    json_begin_array(&w);
    for (int i = 0; i < plan->dataset_count; i++) {
        const LrDatasetSpec *d = &spec->datasets[i];
        json_begin_object(&w);
        json_key(&w, "name");
        json_write_string(&w, d->name);
        json_key(&w, "rows");
        json_write_integer(&w, data_rows(&plan->data[i]));
        if (d->kind == DATA_CSV || d->kind == DATA_IDX) {
            json_key(&w, "path");
            json_write_string(&w, d->portable_path);
            json_key(&w, "sha256");
            json_write_string(&w, plan->data[i].sha256);
        }
        if (d->kind == DATA_IDX) {
            json_key(&w, "labels_path");
            json_write_string(&w, d->labels_portable);
            json_key(&w, "labels_sha256");
            json_write_string(&w, plan->data[i].labels_sha256);
        }
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "epochs_run");
    json_write_integer(&w, state->epochs_done);
    json_key(&w, "steps");
    json_write_integer(&w, plan->optimizer.step);
    json_key(&w, "early_stopped");
    json_write_bool(&w, state->stopped);
    const LrEarlyStopSpec *stop = &spec->train.early_stop;
    if (stop->enabled) {
        json_key(&w, "best_epoch");
        if (state->best_epoch > 0)
            json_write_integer(&w, state->best_epoch);
        else
            json_write_null(&w);
        json_key(&w, "best");
        write_epoch_object(&w, r, plan, state->best_epoch);
    }
    /* The numbers of the model the run ends with (saved, evaluated): its
     * best epoch's when restore_best gave it that epoch's parameters. */
    json_key(&w, "final");
    write_epoch_object(&w, r, plan,
                       stop->enabled && stop->restore_best && state->best_epoch > 0
                           ? state->best_epoch
                           : state->epochs_done);
    json_key(&w, "evaluate");
    json_begin_array(&w);
    for (int i = 0; i < spec->evaluate_count; i++) {
        const LrEvaluateSpec *e = &spec->evaluates[i];
        char label[128];
        json_begin_object(&w);
        json_key(&w, "on");
        json_write_string(&w, part_label(spec, e->on, label, sizeof label));
        write_metric_object(&w, e->metrics, e->metric_count, evals[i].loss, evals[i].values, "");
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "train_seconds");
    json_write_number(&w, state->seconds);
    json_key(&w, "weights_sha256");
    if (weights_sha[0])
        json_write_string(&w, weights_sha);
    else
        json_write_null(&w);
    LrArena arena = {0};
    LrModelDesc model;
    json_key(&w, "summary");
    if (model_describe_spec(spec, &plan->input_shape, &arena, &model) == 0)
        summary_json(&model, &w);
    else
        b.failed = true;
    arena_free(&arena);
    return run_json_end(r, &w, &b, error);
}

/* The class names when the labels were text; NULL: their indices. */
static const char *const *class_names(const LrPlan *plan)
{
    const LrDataset *d = &plan->data[plan->spec->train.on.dataset];
    return d->class_names && d->class_count == plan->tally.classes ? d->class_names : NULL;
}

/* A CSV field: quoted (its quotes doubled) when it holds a comma, a quote
 * or a line break. */
static void csv_field(LrBuffer *b, const char *text)
{
    if (!text[strcspn(text, ",\"\r\n")]) {
        buffer_printf(b, "%s", text);
        return;
    }
    buffer_printf(b, "\"");
    for (const char *p = text; *p; p++)
        buffer_printf(b, *p == '"' ? "\"\"" : "%c", *p);
    buffer_printf(b, "\"");
}

/* confusion-N.csv of evaluate N (from 1): a header `true` and the classes,
 * then a row per true class, its name and how many of its samples were
 * predicted as each class. */
static int write_confusion(const Run *r, const LrPlan *plan, int index)
{
    const LrMetricTally *t = &plan->tally;
    const char *const *names = class_names(plan);
    char cell[24];
    LrBuffer b = {0};
    buffer_printf(&b, "true");
    for (int p = 0; p < t->classes; p++) {
        snprintf(cell, sizeof cell, "%d", p);
        buffer_printf(&b, ",");
        csv_field(&b, names ? names[p] : cell);
    }
    buffer_printf(&b, "\n");
    for (int c = 0; c < t->classes; c++) {
        snprintf(cell, sizeof cell, "%d", c);
        csv_field(&b, names ? names[c] : cell);
        for (int p = 0; p < t->classes; p++)
            buffer_printf(&b, ",%lld", (long long)t->confusion[(size_t)c * (size_t)t->classes + (size_t)p]);
        buffer_printf(&b, "\n");
    }
    char name[32];
    snprintf(name, sizeof name, "confusion-%d.csv", index + 1);
    return write_file(r, name, &b);
}

/* Evaluate statement i of spec: measures its part (rows of x and y)
 * through m, prints its line and, with confusion=true, its confusion
 * matrix (classes named by names, or by index when NULL). The one
 * evaluation of a training file (the plan) and of an inference file (a
 * loaded model). */
static void evaluate_rows(const LrSpec *spec, int i, const LrMeasurer *m,
                          const LrPartView *part, const char *const *names, Evaluation *out)
{
    const LrEvaluateSpec *e = &spec->evaluates[i];
    char label[128];
    measure_part(m, part, e->metrics, e->metric_count, &out->loss, out->values);
    report_evaluate(part_label(spec, e->on, label, sizeof label), out->loss, e->metrics,
                    e->metric_count, out->values);
    /* Now: the next evaluate's measure empties the tally. */
    if (e->confusion && m->tally->confusion)
        report_confusion(label, m->tally->classes, names, m->tally->confusion);
}

static void report_model(const LrPlan *plan)
{
    if (plan->param_count > REPORT_MAX_PARAMETERS)
        return;
    for (int i = 0; i < plan->layer_count; i++) {
        if (plan->layers[i].ops != &layer_dense_ops)
            continue;
        char name[32];
        plan_layer_name(plan, i, name, sizeof name);
        report_dense(name, &plan->layers[i]);
    }
}

/* Makes the directories a `save` path names, which the checker found
 * inside the sandbox (what does not exist yet cannot climb out with ..). */
static int make_parent_dirs(const char *path, char *why, size_t why_size)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    return file_make_dirs(dir, why, why_size);
}

static LrTensor plan_outputs(void *plan, const float *x, int rows)
{
    LrPlan *p = plan;
    /* The data are never written through this view. */
    LrTensor in = tensor_view((float *)x, rows, p->features);
    return *train_outputs(p, &in);
}

/* A `predict` statement on the trained model: its rows as the plan holds
 * them (normalized), through the plan's layers. */
static LrStatus predict_plan(LrPlan *plan, const LrPredictSpec *p, const char *experiment_sha,
                             const LrSource *src, LrDiag *diag)
{
    LrArena arena = {0};
    LrModelDesc desc;
    if (model_describe(plan, experiment_sha, &arena, &desc) < 0) {
        diag_error(diag, src, p->span, "out of memory");
        return status_of(LR_RUN_FAILED);
    }
    LrPartView part = plan_part(plan, p->on);
    LrPredictRows from = {&desc, part.x, part.rows, plan->features, plan->eval_rows,
                          plan_outputs, plan, &plan->spec->datasets[p->on.dataset],
                          &plan->data[p->on.dataset]};
    LrStatus status = predict_statement(p, &from, src, diag);
    arena_free(&arena);
    return status;
}

/* What follows training: evaluations, `save`, the run directory. The
 * training is done by now, so a failed write does not stop the others:
 * the run directory keeps its checkpoint and gets everything that can
 * still be written, and run.json says what failed. */
/* The trained model's lines and the evaluate statements' measurements:
 * every rank's (a share is measured by all of them), rank 0's written.
 * failed gets what could not be written. */
static void evaluate_all(Run *r, LrPlan *plan, Evaluation *evals, char *failed, size_t size)
{
    const LrSpec *spec = r->spec;
    const bool writer = dist_rank() == 0;
    report_model(plan);
    LrMeasurer measurer;
    train_measurer(plan, &measurer);
    for (int i = 0; i < spec->evaluate_count; i++) {
        const LrEvaluateSpec *e = &spec->evaluates[i];
        LrPartView part = plan_part(plan, e->on);
        evaluate_rows(spec, i, &measurer, &part, class_names(plan), &evals[i]);
        if (writer && e->confusion && plan->tally.confusion && r->options->out_dir &&
            write_confusion(r, plan, i) < 0 && !failed[0])
            snprintf(failed, size, "cannot write confusion-%d.csv", i + 1);
    }
}

static LrStatus finish(Run *r, LrPlan *plan, const LrTrainState *state, Evaluation *evals,
                       char *failed, size_t failed_size)
{
    const LrSpec *spec = r->spec;
    char why[PATH_MAX + 512];
    for (int i = 0; i < spec->predict_count; i++) {
        const LrPredictSpec *p = &spec->predicts[i];
        if (make_parent_dirs(p->path, why, sizeof why) < 0)
            diag_error(r->diag, r->src, p->path_span, "%s", why);
        else if (status_ok(predict_plan(plan, p, r->experiment_sha, r->src, r->diag)))
            continue;
        if (!failed[0])
            snprintf(failed, failed_size, "predict could not write '%s'", p->path);
    }
    if (spec->save_path && (make_parent_dirs(spec->save_path, why, sizeof why) < 0 ||
                            weights_save(plan, r->experiment_sha, spec->save_path, why, sizeof why) < 0)) {
        diag_error(r->diag, r->src, spec->save_span, "%s", why);
        snprintf(failed, failed_size, "%s", why);
    }
    if (!r->options->out_dir)
        return status_of(failed[0] ? LR_RUN_FAILED : LR_OK);
    char path[PATH_MAX], sha[65] = "";
    path_in(r, "model.safetensors", path, sizeof path);
    if (weights_save(plan, r->experiment_sha, path, why, sizeof why) < 0) {
        diag_error(r->diag, NULL, (LrSpan){0, 0}, "%s", why);
        if (!failed[0])
            snprintf(failed, failed_size, "%s", why);
    } else if (sha256_file_hex(path, sha) < 0) {
        diag_error(r->diag, NULL, (LrSpan){0, 0}, "cannot read back '%s'", path);
        if (!failed[0])
            snprintf(failed, failed_size, "cannot read back '%s'", path);
    }
    if ((r->spec->train.early_stop.enabled ? metrics_rewrite(r, plan, state)
                                           : metrics_sync(r, state->seconds)) < 0 &&
        !failed[0])
        snprintf(failed, failed_size, "cannot write metrics.csv");
    if (write_run_json(r, plan, state, evals, sha, failed) < 0)
        return status_of(LR_RUN_FAILED);
    return status_of(failed[0] ? LR_RUN_FAILED : LR_OK);
}

/* The line a run starts with on stderr: the model and its size. */
static void report_model_size(const LrSpec *spec, const LrShape *input)
{
    LrArena arena = {0};
    LrModelDesc model;
    if (model_describe_spec(spec, input, &arena, &model) == 0) {
        char chain[512], count[32], bytes[32];
        model_chain(model.layers, model.layer_count, chain, sizeof chain);
        size_t total = summary_total_params(&model);
        summary_count(count, sizeof count, total);
        summary_size(bytes, sizeof bytes, (double)total * sizeof(float));
        diag_info("model %s: %s parameter%s (%s)", chain, count, total == 1 ? "" : "s", bytes);
    }
    arena_free(&arena);
}

/* split.csv: the part of each row of the data set trained on, in the
 * file's order (lrc(1), FILES). */
static int write_split(const Run *r, const LrPlan *plan)
{
    static const char *const parts[] = {[PART_TRAIN] = "train", [PART_VALIDATION] = "validation",
                                        [PART_TEST] = "test"};
    const LrDataset *d = &plan->data[r->spec->train.on.dataset];
    LrBuffer b = {0};
    buffer_printf(&b, "row,part\n");
    for (int64_t i = 0; i < data_rows(d); i++)
        buffer_printf(&b, "%lld,%s\n", (long long)i + 1,
                      parts[d->row_part ? d->row_part[i] : PART_TRAIN]);
    return write_file(r, "split.csv", &b);
}

/* `load`: the file's parameters replace the initial ones, and its input
 * normalization, when it has one, becomes the model's. */
static LrStatus load_weights(LrPlan *plan, const LrSpec *spec, const LrSource *src,
                             LrDiag *diag)
{
    char why[4608];
    bool loaded_normalization = false, described = false;
    if (weights_load(plan, spec->load_path, &loaded_normalization, &described, why, sizeof why) <
        0) {
        diag_error(diag, src, spec->load_span, "%s", why);
        return status_of(LR_RUN_FAILED);
    }
    if (!described)
        diag_warning(diag, src, spec->load_span,
                     "the file has no model description (a model saved before lrc 0.3.0, or "
                     "not a model); it loads for training, and the model this run saves "
                     "will have one");
    plan->normalized = plan->normalized || loaded_normalization;
    return status_of(LR_OK);
}

/* What identifies the run in its files: the source's path, the resolved
 * experiment (in text, which the caller frees) and its SHA-256. */
static int run_start(Run *r, LrBuffer *text)
{
    if (!realpath(r->src->name, r->source_path))
        snprintf(r->source_path, sizeof r->source_path, "%s", r->src->name);
    explain_spec(r->spec, text);
    if (text->failed) {
        diag_error(r->diag, NULL, (LrSpan){0, 0}, "out of memory");
        return -1;
    }
    r->experiment = text->data;
    sha256_hex(text->data, text->length, r->experiment_sha);
    return 0;
}

LrStatus run_experiment(const LrSource *src, const LrSpec *spec, const LrRunOptions *options,
                        LrDiag *diag)
{
    Run r = {src, spec, options, diag, "", NULL, "", -1, {0}, -1, 0, 0, 0, 0};
    LrBuffer text = {0};
    if (run_start(&r, &text) < 0) {
        buffer_free(&text);
        return status_of(LR_RUN_FAILED);
    }

    /* Under mpirun every rank builds the same plan; rank 0 alone writes
     * (dist.h), and a worker speaks only of what it alone met here: it
     * keeps its messages until it knows whether rank 0 failed too (a data
     * file's error, met by every rank, is said once). */
    const bool writer = dist_rank() == 0;
    LrPlan plan;
    LrTrainState state;
    train_state_init(&state);
    char why[PATH_MAX + 512];
    if (!writer)
        diag_hold(diag);
    LrStatus status = plan_build(&plan, spec, src, diag);
    if (status_ok(status) && spec->load_path)
        status = load_weights(&plan, spec, src, diag);
    if (status_ok(status)) {
        plan_apply_normalization(&plan);
        /* Every rank knows it; the job says it once. */
        if (!options->quiet && writer)
            report_model_size(spec, &plan.input_shape);
        if (writer && options->out_dir && file_make_dirs(options->out_dir, why, sizeof why) < 0) {
            diag_error(diag, NULL, (LrSpan){0, 0}, "%s", why);
            status = status_of(LR_RUN_FAILED);
        }
    }
    if (status_ok(status) && options->resume &&
        checkpoint_read(options->out_dir, &plan, &state, r.experiment_sha, why, sizeof why) < 0) {
        diag_error(diag, NULL, (LrSpan){0, 0}, "cannot resume: %s", why);
        status = status_of(LR_RUN_FAILED);
    }
    /* Whether rank 0 said what went wrong: a share's error (a bad value
     * in another rank's rows) only its rank meets. */
    const bool writer_failed = dist_any(writer && !status_ok(status) && diag->errors > 0);
    status = dist_agree(status);
    if (!writer) {
        if (!writer_failed)
            dist_speak();
        diag_release(diag);
        dist_quiet();
    }
    if (!status_ok(status))
        goto done;
    if (options->resume && writer)
        train_report_history(&plan, &state);
    r.checkpoint_epochs = state.epochs_done;
    r.checkpoint_seconds = state.seconds;
    if (writer && options->out_dir &&
        (metrics_open(&r, &plan, &state) < 0 || write_split(&r, &plan) < 0))
        status = status_of(LR_RUN_FAILED);
    if (!status_ok(status = dist_agree(status)))
        goto done;
    catch_signals();
    LrTrainHooks hooks = {&r, writer ? save_progress : NULL, options->halt_after, &interrupted,
                          !options->quiet && writer && diag_stderr_is_terminal()};
    progress_shown = hooks.progress;
    status = train_run(&plan, &state, src, diag, &hooks);
    progress_shown = 0;
    if (!status_ok(status))
        goto done;
    if (state.signal) {
        if (options->out_dir)
            diag_info("interrupted after step %lld; continue with: lrc --resume %s",
                      (long long)plan.optimizer.step, options->out_dir);
        else
            diag_info("interrupted after step %lld (use --out DIR to be able to resume)",
                      (long long)plan.optimizer.step);
        status = status_interrupted(state.signal);
        goto done;
    }
    /* What follows training is rank 0's alone: the others hold the same
     * model. */
    Evaluation evals[SPEC_MAX_EVALUATES];
    char failed[PATH_MAX + 512] = "";
    evaluate_all(&r, &plan, evals, failed, sizeof failed);
    if (!writer)
        goto done;
    status = finish(&r, &plan, &state, evals, failed, sizeof failed);
    if (status_ok(status))
        report_timing(options->quiet, state.epochs_done, plan.optimizer.step, state.seconds,
                      state.step_seconds);
done:
    /* A run that failed keeps the rows of the epochs that ended. */
    if (r.metrics_fd >= 0 && r.metrics_pending.length > 0)
        metrics_write(&r, 0);
    if (r.metrics_fd >= 0)
        close(r.metrics_fd);
    buffer_free(&r.metrics_pending);
    plan_free(&plan);
    buffer_free(&text);
    return status;
}

/* ---------------------------------------------------------------- minimize */

/* trace-N.csv: a row per point evaluated, in full precision. */
static int write_trace(const Run *r, const LrMinimizeSpec *m, int index,
                       const LrMinimizeRecord *record)
{
    int n = m->var_count, cols = MINIMIZE_RECORD_COLS(m);
    LrBuffer b = {0};
    buffer_printf(&b, "step");
    for (int i = 0; i < n; i++)
        buffer_printf(&b, ",%s", m->var_names[i]);
    buffer_printf(&b, ",f");
    for (int i = 0; i < n; i++)
        buffer_printf(&b, ",df/d%s", m->var_names[i]);
    buffer_printf(&b, ",lr\n");
    for (int64_t step = 0; step < record->count; step++) {
        const double *row = record->rows + (size_t)step * (size_t)cols;
        char v[DECIMAL_SHORTEST_SIZE];
        buffer_printf(&b, "%lld", (long long)step);
        for (int c = 0; c < cols - 1; c++) {
            decimal_shortest(row[c], v);
            buffer_printf(&b, ",%s", v);
        }
        /* The last point has no update, so no lr. */
        if (!isnan(row[cols - 1]))
            decimal_shortest(row[cols - 1], v);
        buffer_printf(&b, ",%s\n", isnan(row[cols - 1]) ? "" : v);
    }
    char name[32];
    snprintf(name, sizeof name, "trace-%d.csv", index + 1);
    return write_file(r, name, &b);
}

/* run.json of a file that trains nothing: the experiment, and each
 * minimize's last point. */
static int write_minimize_json(const Run *r, const LrMinimizeRecord *records, int count,
                               const char *error)
{
    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b, .indent = 2};
    json_begin_object(&w);
    json_key(&w, "lrc_version");
    json_write_string(&w, LRC_VERSION);
    json_key(&w, "source");
    json_write_string(&w, r->source_path);
    json_key(&w, "experiment");
    json_write_string(&w, r->experiment);
    json_key(&w, "experiment_sha256");
    json_write_string(&w, r->experiment_sha);
    json_key(&w, "minimize");
    json_begin_array(&w);
    for (int i = 0; i < count; i++) {
        const LrMinimizeSpec *m = &r->spec->minimizes[i];
        const LrMinimizeRecord *record = &records[i];
        char name[32];
        snprintf(name, sizeof name, "trace-%d.csv", i + 1);
        json_begin_object(&w);
        json_key(&w, "expression");
        json_write_string(&w, m->text);
        json_key(&w, "trace");
        json_write_string(&w, name);
        json_key(&w, "steps");
        json_write_integer(&w, record->count > 0 ? record->count - 1 : 0);
        json_key(&w, "point");
        if (record->count > 0) {
            const double *last =
                record->rows + (size_t)(record->count - 1) * (size_t)MINIMIZE_RECORD_COLS(m);
            json_begin_object(&w);
            for (int v = 0; v < m->var_count; v++) {
                json_key(&w, m->var_names[v]);
                json_write_number(&w, last[v]);
            }
            json_end_object(&w);
            json_key(&w, "f");
            json_write_number(&w, last[m->var_count]);
        } else {
            json_write_null(&w);
        }
        json_end_object(&w);
    }
    json_end_array(&w);
    return run_json_end(r, &w, &b, error);
}

LrStatus run_minimizes(const LrSource *src, const LrSpec *spec, const LrRunOptions *options,
                       LrDiag *diag, LrPlotHelper *plots)
{
    LrStatus status = status_of(LR_OK);
    if (!options->out_dir) {
        for (int i = 0; status_ok(status) && i < spec->minimize_count; i++)
            status = minimize_run(&spec->minimizes[i], src, diag, plots, NULL);
        return status;
    }
    Run r = {src, spec, options, diag, "", NULL, "", -1, {0}, -1, 0, 0, 0, 0};
    LrBuffer text = {0};
    if (run_start(&r, &text) < 0) {
        buffer_free(&text);
        return status_of(LR_RUN_FAILED);
    }
    LrMinimizeRecord records[SPEC_MAX_MINIMIZES] = {{0}};
    char error[256] = "";
    int count = 0;
    for (int i = 0; status_ok(status) && i < spec->minimize_count; i++) {
        const LrMinimizeSpec *m = &spec->minimizes[i];
        size_t rows = (size_t)m->steps + 1, cols = (size_t)MINIMIZE_RECORD_COLS(m);
        records[i].rows = rows <= SIZE_MAX / sizeof(double) / cols
                              ? malloc(rows * cols * sizeof(double))
                              : NULL;
        if (!records[i].rows) {
            diag_error(diag, src, m->span, "out of memory for the trace of this minimize");
            snprintf(error, sizeof error, "out of memory for the trace of minimize %d", i + 1);
            status = status_of(LR_RUN_FAILED);
            break;
        }
        count = i + 1;
        status = minimize_run(m, src, diag, plots, &records[i]);
        if (!status_ok(status))
            snprintf(error, sizeof error, "minimize %d stopped at a value that is not finite",
                     i + 1);
        if (write_trace(&r, m, i, &records[i]) < 0) {
            if (!error[0])
                snprintf(error, sizeof error, "cannot write trace-%d.csv", i + 1);
            status = status_of(LR_RUN_FAILED);
        }
    }
    /* A file that trains has its run.json from run_experiment. */
    if (!spec->has_train && write_minimize_json(&r, records, count, error) < 0)
        status = status_of(LR_RUN_FAILED);
    for (int i = 0; i < count; i++)
        free(records[i].rows);
    buffer_free(&text);
    return status;
}

/* ------------------------------------------------------------ inference */

/* A loaded model's outputs for rows of raw features (model_forward). */
static LrTensor model_outputs(void *model, const float *x, int rows)
{
    return model_forward(model, x, rows);
}

/* Its outputs before the activation left to the loss, for measuring. */
static LrTensor model_measured(void *model, const float *x, int rows)
{
    return model_logits(model, x, rows);
}

/* Data set index's features in the model's input order, found by name
 * (x1, x2, ... for a generated one); *out (n x inputs) is malloc'd. The
 * targets must fit the outputs: as many columns, or one class index.
 * LR_OK, or LR_LANGUAGE_ERROR after reporting at the data set. */
static LrStatus model_inputs(const LrModelDesc *desc, const LrSpec *spec, int index,
                             const LrDataset *data, const LrSource *src, LrDiag *diag,
                             float **out)
{
    const LrDatasetSpec *ds = &spec->datasets[index];
    const char *name = ds->name[0] ? ds->name : "the data set";
    int *col = malloc((size_t)desc->features * sizeof *col);
    *out = malloc((size_t)data->n * (size_t)desc->features * sizeof **out);
    LrStatus status = status_of(LR_OK);
    int missing = col && *out ? model_match_inputs(desc, spec, index, data->feature_names,
                                                   data->features, col, src, diag)
                              : -1;
    if (missing < 0) {
        diag_error(diag, src, ds->span, "out of memory");
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    if (missing > 0)
        status = status_of(LR_LANGUAGE_ERROR);
    bool classes = desc->output != OUTPUT_REGRESSION;
    if (status_ok(status) && data->targets != (classes ? 1 : desc->outputs) &&
        !(desc->output == OUTPUT_CLASSES && data->targets == desc->outputs)) {
        diag_error(diag, src, ds->span,
                   "%s has %d target column%s, which do not fit the model's %d %s output%s",
                   name, data->targets, data->targets == 1 ? "" : "s", desc->outputs,
                   model_output_name(desc->output), desc->outputs == 1 ? "" : "s");
        status = status_of(LR_LANGUAGE_ERROR);
    }
    for (int64_t r = 0; status_ok(status) && r < data->n; r++)
        for (int i = 0; i < desc->features; i++)
            (*out)[(size_t)r * (size_t)desc->features + (size_t)i] =
                data->x[(size_t)r * (size_t)data->features + (size_t)col[i]];
done:
    free(col);
    return status;
}

/* Data set i read as the loaded model's labels: text mapped through its
 * classes (an unseen one named at its row), else class indices,
 * probabilities or any number, as its loss wants. */
static LrStatus load_for_model(const LrModelDesc *desc, const LrSpec *spec, int i,
                               const LrSource *src, LrDiag *diag, LrDataset *out)
{
    LrLabelRule rule;
    plan_label_rule(desc->loss.kind, desc->outputs, &spec->datasets[i], &rule);
    rule.text_classes = false;
    if (desc->named_classes) {
        rule.class_count = desc->class_count;
        rule.class_names = desc->class_names;
    }
    return data_load_labels(&spec->datasets[i], i, spec->seed, src, diag, &rule, out);
}

/* Without training, only the headers are checked (the size check reads
 * them otherwise); then the first rows' features. */
LrStatus run_check_inputs(const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    LrStatus status = status_of(LR_OK);
    if (spec->has_train)
        status = plan_check_size(spec, src, diag);
    if (status_ok(status))
        status = predict_check_columns(spec, src, diag);
    for (int i = 0; !spec->has_train && status_ok(status) && i < spec->dataset_count; i++)
        status = data_check_columns(&spec->datasets[i], src, diag, NULL);
    if (status_ok(status))
        status = model_check_load(spec, src, diag);
    for (int i = 0; status_ok(status) && i < spec->dataset_count; i++)
        status = data_check_values(&spec->datasets[i], src, diag);
    return status;
}

LrStatus run_check_data(const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    LrStatus status = status_of(LR_OK);
    for (int i = 0; i < spec->dataset_count; i++) {
        LrStatus one = data_check_columns(&spec->datasets[i], src, diag, NULL);
        if (status_ok(one))
            one = data_check_values(&spec->datasets[i], src, diag);
        if (status_ok(status))
            status = one;
    }
    LrStatus keep = predict_check_columns(spec, src, diag);
    return status_ok(status) ? keep : status;
}

LrStatus run_inference(const LrSource *src, const LrSpec *spec, LrDiag *diag)
{
    LrModel model;
    char why[PATH_MAX + 512];
    int opened = model_open(&model, spec->load_path, MODEL_PASS_ROWS, why, sizeof why);
    if (opened != 0) {
        diag_error(diag, src, spec->load_span, "%s", why);
        model_close(&model);
        return status_of(opened == MODEL_UNDESCRIBED ? LR_LANGUAGE_ERROR : LR_RUN_FAILED);
    }
    const LrModelDesc *desc = &model.desc;
    /* Each metric and confusion=true must fit the model, as the plan
     * checks them against the model it builds. */
    if (metrics_check_fit(spec, desc->loss.kind, desc->outputs, src, diag) > 0) {
        model_close(&model);
        return status_of(LR_LANGUAGE_ERROR);
    }
    LrDataset data[SPEC_MAX_DATASETS];
    float *inputs[SPEC_MAX_DATASETS] = {NULL};
    bool used[SPEC_MAX_DATASETS] = {false};
    memset(data, 0, sizeof data);
    for (int i = 0; i < spec->evaluate_count; i++)
        used[spec->evaluates[i].on.dataset] = true;
    for (int i = 0; i < spec->predict_count; i++)
        used[spec->predicts[i].on.dataset] = true;
    LrStatus status = status_of(LR_OK);
    for (int i = 0; status_ok(status) && i < spec->dataset_count; i++)
        if (used[i] && status_ok(status = load_for_model(desc, spec, i, src, diag, &data[i])))
            status = model_inputs(desc, spec, i, &data[i], src, diag, &inputs[i]);
    /* The tally sized once, for the largest part evaluated. */
    LrArena arena = {0};
    LrMetricTally tally = {0};
    int64_t largest = 1;
    for (int i = 0; status_ok(status) && i < spec->evaluate_count; i++) {
        LrDataRef on = spec->evaluates[i].on;
        if (data[on.dataset].part_count[on.part] > largest)
            largest = data[on.dataset].part_count[on.part];
    }
    if (status_ok(status) &&
        metric_tally_size(&tally, spec, desc->loss.kind, desc->outputs, largest, &arena) < 0) {
        diag_error(diag, src, spec->load_span, "out of memory");
        status = status_of(LR_RUN_FAILED);
    }
    LrMeasurer measurer = {model_measured,
                           &model,
                           {desc->loss.kind, desc->loss.delta, model.pending != ACT_LINEAR},
                           model.pending,
                           desc->features,
                           0, /* each data set's */
                           model.block,
                           0,
                           &tally,
                           NULL,
                           NULL};
    for (int i = 0; status_ok(status) && i < spec->evaluate_count; i++) {
        LrDataRef on = spec->evaluates[i].on;
        const LrDataset *d = &data[on.dataset];
        int64_t begin = d->part_begin[on.part];
        Evaluation eval;
        measurer.targets = d->targets;
        LrPartView part = {inputs[on.dataset] + (size_t)begin * (size_t)desc->features,
                           d->y + (size_t)begin * (size_t)d->targets,
                           d->part_count[on.part],
                           NULL,
                           on.part,
                           0,
                           d->part_count[on.part],
                           0};
        evaluate_rows(spec, i, &measurer, &part, desc->named_classes ? desc->class_names : NULL,
                      &eval);
    }
    arena_free(&arena);
    bool failed = false;
    for (int i = 0; status_ok(status) && i < spec->predict_count; i++) {
        const LrPredictSpec *p = &spec->predicts[i];
        const LrDataset *d = &data[p->on.dataset];
        int64_t begin = d->part_begin[p->on.part];
        LrPredictRows from = {desc,
                              inputs[p->on.dataset] + (size_t)begin * (size_t)desc->features,
                              d->part_count[p->on.part],
                              desc->features,
                              model.block,
                              model_outputs,
                              &model,
                              &spec->datasets[p->on.dataset],
                              d};
        if (make_parent_dirs(p->path, why, sizeof why) < 0) {
            diag_error(diag, src, p->path_span, "%s", why);
            failed = true;
        } else if (!status_ok(predict_statement(p, &from, src, diag))) {
            failed = true;
        }
    }
    if (status_ok(status) && failed)
        status = status_of(LR_RUN_FAILED);
    for (int i = 0; i < spec->dataset_count; i++) {
        free(inputs[i]);
        data_free(&data[i]);
    }
    model_close(&model);
    return status;
}
