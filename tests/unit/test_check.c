/* test_check.c — the checker: the Spec it builds (defaults filled in,
 * constants folded) and one test per diagnostic kind, with the exact message
 * and position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "check.h"
#include "expr.h"
#include "parse.h"

typedef struct Fixture {
    LrSource src;
    LrArena arena;
    LrDiag diag;
    LrProgram prog;
    LrSpec spec;
} Fixture;

static int setup(void **state)
{
    static Fixture f;
    memset(&f, 0, sizeof f);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    arena_free(&f->arena);
    source_free(&f->src);
    return 0;
}

/* Parses and checks text; returns the checker's status. */
static int run(Fixture *f, const char *text)
{
    source_free(&f->src); /* a test may run several texts */
    assert_int_equal(source_from_string(&f->src, "t.lr", text), 0);
    diag_init(&f->diag, NULL);
    if (parse_program(&f->src, &f->arena, &f->diag, &f->prog) < 0)
        return -2;
    return check_program(&f->prog, &f->arena, &f->diag, &f->spec);
}

/* The base experiment, with line `line` (1-based) replaced by `with`. */
static const char *experiment(int line, const char *with)
{
    static const char *const lines[] = {
        "dataset d = linear(n=100, features=3)", "model dense(1)", "loss mse",
        "optimizer sgd lr=0.01", "train epochs=2"};
    static char buf[1024];
    buf[0] = '\0';
    for (int i = 0; i < 5; i++) {
        strcat(buf, i + 1 == line ? with : lines[i]);
        strcat(buf, "\n");
    }
    return buf;
}

static void expect_error(void **state, int line, const char *with, const char *first)
{
    Fixture *f = *state;
    assert_int_equal(run(f, experiment(line, with)), -1);
    assert_string_equal(f->diag.first, first);
}

/* ------------------------------------------------------------------ specs */

static void test_check__defaults_are_keras(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "dataset d = linear(n=10, features=2)\nmodel dense(1)\n"
                            "loss mse\noptimizer sgd\ntrain\n"),
                     0);
    assert_true(f->spec.train.epochs == 1 && f->spec.train.batch == 32);
    assert_true(f->spec.train.shuffle);
    assert_int_equal(f->spec.optimizer.lr.kind, SCHED_CONSTANT);
    assert_close(f->spec.optimizer.lr.initial, 0.01, 0);
    assert_close(f->spec.optimizer.momentum, 0, 0);
    assert_int_equal(f->spec.layers[0].activation, ACT_LINEAR);
    assert_int_equal(f->spec.layers[0].init.kind, INIT_GLOROT_UNIFORM);
    assert_int_equal(f->spec.layers[0].bias_init.kind, INIT_ZEROS);
    assert_close(f->spec.datasets[0].low, 0, 0);
    assert_close(f->spec.datasets[0].high, 1, 0);
    assert_close(f->spec.datasets[0].weights[1], 1, 0);
    assert_false(f->spec.has_seed);
}

static void test_check__students_example(void **state)
{
    Fixture *f = *state;
    assert_int_equal(
        run(f, "seed 42\n"
               "dataset grades = linear(n=10000, features=3, low=0, high=5,\n"
               "                        weights=[0.3, 0.3, 0.4], bias=0, noise=0.2)\n"
               "model dense(1, init=normal(stddev=0.01))\nloss mse\n"
               "optimizer sgd lr=exp_decay(0.05, steps=20000, rate=0.9, staircase=true)\n"
               "train epochs=4 batch=8 shuffle=true\n"),
        0);
    assert_true(f->spec.seed == 42);
    assert_string_equal(f->spec.datasets[0].name, "grades");
    assert_true(f->spec.datasets[0].n == 10000 && f->spec.datasets[0].features == 3);
    assert_close(f->spec.datasets[0].weights[2], 0.4, 0);
    assert_close(f->spec.datasets[0].noise, 0.2, 0);
    assert_int_equal(f->spec.layers[0].init.kind, INIT_NORMAL);
    assert_close(f->spec.layers[0].init.a, 0, 0);
    assert_close(f->spec.layers[0].init.b, 0.01, 0);
    const LrScheduleSpec *s = &f->spec.optimizer.lr;
    assert_int_equal(s->kind, SCHED_EXP_DECAY);
    assert_close(s->initial, 0.05, 0);
    assert_close(s->steps, 20000, 0);
    assert_close(s->rate, 0.9, 0);
    assert_true(s->staircase);
    assert_true(f->spec.train.epochs == 4 && f->spec.train.batch == 8);
}

static void test_check__folds_constants_and_lets(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "let base = 0.1\nlet half = base / 2\n"
                            "let net = dense(3, activation=relu) -> dense(1)\n"
                            "dataset d = linear(n=10, features=2)\nmodel net\nloss mse\n"
                            "optimizer sgd lr=half * 2^-1 + sqrt(4) - 2 momentum=0.5\n"
                            "train\n"),
                     0);
    assert_close(f->spec.optimizer.lr.initial, 0.025, 1e-15);
    assert_close(f->spec.optimizer.momentum, 0.5, 0);
    assert_int_equal(f->spec.layer_count, 2);
    assert_int_equal(f->spec.layers[0].units, 3);
    assert_int_equal(f->spec.layers[0].activation, ACT_RELU);
    assert_int_equal(f->spec.layers[1].units, 1);
}

static void test_check__cosine_target_defaults_to_initial(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, experiment(4, "optimizer sgd lr=cosine(0.1, 100, warmup=10)")), 0);
    assert_close(f->spec.optimizer.lr.target, 0.1, 0);
    assert_close(f->spec.optimizer.lr.warmup, 10, 0);
    assert_close(f->spec.optimizer.lr.alpha, 0, 0);
}

/* ------------------------------------------------------------ diagnostics */
/* An unknown optimizer is tests/errors/students (the README's example). */

static void test_check__unknown_loss_suggests(void **state)
{
    expect_error(state, 3, "loss mes", "3:6: error: unknown loss 'mes'; did you mean 'mse'?");
}

static void test_check__unknown_layer_suggests(void **state)
{
    expect_error(state, 2, "model dence(1)",
                 "2:7: error: unknown layer 'dence'; did you mean 'dense'?");
}

static void test_check__unknown_activation_suggests(void **state)
{
    expect_error(state, 2, "model dense(1, activation=rleu)",
                 "2:27: error: unknown activation 'rleu'; did you mean 'relu'?");
}

static void test_check__unknown_initializer_suggests(void **state)
{
    expect_error(state, 2, "model dense(1, init=glorot_unifrom)",
                 "2:21: error: unknown initializer 'glorot_unifrom'; did you mean "
                 "'glorot_uniform'?");
}

static void test_check__unknown_schedule_suggests(void **state)
{
    expect_error(state, 4, "optimizer sgd lr=exp_decy(0.1, 10, 0.5)",
                 "4:18: error: unknown schedule 'exp_decy'; did you mean 'exp_decay'?");
}

static void test_check__unknown_source_suggests(void **state)
{
    expect_error(state, 1, "dataset d = linaer(n=10, features=3)",
                 "1:13: error: unknown data source 'linaer'; did you mean 'linear'?");
}

static void test_check__unknown_option_suggests(void **state)
{
    expect_error(state, 5, "train epocs=4",
                 "5:7: error: train has no option 'epocs'; did you mean 'epochs'?");
}

static void test_check__unknown_argument_suggests(void **state)
{
    expect_error(state, 1, "dataset d = linear(n=10, featurs=3)",
                 "1:26: error: linear has no option 'featurs'; did you mean 'features'?");
}

static void test_check__unknown_name_suggests_a_let(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "let rate = 0.1\ndataset d = linear(n=10, features=3)\n"
                            "model dense(1)\nloss mse\noptimizer sgd lr=rat\ntrain\n"),
                     -1);
    assert_string_equal(f->diag.first, "5:18: error: unknown name 'rat'; did you mean 'rate'?");
}

static void test_check__name_used_before_definition(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "let a = b\nlet b = 1\ndataset d = linear(n=10, features=3)\n"
                            "model dense(a)\nloss mse\noptimizer sgd\ntrain\n"),
                     -1);
    assert_string_equal(f->diag.first,
                        "1:9: error: 'b' is used before it is defined (at line 2)");
}

static void test_check__redefinition(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "let a = 1\nlet a = 2\n"), -1);
    assert_string_equal(f->diag.first, "2:5: error: 'a' is already defined (at line 1)");
}

static void test_check__decay_steps_range(void **state)
{
    expect_error(state, 4, "optimizer sgd lr=exp_decay(0.1, steps=0, rate=0.5)",
                 "4:39: error: decay steps must be > 0");
}

static void test_check__piecewise_counts(void **state)
{
    expect_error(state, 4, "optimizer sgd lr=piecewise(boundaries=[10, 20], values=[0.1, 0.01])",
                 "4:56: error: piecewise needs one more value than boundaries "
                 "(2 boundaries, 2 values)");
}

static void test_check__piecewise_boundaries_increase(void **state)
{
    expect_error(state, 4, "optimizer sgd lr=piecewise(boundaries=[20, 10], values=[1, 2, 3])",
                 "4:39: error: boundaries must be strictly increasing");
}

static void test_check__weights_match_features(void **state)
{
    expect_error(state, 1, "dataset d = linear(n=10, features=3, weights=[0.5, 0.5])",
                 "1:46: error: weights has 2 entries but features=3");
}

static void test_check__sweep_only_as_a_let(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "let rate = 0.1 * sweep(1, 2)\n"), -1);
    assert_string_equal(f->diag.first, "1:18: error: sweep(...) must be the whole value of a "
                                       "let, as in let rate = sweep(0.1, 0.01)");
}

static void test_check__minimize_compiles_functions(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "let a = 2\nlet sq(u) = u * u\nlet g(x, y) = sq(x - 1) + a * sq(y)\n"
                            "minimize g(x, y) from x=3, y=-1 steps=7 optimizer=adam(beta1=0.8) "
                            "lr=0.1 trace=true\n"),
                     0);
    const LrMinimizeSpec *m = &f->spec.minimizes[0];
    assert_int_equal(f->spec.minimize_count, 1);
    assert_int_equal(m->var_count, 2);
    assert_string_equal(m->var_names[1], "y");
    assert_close(m->start[0], 3, 0);
    assert_close(m->start[1], -1, 0);
    assert_true(m->steps == 7 && m->trace);
    assert_int_equal(m->optimizer.kind, OPT_ADAM);
    assert_close(m->optimizer.beta1, 0.8, 0);
    assert_close(m->optimizer.lr.initial, 0.1, 0);
    /* The compiled formula evaluates to the function's value. */
    double x[2] = {3, -1}, work[256], adj[256], g[2];
    assert_true(m->expr.count <= 256);
    assert_close(expr_eval(&m->expr, x, g, work, adj, NULL), 4 + 2, 1e-12);
    assert_close(g[0], 2 * (3 - 1), 1e-12);
    assert_close(g[1], 2 * 2 * -1, 1e-12);
}

static void test_check__function_errors(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "let f(x) = x^2\nminimize f(x, x) from x=1\n"), -1);
    assert_string_equal(f->diag.first,
                        "2:10: error: 'f' takes 1 argument, not 2 (defined at line 1)");
    assert_int_equal(run(f, "let f(x) = f(x)\n"), -1);
    assert_string_equal(f->diag.first,
                        "1:12: error: 'f' is defined in terms of itself (recursion is not allowed)");
    assert_int_equal(run(f, "let a = 1 + a\n"), -1); /* a name, not a call */
    assert_string_equal(f->diag.first,
                        "1:13: error: 'a' is defined in terms of itself (recursion is not allowed)");
    assert_int_equal(run(f, "let f(x) = x\nminimize x from x=f\n"), -1);
    assert_string_equal(f->diag.first, "2:19: error: 'f' is a function: call it, as in f(...)");
    assert_int_equal(run(f, "let f(x, x) = x\n"), -1);
    assert_string_equal(f->diag.first, "1:10: error: parameter 'x' is listed twice");
}

static void test_check__type_mismatch(void **state)
{
    expect_error(state, 5, "train epochs=\"4\"", "5:14: error: expected a number, got a string");
}

static void test_check__schedule_where_number_is_needed(void **state)
{
    expect_error(state, 5, "train epochs=exp_decay(1, 2, 3)",
                 "5:14: error: expected a number, got a schedule ('exp_decay')");
}

static void test_check__integer_range(void **state)
{
    expect_error(state, 5, "train batch=2.5",
                 "5:13: error: batch must be an integer from 1 to 1000000000");
}

static void test_check__division_by_zero(void **state)
{
    expect_error(state, 4, "optimizer sgd lr=1/(2-2)", "4:18: error: division by zero");
}

static void test_check__duplicate_statement(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, experiment(5, "loss mae\ntrain")), -1);
    assert_string_equal(f->diag.first,
                        "5:1: error: a second 'loss' statement (the first is at line 3)");
}

static void test_check__missing_argument(void **state)
{
    expect_error(state, 2, "model dense(activation=relu)", "2:7: error: dense needs 'units'");
}

static void test_check__argument_given_twice(void **state)
{
    expect_error(state, 2, "model dense(1, units=2)", "2:16: error: 'units' is given twice");
}

static void test_check__missing_statement(void **state)
{
    expect_error(state, 3, "", "5:1: error: train needs a loss: add a 'loss' statement");
}

static void test_check__nothing_to_run(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "seed 1\n"), -1);
    assert_string_equal(f->diag.first, "2:1: error: nothing to run: add a 'train' or 'minimize' statement");
}

static void test_check__momentum_range(void **state)
{
    expect_error(state, 4, "optimizer sgd momentum=1", "4:24: error: momentum must be >= 0 and < 1");
}

static void test_check__unknown_dataset_in_train(void **state)
{
    expect_error(state, 5, "train on=e", "5:10: error: unknown dataset 'e'");
}

static void test_check__reports_several_errors(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "dataset d = linear(n=0, features=3)\nmodel dense(1)\nloss mes\n"
                            "optimizer sdg\ntrain\n"),
                     -1);
    assert_int_equal(f->diag.errors, 3);
}

/* ------------------------------------------------- training on real data */

static void test_check__optimizer_defaults(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, experiment(4, "optimizer adamw")), 0);
    const LrOptimizerSpec *o = &f->spec.optimizer;
    assert_int_equal(o->kind, OPT_ADAMW);
    assert_close(o->lr.initial, 0.001, 0);
    assert_close(o->beta1, 0.9, 0);
    assert_close(o->beta2, 0.999, 0);
    assert_close(o->epsilon, 1e-7, 0);
    assert_close(o->weight_decay, 0.004, 0);
    assert_close(o->clip_norm, 0, 0);
    assert_int_equal(run(f, experiment(4, "optimizer adagrad clip_norm=1")), 0);
    assert_close(f->spec.optimizer.initial_accumulator, 0.1, 0);
    assert_close(f->spec.optimizer.clip_norm, 1, 0);
    assert_int_equal(run(f, experiment(4, "optimizer rmsprop")), 0);
    assert_close(f->spec.optimizer.rho, 0.9, 0);
}

static void test_check__optimizer_option_it_does_not_take(void **state)
{
    expect_error(state, 4, "optimizer sgd beta1=0.8",
                 "4:15: error: sgd has no option 'beta1' (its options: lr momentum nesterov "
                 "clip_norm)");
}

static void test_check__datasets_parts_and_splits(void **state)
{
    Fixture *f = *state;
    assert_int_equal(
        run(f, "dataset a = blobs(n=100, features=2, classes=3) validation=0.2 test=0.1 "
               "normalize=standard\n"
               "dataset b = moons(200)\n"
               "model dense(8, activation=relu) -> dropout(0.5) -> dense(3) -> softmax\n"
               "loss categorical_crossentropy\noptimizer adam\n"
               "train on=a epochs=3 metrics=[accuracy, mae] early_stop=patience(2)\n"
               "evaluate on=a.test\n"),
        0);
    const LrSpec *s = &f->spec;
    assert_int_equal(s->dataset_count, 2);
    assert_close(s->datasets[0].validation, 0.2, 0);
    assert_int_equal(s->datasets[0].normalize, NORM_STANDARD);
    assert_close(s->datasets[0].spread, 1.0, 0);
    assert_int_equal(s->train.on.dataset, 0);
    /* The validation part is used by default. */
    assert_int_equal(s->train.validation.dataset, 0);
    assert_int_equal(s->train.validation.part, PART_VALIDATION);
    assert_int_equal(s->train.metric_count, 2);
    assert_int_equal(s->train.metrics[1], METRIC_MAE);
    assert_true(s->train.early_stop.enabled && s->train.early_stop.patience == 2);
    assert_true(s->train.early_stop.restore_best);
    assert_int_equal(s->layer_count, 4);
    assert_int_equal(s->layers[1].kind, LAYER_DROPOUT);
    assert_close(s->layers[1].rate, 0.5, 0);
    assert_int_equal(s->layers[3].kind, LAYER_ACTIVATION);
    assert_int_equal(s->layers[3].activation, ACT_SOFTMAX);
    assert_int_equal(s->evaluate_count, 1);
    assert_int_equal(s->evaluates[0].on.part, PART_TEST);
    /* evaluate takes train's metrics by default */
    assert_int_equal(s->evaluates[0].metric_count, 2);
}

static void test_check__part_that_is_not_held_out(void **state)
{
    expect_error(state, 5, "train on=d.test",
                 "5:10: error: dataset 'd' holds out no test part; add test=FRACTION to it");
}

static void test_check__unknown_part_suggests(void **state)
{
    expect_error(state, 5, "train on=d.valdation",
                 "5:12: error: a dataset has no part 'valdation'; did you mean 'validation'?");
}

static void test_check__unknown_metric_suggests(void **state)
{
    expect_error(state, 5, "train metrics=[acuracy]",
                 "5:16: error: unknown metric 'acuracy'; did you mean 'accuracy'?");
}

/* With no close name, the valid names are listed; a real activation that
 * lrc lacks is said to be unsupported, not taken for a typo of relu. */
static void test_check__unknown_names_list_the_valid_ones(void **state)
{
    expect_error(state, 3, "loss cross_entropy",
                 "3:6: error: unknown loss 'cross_entropy'; expected one of mse, half_mse, mae, "
                 "huber, binary_crossentropy, categorical_crossentropy");
    expect_error(state, 5, "train metrics=[specificity]",
                 "5:16: error: unknown metric 'specificity'; expected one of accuracy, mse, "
                 "half_mse, mae, huber, binary_crossentropy, categorical_crossentropy, precision, "
                 "recall, f1, auc, r2");
    expect_error(state, 2, "model lstm(3) -> dense(1)",
                 "2:7: error: unknown layer 'lstm'; expected one of dense, dropout, conv2d, "
                 "maxpool2d, avgpool2d, global_avgpool2d, flatten, reshape, batchnorm, "
                 "random_flip, linear, relu, sigmoid, tanh, softmax, gelu, leaky_relu, elu");
    expect_error(state, 2, "model dense(4, activation=selu) -> dense(1)",
                 "2:27: error: activation 'selu' is not supported yet; use one of linear, relu, "
                 "sigmoid, tanh, softmax, gelu, leaky_relu, elu");
    expect_error(state, 2, "model dense(4) -> swish -> dense(1)",
                 "2:19: error: layer 'swish' is not supported yet; use one of dense, dropout, "
                 "conv2d, maxpool2d, avgpool2d, global_avgpool2d, flatten, reshape, batchnorm, "
                 "random_flip, linear, relu, sigmoid, tanh, softmax, gelu, leaky_relu, elu");
}

static void test_check__csv_needs_a_label(void **state)
{
    expect_error(state, 1, "dataset d = csv(\"x.csv\")",
                 "1:13: error: csv needs the target column: label=\"name\" or labels=[...]");
}

static void test_check__csv_path_is_relative_to_the_file(void **state)
{
    Fixture *f = *state;
    assert_int_equal(source_from_string(&f->src, "dir/sub/t.lr",
                                        "dataset d = csv(\"data/x.csv\", label=\"y\")\n"
                                        "model dense(1)\nloss mse\noptimizer sgd\ntrain\n"),
                     0);
    diag_init(&f->diag, NULL);
    assert_int_equal(parse_program(&f->src, &f->arena, &f->diag, &f->prog), 0);
    assert_int_equal(check_program(&f->prog, &f->arena, &f->diag, &f->spec), 0);
    assert_string_equal(f->spec.datasets[0].resolved_path, "dir/sub/data/x.csv");
    assert_string_equal(f->spec.datasets[0].path, "data/x.csv");
}

static void test_check__crossentropy_needs_outputs(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "dataset d = blobs(n=10, features=2, classes=3)\nmodel dense(2)\n"
                            "loss categorical_crossentropy\noptimizer sgd\ntrain\n"),
                     -1);
    assert_string_equal(f->diag.first,
                        "2:7: error: the last layer has 2 units but the dataset has 3 classes");
}

static void test_check__dropout_rate_range(void **state)
{
    expect_error(state, 2, "model dropout(1) -> dense(1)",
                 "2:15: error: dropout rate must be >= 0 and < 1");
}

static void test_check__several_datasets_need_on(void **state)
{
    Fixture *f = *state;
    assert_int_equal(run(f, "dataset a = moons(10)\ndataset b = moons(10)\nmodel dense(1)\n"
                            "loss mse\noptimizer sgd\ntrain\n"),
                     -1);
    assert_string_equal(f->diag.first,
                        "6:1: error: there are 2 datasets: say which with train on=NAME");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_check__defaults_are_keras),
        T(test_check__students_example),
        T(test_check__folds_constants_and_lets),
        T(test_check__cosine_target_defaults_to_initial),
        T(test_check__unknown_loss_suggests),
        T(test_check__unknown_layer_suggests),
        T(test_check__unknown_activation_suggests),
        T(test_check__unknown_initializer_suggests),
        T(test_check__unknown_schedule_suggests),
        T(test_check__unknown_source_suggests),
        T(test_check__unknown_option_suggests),
        T(test_check__unknown_argument_suggests),
        T(test_check__unknown_name_suggests_a_let),
        T(test_check__name_used_before_definition),
        T(test_check__redefinition),
        T(test_check__decay_steps_range),
        T(test_check__piecewise_counts),
        T(test_check__piecewise_boundaries_increase),
        T(test_check__weights_match_features),
        T(test_check__sweep_only_as_a_let),
        T(test_check__minimize_compiles_functions),
        T(test_check__function_errors),
        T(test_check__type_mismatch),
        T(test_check__schedule_where_number_is_needed),
        T(test_check__integer_range),
        T(test_check__division_by_zero),
        T(test_check__duplicate_statement),
        T(test_check__missing_argument),
        T(test_check__argument_given_twice),
        T(test_check__missing_statement),
        T(test_check__nothing_to_run),
        T(test_check__momentum_range),
        T(test_check__unknown_dataset_in_train),
        T(test_check__reports_several_errors),
        T(test_check__optimizer_defaults),
        T(test_check__optimizer_option_it_does_not_take),
        T(test_check__datasets_parts_and_splits),
        T(test_check__part_that_is_not_held_out),
        T(test_check__unknown_part_suggests),
        T(test_check__unknown_metric_suggests),
        T(test_check__unknown_names_list_the_valid_ones),
        T(test_check__csv_needs_a_label),
        T(test_check__csv_path_is_relative_to_the_file),
        T(test_check__crossentropy_needs_outputs),
        T(test_check__dropout_rate_range),
        T(test_check__several_datasets_need_on),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
