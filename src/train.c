/* train.c — see train.h. Nothing here allocates: every buffer is the
 * Plan's. */
#include "train.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "dist.h"
#include "metrics.h"
#include "pool.h"
#include "report.h"
#include "schedule.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs the layers on x; returns the model's output. */
static const LrTensor *forward(LrPlan *plan, const LrTensor *x, bool training)
{
    const LrTensor *in = x;
    for (int i = 0; i < plan->layer_count; i++) {
        LrTensor *out = &plan->acts[i];
        out->rows = x->rows;
        plan->layers[i].ops->forward(&plan->layers[i], in, out, training);
        in = out;
    }
    return in;
}

const LrTensor *train_outputs(LrPlan *plan, const LrTensor *x)
{
    forward(plan, x, false);
    LrTensor *out = &plan->acts[plan->layer_count - 1];
    activation_forward(plan->pending, 0, false, out);
    return out;
}

static void backward(LrPlan *plan, const LrTensor *x)
{
    for (int i = plan->layer_count - 1; i >= 0; i--) {
        const LrTensor *in = i ? &plan->acts[i - 1] : x;
        LrTensor *dx = NULL;
        if (i) {
            dx = &plan->grads[i - 1];
            dx->rows = x->rows;
        }
        plan->layers[i].ops->backward(&plan->layers[i], in, &plan->acts[i], &plan->grads[i], dx);
    }
}

void measure_rows(const LrMeasurer *m, const float *x, const float *y, int64_t rows,
                  const LrMetricKind *metrics, int count, double *loss, double *values)
{
    double sum = 0;
    for (int k = 0; k < count; k++)
        values[k] = 0;
    LrMetricTally *tally = m->tally;
    bool tallied = tally->actual || tally->scores || tally->mean;
    if (tallied)
        metric_tally_reset(tally);
    for (int64_t start = 0; start < rows; start += m->block) {
        int block = (int)(rows - start < m->block ? rows - start : m->block);
        LrTensor pred = m->forward(m->ctx, x + (size_t)start * (size_t)m->features, block);
        /* The data are never written through this view. */
        LrTensor target = tensor_view((float *)y + (size_t)start * (size_t)m->targets, block,
                                      m->targets);
        sum += loss_sum(&m->loss, &pred, &target);
        for (int k = 0; k < count; k++)
            if (metric_per_row(metrics[k]))
                values[k] += metric_sum(metrics[k], m->pending, &pred, &target);
        if (tallied)
            metric_tally_add(tally, m->pending, &pred, &target);
    }
    double n = rows > 0 ? (double)rows : 1.0;
    *loss = sum / n + m->penalty;
    for (int k = 0; k < count; k++)
        values[k] = metric_per_row(metrics[k]) ? values[k] / n : metric_value(metrics[k], tally);
}

/* The blocks of part rows [first, first + held) that begin there. */
static void blocks_of(int64_t first, int64_t held, int block, int64_t *lo, int64_t *hi)
{
    *lo = (first + block - 1) / block;
    *hi = (first + held + block - 1) / block;
}

void measure_part(const LrMeasurer *m, const LrPartView *part, const LrMetricKind *metrics,
                  int count, double *loss, double *values)
{
    if (!part->share) {
        measure_rows(m, part->x, part->y, part->rows, metrics, count, loss, values);
        return;
    }
    const LrDataShare *sh = part->share;
    const int ranks = sh->ranks, cols = 1 + count, block = m->block;
    const int64_t total = part->rows;
    const int64_t *start = sh->starts + (size_t)part->part * (size_t)(ranks + 1);
    LrMetricTally *tally = m->tally;
    bool tallied = tally->actual || tally->scores || tally->mean;
    if (tallied)
        metric_tally_reset(tally);
    int64_t lo, hi;
    blocks_of(part->first, part->held, block, &lo, &hi);
    /* This rank's scores go where its rows are among the part's. */
    tally->scored = lo * block;
    for (int64_t b = lo; b < hi; b++) {
        const int64_t row = b * block;
        const int rows = (int)(total - row < block ? total - row : block);
        const size_t at = (size_t)(row - part->first);
        LrTensor pred = m->forward(m->ctx, part->x + at * (size_t)m->features, rows);
        /* The data are never written through this view. */
        LrTensor target = tensor_view((float *)part->y + at * (size_t)m->targets, rows,
                                      m->targets);
        double *sums = m->block_sums + (size_t)b * (size_t)cols;
        sums[0] = loss_sum(&m->loss, &pred, &target);
        for (int k = 0; k < count; k++)
            sums[1 + k] = metric_per_row(metrics[k])
                              ? metric_sum(metrics[k], m->pending, &pred, &target) : 0.0;
        if (tallied)
            metric_tally_add(tally, m->pending, &pred, &target);
    }
    int *counts = m->scratch, *offsets = counts + ranks;
    int *score_counts = counts + 2 * ranks, *score_offsets = counts + 3 * ranks;
    for (int r = 0; r < ranks; r++) {
        int64_t rlo, rhi;
        blocks_of(start[r], start[r + 1] - start[r], block, &rlo, &rhi);
        const int64_t row_lo = rlo * block, row_hi = rhi * block < total ? rhi * block : total;
        counts[r] = (int)((rhi - rlo) * cols * (int64_t)sizeof(double));
        offsets[r] = (int)(rlo * cols * (int64_t)sizeof(double));
        score_counts[r] = (int)((row_hi > row_lo ? row_hi - row_lo : 0) *
                                (int64_t)sizeof(LrScore));
        score_offsets[r] = (int)(row_lo * (int64_t)sizeof(LrScore));
    }
    dist_gather_bytes(m->block_sums, counts, offsets);
    const int64_t blocks = (total + block - 1) / block;
    double sum = 0;
    for (int k = 0; k < count; k++)
        values[k] = 0;
    for (int64_t b = 0; b < blocks; b++) {
        const double *sums = m->block_sums + (size_t)b * (size_t)cols;
        sum += sums[0];
        for (int k = 0; k < count; k++)
            if (metric_per_row(metrics[k]))
                values[k] += sums[1 + k];
    }
    if (tally->actual) {
        const size_t classes = (size_t)tally->classes;
        dist_sum_int64(tally->actual, classes);
        dist_sum_int64(tally->predicted, classes);
        dist_sum_int64(tally->correct, classes);
        if (tally->confusion)
            dist_sum_int64(tally->confusion, classes * classes);
    }
    if (tally->scores) {
        dist_gather_bytes(tally->scores, score_counts, score_offsets);
        tally->scored = total;
    }
    dist_sum_int64(&tally->rows, 1);
    double n = total > 0 ? (double)total : 1.0;
    *loss = sum / n + m->penalty;
    for (int k = 0; k < count; k++)
        values[k] = metric_per_row(metrics[k]) ? values[k] / n : metric_value(metrics[k], tally);
}

/* The plan's outputs before its pending activation, in inference mode. */
static LrTensor plan_logits(void *ctx, const float *x, int rows)
{
    LrPlan *plan = ctx;
    /* The data are never written through this view. */
    LrTensor in = tensor_view((float *)x, rows, plan->features);
    return *forward(plan, &in, false);
}

void train_measurer(LrPlan *plan, LrMeasurer *out)
{
    double penalty = 0;
    for (int i = 0; i < plan->layer_count; i++)
        penalty += layer_penalty(&plan->layers[i]);
    *out = (LrMeasurer){plan_logits,     plan,           plan->loss,     plan->pending,
                        plan->features,  plan->targets,  plan->eval_rows, penalty,
                        &plan->tally,    plan->block_sums, plan->row_counts};
}

void train_measure(LrPlan *plan, LrPartView part, const LrMetricKind *metrics, int count,
                   double *loss, double *values)
{
    LrMeasurer m;
    train_measurer(plan, &m);
    measure_part(&m, &part, metrics, count, loss, values);
}

/* Fisher-Yates over the training rows, once per epoch, as Keras's fit. */
static void shuffle(int64_t *order, int64_t n, LrRng *rng)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)rng_below(rng, (uint64_t)i + 1);
        int64_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

typedef struct GatherJob {
    LrPlan *plan;
    int64_t start;
} GatherJob;

/* Rows [begin, end) of the batch from the shuffled training rows. */
static void gather_rows(void *ctx, size_t begin, size_t end)
{
    const GatherJob *job = ctx;
    LrPlan *plan = job->plan;
    size_t fx = (size_t)plan->features, fy = (size_t)plan->targets;
    for (size_t r = begin; r < end; r++) {
        size_t src = (size_t)plan->order[job->start + (int64_t)r];
        memcpy(plan->xb + r * fx, plan->train.x + src * fx, fx * sizeof(float));
        memcpy(plan->yb + r * fy, plan->train.y + src * fy, fy * sizeof(float));
    }
}

/* Copies the batch's rows into the Plan's batch buffers. */
static void gather(LrPlan *plan, int64_t start, int rows, LrTensor *x, LrTensor *y)
{
    GatherJob job = {plan, start};
    pool_run((size_t)rows, pool_grain((size_t)(plan->features + plan->targets)), gather_rows,
             &job);
    *x = tensor_view(plan->xb, rows, plan->features);
    *y = tensor_view(plan->yb, rows, plan->targets);
}

/* The positions [*lo, *hi) of a step's batch of `rows` rows whose rows
 * rank `rank` computes with: its shards' (dist_shards_of), or the whole
 * batch when a step is not cut into shards. */
static void rank_rows(const LrPlan *plan, int rows, int rank, int *lo, int *hi)
{
    if (!plan->shard_grads) {
        *lo = 0;
        *hi = rows;
        return;
    }
    const int shard_rows = plan->shard_rows, shards = (rows + shard_rows - 1) / shard_rows;
    int first, end;
    dist_shards_of(shards, rank, dist_size(), &first, &end);
    *lo = first * shard_rows < rows ? first * shard_rows : rows;
    *hi = end * shard_rows < rows ? end * shard_rows : rows;
}

/* The rank that holds row `row` of the part trained on, a share. */
static int owner_of(const int64_t *start, int ranks, int64_t row)
{
    int lo = 0, hi = ranks - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (start[mid] <= row)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* A share's step: every rank sends each rank the rows it holds of those
 * that rank computes with (every rank knows the order and the shards),
 * which arrive in xb and yb in batch order, from this rank's first
 * position (returned). */
static int exchange_rows(LrPlan *plan, int64_t start, int rows)
{
    const LrDataShare *sh = plan->train.share;
    const int ranks = sh->ranks, me = dist_rank();
    const int64_t *part_start = sh->starts + (size_t)plan->train.part * (size_t)(ranks + 1);
    const size_t f = (size_t)plan->features, t = (size_t)plan->targets, width = f + t;
    int *send_counts = plan->row_counts, *send_at = send_counts + ranks;
    int *recv_counts = send_counts + 2 * ranks, *recv_at = send_counts + 3 * ranks;
    const int64_t *order = plan->order + start;
    float *out = plan->rows_out;
    for (int r = 0; r < ranks; r++) {
        int lo, hi;
        rank_rows(plan, rows, r, &lo, &hi);
        send_at[r] = (int)((size_t)(out - plan->rows_out));
        for (int i = lo; i < hi; i++) {
            if (owner_of(part_start, ranks, order[i]) != me)
                continue;
            size_t row = (size_t)(order[i] - plan->train.first);
            memcpy(out, plan->train.x + row * f, f * sizeof *out);
            memcpy(out + f, plan->train.y + row * t, t * sizeof *out);
            out += width;
        }
        send_counts[r] = (int)((size_t)(out - plan->rows_out)) - send_at[r];
        recv_counts[r] = 0;
    }
    int lo, hi;
    rank_rows(plan, rows, me, &lo, &hi);
    for (int i = lo; i < hi; i++)
        recv_counts[owner_of(part_start, ranks, order[i])] += (int)width;
    for (int r = 0, at = 0; r < ranks; r++) {
        recv_at[r] = at;
        at += recv_counts[r];
    }
    dist_exchange(plan->rows_out, send_counts, send_at, plan->rows_in, recv_counts, recv_at);
    /* Each rank's rows came in batch order: recv_at walks through them. */
    for (int i = lo; i < hi; i++) {
        int from = owner_of(part_start, ranks, order[i]);
        const float *in = plan->rows_in + recv_at[from];
        recv_at[from] += (int)width;
        memcpy(plan->xb + (size_t)(i - lo) * f, in, f * sizeof *in);
        memcpy(plan->yb + (size_t)(i - lo) * t, in + f, t * sizeof *in);
    }
    return lo;
}

/* Rows [lo, lo + n) of the step's batch: gathered, or for a share where
 * exchange_rows put them (its rows from position `base`). */
static void batch_rows(LrPlan *plan, int64_t start, int lo, int n, int base, LrTensor *x,
                       LrTensor *y)
{
    if (!plan->shared) {
        gather(plan, start + lo, n, x, y);
        return;
    }
    *x = tensor_view(plan->xb + (size_t)(lo - base) * (size_t)plan->features, n, plan->features);
    *y = tensor_view(plan->yb + (size_t)(lo - base) * (size_t)plan->targets, n, plan->targets);
}

void train_state_init(LrTrainState *state)
{
    memset(state, 0, sizeof *state);
    state->best = INFINITY;
}

/* Whether epoch's line is printed: every log_every-th, and the run's last
 * (its last epoch, or the one early stopping ends it at). */
static bool epoch_logged(const LrTrainSpec *t, int64_t epoch, bool last)
{
    return last || epoch % t->log_every == 0 || epoch == t->epochs;
}

void train_report_history(const LrPlan *plan, const LrTrainState *state)
{
    const LrSpec *spec = plan->spec;
    bool has_val = spec->train.validation.dataset >= 0;
    for (int64_t e = 0; e < state->epochs_done; e++) {
        if (!epoch_logged(&spec->train, e + 1, state->stopped && e + 1 == state->epochs_done))
            continue;
        const double *row = plan->history + (size_t)e * (size_t)plan->history_cols;
        report_epoch((int64_t)row[HIST_EPOCH], spec->train.epochs, row[HIST_LOSS],
                     spec->train.metrics, plan->metric_count, row + HIST_METRICS, has_val,
                     row[HIST_VAL_LOSS], row + HIST_METRICS + plan->metric_count);
    }
    if (state->stopped)
        report_early_stop(state->epochs_done, has_val ? "val_loss" : "loss", state->wait,
                          state->best, state->best_epoch);
}

/* Measures the epoch, records and reports it; decides on early stopping.
 * Returns false when the loss is not finite. */
static bool finish_epoch(LrPlan *plan, LrTrainState *state, double lr, double seconds)
{
    const LrSpec *spec = plan->spec;
    const LrTrainSpec *t = &spec->train;
    double *row = plan->history + (size_t)state->epochs_done * (size_t)plan->history_cols;
    double *metrics = row + HIST_METRICS, *val_metrics = metrics + plan->metric_count;
    train_measure(plan, plan->train, t->metrics, plan->metric_count, &row[HIST_LOSS], metrics);
    bool has_val = t->validation.dataset >= 0;
    row[HIST_VAL_LOSS] = NAN;
    if (has_val)
        train_measure(plan, plan_part(plan, t->validation), t->metrics, plan->metric_count,
                      &row[HIST_VAL_LOSS], val_metrics);
    state->epochs_done++;
    row[HIST_EPOCH] = (double)state->epochs_done;
    row[HIST_STEP] = (double)plan->optimizer.step;
    row[HIST_LR(plan)] = lr;
    row[HIST_SECONDS(plan)] = seconds;
    if (!isfinite(row[HIST_LOSS]))
        return false;
    /* Early stopping first: the epoch it stops at is the last, whose line
     * is printed whatever log_every says. */
    if (t->early_stop.enabled) {
        /* Keras's EarlyStopping: monitor val_loss (loss without
         * validation); improve by more than min_delta or wait. */
        double current = has_val ? row[HIST_VAL_LOSS] : row[HIST_LOSS];
        if (current < state->best - t->early_stop.min_delta) {
            state->best = current;
            state->best_epoch = state->epochs_done;
            state->wait = 0;
            memcpy(plan->best, plan->params, (plan->param_count + plan->state_count) * sizeof(float));
        } else if (++state->wait >= t->early_stop.patience) {
            state->stopped = true;
        }
    }
    if (epoch_logged(t, state->epochs_done, state->stopped))
        report_epoch(state->epochs_done, t->epochs, row[HIST_LOSS], t->metrics,
                     plan->metric_count, metrics, has_val, row[HIST_VAL_LOSS], val_metrics);
    if (state->stopped)
        report_early_stop(state->epochs_done, has_val ? "val_loss" : "loss", state->wait,
                          state->best, state->best_epoch);
    return true;
}

/* The progress line of an epoch (hooks->progress). The clock is read
 * every `every` steps, a count that adapts so that it is read about every
 * few milliseconds whatever a step costs: a small model's step costs not
 * much more than a clock read. The line is drawn at most ten times a second. */
typedef struct Progress {
    bool on, drawn;
    int64_t steps;          /* steps in an epoch */
    int64_t first_step;     /* the step of the epoch this session began at */
    double started;         /* when it began */
    double next_draw, last_read;
    int64_t every, since;
    double loss_sum;        /* of the batch losses' sums this session */
    int64_t rows;           /* their rows */
} Progress;

enum { PROGRESS_MAX_EVERY = 1 << 20 };
#define PROGRESS_INTERVAL 0.1 /* seconds between drawings */

static void progress_start(Progress *p, const LrPlan *plan, const LrTrainState *state,
                           double now)
{
    p->steps = (plan->train.rows + plan->batch - 1) / plan->batch;
    p->first_step = state->batch_start / plan->batch;
    p->started = p->last_read = now;
    /* An epoch shorter than the interval draws nothing. */
    p->next_draw = now + PROGRESS_INTERVAL;
    p->since = 0;
    p->loss_sum = 0;
    p->rows = 0;
}

/* After a step of rows rows whose losses summed to loss_sum. */
static void progress_step(Progress *p, const LrPlan *plan, const LrTrainState *state,
                          double loss_sum, int rows)
{
    p->loss_sum += loss_sum;
    p->rows += rows;
    if (++p->since < p->every)
        return;
    p->since = 0;
    double now = now_seconds();
    if (now - p->last_read < 0.002 && p->every < PROGRESS_MAX_EVERY)
        p->every *= 2;
    else if (now - p->last_read > 0.02 && p->every > 1)
        p->every /= 2;
    p->last_read = now;
    if (now < p->next_draw)
        return;
    p->next_draw = now + PROGRESS_INTERVAL;
    int64_t step = (state->batch_start + plan->batch - 1) / plan->batch;
    report_progress(state->epochs_done + 1, plan->spec->train.epochs, step, p->steps,
                    (double)(step - p->first_step) / (now - p->started),
                    p->loss_sum / (double)p->rows);
    p->drawn = true;
}

/* Erases the line, if drawn, before a result or a message. */
static void progress_end(Progress *p)
{
    if (p->drawn)
        report_progress_clear();
    p->drawn = false;
}

/* Reports divergence at the step being taken (updates so far + 1). */
static LrStatus diverged(LrPlan *plan, const LrSource *src, LrDiag *diag, int64_t epoch,
                         double loss, double lr)
{
    diag_error(diag, src, plan->spec->train.span,
               "training diverged at epoch %lld step %lld (loss=%s, lr=%.9g)", (long long)epoch,
               (long long)plan->optimizer.step + 1, isnan(loss) ? "nan" : "inf", lr);
    return status_of(LR_RUN_FAILED);
}

static bool tensor_finite(const LrTensor *t)
{
    float sum = 0;
    for (int r = 0; r < t->rows; r++)
        for (int c = 0; c < t->cols; c++)
            sum += TENSOR_AT(*t, r, c) * 0.0f; /* NaN or Inf makes it NaN */
    return sum == 0;
}

/* ------------------------------------------------------------ the step */

/* Draws the random numbers a training forward of `rows` rows would, for a
 * shard another rank computes: the stream stays where the single process
 * would have it. */
static void skip_draws(LrPlan *plan, int rows)
{
    for (int64_t n = (int64_t)rows * plan->dropout_draws; n > 0; n--)
        rng_next(&plan->dropout_rng);
}

/* plan->grad_max: each variable's largest gradient, then the step's
 * flags (exchanged at once), then each variable's two powers of two. */
enum { FLAG_DIVERGED, FLAG_NOT_FINITE, FLAG_INTERRUPTED, FLAGS };

/* The slot of shard_grads a shard's backward writes: slot `slot`'s. */
static float *shard_slot(const LrPlan *plan, int slot)
{
    return plan->shard_grads + (size_t)slot * plan->param_count;
}

/* Raises each variable's largest magnitude in plan->grad_max with the
 * gradient in slot `slot`, in one pass that reads it. Until the step's
 * shards are done, grad_max holds the magnitudes' bit patterns
 * (dist_max_magnitude_bits; below 2^32, exact in a double). Max is
 * exact: the order of the shards is free. */
static void keep_shard(LrPlan *plan, int slot)
{
    const float *g = shard_slot(plan, slot);
    for (int v = 0; v < plan->var_count; v++) {
        size_t at = plan->var_offsets[v];
        plan->grad_max[v] = dist_max_magnitude_bits(g + at, plan->var_offsets[v + 1] - at,
                                                    (uint32_t)plan->grad_max[v]);
    }
}

/* Points the layers' gradient views from `from` (dparams or a slot of
 * shard_grads) at the same places of `to`: a shard's backward writes its
 * slot, with no copy. */
static void move_gradients(LrPlan *plan, const float *from, float *to)
{
    for (int i = 0; i < plan->layer_count; i++)
        layer_move_gradients(&plan->layers[i], from, to);
}

/* The magnitude whose pattern keep_shard found; -1 for one that is not
 * finite. */
static double magnitude_of(uint32_t bits)
{
    if (bits >= 0x7f800000u) /* infinity's pattern; NaN's are above it */
        return -1.0;
    float m;
    memcpy(&m, &bits, sizeof m);
    return (double)m;
}

/* Every variable's gradients, on every rank, as integers (dist.h: the
 * exact sum of shard gradients), so that the sum depends on the shards
 * alone, not on which rank computed which. */
typedef struct SumJob {
    LrPlan *plan;
    int slots;            /* this rank's shards */
    const double *scales; /* each variable's power of two */
} SumJob;

static int var_at(const LrPlan *plan, size_t i)
{
    int v = 0;
    while (plan->var_offsets[v + 1] <= i)
        v++;
    return v;
}

static void shards_to_int(void *ctx, size_t begin, size_t end)
{
    const SumJob *job = ctx;
    const LrPlan *plan = job->plan;
    for (size_t i = begin; i < end;) {
        int v = var_at(plan, i);
        size_t stop = plan->var_offsets[v + 1] < end ? plan->var_offsets[v + 1] : end;
        dist_shards_to_int(plan->grad_sum + i, plan->shard_grads + i, stop - i, plan->param_count,
                           job->slots, job->scales[v]);
        i = stop;
    }
}

/* One process: every shard is here, so each value's integers are summed
 * and scaled back in one pass (dist_shards_to_float), in place: the first
 * slot is dparams. */
static void shards_to_float(void *ctx, size_t begin, size_t end)
{
    const SumJob *job = ctx;
    LrPlan *plan = job->plan;
    for (size_t i = begin; i < end;) {
        int v = var_at(plan, i);
        size_t stop = plan->var_offsets[v + 1] < end ? plan->var_offsets[v + 1] : end;
        dist_shards_to_float(plan->dparams + i, plan->shard_grads + i, stop - i,
                             plan->param_count, job->slots, job->scales[v]);
        i = stop;
    }
}

static void sum_to_float(void *ctx, size_t begin, size_t end)
{
    const SumJob *job = ctx;
    LrPlan *plan = job->plan;
    for (size_t i = begin; i < end;) {
        int v = var_at(plan, i);
        size_t stop = plan->var_offsets[v + 1] < end ? plan->var_offsets[v + 1] : end;
        dist_int_to_float(plan->dparams + i, plan->grad_sum + i, stop - i, job->scales[v]);
        i = stop;
    }
}

/* plan->dparams := the exact sum of the batch's shard gradients, on every
 * rank; grad_max holds the agreed maxima. */
static void sum_shards(LrPlan *plan, int shards, int slots)
{
    double *scales = plan->grad_max + plan->var_count + FLAGS;
    for (int v = 0; v < plan->var_count; v++)
        scales[v] = dist_sum_scale(plan->grad_max[v], shards);
    SumJob job = {plan, slots, scales};
    if (dist_size() == 1) {
        pool_run(plan->param_count, pool_grain((size_t)slots), shards_to_float, &job);
        return;
    }
    pool_run(plan->param_count, pool_grain((size_t)slots), shards_to_int, &job);
    dist_sum_int64(plan->grad_sum, plan->param_count);
    pool_run(plan->param_count, pool_grain(1), sum_to_float, &job);
}

/* The gradient of one update in plan->dparams, from rows [start, start +
 * rows) of the epoch's order, and the sum of the losses of the rows
 * this rank computed in *loss (*loss_rows of them). A
 * step of one shard on one process is the plain forward and backward of
 * the whole batch. Otherwise the batch is cut into shards of
 * plan->shard_rows rows; each rank computes its own (dist_shards_of),
 * each shard's forward and backward on its rows alone, and the update is
 * their exact sum (sum_shards), so every rank holds the same bytes that
 * one process computing every shard would. *stop comes in as this rank's
 * interruption and goes out as every rank's, so that all stop after the
 * same step. Returns false when the loss or the gradient at the output is
 * not finite (*loss is then nan or inf): the gradient at the output is
 * cheap to check, and every other gradient follows from it. */
static bool step_gradient(LrPlan *plan, int64_t start, int rows, double *loss, int *loss_rows,
                          bool *stop)
{
    LrTensor *out_grad = &plan->grads[plan->layer_count - 1];
    LrTensor x, y;
    const int base = plan->shared ? exchange_rows(plan, start, rows) : 0;
    if (!plan->shard_grads) {
        batch_rows(plan, start, 0, rows, base, &x, &y);
        const LrTensor *pred = forward(plan, &x, true);
        out_grad->rows = rows;
        *loss = loss_gradient(&plan->loss, pred, &y, out_grad);
        *loss_rows = rows;
        if (!isfinite(*loss) || !tensor_finite(out_grad)) {
            *loss = isnan(*loss) ? *loss : INFINITY;
            return false;
        }
        backward(plan, &x);
        return true;
    }
    const int shard_rows = plan->shard_rows;
    const int shards = (rows + shard_rows - 1) / shard_rows;
    int first, end;
    dist_shards_of(shards, dist_rank(), dist_size(), &first, &end);
    double sum = 0.0, diverged = 0.0; /* 1: inf, 2: nan */
    *loss_rows = 0;
    for (int v = 0; v < plan->var_count; v++)
        plan->grad_max[v] = 0.0; /* keep_shard's bit patterns */
    for (int s = 0; s < shards; s++) {
        const int lo = s * shard_rows, n = rows - lo < shard_rows ? rows - lo : shard_rows;
        if (s < first || s >= end || diverged > 0) {
            skip_draws(plan, n);
            continue;
        }
        batch_rows(plan, start, lo, n, base, &x, &y);
        const LrTensor *pred = forward(plan, &x, true);
        out_grad->rows = n;
        double shard_loss = loss_gradient_part(&plan->loss, pred, &y, out_grad, rows);
        sum += shard_loss;
        *loss_rows += n;
        if (!isfinite(shard_loss) || !tensor_finite(out_grad)) {
            diverged = isnan(shard_loss) ? 2.0 : 1.0;
            continue;
        }
        /* The penalty's gradient once per batch: with its first shard. */
        for (int i = 0; i < plan->layer_count; i++)
            plan->layers[i].penalty_elsewhere = s > 0;
        if (shards > 1) {
            float *slot = shard_slot(plan, s - first);
            move_gradients(plan, plan->dparams, slot);
            backward(plan, &x);
            move_gradients(plan, slot, plan->dparams);
            keep_shard(plan, s - first);
        } else {
            backward(plan, &x);
        }
    }
    for (int i = 0; i < plan->layer_count; i++)
        plan->layers[i].penalty_elsewhere = false;
    /* One exchange of the maxima and the flags. */
    double *flags = plan->grad_max + plan->var_count;
    flags[FLAG_NOT_FINITE] = 0.0;
    for (int v = 0; v < plan->var_count; v++) {
        plan->grad_max[v] = shards > 1 && diverged == 0
                                ? magnitude_of((uint32_t)plan->grad_max[v]) : 0.0;
        if (plan->grad_max[v] < 0)
            flags[FLAG_NOT_FINITE] = 1.0;
    }
    flags[FLAG_DIVERGED] = diverged;
    flags[FLAG_INTERRUPTED] = *stop ? 1.0 : 0.0;
    dist_max_doubles(plan->grad_max, plan->var_count + FLAGS);
    *stop = flags[FLAG_INTERRUPTED] != 0.0;
    *loss = sum;
    if (flags[FLAG_DIVERGED] != 0.0) {
        *loss = flags[FLAG_DIVERGED] == 2.0 ? NAN : INFINITY;
        return false;
    }
    if (shards == 1) {
        /* Rank 0 computed it, as one process would have, and moved
         * batchnorm's statistics. */
        dist_broadcast(plan->dparams, plan->param_count, 0);
        dist_broadcast(plan->state, plan->state_count, 0);
        return true;
    }
    if (flags[FLAG_NOT_FINITE] != 0.0) {
        /* What one process would pass on: the update spoils the
         * parameters, and the next step reports the divergence. */
        for (size_t i = 0; i < plan->param_count; i++)
            plan->dparams[i] = NAN;
        return true;
    }
    sum_shards(plan, shards, end - first);
    return true;
}

LrStatus train_run(LrPlan *plan, LrTrainState *state, const LrSource *src, LrDiag *diag,
                   const LrTrainHooks *hooks)
{
    const LrSpec *spec = plan->spec;
    const LrTrainSpec *t = &spec->train;
    double started = now_seconds() - state->seconds;
    double lr = schedule_lr(&plan->optimizer.spec->lr, plan->optimizer.step);
    Progress progress = {.on = hooks->progress, .every = 1};
    while (state->epochs_done < t->epochs && !state->stopped) {
        if (!state->mid_epoch) {
            if (t->shuffle)
                shuffle(plan->order, plan->train.rows, &plan->shuffle_rng);
            state->mid_epoch = true;
            state->batch_start = 0;
        }
        double steps_started = now_seconds();
        if (progress.on)
            progress_start(&progress, plan, state, steps_started);
        while (state->batch_start < plan->train.rows) {
            int64_t start = state->batch_start;
            int rows = (int)(plan->train.rows - start < plan->batch ? plan->train.rows - start
                                                                     : plan->batch);
            double batch_loss;
            bool stop = hooks->interrupted && *hooks->interrupted;
            /* Divergence stops the run at the step it happens, before the
             * update spreads it. */
            int loss_rows;
            if (!step_gradient(plan, start, rows, &batch_loss, &loss_rows, &stop)) {
                progress_end(&progress);
                return diverged(plan, src, diag, state->epochs_done + 1, batch_loss,
                                schedule_lr(&plan->optimizer.spec->lr, plan->optimizer.step));
            }
            lr = optim_step(&plan->optimizer);
            state->batch_start = start + rows;
            if (progress.on)
                progress_step(&progress, plan, state, batch_loss, loss_rows);
            bool halt = hooks->halt_after > 0 && plan->optimizer.step == hooks->halt_after;
            if (stop || halt) {
                progress_end(&progress);
                state->step_seconds += now_seconds() - steps_started;
                /* Another rank's interruption is this one's too. */
                state->signal = halt || !hooks->interrupted || !*hooks->interrupted
                                    ? SIGINT
                                    : (int)*hooks->interrupted;
                state->seconds = now_seconds() - started;
                if (hooks->save && hooks->save(hooks->ctx, plan, state) < 0)
                    return status_of(LR_RUN_FAILED);
                return status_of(LR_OK);
            }
        }
        state->step_seconds += now_seconds() - steps_started;
        progress_end(&progress);
        state->mid_epoch = false;
        state->seconds = now_seconds() - started;
        if (!finish_epoch(plan, state, lr, state->seconds)) {
            /* Every step was finite; the epoch's measurement, after its
             * last step, was not. */
            const double *row = plan->history + (size_t)(state->epochs_done - 1) * (size_t)plan->history_cols;
            diag_error(diag, src, spec->train.span,
                       "training diverged while measuring epoch %lld, after step %lld "
                       "(loss=%s, lr=%.9g)",
                       (long long)state->epochs_done, (long long)plan->optimizer.step,
                       isnan(row[HIST_LOSS]) ? "nan" : "inf", lr);
            return status_of(LR_RUN_FAILED);
        }
        bool failed = hooks->save && hooks->save(hooks->ctx, plan, state) < 0;
        /* Nobody reads the results any more (a closed pipe): stop after the
         * epoch's checkpoint rather than train on unseen; main says why.
         * Every rank stops when one must (rank 0 alone writes). */
        if (dist_any(failed || report_failed()))
            return status_of(LR_RUN_FAILED);
    }
    if (t->early_stop.enabled && t->early_stop.restore_best && state->best_epoch > 0 &&
        state->best_epoch != state->epochs_done)
        memcpy(plan->params, plan->best, (plan->param_count + plan->state_count) * sizeof(float));
    state->seconds = now_seconds() - started;
    return status_of(LR_OK);
}
