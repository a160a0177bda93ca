/* test_optim.c — the first three SGD updates (plain, momentum, nesterov)
 * against Keras's update rule worked out by hand, and the learning rate
 * following its schedule by step, step 0 for the first update. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "optim.h"

#define assert_close(a, b, tol) assert_close_at((a), (b), (tol), __FILE__, __LINE__)
static void assert_close_at(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}

#define TOL 1e-6

/* Two parameters starting at 1 with constant gradients 1 and -2; lr 0.1. */
static LrOptimizerSpec sgd_spec(double momentum, bool nesterov)
{
    LrOptimizerSpec s = {.kind = OPT_SGD, .momentum = momentum, .nesterov = nesterov};
    s.lr.kind = SCHED_CONSTANT;
    s.lr.initial = 0.1;
    return s;
}

static void test_optim__sgd_plain_three_updates(void **state)
{
    (void)state;
    LrOptimizerSpec spec = sgd_spec(0, false);
    float p[2] = {1, 1}, v[2] = {7, 7};
    const float g[2] = {1, -2};
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .velocity = v, .count = 2};
    /* p -= 0.1 * g */
    static const double want[3][2] = {{0.9, 1.2}, {0.8, 1.4}, {0.7, 1.6}};
    for (int k = 0; k < 3; k++) {
        assert_close(optim_step(&o), 0.1, 0);
        assert_close(p[0], want[k][0], TOL);
        assert_close(p[1], want[k][1], TOL);
    }
    assert_int_equal(o.step, 3);
    /* Without momentum the velocity slots are neither read nor written. */
    assert_true(v[0] == 7 && v[1] == 7);
    o.velocity = NULL;
    optim_step(&o);
    assert_close(p[0], 0.6, TOL);
}

static void test_optim__sgd_momentum_three_updates(void **state)
{
    (void)state;
    LrOptimizerSpec spec = sgd_spec(0.9, false);
    float p[2] = {1, 1}, v[2] = {0, 0};
    const float g[2] = {1, -2};
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .velocity = v, .count = 2};
    /* v = 0.9 v - 0.1 g; p += v:
     *   g = 1:  v = -0.1, -0.19, -0.271;  p = 0.9, 0.71, 0.439
     *   g = -2: v = 0.2, 0.38, 0.542;     p = 1.2, 1.58, 2.122 */
    static const double wv[3][2] = {{-0.1, 0.2}, {-0.19, 0.38}, {-0.271, 0.542}};
    static const double wp[3][2] = {{0.9, 1.2}, {0.71, 1.58}, {0.439, 2.122}};
    for (int k = 0; k < 3; k++) {
        optim_step(&o);
        for (int i = 0; i < 2; i++) {
            assert_close(v[i], wv[k][i], TOL);
            assert_close(p[i], wp[k][i], TOL);
        }
    }
}

static void test_optim__sgd_nesterov_three_updates(void **state)
{
    (void)state;
    LrOptimizerSpec spec = sgd_spec(0.9, true);
    float p[2] = {1, 1}, v[2] = {0, 0};
    const float g[2] = {1, -2};
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .velocity = v, .count = 2};
    /* v = 0.9 v - 0.1 g; p += 0.9 v - 0.1 g:
     *   g = 1:  p = 1 - 0.09 - 0.1 = 0.81; 0.81 - 0.171 - 0.1 = 0.539;
     *           0.539 - 0.2439 - 0.1 = 0.1951
     *   g = -2: p = 1 + 0.18 + 0.2 = 1.38; 1.38 + 0.342 + 0.2 = 1.922;
     *           1.922 + 0.4878 + 0.2 = 2.6098 */
    static const double wv[3][2] = {{-0.1, 0.2}, {-0.19, 0.38}, {-0.271, 0.542}};
    static const double wp[3][2] = {{0.81, 1.38}, {0.539, 1.922}, {0.1951, 2.6098}};
    for (int k = 0; k < 3; k++) {
        optim_step(&o);
        for (int i = 0; i < 2; i++) {
            assert_close(v[i], wv[k][i], TOL);
            assert_close(p[i], wp[k][i], TOL);
        }
    }
}

static void test_optim__lr_follows_schedule_from_step_zero(void **state)
{
    (void)state;
    static const double b[] = {0, 1};
    static const double vals[] = {0.1, 0.01, 0.001};
    LrOptimizerSpec spec = {.kind = OPT_SGD};
    spec.lr.kind = SCHED_PIECEWISE;
    spec.lr.count = 2;
    spec.lr.boundaries = b;
    spec.lr.values = vals;
    float p[1] = {1};
    const float g[1] = {1};
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .count = 1};
    /* Updates 1, 2, 3 use steps 0, 1, 2: lr 0.1, 0.01, 0.001. */
    assert_close(optim_step(&o), 0.1, 0);
    assert_close(p[0], 0.9, TOL);
    assert_close(optim_step(&o), 0.01, 0);
    assert_close(p[0], 0.89, TOL);
    assert_close(optim_step(&o), 0.001, 0);
    assert_close(p[0], 0.889, TOL);
    assert_int_equal(o.step, 3);

    /* A run resumed at step 1 continues the schedule there. */
    p[0] = 1;
    o.step = 1;
    assert_close(optim_step(&o), 0.01, 0);
    assert_close(p[0], 0.99, TOL);
}

static void test_optim__momentum_uses_scheduled_lr(void **state)
{
    (void)state;
    /* exp_decay(0.1, steps=1, rate=0.5): lr 0.1, 0.05, 0.025 by step. */
    LrOptimizerSpec spec = {.kind = OPT_SGD, .momentum = 0.5};
    spec.lr.kind = SCHED_EXP_DECAY;
    spec.lr.initial = 0.1;
    spec.lr.steps = 1;
    spec.lr.rate = 0.5;
    float p[1] = {0}, v[1] = {0};
    const float g[1] = {1};
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .velocity = v, .count = 1};
    /* v = -0.1, 0.5 * -0.1 - 0.05 = -0.1, 0.5 * -0.1 - 0.025 = -0.075;
     * p = -0.1, -0.2, -0.275 */
    optim_step(&o);
    assert_close(p[0], -0.1, TOL);
    optim_step(&o);
    assert_close(p[0], -0.2, TOL);
    assert_close(optim_step(&o), 0.025, 1e-15);
    assert_close(v[0], -0.075, TOL);
    assert_close(p[0], -0.275, TOL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optim__sgd_plain_three_updates),
        cmocka_unit_test(test_optim__sgd_momentum_three_updates),
        cmocka_unit_test(test_optim__sgd_nesterov_three_updates),
        cmocka_unit_test(test_optim__lr_follows_schedule_from_step_zero),
        cmocka_unit_test(test_optim__momentum_uses_scheduled_lr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
