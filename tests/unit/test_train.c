/* test_train.c — the training loop allocates nothing: malloc, calloc and
 * realloc are wrapped at link time (-Wl,--wrap) and counted while
 * train_run runs, for a model with every kind of layer and an optimizer
 * with two slots, over several epochs with validation and early stopping.
 * (BLAS's own internals are outside the count: only lrc's code is
 * wrapped.) */
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

static void test_train__loop_allocates_nothing(void **state)
{
    (void)state;
    LrSource src;
    assert_int_equal(source_from_string(&src, "t.lr", experiment), 0);
    LrArena arena = {0};
    LrDiag diag;
    diag_init(&diag, stderr);
    LrProgram prog;
    LrSpec spec;
    assert_int_equal(parse_program(&src, &arena, &diag, &prog), 0);
    assert_int_equal(check_program(&prog, &arena, &diag, &spec), 0);
    LrPlan plan;
    /* The counter sees allocations: building the plan makes some. */
    counting = 1;
    assert_int_equal(plan_build(&plan, &spec, &src, &diag), LR_OK);
    counting = 0;
    assert_true(allocations > 0);
    allocations = 0;
    LrTrainState ts;
    train_state_init(&ts);
    LrTrainHooks hooks = {0};
    /* stdio allocates its buffer on first use: not the loop's doing. */
    printf("training:\n");
    counting = 1;
    LrStatus status = train_run(&plan, &ts, &src, &diag, &hooks);
    counting = 0;
    assert_int_equal(status, LR_OK);
    assert_int_equal(ts.epochs_done, 4);
    assert_true(plan.optimizer.step == 4 * (480 / 25 + 1)); /* 480 training rows */
    assert_int_equal(allocations, 0);
    plan_free(&plan);
    arena_free(&arena);
    source_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train__loop_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
