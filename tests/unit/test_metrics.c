/* test_metrics.c — accuracy for class indices, one-hot targets and a
 * single (binary) output, counted by hand; the loss-named metrics equal the
 * loss values (with nothing pending, and with the output activation fused
 * into the loss); a pending activation applied on the fly equals the loss
 * on predictions activated beforehand; metric names. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

#include "loss.h"
#include "metrics.h"


/* Five rows of three logits. Argmax by row: 2, 0, 1, 1, 0 (row 4 ties
 * between 0 and 2: the first wins, as numpy's argmax). */
static float LOGITS[] = {0.1f, 0.2f, 3.0f, 5, -1, 2, -2, 0.5f, 0.4f,
                         1, 7, -7, 2, 1, 2};

static void test_metrics__accuracy_sparse_labels(void **state)
{
    (void)state;
    /* Classes 2, 1, 1, 1, 2: rows 0, 2 and 3 right. Class 7 is no class. */
    float cls[] = {2, 1, 1, 1, 2}, bad[] = {7, 0, 1, 1, 0};
    LrTensor p = tensor_view(LOGITS, 5, 3), t = tensor_view(cls, 5, 1);
    LrTensor b = tensor_view(bad, 5, 1);
    assert_close(metric_sum(METRIC_ACCURACY, ACT_LINEAR, &p, &t), 3, 0);
    /* Softmax is monotone: the same argmax when it is still pending. */
    assert_close(metric_sum(METRIC_ACCURACY, ACT_SOFTMAX, &p, &t), 3, 0);
    assert_close(metric_sum(METRIC_ACCURACY, ACT_LINEAR, &p, &b), 4, 0);
}

static void test_metrics__accuracy_one_hot(void **state)
{
    (void)state;
    float onehot[] = {0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0};
    /* Targets 2, 1, 1, 0, 0: rows 0, 2 and 4 right. */
    LrTensor p = tensor_view(LOGITS, 5, 3), t = tensor_view(onehot, 5, 3);
    assert_close(metric_sum(METRIC_ACCURACY, ACT_LINEAR, &p, &t), 3, 0);
    assert_close(metric_sum(METRIC_ACCURACY, ACT_SOFTMAX, &p, &t), 3, 0);
    /* A short view counts only its rows. */
    p.rows = 2;
    assert_close(metric_sum(METRIC_ACCURACY, ACT_LINEAR, &p, &t), 1, 0);
}

static void test_metrics__accuracy_binary(void **state)
{
    (void)state;
    /* One output: (p > 0.5) == (t > 0.5). Probabilities: right, right,
     * wrong (0.5 is not > 0.5), wrong, right. */
    float prob[] = {0.9f, 0.2f, 0.5f, 0.7f, 0.51f}, t[] = {1, 0, 1, 0, 1};
    LrTensor p = tensor_view(prob, 5, 1), tt = tensor_view(t, 5, 1);
    assert_close(metric_sum(METRIC_ACCURACY, ACT_LINEAR, &p, &tt), 3, 0);
    /* Logits with sigmoid pending: z > 0 <=> sigmoid(z) > 0.5. */
    float z[] = {3, -0.1f, 0, 40, -40}, tz[] = {1, 0, 1, 1, 0};
    LrTensor zt = tensor_view(z, 5, 1), tzt = tensor_view(tz, 5, 1);
    assert_close(metric_sum(METRIC_ACCURACY, ACT_SIGMOID, &zt, &tzt), 4, 0);
}

static void test_metrics__accuracy_binary_soft_targets(void **state)
{
    (void)state;
    /* lr(5)'s stated departure from Keras's binary_accuracy (which compares
     * the thresholded output with the target itself, so that no soft
     * target ever matches: 0 here): a soft target counts on its side of
     * 0.5, and 0.5 itself on the lower side, as an output of 0.5 does.
     * Right, right, wrong, wrong, right, right: 4. */
    float prob[] = {0.9f, 0.1f, 0.2f, 0.6f, 0.3f, 0.5f};
    float t[] = {0.7f, 0.3f, 0.7f, 0.2f, 0.5f, 0.4f};
    LrTensor p = tensor_view(prob, 6, 1), tt = tensor_view(t, 6, 1);
    assert_close(metric_sum(METRIC_ACCURACY, ACT_LINEAR, &p, &tt), 4, 0);
}

static LrLoss loss_of(LrLossKind k, bool from_logits)
{
    LrLoss l = {.kind = k, .delta = 1.0, .from_logits = from_logits};
    return l;
}

static void test_metrics__loss_metrics_equal_losses(void **state)
{
    (void)state;
    /* Regression: two rows, two outputs; |d| straddles huber's delta 1. */
    float pr[] = {0.5f, 2.0f, -1.0f, 0.25f}, tr[] = {0, 0.5f, 1.5f, 0.0f};
    LrTensor p = tensor_view(pr, 2, 2), t = tensor_view(tr, 2, 2);
    static const struct {
        LrMetricKind m;
        LrLossKind l;
    } pairs[] = {{METRIC_MSE, LOSS_MSE}, {METRIC_HALF_MSE, LOSS_HALF_MSE},
                 {METRIC_MAE, LOSS_MAE}, {METRIC_HUBER, LOSS_HUBER}};
    for (int k = 0; k < 4; k++) {
        LrLoss l = loss_of(pairs[k].l, false);
        assert_close(metric_sum(pairs[k].m, ACT_LINEAR, &p, &t), loss_sum(&l, &p, &t), 0);
    }
    /* By hand: mse rows (0.25 + 2.25) / 2 and (6.25 + 0.0625) / 2. */
    assert_close(metric_sum(METRIC_MSE, ACT_LINEAR, &p, &t), 1.25 + 3.15625, 1e-12);
    /* huber (delta 1): 0.125, 1.5 - 0.5 = 1 | 2.5 - 0.5 = 2, 0.03125. */
    assert_close(metric_sum(METRIC_HUBER, ACT_LINEAR, &p, &t), 0.5625 + 1.015625, 1e-12);

    /* Cross-entropies on probabilities. */
    float prob[] = {0.7f, 0.2f, 0.1f, 0.3f, 0.3f, 0.4f}, cls[] = {0, 2};
    LrTensor pp = tensor_view(prob, 2, 3), ct = tensor_view(cls, 2, 1);
    LrLoss cce = loss_of(LOSS_CATEGORICAL_CROSSENTROPY, false);
    assert_close(metric_sum(METRIC_CATEGORICAL_CROSSENTROPY, ACT_LINEAR, &pp, &ct),
                 loss_sum(&cce, &pp, &ct), 0);
    assert_close(metric_sum(METRIC_CATEGORICAL_CROSSENTROPY, ACT_LINEAR, &pp, &ct),
                 -log((double)0.7f) - log((double)0.4f), 1e-6);
    LrLoss bce = loss_of(LOSS_BINARY_CROSSENTROPY, false);
    float tb[] = {1, 0, 0, 0, 1, 1};
    LrTensor tbt = tensor_view(tb, 2, 3);
    assert_close(metric_sum(METRIC_BINARY_CROSSENTROPY, ACT_LINEAR, &pp, &tbt),
                 loss_sum(&bce, &pp, &tbt), 0);
}

static void test_metrics__fused_cross_entropies_equal_fused_losses(void **state)
{
    (void)state;
    /* The activation pending is the loss's own: the metric is the loss
     * from logits, to the bit, also at logits of +-100. */
    LrTensor p = tensor_view(LOGITS, 5, 3);
    float cls[] = {2, 1, 1, 1, 2};
    LrTensor ct = tensor_view(cls, 5, 1);
    LrLoss cce = loss_of(LOSS_CATEGORICAL_CROSSENTROPY, true);
    assert_close(metric_sum(METRIC_CATEGORICAL_CROSSENTROPY, ACT_SOFTMAX, &p, &ct),
                 loss_sum(&cce, &p, &ct), 0);
    float z[] = {100, -100, 3, -0.5f}, t[] = {0, 1, 1, 0};
    LrTensor zt = tensor_view(z, 2, 2), tt = tensor_view(t, 2, 2);
    LrLoss bce = loss_of(LOSS_BINARY_CROSSENTROPY, true);
    double v = metric_sum(METRIC_BINARY_CROSSENTROPY, ACT_SIGMOID, &zt, &tt);
    assert_close(v, loss_sum(&bce, &zt, &tt), 0);
    /* Row 0: (100 + 100) / 2 = 100 (softplus(100), softplus(100));
     * row 1: (softplus(-3) + softplus(-0.5)) / 2. */
    assert_close(v, 100 + (log1p(exp(-3.0)) + log1p(exp(-0.5))) / 2, 1e-9);
}

static void test_metrics__pending_activation_applied_per_row(void **state)
{
    (void)state;
    /* Softmax pending: the metrics of softmax(LOGITS), activated here in
     * double, equal the losses on those probabilities. */
    enum { R = 5, C = 3 };
    float prob[R * C], onehot[R * C] = {0};
    float cls[R] = {2, 1, 1, 1, 2};
    for (int i = 0; i < R; i++) {
        double s = 0, top = -INFINITY;
        for (int j = 0; j < C; j++)
            top = fmax(top, LOGITS[i * C + j]);
        for (int j = 0; j < C; j++)
            s += exp(LOGITS[i * C + j] - top);
        for (int j = 0; j < C; j++)
            prob[i * C + j] = (float)(exp(LOGITS[i * C + j] - top) / s);
        onehot[i * C + (int)cls[i]] = 1;
    }
    LrTensor z = tensor_view(LOGITS, R, C), p = tensor_view(prob, R, C);
    LrTensor t = tensor_view(onehot, R, C);
    static const struct {
        LrMetricKind m;
        LrLossKind l;
    } pairs[] = {{METRIC_MSE, LOSS_MSE},
                 {METRIC_HALF_MSE, LOSS_HALF_MSE},
                 {METRIC_MAE, LOSS_MAE},
                 {METRIC_HUBER, LOSS_HUBER},
                 {METRIC_BINARY_CROSSENTROPY, LOSS_BINARY_CROSSENTROPY}};
    for (int k = 0; k < 5; k++) {
        LrLoss l = loss_of(pairs[k].l, false);
        assert_close(metric_sum(pairs[k].m, ACT_SOFTMAX, &z, &t), loss_sum(&l, &p, &t), 1e-6);
    }

    /* Sigmoid pending, for a metric that is not its loss: mse of
     * sigmoid(z) by hand. z = 0 -> 0.5, z = log 3 -> 0.75. */
    float zs[] = {0, (float)log(3.0)}, ts[] = {1, 0};
    LrTensor zst = tensor_view(zs, 1, 2), tst = tensor_view(ts, 1, 2);
    assert_close(metric_sum(METRIC_MSE, ACT_SIGMOID, &zst, &tst), (0.25 + 0.5625) / 2, 1e-7);
    assert_close(metric_sum(METRIC_MAE, ACT_SIGMOID, &zst, &tst), (0.5 + 0.75) / 2, 1e-7);
    /* Categorical on sigmoid outputs: divided by their sum, as Keras.
     * q = 0.5 / 1.25 = 0.4 for class 0. */
    float c0[] = {0};
    LrTensor c0t = tensor_view(c0, 1, 1);
    assert_close(metric_sum(METRIC_CATEGORICAL_CROSSENTROPY, ACT_SIGMOID, &zst, &c0t),
                 -log(0.4), 1e-7);
}

static void test_metrics__names(void **state)
{
    (void)state;
    assert_string_equal(metric_name(METRIC_ACCURACY), "accuracy");
    assert_string_equal(metric_name(METRIC_MSE), "mse");
    assert_string_equal(metric_name(METRIC_HALF_MSE), "half_mse");
    assert_string_equal(metric_name(METRIC_MAE), "mae");
    assert_string_equal(metric_name(METRIC_HUBER), "huber");
    assert_string_equal(metric_name(METRIC_BINARY_CROSSENTROPY), "binary_crossentropy");
    assert_string_equal(metric_name(METRIC_CATEGORICAL_CROSSENTROPY), "categorical_crossentropy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics__accuracy_sparse_labels),
        cmocka_unit_test(test_metrics__accuracy_one_hot),
        cmocka_unit_test(test_metrics__accuracy_binary),
        cmocka_unit_test(test_metrics__accuracy_binary_soft_targets),
        cmocka_unit_test(test_metrics__loss_metrics_equal_losses),
        cmocka_unit_test(test_metrics__fused_cross_entropies_equal_fused_losses),
        cmocka_unit_test(test_metrics__pending_activation_applied_per_row),
        cmocka_unit_test(test_metrics__names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
