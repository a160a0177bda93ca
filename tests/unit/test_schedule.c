/* test_schedule.c — every learning-rate schedule at its boundaries, against
 * the closed formulas of Keras 3 (keras.optimizers.schedules) written out
 * here, and hand-worked values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

#include "schedule.h"


#define TOL 1e-14
static const double PI = 3.14159265358979323846;

static void test_schedule__constant_ignores_step(void **state)
{
    (void)state;
    LrScheduleSpec s = {.kind = SCHED_CONSTANT, .initial = 0.003};
    static const int64_t steps[] = {0, 1, 2, 10, 1000, INT64_C(1) << 40};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        assert_true(schedule_lr(&s, steps[i]) == 0.003);
}

static void test_schedule__exp_decay_continuous(void **state)
{
    (void)state;
    LrScheduleSpec s = {.kind = SCHED_EXP_DECAY, .initial = 0.1, .steps = 10, .rate = 0.5};
    static const int64_t steps[] = {0, 1, 5, 9, 10, 15, 20, 25, 100};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        assert_close(schedule_lr(&s, steps[i]), 0.1 * pow(0.5, steps[i] / 10.0), TOL);
    /* Hand values: half-way is 1/sqrt(2) of the start; each period halves. */
    assert_close(schedule_lr(&s, 5), 0.1 / sqrt(2.0), TOL);
    assert_close(schedule_lr(&s, 10), 0.05, TOL);
    assert_close(schedule_lr(&s, 20), 0.025, TOL);
}

static void test_schedule__exp_decay_staircase_jumps_at_multiples(void **state)
{
    (void)state;
    LrScheduleSpec s = {.kind = SCHED_EXP_DECAY, .initial = 0.1, .steps = 10, .rate = 0.5,
                        .staircase = true};
    for (int64_t k = 0; k <= 30; k++)
        assert_close(schedule_lr(&s, k), 0.1 * pow(0.5, floor(k / 10.0)), TOL);
    assert_close(schedule_lr(&s, 0), 0.1, TOL);
    assert_close(schedule_lr(&s, 9), 0.1, TOL);
    assert_close(schedule_lr(&s, 10), 0.05, TOL);
    assert_close(schedule_lr(&s, 19), 0.05, TOL);
    assert_close(schedule_lr(&s, 20), 0.025, TOL);
}

static void test_schedule__piecewise_boundary_belongs_to_earlier_segment(void **state)
{
    (void)state;
    static const double b[] = {2, 5};
    static const double v[] = {1.0, 0.5, 0.1};
    LrScheduleSpec s = {.kind = SCHED_PIECEWISE, .count = 2, .boundaries = b, .values = v};
    static const double want[] = {1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1};
    for (int64_t k = 0; k < 8; k++)
        assert_true(schedule_lr(&s, k) == want[k]);
    assert_true(schedule_lr(&s, 1000000) == 0.1);

    /* The minimize example of the language contract: boundary 0 means the
     * first update alone uses values[0]. */
    static const double b0[] = {0};
    static const double v0[] = {0.05, 0.5};
    LrScheduleSpec t = {.kind = SCHED_PIECEWISE, .count = 1, .boundaries = b0, .values = v0};
    assert_true(schedule_lr(&t, 0) == 0.05);
    assert_true(schedule_lr(&t, 1) == 0.5);
    assert_true(schedule_lr(&t, 19) == 0.5);
}

static double poly_ref(double initial, double end, double power, double steps, double s)
{
    s = fmin(s, steps);
    return (initial - end) * pow(1.0 - s / steps, power) + end;
}

static void test_schedule__polynomial_clamps_after_steps(void **state)
{
    (void)state;
    LrScheduleSpec s = {.kind = SCHED_POLYNOMIAL, .initial = 0.1, .steps = 10, .end = 0.01,
                        .power = 2};
    for (int64_t k = 0; k <= 25; k++)
        assert_close(schedule_lr(&s, k), poly_ref(0.1, 0.01, 2, 10, (double)k), TOL);
    assert_close(schedule_lr(&s, 0), 0.1, TOL);
    assert_close(schedule_lr(&s, 5), 0.09 * 0.25 + 0.01, TOL);
    assert_close(schedule_lr(&s, 10), 0.01, TOL);
    assert_close(schedule_lr(&s, 15), 0.01, TOL);
    s.power = 1;
    assert_close(schedule_lr(&s, 3), 0.09 * 0.7 + 0.01, TOL);
}

static void test_schedule__polynomial_cycle_stretches_steps(void **state)
{
    (void)state;
    LrScheduleSpec s = {.kind = SCHED_POLYNOMIAL, .initial = 0.1, .steps = 10, .end = 0.01,
                        .power = 1, .cycle = true};
    for (int64_t k = 0; k <= 40; k++) {
        double mult = k == 0 ? 1.0 : ceil(k / 10.0);
        double want = (0.1 - 0.01) * (1.0 - k / (10.0 * mult)) + 0.01;
        assert_close(schedule_lr(&s, k), want, TOL);
    }
    assert_close(schedule_lr(&s, 0), 0.1, TOL);              /* multiplier 1 at 0 */
    assert_close(schedule_lr(&s, 10), 0.01, TOL);             /* end of first cycle */
    assert_close(schedule_lr(&s, 11), 0.09 * 0.45 + 0.01, TOL); /* steps' = 20 */
    assert_close(schedule_lr(&s, 20), 0.01, TOL);
    assert_close(schedule_lr(&s, 25), 0.09 * (5.0 / 30.0) + 0.01, TOL);
}

static void test_schedule__inverse_time(void **state)
{
    (void)state;
    LrScheduleSpec s = {.kind = SCHED_INVERSE_TIME, .initial = 1.0, .steps = 4, .rate = 0.5};
    for (int64_t k = 0; k <= 20; k++)
        assert_close(schedule_lr(&s, k), 1.0 / (1.0 + 0.5 * (k / 4.0)), TOL);
    assert_close(schedule_lr(&s, 0), 1.0, TOL);
    assert_close(schedule_lr(&s, 2), 0.8, TOL);
    assert_close(schedule_lr(&s, 4), 1.0 / 1.5, TOL);
    assert_close(schedule_lr(&s, 8), 0.5, TOL);

    s.staircase = true;
    for (int64_t k = 0; k <= 20; k++)
        assert_close(schedule_lr(&s, k), 1.0 / (1.0 + 0.5 * floor(k / 4.0)), TOL);
    assert_close(schedule_lr(&s, 3), 1.0, TOL);
    assert_close(schedule_lr(&s, 4), 1.0 / 1.5, TOL);
    assert_close(schedule_lr(&s, 7), 1.0 / 1.5, TOL);
    assert_close(schedule_lr(&s, 8), 0.5, TOL);
}

static void test_schedule__cosine_decays_to_alpha(void **state)
{
    (void)state;
    LrScheduleSpec s = {.kind = SCHED_COSINE, .initial = 0.1, .steps = 10, .target = 0.1};
    for (int64_t k = 0; k <= 20; k++) {
        double t = fmin((double)k, 10.0);
        assert_close(schedule_lr(&s, k), 0.1 * 0.5 * (1.0 + cos(PI * t / 10.0)), TOL);
    }
    assert_close(schedule_lr(&s, 0), 0.1, TOL);
    assert_close(schedule_lr(&s, 5), 0.05, TOL);
    assert_close(schedule_lr(&s, 10), 0.0, TOL);
    assert_close(schedule_lr(&s, 20), 0.0, TOL);

    s.alpha = 0.1;
    assert_close(schedule_lr(&s, 0), 0.1, TOL);
    assert_close(schedule_lr(&s, 5), 0.1 * (0.9 * 0.5 + 0.1), TOL);
    assert_close(schedule_lr(&s, 10), 0.01, TOL);
    assert_close(schedule_lr(&s, 11), 0.01, TOL);
}

static void test_schedule__cosine_warmup_then_decay(void **state)
{
    (void)state;
    LrScheduleSpec s = {.kind = SCHED_COSINE, .initial = 0.0, .steps = 8, .alpha = 0.2,
                        .warmup = 4, .target = 1.0, .has_target = true};
    for (int64_t k = 0; k <= 20; k++) {
        double want;
        if (k < 4) {
            want = 0.0 + (1.0 - 0.0) * k / 4.0;
        } else {
            double t = fmin(k - 4.0, 8.0);
            want = 1.0 * ((1.0 - 0.2) * 0.5 * (1.0 + cos(PI * t / 8.0)) + 0.2);
        }
        assert_close(schedule_lr(&s, k), want, TOL);
    }
    assert_close(schedule_lr(&s, 0), 0.0, TOL);
    assert_close(schedule_lr(&s, 1), 0.25, TOL);
    assert_close(schedule_lr(&s, 3), 0.75, TOL);
    assert_close(schedule_lr(&s, 4), 1.0, TOL);  /* warmup reaches target */
    assert_close(schedule_lr(&s, 8), 0.6, TOL);  /* half-way down: (1+0.2)/2 */
    assert_close(schedule_lr(&s, 12), 0.2, TOL); /* alpha * target at the end */
    assert_close(schedule_lr(&s, 1000), 0.2, TOL);
}

static void test_schedule__cosine_warmup_without_target_is_ignored(void **state)
{
    (void)state;
    /* Keras's CosineDecay with warmup_steps=3 and no warmup_target: the
     * plain decay of initial from step 0 (the checker sets target to
     * initial when it is not given). */
    LrScheduleSpec s = {.kind = SCHED_COSINE, .initial = 0.1, .steps = 10, .alpha = 0.1,
                        .warmup = 3, .target = 0.1};
    for (int64_t k = 0; k <= 20; k++) {
        double t = fmin((double)k, 10.0);
        assert_close(schedule_lr(&s, k), 0.1 * (0.9 * 0.5 * (1.0 + cos(PI * t / 10.0)) + 0.1), TOL);
    }
    assert_true(schedule_lr(&s, 1) < 0.1); /* decaying from the first step, not held */
    assert_close(schedule_lr(&s, 10), 0.01, TOL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule__constant_ignores_step),
        cmocka_unit_test(test_schedule__exp_decay_continuous),
        cmocka_unit_test(test_schedule__exp_decay_staircase_jumps_at_multiples),
        cmocka_unit_test(test_schedule__piecewise_boundary_belongs_to_earlier_segment),
        cmocka_unit_test(test_schedule__polynomial_clamps_after_steps),
        cmocka_unit_test(test_schedule__polynomial_cycle_stretches_steps),
        cmocka_unit_test(test_schedule__inverse_time),
        cmocka_unit_test(test_schedule__cosine_decays_to_alpha),
        cmocka_unit_test(test_schedule__cosine_warmup_then_decay),
        cmocka_unit_test(test_schedule__cosine_warmup_without_target_is_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
