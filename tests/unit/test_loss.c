/* test_loss.c — mse, half_mse and mae: values and gradients against hand
 * computations, and gradients against central finite differences of the
 * batch loss. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loss.h"

#define assert_close(a, b, tol) assert_close_at((a), (b), (tol), __FILE__, __LINE__)
static void assert_close_at(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}

/* pred - target = [[1, 0], [2, -2]]: one zero difference, one negative. */
static float PRED[] = {1, 2, 3, 5};
static float TARGET[] = {0, 2, 1, 7};

static void check_hand(LrLossKind k, double want_sum, const double want_grad[4])
{
    LrTensor p = tensor_view(PRED, 2, 2), t = tensor_view(TARGET, 2, 2);
    float g[4];
    LrTensor gt = tensor_view(g, 2, 2);
    assert_close(loss_sum(k, &p, &t), want_sum, 1e-12);
    loss_gradient(k, &p, &t, &gt);
    for (int i = 0; i < 4; i++)
        assert_close(g[i], want_grad[i], 1e-7);
}

static void test_loss__mse_hand_values(void **state)
{
    (void)state;
    /* rows: (1 + 0) / 2 = 0.5 and (4 + 4) / 2 = 4; gradient 2 d / (2 * 2). */
    static const double grad[4] = {0.5, 0, 1, -1};
    check_hand(LOSS_MSE, 4.5, grad);
}

static void test_loss__half_mse_hand_values(void **state)
{
    (void)state;
    static const double grad[4] = {0.25, 0, 0.5, -0.5};
    check_hand(LOSS_HALF_MSE, 2.25, grad);
}

static void test_loss__mae_hand_values(void **state)
{
    (void)state;
    /* rows: (1 + 0) / 2 and (2 + 2) / 2; sign(d) / 4 with sign(0) = 0. */
    static const double grad[4] = {0.25, 0, 0.25, -0.25};
    check_hand(LOSS_MAE, 2.5, grad);
}

static double lcg_uniform(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * (1.0 / 16777216.0);
}

static void check_finite_differences(LrLossKind k)
{
    enum { R = 3, C = 4 };
    uint32_t seed = 7u + (uint32_t)k;
    float p[R * C], t[R * C], g[R * C];
    for (int i = 0; i < R * C; i++) {
        p[i] = (float)(2 * lcg_uniform(&seed) - 1);
        t[i] = (float)(2 * lcg_uniform(&seed) - 1);
        /* Central differences straddling mae's kink would see no slope. */
        if (fabs((double)p[i] - t[i]) < 0.1)
            t[i] += 0.25f;
    }
    LrTensor pt = tensor_view(p, R, C), tt = tensor_view(t, R, C), gt = tensor_view(g, R, C);
    loss_gradient(k, &pt, &tt, &gt);
    /* h = 2^-6 keeps p +- h nearly exact in float; the losses are at most
     * quadratic, so central differences are exact up to that rounding. */
    const float h = 0.015625f;
    for (int i = 0; i < R * C; i++) {
        float keep = p[i];
        p[i] = keep + h;
        double up = loss_sum(k, &pt, &tt) / R;
        p[i] = keep - h;
        double down = loss_sum(k, &pt, &tt) / R;
        p[i] = keep;
        double fd = (up - down) / ((double)(keep + h) - (double)(keep - h));
        assert_close(g[i], fd, 1e-5);
    }
}

static void test_loss__mse_gradient_matches_finite_differences(void **state)
{
    (void)state;
    check_finite_differences(LOSS_MSE);
}

static void test_loss__half_mse_gradient_matches_finite_differences(void **state)
{
    (void)state;
    check_finite_differences(LOSS_HALF_MSE);
}

static void test_loss__mae_gradient_matches_finite_differences(void **state)
{
    (void)state;
    check_finite_differences(LOSS_MAE);
}

static void test_loss__short_batch_uses_pred_rows(void **state)
{
    (void)state;
    /* Buffers of 4 rows holding a batch of 2: rows 2 and 3 must not count
     * and the gradient's spare rows must stay untouched. */
    float p[8] = {1, 2, 3, 5, 100, 100, 100, 100};
    float t[8] = {0, 2, 1, 7, -100, -100, -100, -100};
    float g[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    LrTensor pt = tensor_view(p, 2, 2), tt = tensor_view(t, 4, 2), gt = tensor_view(g, 4, 2);
    assert_close(loss_sum(LOSS_MSE, &pt, &tt), 4.5, 1e-12);
    loss_gradient(LOSS_MSE, &pt, &tt, &gt);
    assert_close(g[0], 0.5, 1e-7);
    assert_close(g[3], -1.0, 1e-7);
    for (int i = 4; i < 8; i++)
        assert_true(g[i] == 9.0f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss__mse_hand_values),
        cmocka_unit_test(test_loss__half_mse_hand_values),
        cmocka_unit_test(test_loss__mae_hand_values),
        cmocka_unit_test(test_loss__mse_gradient_matches_finite_differences),
        cmocka_unit_test(test_loss__half_mse_gradient_matches_finite_differences),
        cmocka_unit_test(test_loss__mae_gradient_matches_finite_differences),
        cmocka_unit_test(test_loss__short_batch_uses_pred_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
