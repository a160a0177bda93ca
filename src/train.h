/* train.h — the training loop over a built Plan: per epoch shuffle, step
 * through the batches (forward, loss, backward, update), then measure the
 * loss and metrics on the training rows and the validation part, report
 * the epoch and decide on early stopping. Everything that decides what
 * happens next lives in the Plan and LrTrainState, so that a checkpoint of
 * both resumes a run exactly. */
#ifndef LR_TRAIN_H
#define LR_TRAIN_H
#include <signal.h>
#include <stdbool.h>

#include "diag.h"
#include "plan.h"

/* Columns of a history row (plan->history), after which come the metrics
 * then the val_ metrics, then lr and seconds. */
enum { HIST_EPOCH, HIST_STEP, HIST_LOSS, HIST_VAL_LOSS, HIST_METRICS };
#define HIST_LR(plan) (HIST_METRICS + 2 * (plan)->metric_count)
#define HIST_SECONDS(plan) (HIST_LR(plan) + 1)

typedef struct LrTrainState {
    int64_t epochs_done;   /* complete epochs (rows of the history) */
    int64_t batch_start;   /* next row of plan->order in the current epoch */
    bool mid_epoch;        /* the current epoch is shuffled and under way */
    double best;           /* early stopping: best monitored value so far */
    int64_t best_epoch;    /* its epoch (0: none yet) */
    int64_t wait;          /* epochs since it last improved */
    bool stopped;          /* early stopping ended the run */
    double seconds;        /* training time so far, all sessions */
    double step_seconds;   /* of which the steps themselves (no evaluation) */
    int signal;            /* the signal that interrupted the run, or 0 */
} LrTrainState;

typedef struct LrTrainHooks {
    void *ctx;
    /* Called after each epoch and on interruption (state->signal set) to
     * write a checkpoint; returns 0, or -1 after reporting a failure. NULL:
     * nothing is written. */
    int (*save)(void *ctx, const LrPlan *plan, const LrTrainState *state);
    int64_t halt_after;    /* act as if interrupted after this many updates (0: never) */
    volatile sig_atomic_t *interrupted; /* set to a signal number by the handler */
    bool progress;         /* draw the progress line on stderr within each epoch */
} LrTrainHooks;

/* A fresh state (nothing trained yet). */
void train_state_init(LrTrainState *state);
/* Trains from state until the last epoch, early stopping, or an
 * interruption (LR_OK with state->signal set). LR_RUN_FAILED after
 * reporting divergence or a failed save. */
LrStatus train_run(LrPlan *plan, LrTrainState *state, const LrSource *src, LrDiag *diag,
                   const LrTrainHooks *hooks);

/* The one measurement of a model on rows: the loss and the metrics, by
 * blocks of rows through a forward pass, into a tally the caller sized
 * (metric_tally_size). Training (train_measurer: the plan's layers) and an
 * inference file's evaluate (a loaded model's model_logits) both measure
 * with it, so they print the same numbers for the same model and rows. */
typedef struct LrMeasurer {
    /* The outputs for rows (<= block) of x, before `pending`: a view
     * valid until the next call. */
    LrTensor (*forward)(void *ctx, const float *x, int rows);
    void *ctx;
    LrLoss loss;            /* from_logits when pending is not ACT_LINEAR */
    LrActivation pending;
    int features, targets;
    int block;              /* rows per forward pass */
    double penalty;         /* added to the mean loss: the layers' regularization */
    LrMetricTally *tally;   /* sized for what is measured; its buffers NULL if nothing */
    /* For a part held in shares (plan.h): the sums of each block, and 4 x
     * ranks ints of room for the counts of the gathering. */
    double *block_sums;
    int *scratch;
} LrMeasurer;

/* Loss (plus m->penalty) and metrics (the mean over rows, or from the
 * tally of the whole part) of rows rows of x (features each) and y
 * (targets each). Afterwards m->tally holds the part's counts (its
 * confusion matrix, when it keeps one). Allocates nothing. */
void measure_rows(const LrMeasurer *m, const float *x, const float *y, int64_t rows,
                  const LrMetricKind *metrics, int count, double *loss, double *values);

/* measure_rows of a part. A part held in shares is measured by every
 * rank, each the blocks (of m->block rows, from the part's first) that
 * begin in its rows; the blocks' sums are gathered and added in the
 * blocks' order, the tally's counts summed and its scores gathered, so
 * that every rank gets the numbers one process gets. Every rank calls
 * it for a share. */
void measure_part(const LrMeasurer *m, const LrPartView *part, const LrMetricKind *metrics,
                  int count, double *loss, double *values);

/* The plan's current parameters as a measurer, forward only in inference
 * mode, with the layers' penalties as they are now. */
void train_measurer(LrPlan *plan, LrMeasurer *out);

/* measure_rows of the plan's current parameters on a part. */
void train_measure(LrPlan *plan, LrPartView part, const LrMetricKind *metrics, int count,
                   double *loss, double *values);

/* The model's outputs for x (at most plan->eval_rows rows), every
 * activation applied (the one fused into the loss too), as a model saved
 * from the plan gives them. Forward only; a view into the plan, valid
 * until its next pass. */
const LrTensor *train_outputs(LrPlan *plan, const LrTensor *x);

/* Reports the history's epoch lines again (after a resume). */
void train_report_history(const LrPlan *plan, const LrTrainState *state);

#endif
