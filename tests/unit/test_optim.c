/* test_optim.c — the update rules against Keras 3's formulas: the first
 * three updates of sgd (plain, momentum, nesterov) worked out by hand;
 * adam, adamw, rmsprop (with and without momentum) and adagrad with Keras's
 * default hyperparameters against a double-precision reference written from
 * the formulas (and the first update's value by hand); clip_norm per
 * variable; slot counts and reset; the learning rate following its schedule
 * by step, step 0 for the first update; the same bytes from an update split
 * across 1 or 3 threads. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "optim.h"
#include "pool.h"


#define TOL 1e-6

/* ------------------------------------------------------------------------
 * SGD, by hand */

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
    assert_int_equal(optim_slot_count(&spec), 0);
    float p[2] = {1, 1}, v[2] = {7, 7};
    const float g[2] = {1, -2};
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .slot1 = v, .count = 2};
    /* p -= 0.1 * g */
    static const double want[3][2] = {{0.9, 1.2}, {0.8, 1.4}, {0.7, 1.6}};
    for (int k = 0; k < 3; k++) {
        assert_close(optim_step(&o), 0.1, 0);
        assert_close(p[0], want[k][0], TOL);
        assert_close(p[1], want[k][1], TOL);
    }
    assert_int_equal(o.step, 3);
    /* Without momentum the slot is neither read nor written. */
    assert_true(v[0] == 7 && v[1] == 7);
    o.slot1 = NULL;
    optim_step(&o);
    assert_close(p[0], 0.6, TOL);
}

static void test_optim__sgd_momentum_three_updates(void **state)
{
    (void)state;
    LrOptimizerSpec spec = sgd_spec(0.9, false);
    assert_int_equal(optim_slot_count(&spec), 1);
    float p[2] = {1, 1}, v[2] = {5, 5};
    const float g[2] = {1, -2};
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .slot1 = v, .count = 2};
    optim_reset(&o);
    assert_true(v[0] == 0 && v[1] == 0);
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
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .slot1 = v, .count = 2};
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

/* ------------------------------------------------------------------------
 * Adaptive optimizers with Keras's defaults, against a double reference */

/* Parameter 1 has small gradients, where epsilon's place (inside or
 * outside the root) changes the update by far more than float round-off;
 * parameter 2 is large, where adamw's decay p wd lr is visible. */
enum { P = 3, STEPS = 3 };
static const float P0[P] = {0.5f, 0.01f, 20.0f};
/* A different gradient at each update, of both signs and sizes. */
static const float GRADS[STEPS][P] = {
    {0.5f, -2e-3f, -2.0f}, {-0.3f, 1e-3f, 1.0f}, {0.8f, 1e-4f, 0.1f}};

/* Float parameter math against the double reference: round-off of a few
 * ulps of p, plus ~1e-5 relative error of the lr-sized updates (Keras's
 * bias corrections are computed in float32 too). */
static double param_tol(double p)
{
    return 1e-7 + 8 * 1.2e-7 * fabs(p);
}

/* Keras 3 defaults (learning_rate 0.001 for all four). */
static LrOptimizerSpec keras_default(LrOptimizerKind kind)
{
    LrOptimizerSpec s = {.kind = kind, .beta1 = 0.9, .beta2 = 0.999, .epsilon = 1e-7,
                         .weight_decay = 0.004, .rho = 0.9, .initial_accumulator = 0.1};
    s.lr.kind = SCHED_CONSTANT;
    s.lr.initial = 0.001;
    return s;
}

/* One update of the reference: Keras's formulas in double. m, v: slots. */
static void ref_update(const LrOptimizerSpec *s, int t, double *p, double g, double *m,
                       double *v)
{
    const double lr = s->lr.initial;
    switch (s->kind) {
    case OPT_ADAMW:
        *p -= *p * s->weight_decay * lr;
        /* fall through */
    case OPT_ADAM: {
        double alpha = lr * sqrt(1 - pow(s->beta2, t)) / (1 - pow(s->beta1, t));
        *m += (g - *m) * (1 - s->beta1);
        *v += (g * g - *v) * (1 - s->beta2);
        *p -= *m * alpha / (sqrt(*v) + s->epsilon);
        break;
    }
    case OPT_RMSPROP: {
        *m = s->rho * *m + (1 - s->rho) * g * g; /* m: the mean square */
        double inc = lr * g / sqrt(*m + s->epsilon);
        if (s->momentum > 0) {
            *v = s->momentum * *v + inc;
            *p -= *v;
        } else {
            *p -= inc;
        }
        break;
    }
    case OPT_ADAGRAD:
        *m += g * g;
        *p -= lr * g / sqrt(*m + s->epsilon);
        break;
    case OPT_SGD:
        break;
    }
}

/* Runs three updates of the optimizer and of the reference side by side;
 * returns p[0] after the first update for a hand check. */
static double check_three_updates(const LrOptimizerSpec *spec)
{
    float p[P], g[P], s1[P], s2[P];
    memcpy(p, P0, sizeof p);
    LrOptimizer o = {.spec = spec, .params = p, .grads = g, .count = P};
    int slots = optim_slot_count(spec);
    if (slots >= 1)
        o.slot1 = s1;
    if (slots >= 2)
        o.slot2 = s2;
    optim_reset(&o);
    double rp[P], rm[P], rv[P];
    for (int i = 0; i < P; i++) {
        rp[i] = P0[i];
        rm[i] = spec->kind == OPT_ADAGRAD ? spec->initial_accumulator : 0;
        rv[i] = 0;
    }
    double first = 0;
    for (int k = 0; k < STEPS; k++) {
        memcpy(g, GRADS[k], sizeof g);
        assert_close(optim_step(&o), 0.001, 0);
        for (int i = 0; i < P; i++) {
            ref_update(spec, k + 1, &rp[i], GRADS[k][i], &rm[i], &rv[i]);
            assert_close(p[i], rp[i], param_tol(rp[i]));
            assert_close_rel(s1[i], rm[i], 1e-6, 1);
            if (slots >= 2)
                assert_close_rel(s2[i], rv[i], 1e-6, 1e-3);
        }
        if (k == 0)
            first = p[0];
    }
    assert_int_equal(o.step, STEPS);
    return first;
}

static void test_optim__adam_three_updates(void **state)
{
    (void)state;
    LrOptimizerSpec spec = keras_default(OPT_ADAM);
    assert_int_equal(optim_slot_count(&spec), 2);
    /* By hand, first update of p0 = 0.5 with g = 0.5: m = 0.05,
     * v = 0.00025, alpha = 0.001 sqrt(0.001) / 0.1;
     * p = 0.5 - 0.05 alpha / (sqrt(0.00025) + 1e-7) = 0.49900000632. */
    assert_close(check_three_updates(&spec), 0.4990000063245154, 1e-7);
}

static void test_optim__adamw_three_updates(void **state)
{
    (void)state;
    LrOptimizerSpec spec = keras_default(OPT_ADAMW);
    assert_int_equal(optim_slot_count(&spec), 2);
    /* Decay first: 0.5 - 0.5 * 0.004 * 0.001 = 0.499998, then the same
     * adam step as above: 0.49899800632. */
    assert_close(check_three_updates(&spec), 0.4989980063245154, 1e-7);
}

static void test_optim__rmsprop_three_updates(void **state)
{
    (void)state;
    LrOptimizerSpec spec = keras_default(OPT_RMSPROP);
    assert_int_equal(optim_slot_count(&spec), 1);
    /* By hand: v = 0.1 * 0.25 = 0.025; p = 0.5 - 0.001 * 0.5 /
     * sqrt(0.025 + 1e-7) = 0.49683772866 (epsilon inside the root). */
    assert_close(check_three_updates(&spec), 0.4968377286643679, 1e-7);
}

static void test_optim__rmsprop_momentum_three_updates(void **state)
{
    (void)state;
    LrOptimizerSpec spec = keras_default(OPT_RMSPROP);
    spec.momentum = 0.9;
    assert_int_equal(optim_slot_count(&spec), 2);
    /* The first update equals plain rmsprop's (momentum starts at 0). */
    assert_close(check_three_updates(&spec), 0.4968377286643679, 1e-7);
}

static void test_optim__adagrad_three_updates(void **state)
{
    (void)state;
    LrOptimizerSpec spec = keras_default(OPT_ADAGRAD);
    assert_int_equal(optim_slot_count(&spec), 1);
    /* By hand: a = 0.1 + 0.25 = 0.35; p = 0.5 - 0.001 * 0.5 /
     * sqrt(0.35 + 1e-7) = 0.49915484587. */
    assert_close(check_three_updates(&spec), 0.4991548458660078, 1e-7);
    /* From an empty accumulator, small gradients put epsilon's place to
     * the test: a = 1e-8 after g = 1e-4, sqrt(a + 1e-7) = 3.3e-4 but
     * sqrt(a) + 1e-7 = 1.0e-4. */
    spec.initial_accumulator = 0;
    check_three_updates(&spec);
}

static void test_optim__reset_sets_slots_and_step(void **state)
{
    (void)state;
    LrOptimizerSpec spec = keras_default(OPT_ADAGRAD);
    spec.initial_accumulator = 0.25;
    float p[3] = {0}, g[3] = {0}, s1[3] = {9, 9, 9}, s2[3] = {9, 9, 9};
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .slot1 = s1, .slot2 = s2,
                     .count = 3, .step = 17};
    optim_reset(&o);
    assert_int_equal(o.step, 0);
    for (int i = 0; i < 3; i++)
        assert_true(s1[i] == 0.25f && s2[i] == 9); /* adagrad has one slot */
    spec = keras_default(OPT_ADAM);
    optim_reset(&o);
    for (int i = 0; i < 3; i++)
        assert_true(s1[i] == 0 && s2[i] == 0);
}

/* ------------------------------------------------------------------------
 * clip_norm */

static void test_optim__clip_norm_per_variable(void **state)
{
    (void)state;
    /* Variable 0 = params [0, 2) with g = (3, 4), norm 5 > 1: becomes
     * (0.6, 0.8). Variable 1 = [2, 3) with g = 0.5, norm 0.5 <= 1: kept.
     * (A global clip would scale g = 0.5 too, by 1 / sqrt(25.25).)
     * sgd lr 0.1: p -= 0.1 g. */
    LrOptimizerSpec spec = sgd_spec(0, false);
    spec.clip_norm = 1.0;
    float p[3] = {1, 1, 1};
    const float g[3] = {3, 4, 0.5f};
    const size_t offsets[3] = {0, 2, 3};
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .count = 3,
                     .var_offsets = offsets, .var_count = 2};
    optim_step(&o);
    assert_close(p[0], 1 - 0.06, TOL);
    assert_close(p[1], 1 - 0.08, TOL);
    assert_close(p[2], 1 - 0.05, TOL);
    /* The gradients themselves are left alone (they are const). */
    assert_true(g[0] == 3 && g[1] == 4);

    /* Clipping comes before the rule: adam sees the clipped gradient. With
     * a clipped g = (0.6, 0.8) the first adam update is lr sign(g) (up to
     * epsilon), as for any gradient. */
    LrOptimizerSpec adam = keras_default(OPT_ADAM);
    adam.clip_norm = 1.0;
    float q[3] = {0, 0, 0}, m[3], v[3];
    LrOptimizer a = {.spec = &adam, .params = q, .grads = g, .slot1 = m, .slot2 = v,
                     .count = 3, .var_offsets = offsets, .var_count = 2};
    optim_reset(&a);
    optim_step(&a);
    assert_close(m[0], 0.1 * 0.6, 1e-7);
    assert_close(m[1], 0.1 * 0.8, 1e-7);
    assert_close(m[2], 0.1 * 0.5, 1e-7);
    assert_close(v[1], 0.001 * 0.64, 1e-9);
    /* p = -lr |g| sqrt(0.001) / (|g| sqrt(0.001) + eps), |g| = 0.6. The
     * bias correction is computed in float, as Keras does (0.999 in
     * float32 is 0.99900001287): 1e-5 relative. */
    const double want = -0.001 * 0.6 * sqrt(0.001) / (0.6 * sqrt(0.001) + 1e-7);
    assert_close(q[0], want, 1e-5 * 0.001);
}

/* ------------------------------------------------------------------------
 * Schedules */

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
    LrOptimizer o = {.spec = &spec, .params = p, .grads = g, .slot1 = v, .count = 1};
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

/* ------------------------------------------------------------------------
 * Threads: an update split across lrc's threads (pool.h) gives the bytes
 * of the whole one, for every rule, with and without clipping. */

enum { SPLIT_N = 90001 }; /* two variables of three and two grains or more */

/* Three updates of every rule at `threads` threads into p, s1, s2. */
static void three_updates(const LrOptimizerSpec *spec, int threads, float *p, float *s1,
                          float *s2)
{
    static float g[SPLIT_N];
    uint32_t seed = 7;
    for (size_t i = 0; i < SPLIT_N; i++) {
        seed = seed * 1664525u + 1013904223u;
        g[i] = (float)(seed >> 8) / 8388608.0f - 1.0f;
        p[i] = 0.5f - (float)i / SPLIT_N;
    }
    pool_set_threads(threads);
    pool_start();
    const size_t offsets[3] = {0, 50000, SPLIT_N};
    LrOptimizer o = {.spec = spec, .params = p, .grads = g, .slot1 = s1, .slot2 = s2,
                     .count = SPLIT_N, .var_offsets = offsets, .var_count = 2};
    optim_reset(&o);
    for (int k = 0; k < 3; k++)
        optim_step(&o);
    pool_stop();
    pool_set_threads(1);
}

static void test_optim__split_updates_are_identical(void **state)
{
    (void)state;
    static float p1[SPLIT_N], a1[SPLIT_N], b1[SPLIT_N], p3[SPLIT_N], a3[SPLIT_N], b3[SPLIT_N];
    LrOptimizerSpec specs[] = {sgd_spec(0, false), sgd_spec(0.9, false), sgd_spec(0.9, true),
                               keras_default(OPT_ADAM), keras_default(OPT_ADAMW),
                               keras_default(OPT_RMSPROP), keras_default(OPT_ADAGRAD)};
    specs[5].momentum = 0.5;
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
        for (int clip = 0; clip < 2; clip++) {
            LrOptimizerSpec spec = specs[i];
            spec.clip_norm = clip ? 3.0 : 0.0; /* both variables' norms are larger */
            three_updates(&spec, 1, p1, a1, b1);
            three_updates(&spec, 3, p3, a3, b3);
            assert_memory_equal(p1, p3, sizeof p1);
            int slots = optim_slot_count(&spec);
            if (slots >= 1)
                assert_memory_equal(a1, a3, sizeof a1);
            if (slots >= 2)
                assert_memory_equal(b1, b3, sizeof b1);
            assert_true(p1[0] != 0.5f); /* the updates happened */
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optim__sgd_plain_three_updates),
        cmocka_unit_test(test_optim__sgd_momentum_three_updates),
        cmocka_unit_test(test_optim__sgd_nesterov_three_updates),
        cmocka_unit_test(test_optim__adam_three_updates),
        cmocka_unit_test(test_optim__adamw_three_updates),
        cmocka_unit_test(test_optim__rmsprop_three_updates),
        cmocka_unit_test(test_optim__rmsprop_momentum_three_updates),
        cmocka_unit_test(test_optim__adagrad_three_updates),
        cmocka_unit_test(test_optim__reset_sets_slots_and_step),
        cmocka_unit_test(test_optim__clip_norm_per_variable),
        cmocka_unit_test(test_optim__lr_follows_schedule_from_step_zero),
        cmocka_unit_test(test_optim__momentum_uses_scheduled_lr),
        cmocka_unit_test(test_optim__split_updates_are_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
