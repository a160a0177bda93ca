/* schedule.c — learning-rate schedules as pure functions of the step, in
 * double, with the formulas of Keras 3 (keras.optimizers.schedules). The
 * step counts updates already applied: 0 for the first update. */
#include "schedule.h"

#include <math.h>

static double piecewise(const LrScheduleSpec *s, double step)
{
    /* A step equal to a boundary still belongs to the earlier segment
     * (Keras tests step <= b). */
    for (int i = 0; i < s->count; i++)
        if (step <= s->boundaries[i])
            return s->values[i];
    return s->values[s->count];
}

static double polynomial(const LrScheduleSpec *s, double step)
{
    double steps = s->steps;
    if (s->cycle) {
        /* The first multiple of steps not below step; at step 0 the
         * multiplier is 1, not 0, so the divisor is never zero. */
        double multiplier = step == 0 ? 1.0 : ceil(step / s->steps);
        steps *= multiplier;
    } else if (step > steps) {
        step = steps;
    }
    return (s->initial - s->end) * pow(1.0 - step / steps, s->power) + s->end;
}

/* Keras's CosineDecay warms up only towards a warmup_target: without one,
 * the decay of initial starts at step 0 whatever warmup says. */
static double cosine(const LrScheduleSpec *s, double step)
{
    double warmup = s->has_target ? s->warmup : 0;
    if (warmup > 0 && step < warmup)
        return s->initial + (s->target - s->initial) * (step / warmup);
    double t = step - warmup;
    if (t > s->steps)
        t = s->steps;
    const double pi = 3.14159265358979323846264338327950288;
    double decayed = (1.0 - s->alpha) * 0.5 * (1.0 + cos(pi * t / s->steps)) + s->alpha;
    return s->target * decayed;
}

double schedule_lr(const LrScheduleSpec *s, int64_t step)
{
    double x = (double)step;
    double p;
    switch (s->kind) {
    case SCHED_CONSTANT:
        return s->initial;
    case SCHED_EXP_DECAY:
        p = x / s->steps;
        if (s->staircase)
            p = floor(p);
        return s->initial * pow(s->rate, p);
    case SCHED_PIECEWISE:
        return piecewise(s, x);
    case SCHED_POLYNOMIAL:
        return polynomial(s, x);
    case SCHED_INVERSE_TIME:
        p = x / s->steps;
        if (s->staircase)
            p = floor(p);
        return s->initial / (1.0 + s->rate * p);
    case SCHED_COSINE:
        return cosine(s, x);
    }
    return s->initial; /* unreachable: the checker admits only the kinds above */
}
