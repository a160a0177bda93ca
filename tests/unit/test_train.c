/* test_train.c — the training loop allocates nothing: malloc, calloc and
 * realloc are wrapped at link time (-Wl,--wrap) and counted while
 * train_run runs, for a model with every kind of layer and an optimizer
 * with two slots, over several epochs with validation and early stopping;
 * and a model wide enough that its loops are split across lrc's threads
 * (pool.h) allocates nothing either, and learns the same bytes on 1 and 2
 * threads. (BLAS's own internals are outside the count: only lrc's code
 * is wrapped.) And the plan initializes a bias with the bias's own fans. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "parse.h"
#include "plan.h"
#include "pool.h"
#include "train.h"

static int counting;
static long allocations;

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t size);

void *__wrap_malloc(size_t size)
{
    allocations += counting;
    return __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    allocations += counting;
    return __real_calloc(count, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    allocations += counting;
    return __real_realloc(p, size);
}

static const char experiment[] =
    "seed 3\n"
    "dataset d = blobs(n=600, features=8, classes=3, spread=2) validation=0.2 normalize=standard\n"
    "model dense(16, activation=relu, l2=0.001) -> dropout(0.2) -> dense(16) -> tanh ->\n"
    "      dense(3, activation=softmax)\n"
    "loss categorical_crossentropy\n"
    "optimizer adam lr=exp_decay(0.01, steps=50, rate=0.5) clip_norm=1\n"
    "train epochs=4 batch=25 metrics=[accuracy, mae] early_stop=patience(3)\n";

/* A model whose layers (batch 128 x 256 units) and parameters are past
 * the pool's threshold. */
static const char wide_experiment[] =
    "seed 5\n"
    "dataset d = blobs(n=1000, features=40, classes=4, spread=3)\n"
    "model dense(256, activation=relu) -> dense(256, activation=tanh) ->\n"
    "      dense(4, activation=softmax)\n"
    "loss categorical_crossentropy\n"
    "optimizer sgd lr=0.05 momentum=0.9\n"
    "train epochs=2 batch=128\n";

/* Builds and trains `text` with lrc's loops on `threads` threads; checks
 * that the loop allocated nothing and took `steps` steps; copies the
 * initial and the learned parameters (at most max floats each) and returns
 * their count. */
static size_t train_counting(const char *text, int threads, int epochs, int64_t steps,
                             float *initial, float *params, size_t max)
{
    pool_set_threads(threads);
    LrSource src;
    assert_int_equal(source_from_string(&src, "t.lr", text), 0);
    LrArena arena = {0};
    LrDiag diag;
    diag_init(&diag, stderr);
    LrProgram prog;
    LrSpec spec;
    assert_int_equal(parse_program(&src, &arena, &diag, &prog), 0);
    assert_int_equal(check_program(&prog, &arena, &diag, &spec), 0);
    LrPlan plan;
    /* The counter sees allocations: building the plan makes some. */
    allocations = 0;
    counting = 1;
    assert_int_equal(plan_build(&plan, &spec, &src, &diag).outcome, LR_OK);
    plan_apply_normalization(&plan);
    counting = 0;
    assert_true(allocations > 0);
    allocations = 0;
    size_t count = plan.param_count;
    assert_true(count <= max);
    memcpy(initial, plan.params, count * sizeof *initial);
    LrTrainState ts;
    train_state_init(&ts);
    LrTrainHooks hooks = {0};
    /* stdio allocates its buffer on first use: not the loop's doing. */
    assert_int_equal(pool_threads(), threads);
    printf("training on %d thread(s):\n", pool_threads());
    counting = 1;
    LrStatus status = train_run(&plan, &ts, &src, &diag, &hooks);
    counting = 0;
    assert_int_equal(status.outcome, LR_OK);
    assert_int_equal(ts.epochs_done, epochs);
    assert_int_equal(plan.optimizer.step, steps);
    assert_int_equal(allocations, 0);
    memcpy(params, plan.params, count * sizeof *params);
    plan_free(&plan);
    arena_free(&arena);
    source_free(&src);
    pool_stop();
    return count;
}

static void test_train__loop_allocates_nothing(void **state)
{
    (void)state;
    static float initial[1000], params[1000];
    /* 480 training rows in batches of 25: 20 steps an epoch */
    train_counting(experiment, 1, 4, 4 * 20, initial, params, 1000);
}

static void test_train__split_loops_allocate_nothing_and_agree(void **state)
{
    (void)state;
    enum { MAX = 90000 };
    static float initial[MAX], one[MAX], two[MAX];
    /* 1000 rows in batches of 128: 8 steps an epoch */
    size_t n1 = train_counting(wide_experiment, 1, 2, 16, initial, one, MAX);
    size_t n2 = train_counting(wide_experiment, 2, 2, 16, initial, two, MAX);
    assert_int_equal(n1, 40 * 256 + 256 + 256 * 256 + 256 + 256 * 4 + 4);
    assert_int_equal(n1, n2);
    assert_memory_equal(one, two, n1 * sizeof *one);
    /* and training moved them: not two copies of the initial values */
    size_t moved = 0;
    for (size_t i = 0; i < n1; i++)
        moved += one[i] != initial[i];
    assert_true(moved > n1 / 2);
}

static void test_train__bias_initializer_uses_the_bias_fans(void **state)
{
    (void)state;
    /* Keras computes a vector's fans as its length: he_uniform on a bias of
     * 2000 units draws within sqrt(6 / 2000), not the layer's sqrt(6 / 2). */
    static const char text[] = "seed 1\n"
                               "dataset d = linear(n=10, features=2)\n"
                               "model dense(2000, bias_init=he_uniform) -> dense(1)\n"
                               "loss mse\n"
                               "optimizer sgd\n"
                               "train epochs=1 batch=10\n";
    enum { IN = 2, UNITS = 2000, COUNT = IN * UNITS + UNITS + UNITS + 1 };
    static float initial[COUNT], params[COUNT];
    assert_int_equal(train_counting(text, 1, 1, 1, initial, params, COUNT), COUNT);
    const float *bias = initial + IN * UNITS; /* layer by layer, kernel then bias */
    const double limit = sqrt(6.0 / UNITS);
    double top = 0;
    for (int i = 0; i < UNITS; i++) {
        assert_true(fabs(bias[i]) <= (float)limit);
        top = fmax(top, fabs(bias[i]));
    }
    assert_true(top > 0.99 * limit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train__loop_allocates_nothing),
        cmocka_unit_test(test_train__split_loops_allocate_nothing_and_agree),
        cmocka_unit_test(test_train__bias_initializer_uses_the_bias_fans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
