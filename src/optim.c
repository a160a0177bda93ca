/* optim.c — parameter updates with Keras semantics (keras.optimizers.SGD)
 * over the Plan's one flat parameter array. The learning rate is computed
 * in double by the schedule and applied in float, like Keras casting it to
 * the variable's dtype. No allocation: the velocity slots are Plan-owned. */
#include "optim.h"

#include "schedule.h"

static void sgd_step(LrOptimizer *o, float lr)
{
    float *p = o->params;
    const float *g = o->grads;
    const size_t n = o->count;
    const float m = (float)o->spec->momentum;
    if (o->spec->momentum == 0) {
        /* Keras keeps no momentum slot then; velocity stays untouched. */
        for (size_t i = 0; i < n; i++)
            p[i] -= lr * g[i];
        return;
    }
    float *v = o->velocity;
    if (o->spec->nesterov) {
        for (size_t i = 0; i < n; i++) {
            v[i] = m * v[i] - lr * g[i];
            p[i] += m * v[i] - lr * g[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            v[i] = m * v[i] - lr * g[i];
            p[i] += v[i];
        }
    }
}

double optim_step(LrOptimizer *o)
{
    double lr = schedule_lr(&o->spec->lr, o->step);
    switch (o->spec->kind) {
    case OPT_SGD:
        sgd_step(o, (float)lr);
        break;
    }
    o->step++;
    return lr;
}
