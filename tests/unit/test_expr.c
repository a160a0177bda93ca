/* test_expr.c — expression tapes: every operation's value and exact
 * derivative at two or three points against its closed form written out
 * here (never finite differences, never recorded output); pow with a
 * constant and a variable exponent; the subgradients of min, max and abs;
 * the Rosenbrock gradient; a variable read several times; non-finite
 * values and derivatives reported at the right entry; a 10,000-entry chain
 * evaluated without recursion. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "test_util.h"

#include "expr.h"

#define PI 3.14159265358979323846264338327950288

/* Checked relative to the closed form beyond magnitude 1, absolute below. */
#define TOL 1e-12

/* ------------------------------------------------------------------------
 * A tape builder with its scratch arrays, one per test (the fixture). */

#define TAPE_CAPACITY 10050

typedef struct Tape {
    LrExprNode nodes[TAPE_CAPACITY];
    double work[TAPE_CAPACITY], adjoint[TAPE_CAPACITY];
    LrExpr e;
} Tape;

static int setup(void **state)
{
    Tape *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    t->e.nodes = t->nodes;
    t->e.root = -1;
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* Appends an entry and makes it the root; returns its index. */
static int push(Tape *t, LrExprOp op, int a, int b, double value)
{
    assert_true(t->e.count < TAPE_CAPACITY);
    int i = t->e.count++;
    t->nodes[i] = (LrExprNode){.op = op, .a = a, .b = b, .value = value};
    t->e.root = i;
    return i;
}

static int cst(Tape *t, double v) { return push(t, EXPR_CONST, 0, 0, v); }
static int var(Tape *t, int k)
{
    if (k + 1 > t->e.var_count)
        t->e.var_count = k + 1;
    return push(t, EXPR_VAR, k, 0, 0);
}
static int un(Tape *t, LrExprOp op, int a) { return push(t, op, a, 0, 0); }
static int bin(Tape *t, LrExprOp op, int a, int b) { return push(t, op, a, b, 0); }

static double eval(Tape *t, const double *vars, double *grad, int *bad)
{
    return expr_eval(&t->e, vars, grad, t->work, t->adjoint, bad);
}

/* Evaluates a one-variable tape at x, expecting no bad entry, and checks
 * value and derivative against the closed forms. */
static void check_1(Tape *t, double x, double want, double want_d)
{
    double g[1] = {-99};
    int bad = 7;
    assert_close_rel(eval(t, &x, g, &bad), want, TOL, 1);
    assert_close_rel(g[0], want_d, TOL, 1);
    assert_int_equal(bad, -1);
}

static void check_2(Tape *t, double x, double y, double want, double dx, double dy)
{
    double v[2] = {x, y}, g[2] = {-99, -99};
    int bad = 7;
    assert_close_rel(eval(t, v, g, &bad), want, TOL, 1);
    assert_close_rel(g[0], dx, TOL, 1);
    assert_close_rel(g[1], dy, TOL, 1);
    assert_int_equal(bad, -1);
}

/* ------------------------------------------------------------------------
 * Leaves and arithmetic */

static void test_expr__const_has_zero_gradient(void **state)
{
    Tape *t = *state;
    var(t, 0);
    cst(t, 2.5); /* the root ignores the variable */
    check_1(t, 3.0, 2.5, 0);
}

static void test_expr__var_is_identity(void **state)
{
    Tape *t = *state;
    var(t, 0);
    check_1(t, -1.25, -1.25, 1);
    check_1(t, 7.0, 7.0, 1);
}

static void test_expr__add_sub(void **state)
{
    Tape *t = *state;
    int x = var(t, 0), y = var(t, 1);
    bin(t, EXPR_ADD, x, y);
    check_2(t, 1.5, -4, -2.5, 1, 1);
    check_2(t, 0, 3, 3, 1, 1);
    t->nodes[t->e.root].op = EXPR_SUB;
    check_2(t, 1.5, -4, 5.5, 1, -1);
    check_2(t, 0, 3, -3, 1, -1);
}

static void test_expr__mul(void **state)
{
    Tape *t = *state;
    int x = var(t, 0), y = var(t, 1);
    bin(t, EXPR_MUL, x, y);
    /* d(xy) = (y, x) */
    check_2(t, 2, -3, -6, -3, 2);
    check_2(t, 0.5, 0, 0, 0, 0.5);
    check_2(t, -1.5, 4, -6, 4, -1.5);
}

static void test_expr__div(void **state)
{
    Tape *t = *state;
    int x = var(t, 0), y = var(t, 1);
    bin(t, EXPR_DIV, x, y);
    /* d(x/y) = (1/y, -x/y^2) */
    check_2(t, 3, 2, 1.5, 0.5, -0.75);
    check_2(t, -1, 0.25, -4, 4, 16);
    check_2(t, 0, -5, 0, -0.2, 0);
}

static void test_expr__neg(void **state)
{
    Tape *t = *state;
    un(t, EXPR_NEG, var(t, 0));
    check_1(t, 2, -2, -1);
    check_1(t, -0.5, 0.5, -1);
}

/* ------------------------------------------------------------------------
 * pow */

static void test_expr__pow_constant_exponent_at_negative_base(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    bin(t, EXPR_POW, x, cst(t, 3));
    /* d x^3 = 3 x^2: no ln(x) term since the exponent is a constant. */
    check_1(t, -2, -8, 12);
    check_1(t, 0.5, 0.125, 0.75);
    check_1(t, 0, 0, 0);
}

static void test_expr__pow_constant_subtree_exponent_has_no_log_term(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    /* x^(1 + 1): the exponent is an operation on constants, still constant. */
    bin(t, EXPR_POW, x, bin(t, EXPR_ADD, cst(t, 1), cst(t, 1)));
    check_1(t, -3, 9, -6);
    check_1(t, 1.5, 2.25, 3);
}

static void test_expr__pow_zero_exponent(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    bin(t, EXPR_POW, x, cst(t, 0));
    /* x^0 = 1 everywhere, also at 0, where 0 * 0^-1 would be NaN. */
    check_1(t, 0, 1, 0);
    check_1(t, -4, 1, 0);
}

static void test_expr__pow_x_to_the_x(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    bin(t, EXPR_POW, x, x);
    /* d x^x = x^x (ln x + 1) */
    const double xs[] = {0.5, 2, 3.7};
    for (int i = 0; i < 3; i++) {
        double v = pow(xs[i], xs[i]);
        check_1(t, xs[i], v, v * (log(xs[i]) + 1));
    }
}

static void test_expr__pow_constant_base(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    bin(t, EXPR_POW, cst(t, 2), x);
    /* d 2^x = 2^x ln 2 */
    check_1(t, 3, 8, 8 * log(2.0));
    check_1(t, -1, 0.5, 0.5 * log(2.0));
}

static void test_expr__pow_two_variables(void **state)
{
    Tape *t = *state;
    int x = var(t, 0), y = var(t, 1);
    bin(t, EXPR_POW, x, y);
    /* d x^y = (y x^(y-1), x^y ln x) */
    check_2(t, 2, 3, 8, 12, 8 * log(2.0));
    check_2(t, 9, 0.5, 3, 0.5 / 3, 3 * log(9.0));
    /* base 0, positive exponent: 0^y is 0 for every y > 0. */
    check_2(t, 0, 2, 0, 0, 0);
}

static void test_expr__pow_variable_exponent_at_negative_base_is_bad(void **state)
{
    Tape *t = *state;
    int x = var(t, 0), y = var(t, 1);
    int p = bin(t, EXPR_POW, x, y);
    double v[2] = {-2, 2}, g[2];
    int bad = 7;
    assert_close_rel(eval(t, v, g, &bad), 4, TOL, 1);
    assert_close_rel(g[0], -4, TOL, 1); /* 2 (-2)^1 */
    assert_true(isnan(g[1]));    /* (-2)^y is not defined around y = 2 */
    assert_int_equal(bad, p);
}

/* ------------------------------------------------------------------------
 * Functions of one argument, each through an inner function so that the
 * chain rule is exercised. */

static void test_expr__sin_over_x(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    int arg = bin(t, EXPR_MUL, cst(t, 3 * PI), x);
    bin(t, EXPR_DIV, un(t, EXPR_SIN, arg), x);
    /* d sin(3 pi x)/x = (3 pi x cos(3 pi x) - sin(3 pi x)) / x^2 */
    const double xs[] = {0.3, 1.7, -0.45};
    for (int i = 0; i < 3; i++) {
        double a = 3 * PI * xs[i];
        check_1(t, xs[i], sin(a) / xs[i], (3 * PI * xs[i] * cos(a) - sin(a)) / (xs[i] * xs[i]));
    }
}

static void test_expr__cos(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    un(t, EXPR_COS, bin(t, EXPR_MUL, cst(t, 2), x));
    /* d cos(2x) = -2 sin(2x) */
    const double xs[] = {0.4, -1.3, 2.9};
    for (int i = 0; i < 3; i++)
        check_1(t, xs[i], cos(2 * xs[i]), -2 * sin(2 * xs[i]));
}

static void test_expr__tan(void **state)
{
    Tape *t = *state;
    un(t, EXPR_TAN, var(t, 0));
    /* d tan x = 1 / cos^2 x; tan(pi/4) = 1, derivative 2. */
    check_1(t, PI / 4, 1, 2);
    check_1(t, 0, 0, 1);
    check_1(t, -1.2, tan(-1.2), 1 / (cos(1.2) * cos(1.2)));
}

static void test_expr__exp(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    un(t, EXPR_EXP, bin(t, EXPR_MUL, x, x));
    /* d exp(x^2) = 2x exp(x^2) */
    check_1(t, 0, 1, 0);
    check_1(t, 1, exp(1.0), 2 * exp(1.0));
    check_1(t, -1.5, exp(2.25), -3 * exp(2.25));
}

static void test_expr__log(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    un(t, EXPR_LOG, bin(t, EXPR_ADD, bin(t, EXPR_MUL, x, x), cst(t, 1)));
    /* d log(x^2 + 1) = 2x / (x^2 + 1) */
    check_1(t, 0, 0, 0);
    check_1(t, 1, log(2.0), 1);
    check_1(t, -3, log(10.0), -0.6);
}

static void test_expr__sqrt(void **state)
{
    Tape *t = *state;
    un(t, EXPR_SQRT, var(t, 0));
    /* d sqrt x = 1 / (2 sqrt x) */
    check_1(t, 4, 2, 0.25);
    check_1(t, 0.25, 0.5, 1);
    check_1(t, 2, sqrt(2.0), 1 / (2 * sqrt(2.0)));
}

static void test_expr__abs_subgradient(void **state)
{
    Tape *t = *state;
    un(t, EXPR_ABS, var(t, 0));
    check_1(t, -3, 3, -1);
    check_1(t, 2, 2, 1);
    check_1(t, 0, 0, 0); /* the subgradient 0 at the kink */
}

static void test_expr__sinh(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    un(t, EXPR_SINH, bin(t, EXPR_MUL, cst(t, 2), x));
    /* d sinh(2x) = 2 cosh(2x) */
    check_1(t, 0, 0, 2);
    check_1(t, 0.7, sinh(1.4), 2 * cosh(1.4));
    check_1(t, -1.1, sinh(-2.2), 2 * cosh(2.2));
}

static void test_expr__cosh(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    un(t, EXPR_COSH, bin(t, EXPR_DIV, bin(t, EXPR_MUL, cst(t, PI), x), cst(t, 4)));
    /* d cosh(pi x / 4) = pi/4 sinh(pi x / 4) */
    const double xs[] = {0, 1, -2.5};
    for (int i = 0; i < 3; i++) {
        double a = PI * xs[i] / 4;
        check_1(t, xs[i], cosh(a), PI / 4 * sinh(a));
    }
}

static void test_expr__tanh(void **state)
{
    Tape *t = *state;
    un(t, EXPR_TANH, var(t, 0));
    /* d tanh x = 1 - tanh^2 x = 1 / cosh^2 x */
    check_1(t, 0, 0, 1);
    check_1(t, 0.8, tanh(0.8), 1 / (cosh(0.8) * cosh(0.8)));
    check_1(t, -2, tanh(-2.0), 1 / (cosh(2.0) * cosh(2.0)));
}

/* ------------------------------------------------------------------------
 * min and max */

static void test_expr__min_subgradient(void **state)
{
    Tape *t = *state;
    int x = var(t, 0), y = var(t, 1);
    bin(t, EXPR_MIN, x, y);
    check_2(t, 1, 2, 1, 1, 0);
    check_2(t, 3, -2, -2, 0, 1);
    check_2(t, 5, 5, 5, 1, 0); /* tie: the first operand */
}

static void test_expr__max_subgradient(void **state)
{
    Tape *t = *state;
    int x = var(t, 0), y = var(t, 1);
    bin(t, EXPR_MAX, x, y);
    check_2(t, 1, 2, 2, 0, 1);
    check_2(t, 3, -2, 3, 1, 0);
    check_2(t, 5, 5, 5, 1, 0); /* tie: the first operand */
}

static void test_expr__min_unselected_branch_derivative_is_not_used(void **state)
{
    Tape *t = *state;
    int x = var(t, 0), y = var(t, 1);
    /* min(x, sqrt y) at x = -1, y = 0: sqrt'(0) is infinite, but the
     * branch is not selected, so it contributes nothing and is not bad. */
    bin(t, EXPR_MIN, x, un(t, EXPR_SQRT, y));
    check_2(t, -1, 0, -1, 1, 0);
}

/* min and max propagate a NaN from either side, as numpy's minimum and
 * IEEE 754-2019 minimum do; C's fmin(1, NaN) would give 1. The checker
 * folds constants through expr_apply, so this is the language's rule. */
static void test_expr__min_max_propagate_nan(void **state)
{
    (void)state;
    assert_true(isnan(expr_apply(EXPR_MIN, 1, NAN)));
    assert_true(isnan(expr_apply(EXPR_MIN, NAN, 1)));
    assert_true(isnan(expr_apply(EXPR_MAX, 1, NAN)));
    assert_true(isnan(expr_apply(EXPR_MAX, NAN, 1)));
    assert_true(expr_apply(EXPR_MIN, 2, -3) == -3);
    assert_true(expr_apply(EXPR_MAX, 2, -3) == 2);
    /* Ties pick the first operand, as the backward pass assumes. */
    assert_true(signbit(expr_apply(EXPR_MIN, -0.0, 0.0)));
    assert_true(!signbit(expr_apply(EXPR_MAX, 0.0, -0.0)));
}

static void test_expr__min_of_nan_variable_is_nan_on_the_tape(void **state)
{
    Tape *t = *state;
    int x = var(t, 0), y = var(t, 1);
    bin(t, EXPR_MAX, bin(t, EXPR_MIN, x, y), cst(t, 0));
    double v[2] = {1, NAN}, g[2];
    int bad;
    assert_true(isnan(eval(t, v, g, &bad)));
    assert_int_equal(bad, 1); /* the variable itself, the first entry not finite */
}

/* ------------------------------------------------------------------------
 * Several variables and shared entries */

static void test_expr__rosenbrock_gradient(void **state)
{
    Tape *t = *state;
    /* f = (x - 1)^2 + 10 (y - x^2)^2 */
    int x = var(t, 0), y = var(t, 1), two = cst(t, 2);
    int a = bin(t, EXPR_POW, bin(t, EXPR_SUB, x, cst(t, 1)), two);
    int b = bin(t, EXPR_POW, bin(t, EXPR_SUB, y, bin(t, EXPR_POW, x, two)), two);
    bin(t, EXPR_ADD, a, bin(t, EXPR_MUL, cst(t, 10), b));
    /* df/dx = 2 (x - 1) - 40 x (y - x^2); df/dy = 20 (y - x^2) */
    const double pts[][2] = {{-1.2, 1}, {1, 1}, {0.5, -0.3}};
    for (int i = 0; i < 3; i++) {
        double px = pts[i][0], py = pts[i][1], r = py - px * px;
        check_2(t, px, py, (px - 1) * (px - 1) + 10 * r * r,
                2 * (px - 1) - 40 * px * r, 20 * r);
    }
}

static void test_expr__variable_read_twice_sums(void **state)
{
    Tape *t = *state;
    /* Two separate VAR entries for x, and one entry used twice: x sin x + x.
     * d = sin x + x cos x + 1 */
    int x1 = var(t, 0), x2 = var(t, 0);
    bin(t, EXPR_ADD, bin(t, EXPR_MUL, x1, un(t, EXPR_SIN, x1)), x2);
    check_1(t, 0.6, 0.6 * sin(0.6) + 0.6, sin(0.6) + 0.6 * cos(0.6) + 1);
    check_1(t, -2, -2 * sin(-2.0) - 2, sin(-2.0) - 2 * cos(-2.0) + 1);
}

static void test_expr__unreached_variable_gets_zero(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    var(t, 1);
    bin(t, EXPR_MUL, x, cst(t, 3));
    check_2(t, 2, 5, 6, 3, 0);
}

static void test_expr__without_grad_only_value(void **state)
{
    Tape *t = *state;
    un(t, EXPR_SQRT, var(t, 0));
    double x = 0;
    int bad = 7;
    /* No backward pass, so no derivative can be bad. */
    assert_close_rel(eval(t, &x, NULL, &bad), 0, TOL, 1);
    assert_int_equal(bad, -1);
    x = 9;
    assert_close_rel(eval(t, &x, NULL, NULL), 3, TOL, 1);
}

/* ------------------------------------------------------------------------
 * Non-finite values and derivatives */

static void test_expr__sin_over_x_at_zero_reports_value(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    int q = bin(t, EXPR_DIV, un(t, EXPR_SIN, x), x);
    double v = 0, g[1];
    int bad = 7;
    assert_true(isnan(eval(t, &v, g, &bad)));
    assert_int_equal(bad, q);
}

static void test_expr__sqrt_at_zero_reports_derivative(void **state)
{
    Tape *t = *state;
    int x = var(t, 0);
    int s = un(t, EXPR_SQRT, x);
    bin(t, EXPR_ADD, s, x);
    double v = 0, g[1];
    int bad = 7;
    assert_close_rel(eval(t, &v, g, &bad), 0, TOL, 1);
    assert_true(isinf(g[0]));
    assert_int_equal(bad, s);
}

static void test_expr__value_reported_before_derivative(void **state)
{
    Tape *t = *state;
    /* sqrt(x) + 1/x at 0: the sqrt entry (1) has an infinite derivative,
     * the division (3) an infinite value; the value wins though later. */
    int x = var(t, 0);
    int s = un(t, EXPR_SQRT, x);
    int d = bin(t, EXPR_DIV, cst(t, 1), x);
    bin(t, EXPR_ADD, s, d);
    double v = 0, g[1];
    int bad = 7;
    assert_true(isinf(eval(t, &v, g, &bad)));
    assert_int_equal(bad, d);
}

static void test_expr__first_bad_derivative_is_lowest(void **state)
{
    Tape *t = *state;
    /* sqrt x + sqrt y at (0, 0): entries 1 and 3 both have an infinite
     * derivative; the backward pass meets 3 first but reports 1. */
    int x = var(t, 0);
    int sx = un(t, EXPR_SQRT, x);
    int y = var(t, 1);
    un(t, EXPR_SQRT, y);
    bin(t, EXPR_ADD, sx, t->e.root);
    double v[2] = {0, 0}, g[2];
    int bad = 7;
    assert_close_rel(eval(t, v, g, &bad), 0, TOL, 1);
    assert_int_equal(bad, sx);
}

static void test_expr__constant_subtree_derivative_not_used(void **state)
{
    Tape *t = *state;
    /* x + sqrt(0): sqrt'(0) is infinite, but the literal has no variable. */
    int x = var(t, 0);
    bin(t, EXPR_ADD, x, un(t, EXPR_SQRT, cst(t, 0)));
    check_1(t, 2, 2, 1);
}

static void test_expr__log_of_negative_reports_value(void **state)
{
    Tape *t = *state;
    int l = un(t, EXPR_LOG, var(t, 0));
    double v = -1, g[1];
    int bad = 7;
    assert_true(isnan(eval(t, &v, g, &bad)));
    assert_int_equal(bad, l);
}

/* ------------------------------------------------------------------------
 * Size */

static void test_expr__deep_chain_without_recursion(void **state)
{
    Tape *t = *state;
    /* e_0 = x, e_i = e_{i-1} + x for 10,000 additions: 10001 x. */
    int x = var(t, 0), prev = x;
    for (int i = 0; i < 10000; i++)
        prev = bin(t, EXPR_ADD, prev, x);
    check_1(t, 0.5, 5000.5, 10001);
    check_1(t, -3, -30003, 10001);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(test_expr__##name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(const_has_zero_gradient),
        T(var_is_identity),
        T(add_sub),
        T(mul),
        T(div),
        T(neg),
        T(pow_constant_exponent_at_negative_base),
        T(pow_constant_subtree_exponent_has_no_log_term),
        T(pow_zero_exponent),
        T(pow_x_to_the_x),
        T(pow_constant_base),
        T(pow_two_variables),
        T(pow_variable_exponent_at_negative_base_is_bad),
        T(sin_over_x),
        T(cos),
        T(tan),
        T(exp),
        T(log),
        T(sqrt),
        T(abs_subgradient),
        T(sinh),
        T(cosh),
        T(tanh),
        T(min_subgradient),
        T(max_subgradient),
        T(min_unselected_branch_derivative_is_not_used),
        T(min_max_propagate_nan),
        T(min_of_nan_variable_is_nan_on_the_tape),
        T(rosenbrock_gradient),
        T(variable_read_twice_sums),
        T(unreached_variable_gets_zero),
        T(without_grad_only_value),
        T(sin_over_x_at_zero_reports_value),
        T(sqrt_at_zero_reports_derivative),
        T(value_reported_before_derivative),
        T(first_bad_derivative_is_lowest),
        T(constant_subtree_derivative_not_used),
        T(log_of_negative_reports_value),
        T(deep_chain_without_recursion),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
