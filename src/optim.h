/* optim.h — update rules with Keras (3) semantics over one flat parameter
 * array (the Plan keeps all parameters, gradients and slots contiguous).
 * t = step + 1; g is the gradient after clipping.
 *   sgd:       p -= lr g
 *   momentum:  v = momentum v - lr g;  p += v
 *   nesterov:  v = momentum v - lr g;  p += momentum v - lr g
 *   adam:      m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2);
 *              p -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)
 *   adamw:     p -= p weight_decay lr, then adam
 *   rmsprop:   v = rho v + (1 - rho) g^2;  inc = lr g / sqrt(v + eps);
 *              momentum: m = momentum m + inc, p -= m;  else p -= inc
 *   adagrad:   a += g^2;  p -= lr g / sqrt(a + eps)   (a starts at
 *              initial_accumulator)
 *   clip_norm: each variable's gradient g becomes g c / max(|g|, c)
 *              (Keras clipnorm: per variable, not global)
 * Large variables are updated on lrc's threads (pool.h), element by
 * element, so the result does not depend on the thread count. */
#ifndef LR_OPTIM_H
#define LR_OPTIM_H
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/* Slots an optimizer keeps per parameter (0, 1 or 2). */
int optim_slot_count(const LrOptimizerSpec *spec);

typedef struct LrOptimizer {
    const LrOptimizerSpec *spec;
    float *params;
    const float *grads;
    float *slot1, *slot2; /* count floats each, when the optimizer has them:
                           * sgd velocity; adam m, v; rmsprop v, momentum;
                           * adagrad accumulator */
    size_t count;
    const size_t *var_offsets; /* var_count + 1 offsets: variable i is
                                * [var_offsets[i], var_offsets[i+1]) */
    int var_count;
    int64_t step;    /* updates applied so far */
} LrOptimizer;

/* Sets the slots to their initial values (0; adagrad's initial
 * accumulator) and step to 0. */
void optim_reset(LrOptimizer *o);
/* Applies one update with lr = schedule_lr(&spec->lr, step); then step++.
 * Returns the lr used. Allocates nothing. */
double optim_step(LrOptimizer *o);

#endif
