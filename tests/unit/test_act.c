/* test_act.c — gelu (exact and tanh form), leaky_relu and elu: values and
 * derivatives at many points (0, tiny, large |x|) against their formulas
 * in double, written here; the derivatives at the kinks TensorFlow's;
 * gradients through a dense layer and an activation layer against central
 * finite differences of a double forward; gelu's pre-activation kept only
 * by a training forward. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "layer.h"

/* An activation with its parameters, as the tests go through them. */
typedef struct Act {
    LrActivation kind;
    double alpha;
    bool approximate;
} Act;

static const Act acts[] = {
    {ACT_GELU, 0, false}, {ACT_GELU, 0, true},   {ACT_LEAKY_RELU, 0.2, false},
    {ACT_LEAKY_RELU, 0, false}, {ACT_LEAKY_RELU, 1.5, false}, {ACT_ELU, 1.0, false},
    {ACT_ELU, 0.5, false},
};
enum { ACTS = sizeof acts / sizeof *acts };

static double ref_value(Act a, double x)
{
    double y = 0;
    activation_ref_with(a.kind, a.alpha, a.approximate, &x, &y, 1);
    return y;
}

/* The derivatives, from their formulas (not from the code under test). */
static double ref_slope(Act a, double x)
{
    switch (a.kind) {
    case ACT_GELU:
        if (a.approximate) {
            const double c = sqrt(2 / acos(-1.0)), k = 0.044715;
            double t = tanh(c * (x + k * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x);
        }
        return 0.5 * erfc(-x / sqrt(2)) + x * exp(-0.5 * x * x) / sqrt(2 * acos(-1.0));
    case ACT_LEAKY_RELU:
        return x > 0 ? 1 : a.alpha; /* TensorFlow's LeakyReluGrad: alpha at 0 */
    case ACT_ELU:
        return x < 0 ? a.alpha * exp(x) : 1; /* EluGrad: 1 at 0 */
    default:
        fail();
    }
    return 0;
}

/* 0, tiny, ordinary and huge values of both signs, and a fine grid. */
static int test_points(float *x)
{
    static const float special[] = {0.0f, 1e-30f, 1e-6f, 0.1f, 0.5f, 1.0f, 2.0f, 3.0f,
                                    5.5f, 9.0f, 10.5f, 30.0f, 100.0f, 1e6f, 1e20f, 1e38f};
    int n = 0;
    for (size_t i = 0; i < sizeof special / sizeof *special; i++) {
        x[n++] = special[i];
        if (special[i] != 0)
            x[n++] = -special[i];
    }
    for (int i = -400; i <= 400; i++)
        x[n++] = (float)i / 40.0f;
    return n;
}

/* act's values and slopes (backward of dy = 1) at x[0..n). */
static void act_run(Act a, const float *x, float *y, float *slope, int n)
{
    memcpy(y, x, (size_t)n * sizeof *y);
    LrTensor yt = tensor_view(y, 1, n), xt = tensor_view((float *)x, 1, n);
    activation_forward(a.kind, (float)a.alpha, a.approximate, &yt);
    for (int i = 0; i < n; i++)
        slope[i] = 1.0f;
    LrTensor st = tensor_view(slope, 1, n);
    activation_backward(a.kind, (float)a.alpha, a.approximate, &xt, &yt, &st);
}

static void test_act__values_and_slopes_match_formulas(void **state)
{
    (void)state;
    float x[1000], y[1000], slope[1000];
    int n = test_points(x);
    for (int k = 0; k < ACTS; k++) {
        act_run(acts[k], x, y, slope, n);
        for (int i = 0; i < n; i++) {
            double want = ref_value(acts[k], x[i]);
            /* The tanh form cancels in float below 0 as TensorFlow's does:
             * absolute 2e-6 near 0, else relative. */
            assert_close_rel(y[i], want, 2e-6, 1);
            assert_close_rel(slope[i], ref_slope(acts[k], x[i]), 1e-5, 1);
            assert_false(isnan(y[i]) || isnan(slope[i]));
        }
    }
}

/* Through erfc the exact form keeps its small tail below 0 to float
 * precision (1 + erf(x / sqrt 2) would be off by 10% at -5, and 0 below
 * -5.5). */
static void test_act__exact_gelu_keeps_its_tail(void **state)
{
    (void)state;
    const Act gelu = {ACT_GELU, 0, false};
    float x[] = {-1.0f, -3.0f, -5.0f, -7.0f, -9.0f, -12.0f}, y[6], slope[6];
    act_run(gelu, x, y, slope, 6);
    for (int i = 0; i < 6; i++) {
        assert_close_rel(y[i], ref_value(gelu, x[i]), 1e-5, 1e-40);
        assert_true(y[i] < 0);
    }
}

static void test_act__kinks_are_tensorflows(void **state)
{
    (void)state;
    float x[] = {0.0f, -0.0f}, y[2], slope[2];
    act_run((Act){ACT_LEAKY_RELU, 0.3, false}, x, y, slope, 2);
    assert_close(slope[0], 0.3f, 0);
    assert_close(slope[1], 0.3f, 0);
    act_run((Act){ACT_ELU, 0.5, false}, x, y, slope, 2);
    assert_close(slope[0], 1, 0);
    assert_close(slope[1], 1, 0);
    act_run((Act){ACT_GELU, 0, false}, x, y, slope, 2);
    assert_close(slope[0], 0.5, 0);
    act_run((Act){ACT_GELU, 0, true}, x, y, slope, 2);
    assert_close(slope[0], 0.5, 0);
}

/* leaky_relu with alpha = 0 is relu, value and slope, byte for byte. */
static void test_act__leaky_relu_alpha_zero_is_relu(void **state)
{
    (void)state;
    float x[1000], y[1000], slope[1000], ry[1000], rslope[1000];
    int n = test_points(x);
    act_run((Act){ACT_LEAKY_RELU, 0, false}, x, y, slope, n);
    act_run((Act){ACT_RELU, 0, false}, x, ry, rslope, n);
    for (int i = 0; i < n; i++) {
        assert_true(y[i] == ry[i]);
        assert_true(slope[i] == rslope[i]);
    }
}

static void test_act__parameters_and_inputs(void **state)
{
    (void)state;
    assert_true(activation_needs_input(ACT_GELU));
    for (int a = 0; a < ACT_COUNT; a++) {
        if (a != ACT_GELU)
            assert_false(activation_needs_input((LrActivation)a));
        assert_int_equal(activation_has_alpha((LrActivation)a),
                         a == ACT_LEAKY_RELU || a == ACT_ELU);
    }
}

/* ------------------------------------------------------------------------
 * Gradients through layers */

enum { B = 3, IN = 4, OUT = 5 };

static double lcg_uniform(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * (1.0 / 16777216.0);
}

/* sum_ij G_ij act(x . W + b)_ij in double (dense), or sum G act(x) when w
 * is NULL (the activation layer, x being B x OUT). */
static double ref_loss(Act a, const double *x, const double *w, const double *b, const double *g)
{
    double total = 0;
    for (int i = 0; i < B; i++) {
        double z[OUT], y[OUT];
        for (int j = 0; j < OUT; j++) {
            z[j] = w ? b[j] : x[i * OUT + j];
            for (int k = 0; w && k < IN; k++)
                z[j] += x[i * IN + k] * w[k * OUT + j];
        }
        activation_ref_with(a.kind, a.alpha, a.approximate, z, y, OUT);
        for (int j = 0; j < OUT; j++)
            total += g[i * OUT + j] * y[j];
    }
    return total;
}

static double central_diff(Act a, double *x, double *w, double *b, const double *g, double *p)
{
    const double h = 1e-6, keep = *p;
    *p = keep + h;
    double up = ref_loss(a, x, w, b, g);
    *p = keep - h;
    double down = ref_loss(a, x, w, b, g);
    *p = keep;
    return (up - down) / (2 * h);
}

/* Data whose pre-activations stay away from leaky_relu's and elu's kink. */
static void fill(float *f, double *d, int n, double lo, double hi, uint32_t *seed)
{
    for (int i = 0; i < n; i++)
        d[i] = f[i] = (float)(lo + (hi - lo) * lcg_uniform(seed));
}

static void check_dense_gradients(Act a)
{
    uint32_t seed = 7;
    float x[B * IN], w[IN * OUT], bias[OUT], g[B * OUT];
    double xd[B * IN], wd[IN * OUT], bd[OUT], gd[B * OUT];
    fill(x, xd, B * IN, -1.5, 1.5, &seed);
    fill(w, wd, IN * OUT, -1, 1, &seed);
    fill(bias, bd, OUT, -0.5, 0.5, &seed);
    fill(g, gd, B * OUT, -1, 1, &seed);
    float y[B * OUT], dw[IN * OUT], db[OUT], dx[B * IN], pre[B * OUT];
    LrLayer l = {.ops = &layer_dense_ops, .in = IN, .out = OUT, .activation = a.kind,
                 .alpha = (float)a.alpha, .approximate = a.approximate,
                 .weight = tensor_view(w, IN, OUT), .bias = tensor_view(bias, 1, OUT),
                 .dweight = tensor_view(dw, IN, OUT), .dbias = tensor_view(db, 1, OUT)};
    if (activation_needs_input(a.kind))
        l.pre = tensor_view(pre, B, OUT);
    LrTensor xt = tensor_view(x, B, IN), yt = tensor_view(y, B, OUT);
    LrTensor gt = tensor_view(g, B, OUT), dxt = tensor_view(dx, B, IN);
    l.ops->forward(&l, &xt, &yt, true);
    for (int i = 0; i < B; i++)
        for (int j = 0; j < OUT; j++) {
            double z = bd[j];
            for (int k = 0; k < IN; k++)
                z += xd[i * IN + k] * wd[k * OUT + j];
            assert_true(fabs(z) > 1e-2);
            assert_close_rel(y[i * OUT + j], ref_value(a, z), 1e-5, 1);
        }
    l.ops->backward(&l, &xt, &yt, &gt, &dxt);
    for (int i = 0; i < IN * OUT; i++)
        assert_close_rel(dw[i], central_diff(a, xd, wd, bd, gd, &wd[i]), 1e-4, 1);
    for (int i = 0; i < OUT; i++)
        assert_close_rel(db[i], central_diff(a, xd, wd, bd, gd, &bd[i]), 1e-4, 1);
    for (int i = 0; i < B * IN; i++)
        assert_close_rel(dx[i], central_diff(a, xd, wd, bd, gd, &xd[i]), 1e-4, 1);
}

static void check_layer_gradients(Act a)
{
    uint32_t seed = 11;
    float x[B * OUT], g[B * OUT], y[B * OUT], dx[B * OUT];
    double xd[B * OUT], gd[B * OUT];
    fill(x, xd, B * OUT, -3, 3, &seed);
    fill(g, gd, B * OUT, -1, 1, &seed);
    LrLayer l = {.ops = &layer_activation_ops, .in = OUT, .out = OUT, .activation = a.kind,
                 .alpha = (float)a.alpha, .approximate = a.approximate};
    LrTensor xt = tensor_view(x, B, OUT), yt = tensor_view(y, B, OUT);
    LrTensor gt = tensor_view(g, B, OUT), dxt = tensor_view(dx, B, OUT);
    l.ops->forward(&l, &xt, &yt, true);
    l.ops->backward(&l, &xt, &yt, &gt, &dxt);
    for (int i = 0; i < B * OUT; i++) {
        assert_true(fabs(xd[i]) > 1e-2);
        assert_close_rel(dx[i], central_diff(a, xd, NULL, NULL, gd, &xd[i]), 1e-4, 1);
    }
}

static void test_act__dense_gradients_match_finite_differences(void **state)
{
    (void)state;
    for (int k = 0; k < ACTS; k++)
        check_dense_gradients(acts[k]);
}

static void test_act__layer_gradients_match_finite_differences(void **state)
{
    (void)state;
    for (int k = 0; k < ACTS; k++)
        check_layer_gradients(acts[k]);
}

/* A dense gelu keeps x . W + b in pre in a training forward only (an
 * evaluation may run more rows than pre holds), and backward reads it. */
static void test_act__dense_gelu_keeps_pre_only_when_training(void **state)
{
    (void)state;
    float x[] = {1, -2}, w[] = {0.5f, -1.5f}, bias[] = {0.25f}, y[2], pre[2] = {7, 7};
    float dw[2], db[1], g[2] = {1, 1};
    LrLayer l = {.ops = &layer_dense_ops, .in = 1, .out = 1, .activation = ACT_GELU,
                 .weight = tensor_view(w, 1, 1), .bias = tensor_view(bias, 1, 1),
                 .dweight = tensor_view(dw, 1, 1), .dbias = tensor_view(db, 1, 1),
                 .pre = tensor_view(pre, 2, 1)};
    LrTensor xt = tensor_view(x, 2, 1), yt = tensor_view(y, 2, 1), gt = tensor_view(g, 2, 1);
    l.ops->forward(&l, &xt, &yt, false);
    assert_true(pre[0] == 7 && pre[1] == 7);
    l.ops->forward(&l, &xt, &yt, true);
    assert_close(pre[0], 0.75, 0);  /* 1 * 0.5 + 0.25 */
    assert_close(pre[1], -0.75, 0); /* -2 * 0.5 + 0.25 */
    l.ops->backward(&l, &xt, &yt, &gt, NULL);
    double slope0 = ref_slope((Act){ACT_GELU, 0, false}, 0.75);
    double slope1 = ref_slope((Act){ACT_GELU, 0, false}, -0.75);
    assert_close(db[0], slope0 + slope1, 1e-6);
    assert_close(dw[0], 1 * slope0 - 2 * slope1, 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_act__values_and_slopes_match_formulas),
        cmocka_unit_test(test_act__exact_gelu_keeps_its_tail),
        cmocka_unit_test(test_act__kinks_are_tensorflows),
        cmocka_unit_test(test_act__leaky_relu_alpha_zero_is_relu),
        cmocka_unit_test(test_act__parameters_and_inputs),
        cmocka_unit_test(test_act__dense_gradients_match_finite_differences),
        cmocka_unit_test(test_act__layer_gradients_match_finite_differences),
        cmocka_unit_test(test_act__dense_gelu_keeps_pre_only_when_training),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
