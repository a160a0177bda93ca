/* test_loss.c — the six losses: values and gradients against hand
 * computations; gradients against central finite differences of an
 * independent double-precision reference written from Keras's formulas
 * (huber in both branches, cross-entropies on probabilities and fused from
 * logits, categorical with one-hot and integer targets); the fused forms
 * at logits +-100; the clip at Keras's epsilon; short batches. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

#include "loss.h"


static LrLoss make_loss(LrLossKind k, bool from_logits)
{
    LrLoss l = {.kind = k, .delta = 1.0, .from_logits = from_logits};
    return l;
}

/* ------------------------------------------------------------------------
 * Hand values */

/* pred - target = [[1, 0], [2, -2]]: one zero difference, one negative. */
static float PRED[] = {1, 2, 3, 5};
static float TARGET[] = {0, 2, 1, 7};

static void check_hand(const LrLoss *l, double want_sum, const double want_grad[4])
{
    LrTensor p = tensor_view(PRED, 2, 2), t = tensor_view(TARGET, 2, 2);
    float g[4];
    LrTensor gt = tensor_view(g, 2, 2);
    assert_close(loss_sum(l, &p, &t), want_sum, 1e-12);
    loss_gradient(l, &p, &t, &gt);
    for (int i = 0; i < 4; i++)
        assert_close(g[i], want_grad[i], 1e-7);
}

static void test_loss__mse_hand_values(void **state)
{
    (void)state;
    /* rows: (1 + 0) / 2 = 0.5 and (4 + 4) / 2 = 4; gradient 2 d / (2 * 2). */
    static const double grad[4] = {0.5, 0, 1, -1};
    LrLoss l = make_loss(LOSS_MSE, false);
    check_hand(&l, 4.5, grad);
}

static void test_loss__half_mse_hand_values(void **state)
{
    (void)state;
    static const double grad[4] = {0.25, 0, 0.5, -0.5};
    LrLoss l = make_loss(LOSS_HALF_MSE, false);
    check_hand(&l, 2.25, grad);
}

static void test_loss__mae_hand_values(void **state)
{
    (void)state;
    /* rows: (1 + 0) / 2 and (2 + 2) / 2; sign(d) / 4 with sign(0) = 0. */
    static const double grad[4] = {0.25, 0, 0.25, -0.25};
    LrLoss l = make_loss(LOSS_MAE, false);
    check_hand(&l, 2.5, grad);
}

static void test_loss__huber_hand_values_both_branches(void **state)
{
    (void)state;
    /* delta 1.5; d = [1, 0, 2, -2]: |d| <= 1.5 gives d^2 / 2 = 0.5, 0;
     * beyond, 1.5 (2 - 0.75) = 1.875 twice. Rows: 0.25 and 1.875.
     * Gradient: d inside, 1.5 sign(d) outside, over rows * cols = 4. */
    static const double grad[4] = {0.25, 0, 0.375, -0.375};
    LrLoss l = make_loss(LOSS_HUBER, false);
    l.delta = 1.5;
    check_hand(&l, 2.125, grad);
    /* delta 1 (Keras's default): 0.5, 0 | 2 - 0.5 = 1.5 twice. */
    static const double grad1[4] = {0.25, 0, 0.25, -0.25};
    l.delta = 1.0;
    check_hand(&l, 0.25 + 1.5, grad1);
}

static void test_loss__bce_hand_values(void **state)
{
    (void)state;
    /* p = [0.8, 0.4], t = [1, 0]: -(log 0.8 + log 0.6) / 2; gradient
     * (-t/p + (1-t)/(1-p)) / 2 = [-0.625, 0.8333] / 2. */
    float p[] = {0.8f, 0.4f}, t[] = {1, 0}, g[2];
    LrTensor pt = tensor_view(p, 1, 2), tt = tensor_view(t, 1, 2), gt = tensor_view(g, 1, 2);
    LrLoss l = make_loss(LOSS_BINARY_CROSSENTROPY, false);
    double p0 = (double)0.8f, p1 = (double)0.4f;
    assert_close(loss_sum(&l, &pt, &tt), -(log(p0) + log(1 - p1)) / 2, 1e-12);
    loss_gradient(&l, &pt, &tt, &gt);
    assert_close(g[0], -1 / p0 / 2, 1e-7);
    assert_close(g[1], 1 / (1 - p1) / 2, 1e-7);
}

static void test_loss__cce_hand_values(void **state)
{
    (void)state;
    /* p = [0.2, 0.7, 0.1] (sums to 1), class 1: loss -log 0.7; with q = p
     * and sum t = 1 the gradient is -t/p + 1 = [1, 1 - 1/0.7, 1]. */
    float p[] = {0.2f, 0.7f, 0.1f}, t[] = {0, 1, 0}, ts[] = {1}, g[3];
    LrTensor pt = tensor_view(p, 1, 3), gt = tensor_view(g, 1, 3);
    LrTensor tt = tensor_view(t, 1, 3), st = tensor_view(ts, 1, 1);
    LrLoss l = make_loss(LOSS_CATEGORICAL_CROSSENTROPY, false);
    const double s = (double)0.2f + (double)0.7f + (double)0.1f;
    assert_close(loss_sum(&l, &pt, &tt), -log((double)0.7f / s), 1e-12);
    assert_close(loss_sum(&l, &pt, &st), -log((double)0.7f / s), 1e-12);
    loss_gradient(&l, &pt, &tt, &gt);
    assert_close(g[0], 1, 1e-6);
    assert_close(g[1], 1 - 1 / 0.7, 1e-6);
    assert_close(g[2], 1, 1e-6);
}

/* ------------------------------------------------------------------------
 * A double reference from the formulas, and finite differences of it */

enum { R = 3, MAXC = 5 };

static double clip_ref(double p)
{
    const double lo = 1e-7, hi = 1 - 1e-7;
    return p < lo ? lo : p > hi ? hi : p;
}

/* Mean over R rows of the per-sample loss; t has tcols columns per row
 * (1: a class index). */
static double ref_loss(const LrLoss *l, const double *p, const double *t, int cols, int tcols)
{
    double total = 0;
    for (int i = 0; i < R; i++) {
        const double *z = &p[i * cols];
        double y[MAXC];
        for (int j = 0; j < cols; j++)
            y[j] = tcols == 1 && cols > 1 ? (double)(j == (int)t[i]) : t[i * tcols + j];
        double row = 0;
        switch (l->kind) {
        case LOSS_MSE:
            for (int j = 0; j < cols; j++)
                row += (z[j] - y[j]) * (z[j] - y[j]) / cols;
            break;
        case LOSS_HALF_MSE:
            for (int j = 0; j < cols; j++)
                row += 0.5 * (z[j] - y[j]) * (z[j] - y[j]) / cols;
            break;
        case LOSS_MAE:
            for (int j = 0; j < cols; j++)
                row += fabs(z[j] - y[j]) / cols;
            break;
        case LOSS_HUBER:
            for (int j = 0; j < cols; j++) {
                double d = fabs(z[j] - y[j]), k = l->delta;
                row += (d <= k ? 0.5 * d * d : k * d - 0.5 * k * k) / cols;
            }
            break;
        case LOSS_BINARY_CROSSENTROPY:
            for (int j = 0; j < cols; j++) {
                double q = l->from_logits ? 1 / (1 + exp(-z[j])) : clip_ref(z[j]);
                row -= (y[j] * log(q) + (1 - y[j]) * log(1 - q)) / cols;
            }
            break;
        case LOSS_CATEGORICAL_CROSSENTROPY: {
            double s = 0;
            for (int j = 0; j < cols; j++)
                s += l->from_logits ? exp(z[j]) : z[j];
            for (int j = 0; j < cols; j++) {
                double q = l->from_logits ? exp(z[j]) / s : clip_ref(z[j] / s);
                row -= y[j] * log(q);
            }
            break;
        }
        }
        total += row;
    }
    return total / R;
}

static double lcg_uniform(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * (1.0 / 16777216.0);
}

/* Fills p and t for kind: differences away from the kinks (mae at 0,
 * huber at +-delta), probabilities inside the clip, targets valid. */
static void make_data(const LrLoss *l, uint32_t seed, float *p, float *t, int cols, int tcols,
                      bool soft)
{
    for (int i = 0; i < R; i++) {
        for (int j = 0; j < tcols; j++) {
            float *y = &t[i * tcols + j];
            if (l->kind == LOSS_CATEGORICAL_CROSSENTROPY && soft)
                *y = (float)lcg_uniform(&seed); /* rows need not sum to 1 */
            else if (l->kind == LOSS_CATEGORICAL_CROSSENTROPY)
                *y = tcols == 1 ? (float)((i + 1) % cols) : (float)(j == (i + 2) % cols);
            else if (l->kind == LOSS_BINARY_CROSSENTROPY)
                *y = (float)lcg_uniform(&seed); /* soft labels too */
            else
                *y = (float)(2 * lcg_uniform(&seed) - 1);
        }
        for (int j = 0; j < cols; j++) {
            float *z = &p[i * cols + j];
            if (l->from_logits) {
                *z = (float)(6 * lcg_uniform(&seed) - 3);
            } else if (l->kind == LOSS_BINARY_CROSSENTROPY ||
                       l->kind == LOSS_CATEGORICAL_CROSSENTROPY) {
                /* categorical: unnormalized positive rows, so that the
                 * division by the row sum is exercised */
                *z = (float)(0.05 + 0.9 * lcg_uniform(&seed));
            } else {
                double y = t[i * cols + j], d;
                do
                    d = 4 * lcg_uniform(&seed) - 2;
                while (fabs(d) < 0.1 || fabs(fabs(d) - l->delta) < 0.1);
                *z = (float)(y + d);
            }
        }
    }
}

/* Returns how many elements have |p - t| <= delta (for huber's branches). */
static int check_fd_targets(const LrLoss *l, int cols, int tcols, bool soft)
{
    float p[R * MAXC], t[R * MAXC], g[R * MAXC];
    double pd[R * MAXC], td[R * MAXC];
    make_data(l, 7u + 13u * (uint32_t)l->kind + (uint32_t)l->from_logits, p, t, cols, tcols,
              soft);
    for (int i = 0; i < R * cols; i++)
        pd[i] = p[i];
    for (int i = 0; i < R * tcols; i++)
        td[i] = t[i];
    LrTensor pt = tensor_view(p, R, cols), tt = tensor_view(t, R, tcols);
    LrTensor gt = tensor_view(g, R, cols);
    const double want = ref_loss(l, pd, td, cols, tcols);
    assert_close_rel(loss_sum(l, &pt, &tt) / R, want, 1e-9, 1);
    loss_gradient(l, &pt, &tt, &gt);
    const double h = 1e-6;
    for (int i = 0; i < R * cols; i++) {
        double keep = pd[i];
        pd[i] = keep + h;
        double up = ref_loss(l, pd, td, cols, tcols);
        pd[i] = keep - h;
        double down = ref_loss(l, pd, td, cols, tcols);
        pd[i] = keep;
        double fd = (up - down) / (2 * h);
        assert_close_rel(g[i], fd, 1e-5, 1);
    }
    int inside = 0;
    for (int i = 0; i < R * cols && tcols == cols; i++)
        inside += fabs(pd[i] - td[i]) <= l->delta;
    return inside;
}

static int check_fd(const LrLoss *l, int cols, int tcols)
{
    return check_fd_targets(l, cols, tcols, false);
}

static void test_loss__regression_gradients_match_finite_differences(void **state)
{
    (void)state;
    static const LrLossKind kinds[] = {LOSS_MSE, LOSS_HALF_MSE, LOSS_MAE};
    for (int k = 0; k < 3; k++) {
        LrLoss l = make_loss(kinds[k], false);
        check_fd(&l, 4, 4);
        check_fd(&l, 1, 1);
    }
}

static void test_loss__huber_gradient_matches_finite_differences(void **state)
{
    (void)state;
    /* |d| in [0.1, 2]: delta 1 and 0.7 put elements in both branches. */
    LrLoss l = make_loss(LOSS_HUBER, false);
    int inside = check_fd(&l, 4, 4);
    assert_true(inside > 0 && inside < R * 4);
    l.delta = 0.7;
    inside = check_fd(&l, 4, 4);
    assert_true(inside > 0 && inside < R * 4);
}

static void test_loss__bce_gradient_matches_finite_differences(void **state)
{
    (void)state;
    LrLoss l = make_loss(LOSS_BINARY_CROSSENTROPY, false);
    check_fd(&l, 3, 3);
    check_fd(&l, 1, 1);
}

static void test_loss__bce_from_logits_gradient_matches_finite_differences(void **state)
{
    (void)state;
    LrLoss l = make_loss(LOSS_BINARY_CROSSENTROPY, true);
    check_fd(&l, 3, 3);
    check_fd(&l, 1, 1);
}

static void test_loss__cce_gradient_matches_finite_differences(void **state)
{
    (void)state;
    LrLoss l = make_loss(LOSS_CATEGORICAL_CROSSENTROPY, false);
    check_fd(&l, 4, 4); /* one-hot */
    check_fd(&l, 4, 1); /* class index */
}

static void test_loss__cce_from_logits_gradient_matches_finite_differences(void **state)
{
    (void)state;
    LrLoss l = make_loss(LOSS_CATEGORICAL_CROSSENTROPY, true);
    check_fd(&l, 5, 5);
    check_fd(&l, 5, 1);
}

static void test_loss__cce_soft_targets_match_finite_differences(void **state)
{
    (void)state;
    /* Targets that are not one-hot and do not sum to 1 (label smoothing,
     * weights): the fused gradient is (sum t) softmax(z) - t. */
    LrLoss fused = make_loss(LOSS_CATEGORICAL_CROSSENTROPY, true);
    check_fd_targets(&fused, 4, 4, true);
    LrLoss probs = make_loss(LOSS_CATEGORICAL_CROSSENTROPY, false);
    check_fd_targets(&probs, 4, 4, true);
}

static void test_loss__sparse_equals_one_hot(void **state)
{
    (void)state;
    /* Class indices 2, 0, 1 against the same rows written one-hot. */
    float p[] = {0.1f, 0.3f, 0.6f, 2, 1, 1, -1, 4, 0.5f};
    float onehot[] = {0, 0, 1, 1, 0, 0, 0, 1, 0}, idx[] = {2, 0, 1};
    float g1[9], g2[9];
    LrTensor pt = tensor_view(p, 3, 3), ot = tensor_view(onehot, 3, 3);
    LrTensor it = tensor_view(idx, 3, 1);
    LrTensor g1t = tensor_view(g1, 3, 3), g2t = tensor_view(g2, 3, 3);
    for (int fused = 0; fused < 2; fused++) {
        LrLoss l = make_loss(LOSS_CATEGORICAL_CROSSENTROPY, fused);
        if (!fused) { /* probabilities must be positive: use row 0 only */
            pt.rows = ot.rows = it.rows = g1t.rows = g2t.rows = 1;
        } else {
            pt.rows = ot.rows = it.rows = g1t.rows = g2t.rows = 3;
        }
        assert_close(loss_sum(&l, &pt, &it), loss_sum(&l, &pt, &ot), 1e-12);
        loss_gradient(&l, &pt, &it, &g1t);
        loss_gradient(&l, &pt, &ot, &g2t);
        for (int i = 0; i < 3 * pt.rows; i++)
            assert_true(g1[i] == g2[i]);
    }
}

/* ------------------------------------------------------------------------
 * Extremes */

static void test_loss__fused_forms_finite_at_logits_100(void **state)
{
    (void)state;
    /* BCE from logits: softplus(z) - t z. z = 100, t = 0 and z = -100,
     * t = 1 cost 100 (+ log1p(e^-100) ~ 4e-44), gradient sigmoid(z) - t
     * = +-1 (one row, one column); right answers cost ~ e^-100. */
    float z[] = {100, -100, 100, -100}, t[] = {0, 1, 1, 0}, g[1];
    LrLoss bce = make_loss(LOSS_BINARY_CROSSENTROPY, true);
    static const double want_loss[] = {100, 100, 0, 0}, want_grad[] = {1, -1, 0, 0};
    for (int k = 0; k < 4; k++) {
        LrTensor zt = tensor_view(&z[k], 1, 1), tt = tensor_view(&t[k], 1, 1);
        LrTensor gt = tensor_view(g, 1, 1);
        double v = loss_sum(&bce, &zt, &tt);
        loss_gradient(&bce, &zt, &tt, &gt);
        assert_true(isfinite(v) && isfinite(g[0]));
        assert_close(v, want_loss[k], 1e-12);
        assert_close(g[0], want_grad[k], 1e-12);
    }

    /* CCE from logits, z = [100, -100, 0]: lse(z) = 100 + log(1 + e^-100
     * + e^-200) = 100. Class 1: 100 - (-100) = 200; class 0: ~e^-100.
     * Gradient softmax(z) - t = [1, -1, 0] and [0, 0, 0] (to 4e-44). */
    float zc[] = {100, -100, 0}, cls[] = {1, 0}, gc[3];
    LrLoss cce = make_loss(LOSS_CATEGORICAL_CROSSENTROPY, true);
    LrTensor zt = tensor_view(zc, 1, 3), gt = tensor_view(gc, 1, 3);
    LrTensor c1 = tensor_view(&cls[0], 1, 1), c0 = tensor_view(&cls[1], 1, 1);
    assert_close(loss_sum(&cce, &zt, &c1), 200, 1e-12);
    loss_gradient(&cce, &zt, &c1, &gt);
    assert_close(gc[0], 1, 1e-12);
    assert_close(gc[1], -1, 1e-12);
    assert_close(gc[2], 0, 1e-40);
    assert_close(loss_sum(&cce, &zt, &c0), 0, 1e-40);
    loss_gradient(&cce, &zt, &c0, &gt);
    for (int j = 0; j < 3; j++)
        assert_close(gc[j], 0, 1e-40);
}

static void test_loss__probabilities_clipped_at_keras_epsilon(void **state)
{
    (void)state;
    /* p = 0 with t = 1: -log(1e-7) = 16.118; p = 1 with t = 0: the upper
     * bound 1 - 1e-7 rounds to the float 1 - 2^-23 (Keras clips in
     * float32), so -log(2^-23) = 15.942. Where the clip is active, no
     * gradient passes. */
    float p[] = {0, 1}, t[] = {1, 0}, g[1];
    LrLoss bce = make_loss(LOSS_BINARY_CROSSENTROPY, false);
    LrTensor gt = tensor_view(g, 1, 1);
    LrTensor p0 = tensor_view(&p[0], 1, 1), t0 = tensor_view(&t[0], 1, 1);
    LrTensor p1 = tensor_view(&p[1], 1, 1), t1 = tensor_view(&t[1], 1, 1);
    assert_close(loss_sum(&bce, &p0, &t0), -log(1e-7), 1e-6);
    assert_close(loss_sum(&bce, &p1, &t1), 23 * log(2.0), 1e-6);
    loss_gradient(&bce, &p0, &t0, &gt);
    assert_true(g[0] == 0.0f);
    loss_gradient(&bce, &p1, &t1, &gt);
    assert_true(g[0] == 0.0f);

    /* Categorical: the true class at probability 0 costs -log(1e-7). */
    float q[] = {0, 1, 0}, cls[] = {0};
    LrLoss cce = make_loss(LOSS_CATEGORICAL_CROSSENTROPY, false);
    LrTensor qt = tensor_view(q, 1, 3), ct = tensor_view(cls, 1, 1);
    assert_close(loss_sum(&cce, &qt, &ct), -log(1e-7), 1e-6);
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
    LrLoss l = make_loss(LOSS_MSE, false);
    assert_close(loss_sum(&l, &pt, &tt), 4.5, 1e-12);
    loss_gradient(&l, &pt, &tt, &gt);
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
        cmocka_unit_test(test_loss__huber_hand_values_both_branches),
        cmocka_unit_test(test_loss__bce_hand_values),
        cmocka_unit_test(test_loss__cce_hand_values),
        cmocka_unit_test(test_loss__regression_gradients_match_finite_differences),
        cmocka_unit_test(test_loss__huber_gradient_matches_finite_differences),
        cmocka_unit_test(test_loss__bce_gradient_matches_finite_differences),
        cmocka_unit_test(test_loss__bce_from_logits_gradient_matches_finite_differences),
        cmocka_unit_test(test_loss__cce_gradient_matches_finite_differences),
        cmocka_unit_test(test_loss__cce_from_logits_gradient_matches_finite_differences),
        cmocka_unit_test(test_loss__cce_soft_targets_match_finite_differences),
        cmocka_unit_test(test_loss__sparse_equals_one_hot),
        cmocka_unit_test(test_loss__fused_forms_finite_at_logits_100),
        cmocka_unit_test(test_loss__probabilities_clipped_at_keras_epsilon),
        cmocka_unit_test(test_loss__short_batch_uses_pred_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
