/* optim.c — parameter updates with Keras 3 semantics (keras.optimizers.SGD,
 * Adam, AdamW, RMSprop, Adagrad) over the Plan's one flat parameter array,
 * split into variables (a layer's kernel, its bias) for per-variable
 * gradient clipping. Parameter math is in float like Keras's float32
 * variables; the learning rate is computed in double by the schedule and
 * rounded to float once, like Keras casting it to the variable's dtype.
 * No allocation: the slots are Plan-owned and clipping scales gradients on
 * the fly instead of copying them. */
#include "optim.h"

#include <math.h>
#include <stdbool.h>

#include "pool.h"
#include "schedule.h"

int optim_slot_count(const LrOptimizerSpec *spec)
{
    switch (spec->kind) {
    case OPT_SGD:
        return spec->momentum > 0 ? 1 : 0;
    case OPT_ADAM:
    case OPT_ADAMW:
        return 2;
    case OPT_RMSPROP:
        return spec->momentum > 0 ? 2 : 1;
    case OPT_ADAGRAD:
        return 1;
    }
    return 0;
}

void optim_reset(LrOptimizer *o)
{
    const int slots = optim_slot_count(o->spec);
    const float first = o->spec->kind == OPT_ADAGRAD ? (float)o->spec->initial_accumulator : 0.0f;
    for (size_t i = 0; slots >= 1 && i < o->count; i++)
        o->slot1[i] = first;
    for (size_t i = 0; slots >= 2 && i < o->count; i++)
        o->slot2[i] = 0.0f;
    o->step = 0;
}

/* ------------------------------------------------------------------------
 * One variable: p, g, slots of n elements. g is the raw gradient, used as
 * g[i] * c / d: with clip_norm, c = clip_norm and d = max(|g|, clip_norm)
 * (Keras's clip_by_norm, in the same order of operations). */

typedef struct Var {
    float *p;
    const float *g;
    float *s1, *s2;
    size_t n;
    float c, d; /* no clipping: c = d = 1 */
} Var;

static inline float grad_at(const Var *v, size_t i)
{
    return v->g[i] * v->c / v->d;
}

static void sgd_update(const LrOptimizerSpec *s, const Var *v, float lr)
{
    float *restrict p = v->p, *restrict vel = v->s1;
    const float *restrict g = v->g;
    const size_t n = v->n;
    const bool clipped = v->c != 1.0f || v->d != 1.0f;
    if (s->momentum == 0) {
        /* Keras keeps no momentum slot then. */
        for (size_t i = 0; i < n; i++)
            p[i] -= (clipped ? grad_at(v, i) : g[i]) * lr;
        return;
    }
    const float m = (float)s->momentum;
    /* The common case in its own loops, which the compiler vectorizes. */
    if (!clipped && !s->nesterov) {
        for (size_t i = 0; i < n; i++) {
            vel[i] = m * vel[i] - g[i] * lr;
            p[i] += vel[i];
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float gi = grad_at(v, i);
        vel[i] = m * vel[i] - gi * lr;
        if (s->nesterov)
            p[i] += m * vel[i] - gi * lr;
        else
            p[i] += vel[i];
    }
}

static void adam_update(const LrOptimizerSpec *s, const Var *v, float lr, int64_t step)
{
    /* Keras: local_step = iterations + 1 and beta powers in float. */
    const float t = (float)(step + 1);
    const float b1 = (float)s->beta1, b2 = (float)s->beta2;
    const float alpha = lr * sqrtf(1.0f - powf(b2, t)) / (1.0f - powf(b1, t));
    const float k1 = (float)(1.0 - s->beta1), k2 = (float)(1.0 - s->beta2);
    const float eps = (float)s->epsilon;
    float *restrict m = v->s1, *restrict u = v->s2, *restrict p = v->p;
    const float *restrict gr = v->g;
    const bool clipped = v->c != 1.0f || v->d != 1.0f;
    for (size_t i = 0; i < v->n; i++) {
        float g = clipped ? grad_at(v, i) : gr[i];
        m[i] += (g - m[i]) * k1;
        u[i] += (g * g - u[i]) * k2;
        p[i] -= m[i] * alpha / (sqrtf(u[i]) + eps);
    }
}

static void rmsprop_update(const LrOptimizerSpec *s, const Var *v, float lr)
{
    const float rho = (float)s->rho, k = (float)(1.0 - s->rho);
    const float eps = (float)s->epsilon, mom = (float)s->momentum;
    float *u = v->s1, *m = v->s2;
    for (size_t i = 0; i < v->n; i++) {
        float g = grad_at(v, i);
        u[i] = rho * u[i] + k * (g * g);
        float inc = lr * g / sqrtf(u[i] + eps); /* epsilon inside the root */
        if (s->momentum > 0) {
            m[i] = mom * m[i] + inc;
            v->p[i] -= m[i];
        } else {
            v->p[i] -= inc;
        }
    }
}

static void adagrad_update(const LrOptimizerSpec *s, const Var *v, float lr)
{
    const float eps = (float)s->epsilon;
    float *a = v->s1;
    for (size_t i = 0; i < v->n; i++) {
        float g = grad_at(v, i);
        a[i] += g * g;
        v->p[i] -= lr * g / sqrtf(a[i] + eps); /* epsilon inside the root */
    }
}

typedef struct Job {
    const LrOptimizer *o;
    const Var *v;
    float lr;
} Job;

/* The update of elements [begin, end) of a variable: element by element,
 * so any split of the variable gives the same bytes (pool.h). */
static void update_range(void *ctx, size_t begin, size_t end)
{
    const Job *job = ctx;
    const LrOptimizerSpec *s = job->o->spec;
    Var v = *job->v;
    v.p += begin;
    v.g += begin;
    v.s1 = v.s1 ? v.s1 + begin : NULL;
    v.s2 = v.s2 ? v.s2 + begin : NULL;
    v.n = end - begin;
    switch (s->kind) {
    case OPT_SGD:
        sgd_update(s, &v, job->lr);
        break;
    case OPT_ADAMW: {
        /* Decoupled weight decay, before the update: p -= p wd lr. */
        const float wd = (float)s->weight_decay;
        for (size_t i = 0; i < v.n; i++)
            v.p[i] -= v.p[i] * wd * job->lr;
        adam_update(s, &v, job->lr, job->o->step);
        break;
    }
    case OPT_ADAM:
        adam_update(s, &v, job->lr, job->o->step);
        break;
    case OPT_RMSPROP:
        rmsprop_update(s, &v, job->lr);
        break;
    case OPT_ADAGRAD:
        adagrad_update(s, &v, job->lr);
        break;
    }
}

static void update_var(const LrOptimizer *o, Var *v, float lr)
{
    const LrOptimizerSpec *s = o->spec;
    v->c = v->d = 1.0f;
    if (s->clip_norm > 0) {
        /* The norm is one sum in one order, on this thread. */
        double sq = 0.0;
        for (size_t i = 0; i < v->n; i++)
            sq += (double)v->g[i] * v->g[i];
        float norm = (float)sqrt(sq), c = (float)s->clip_norm;
        v->c = c;
        v->d = norm > c ? norm : c;
    }
    Job job = {o, v, lr};
    pool_run(v->n, POOL_GRAIN, update_range, &job);
}

double optim_step(LrOptimizer *o)
{
    const double lr = schedule_lr(&o->spec->lr, o->step);
    /* Without offsets the whole array is one variable. */
    const bool whole = !o->var_offsets || o->var_count <= 0;
    const int vars = whole ? 1 : o->var_count;
    for (int k = 0; k < vars; k++) {
        size_t lo = whole ? 0 : o->var_offsets[k];
        size_t hi = whole ? o->count : o->var_offsets[k + 1];
        Var v = {
            .p = o->params + lo,
            .g = o->grads + lo,
            .s1 = o->slot1 ? o->slot1 + lo : NULL,
            .s2 = o->slot2 ? o->slot2 + lo : NULL,
            .n = hi - lo,
        };
        update_var(o, &v, (float)lr);
    }
    o->step++;
    return lr;
}
