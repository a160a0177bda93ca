/* optim.h — update rules with Keras semantics over one flat parameter
 * array (the Plan keeps all parameters, gradients and slots contiguous).
 *   sgd:           p -= lr * g
 *   sgd momentum:  v = momentum * v - lr * g;  p += v
 *   sgd nesterov:  v = momentum * v - lr * g;  p += momentum * v - lr * g */
#ifndef LR_OPTIM_H
#define LR_OPTIM_H
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

typedef struct LrOptimizer {
    const LrOptimizerSpec *spec;
    float *params;
    const float *grads;
    float *velocity; /* count floats, zeroed; unused without momentum */
    size_t count;
    int64_t step;    /* updates applied so far */
} LrOptimizer;

/* Applies one update with lr = schedule_lr(&spec->lr, step); then step++.
 * Returns the lr used. */
double optim_step(LrOptimizer *o);

#endif
