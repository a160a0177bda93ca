/* train.h — the training loop over a built Plan: generate the data,
 * initialize the parameters, then per epoch shuffle, step through the
 * batches (forward, loss, backward, update) and report the full-dataset
 * loss. */
#ifndef LR_TRAIN_H
#define LR_TRAIN_H
#include <stdbool.h>

#include "diag.h"
#include "plan.h"

typedef struct LrTrainResult {
    double loss;        /* full-dataset loss after the last epoch */
    int64_t steps;      /* updates applied */
    double seconds;     /* wall time of the loop */
} LrTrainResult;

/* Returns 0, or -1 after reporting a run failure (divergence) to diag. */
int train_run(LrPlan *plan, const LrSource *src, LrDiag *diag, LrTrainResult *result);

/* Full-dataset loss of the current parameters (forward only). */
double train_evaluate(LrPlan *plan);

#endif
