/* plan.h — lowers a Spec to the pipeline (data → batches → layers → loss →
 * optimizer), sizing and allocating every buffer in one place, before the
 * first step. The training step allocates nothing. */
#ifndef LR_PLAN_H
#define LR_PLAN_H
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "layer.h"
#include "optim.h"
#include "spec.h"

typedef struct LrPlan {
    const LrSpec *spec;
    LrArena arena;          /* the run arena: owns everything below */
    int64_t n;              /* samples */
    int features, outputs;
    float *x, *y;           /* the data set: n x features, n x outputs */
    int batch;              /* rows per step: min(train batch, n) */
    float *xb, *yb;         /* a shuffled batch, gathered */
    int layer_count;
    LrLayer *layers;
    LrTensor *acts;         /* acts[i]: output of layer i, batch rows */
    LrTensor *grads;        /* grads[i]: dLoss/d acts[i] */
    float *params, *dparams, *velocity;
    size_t param_count;
    int64_t *order;         /* sample order of the current epoch */
    LrOptimizer optimizer;
    size_t bytes;           /* everything the plan allocated */
} LrPlan;

/* Checks that the experiment fits in this machine's memory (an error at the
 * dataset statement if not), without allocating. Returns 0, or -1 after
 * reporting to diag. */
int plan_check_size(const LrSpec *spec, const LrSource *src, LrDiag *diag);
/* plan_check_size, then allocates every buffer. */
int plan_build(LrPlan *plan, const LrSpec *spec, const LrSource *src, LrDiag *diag);
void plan_free(LrPlan *plan);

#endif
