/* metrics.h — what is reported besides the loss. Predictions come as the
 * model computed them: when the output activation was fused into the loss,
 * pending says which one (sigmoid or softmax) still applies, per row.
 *   accuracy   several outputs: argmax of the prediction equals the class
 *              (the target's index, or its argmax when one-hot); one output:
 *              (p > 0.5) equals (t > 0.5)
 *   mse, half_mse, mae, huber (delta 1), binary_crossentropy,
 *   categorical_crossentropy: as the losses of the same name
 * Those are means of per-row values (metric_sum). The others are computed
 * from a tally of the whole part, gathered block by block (metric_tally_add)
 * in buffers the plan sized once (metric_value):
 *   precision, recall, f1  a classifier's, from counts per class: one output
 *              (binary): of the positive class (target > 0.5) with the
 *              prediction p > 0.5 as accuracy; classes: the macro average
 *              over the classes that occur among the targets or the
 *              predictions of the part (scikit-learn's average='macro'); a
 *              ratio whose denominator is 0 is 0 (zero_division=0)
 *   auc        a binary classifier's ROC area, exact: the rows sorted by
 *              the output, ties counting one half (Mann-Whitney U / (P N));
 *              NaN when the part lacks one of the two classes
 *   r2         a regression's 1 - SS_res / SS_tot per output, averaged over
 *              the outputs; an output whose targets are constant scores 1
 *              when predicted exactly, else 0 (scikit-learn's
 *              force_finite); NaN for fewer than two rows */
#ifndef LR_METRICS_H
#define LR_METRICS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "spec.h"
#include "tensor.h"

/* Sum over the rows of the per-sample metric, in double (divide by the
 * number of rows for the mean). Allocates nothing. */
double metric_sum(LrMetricKind m, LrActivation pending, const LrTensor *pred,
                  const LrTensor *target);
/* Whether m is a mean of per-row values (metric_sum); if not, it is
 * computed from a tally of the whole part (metric_value). */
bool metric_per_row(LrMetricKind m);

/* The classes a model's outputs are under its loss (loss_output_kind): 2 for one output under binary_crossentropy, the outputs under
 * categorical_crossentropy, 0 for anything else (not a classifier). */
int metric_classes(LrLossKind loss, int outputs);

/* Whether metric m means something for a model of outputs outputs trained
 * with loss (precision, recall and f1 need a classifier, auc a binary one,
 * r2 a regression; the others fit any). Returns 0, or -1 with why saying
 * what it needs and what the model is. */
int metric_fits(LrMetricKind m, LrLossKind loss, int outputs, char *why, size_t why_size);
/* Likewise for a confusion matrix (a classifier). */
int metric_confusion_fits(LrLossKind loss, int outputs, char *why, size_t why_size);
/* Reports to diag, at the metric's name or at confusion=true, each metric
 * of the train statement and of each evaluate with metrics= of its own
 * (the others take the train statement's: told once) and each
 * confusion=true that does not fit a model of outputs outputs under loss.
 * The checker calls it with the experiment's loss and last layer, the
 * plan with the model's as built. Returns the number reported. */
int metrics_check_fit(const LrSpec *spec, LrLossKind loss, int outputs, const LrSource *src,
                      LrDiag *diag);

/* A binary classifier's row for auc: its output as the model computed it
 * (a pending sigmoid is monotone, so the logit ranks as the probability,
 * without the ties rounding the latter would make) and its class. */
typedef struct LrScore {
    float score;
    float positive; /* 1 when the target is > 0.5, else 0 */
} LrScore;

/* What the metrics of the whole part gather; every pointer is the caller's
 * buffer (the plan's), NULL when not kept. */
typedef struct LrMetricTally {
    /* Classifiers (classes > 0): per class, the rows of it, the rows
     * predicted as it, and those right; with confusion, classes x classes
     * counts, [true class][predicted class]. */
    int classes;
    bool binary;            /* one output: precision & co. are class 1's */
    int64_t *actual, *predicted, *correct, *confusion;
    /* auc: a row each, up to capacity rows. */
    LrScore *scores;
    int64_t scored, capacity;
    /* r2 (outputs > 0): per output, the targets' mean and sum of squared
     * deviations from it (Welford's, so no cancellation), and the sum of
     * squared residuals. */
    int outputs;
    double *mean, *deviations, *residuals;
    int64_t rows;
} LrMetricTally;

/* Sizes t's buffers (in arena, once) for what spec asks of a model of
 * outputs outputs under loss: counts per class for precision, recall and
 * f1, the confusion matrix for an evaluate's confusion=true, a score per
 * row of the largest part measured (largest rows) for auc, sums per output
 * for r2; what is not asked stays NULL. The plan sizes its tally with it,
 * an inference file the loaded model's. -1 when out of memory. */
int metric_tally_size(LrMetricTally *t, const LrSpec *spec, LrLossKind loss, int outputs,
                      int64_t largest, LrArena *arena);
/* Empties the tally (keeps its buffers). */
void metric_tally_reset(LrMetricTally *t);
/* Adds a block of rows: what the tally keeps of them. Allocates nothing. */
void metric_tally_add(LrMetricTally *t, LrActivation pending, const LrTensor *pred,
                      const LrTensor *target);
/* A metric that is not per row, from the tally of the whole part (sorts
 * the kept scores in place for auc). Allocates nothing. */
double metric_value(LrMetricKind m, LrMetricTally *t);

/* Whether metric m is asked for anywhere: by train or an evaluate. */
bool metric_wanted(const LrSpec *spec, LrMetricKind m);

/* "accuracy", "mse", ... as written in the language. */
const char *metric_name(LrMetricKind m);

#endif
