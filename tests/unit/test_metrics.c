/* test_metrics.c — accuracy for class indices, one-hot targets and a
 * single (binary) output, counted by hand; the loss-named metrics equal the
 * loss values (with nothing pending, and with the output activation fused
 * into the loss); a pending activation applied on the fly equals the loss
 * on predictions activated beforehand; metric names. The metrics of the
 * whole part (precision, recall, f1, auc, r2) and the confusion matrix
 * against small tables worked out by hand in the comments. */
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

/* ------------------------------------------------------------------------
 * Metrics of the whole part, from a tally */

enum { MAX_CLASSES = 4, MAX_ROWS = 16, MAX_OUTPUTS = 2 };

typedef struct Buffers {
    int64_t actual[MAX_CLASSES], predicted[MAX_CLASSES], correct[MAX_CLASSES];
    int64_t confusion[MAX_CLASSES * MAX_CLASSES];
    LrScore scores[MAX_ROWS];
    double mean[MAX_OUTPUTS], deviations[MAX_OUTPUTS], residuals[MAX_OUTPUTS];
} Buffers;

/* A tally keeping everything, for classes classes (binary: one output) and
 * outputs outputs. */
static LrMetricTally tally_of(Buffers *b, int classes, bool binary, int outputs)
{
    LrMetricTally t = {.classes = classes, .binary = binary, .actual = b->actual,
                       .predicted = b->predicted, .correct = b->correct,
                       .confusion = b->confusion, .scores = b->scores, .capacity = MAX_ROWS,
                       .outputs = outputs, .mean = b->mean, .deviations = b->deviations,
                       .residuals = b->residuals};
    metric_tally_reset(&t);
    return t;
}

/* Adds rows [from, to) of pred and target. */
static void add_rows(LrMetricTally *t, LrActivation pending, float *pred, float *target,
                     int cols, int tcols, int from, int to)
{
    LrTensor p = tensor_view(pred + from * cols, to - from, cols);
    LrTensor y = tensor_view(target + from * tcols, to - from, tcols);
    metric_tally_add(t, pending, &p, &y);
}

static void test_metrics__binary_precision_recall_f1(void **state)
{
    (void)state;
    /* p > 0.5: 1 1 0 1 0 1 against 1 0 1 1 0 0: TP 2 (rows 0, 3), FP 2
     * (1, 5), FN 1 (2), TN 1. precision 2/4, recall 2/3, f1 2TP / (2TP +
     * FP + FN) = 4/7. In two blocks, to count across them. */
    float p[] = {0.9f, 0.8f, 0.3f, 0.6f, 0.2f, 0.7f}, t[] = {1, 0, 1, 1, 0, 0};
    Buffers b;
    LrMetricTally tally = tally_of(&b, 2, true, 0);
    add_rows(&tally, ACT_LINEAR, p, t, 1, 1, 0, 4);
    add_rows(&tally, ACT_LINEAR, p, t, 1, 1, 4, 6);
    assert_close(metric_value(METRIC_PRECISION, &tally), 0.5, 1e-15);
    assert_close(metric_value(METRIC_RECALL, &tally), 2.0 / 3.0, 1e-15);
    assert_close(metric_value(METRIC_F1, &tally), 4.0 / 7.0, 1e-15);
    /* [true][predicted]: TN FP / FN TP. */
    int64_t want[] = {1, 2, 1, 2};
    for (int i = 0; i < 4; i++)
        assert_int_equal(b.confusion[i], want[i]);
    /* Logits with the sigmoid pending: z > 0 as p > 0.5. */
    float z[] = {2.2f, 1.4f, -0.8f, 0.4f, -1.4f, 0.8f};
    tally = tally_of(&b, 2, true, 0);
    add_rows(&tally, ACT_SIGMOID, z, t, 1, 1, 0, 6);
    assert_close(metric_value(METRIC_F1, &tally), 4.0 / 7.0, 1e-15);
    /* Nothing predicted positive and nothing positive: 0, not NaN
     * (zero_division=0). */
    float none[] = {0.1f, 0.2f}, zeros[] = {0, 0};
    tally = tally_of(&b, 2, true, 0);
    add_rows(&tally, ACT_LINEAR, none, zeros, 1, 1, 0, 2);
    assert_close(metric_value(METRIC_PRECISION, &tally), 0, 0);
    assert_close(metric_value(METRIC_RECALL, &tally), 0, 0);
    assert_close(metric_value(METRIC_F1, &tally), 0, 0);
}

static void test_metrics__macro_over_present_classes(void **state)
{
    (void)state;
    /* Four outputs; argmax by row 0 0 1 0 1 0 0 0; classes 0 0 0 0 1 1 2 0.
     * Class 0: 5 rows, 6 predicted, 4 right; class 1: 2, 2, 1; class 2: 1,
     * 0, 0 (never predicted: precision 0); class 3 neither occurs nor is
     * predicted and is left out of the averages (scikit-learn's labels
     * from the data). precision (4/6 + 1/2 + 0) / 3 = 7/18, recall (4/5 +
     * 1/2 + 0) / 3 = 13/30, f1 (8/11 + 2/4 + 0) / 3 = 9/22. */
    float z[] = {2, 0, 0, -1, 1, 0.5f, 0, -1, 0, 3, 1, -1, 5, 1, 1, -1,
                 0, 2, 1, -1, 1, 0, 0.5f, -1, 2, 1, 1.5f, -1, 1, 0, 0, -1};
    float cls[] = {0, 0, 0, 0, 1, 1, 2, 0};
    Buffers b;
    LrMetricTally tally = tally_of(&b, 4, false, 0);
    add_rows(&tally, ACT_SOFTMAX, z, cls, 4, 1, 0, 3);
    add_rows(&tally, ACT_SOFTMAX, z, cls, 4, 1, 3, 8);
    assert_close(metric_value(METRIC_PRECISION, &tally), 7.0 / 18.0, 1e-15);
    assert_close(metric_value(METRIC_RECALL, &tally), 13.0 / 30.0, 1e-15);
    assert_close(metric_value(METRIC_F1, &tally), 9.0 / 22.0, 1e-15);
    int64_t want[16] = {4, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 16; i++)
        assert_int_equal(b.confusion[i], want[i]);
    /* One-hot targets count as their argmax: the same numbers. */
    float onehot[32] = {0};
    for (int r = 0; r < 8; r++)
        onehot[r * 4 + (int)cls[r]] = 1;
    tally = tally_of(&b, 4, false, 0);
    add_rows(&tally, ACT_LINEAR, z, onehot, 4, 4, 0, 8);
    assert_close(metric_value(METRIC_F1, &tally), 9.0 / 22.0, 1e-15);
}

static void test_metrics__auc_exact_with_ties(void **state)
{
    (void)state;
    /* Positives 0.9 0.3 0.6, negatives 0.8 0.2 0.7: pairs ranked right
     * 3 + 1 + 1 of 9. */
    float p[] = {0.9f, 0.8f, 0.3f, 0.6f, 0.2f, 0.7f}, t[] = {1, 0, 1, 1, 0, 0};
    Buffers b;
    LrMetricTally tally = tally_of(&b, 0, false, 0);
    tally.actual = NULL;
    add_rows(&tally, ACT_LINEAR, p, t, 1, 1, 0, 2);
    add_rows(&tally, ACT_LINEAR, p, t, 1, 1, 2, 6);
    assert_close(metric_value(METRIC_AUC, &tally), 5.0 / 9.0, 1e-15);
    /* Ties count one half: positives 0.5 0.4, negatives 0.5 0.1 0.4:
     * (1/2 + 1 + 1) + (0 + 1 + 1/2) = 4 of 6. */
    float q[] = {0.5f, 0.5f, 0.1f, 0.4f, 0.4f}, u[] = {1, 0, 0, 1, 0};
    tally = tally_of(&b, 0, false, 0);
    add_rows(&tally, ACT_LINEAR, q, u, 1, 1, 0, 5);
    assert_close(metric_value(METRIC_AUC, &tally), 2.0 / 3.0, 1e-15);
    /* All tied: 1/2. */
    float same[] = {3, 3, 3, 3}, mixed[] = {1, 0, 0, 1};
    tally = tally_of(&b, 0, false, 0);
    add_rows(&tally, ACT_SIGMOID, same, mixed, 1, 1, 0, 4);
    assert_close(metric_value(METRIC_AUC, &tally), 0.5, 0);
    /* Sorted either way round: perfect, and reversed. */
    float up[] = {1, 2, 3, 4, 5, 6}, split[] = {0, 0, 0, 1, 1, 1}, flip[] = {1, 1, 1, 0, 0, 0};
    tally = tally_of(&b, 0, false, 0);
    add_rows(&tally, ACT_LINEAR, up, split, 1, 1, 0, 6);
    assert_close(metric_value(METRIC_AUC, &tally), 1, 0);
    tally = tally_of(&b, 0, false, 0);
    add_rows(&tally, ACT_LINEAR, up, flip, 1, 1, 0, 6);
    assert_close(metric_value(METRIC_AUC, &tally), 0, 0);
    /* One class only: undefined. */
    float ones[] = {1, 1};
    tally = tally_of(&b, 0, false, 0);
    add_rows(&tally, ACT_LINEAR, up, ones, 1, 1, 0, 2);
    assert_true(isnan(metric_value(METRIC_AUC, &tally)));
}

static void test_metrics__r2_averaged_over_outputs(void **state)
{
    (void)state;
    /* Output 1: y 1 2 3 4 (mean 2.5, SS_tot 5), p 1.5 2 2.5 4 (SS_res
     * 0.5): 0.9. Output 2: y 0 0 1 1 (SS_tot 1), p 0 1 1 0 (SS_res 2): -1.
     * Mean -0.05. */
    float p[] = {1.5f, 0, 2, 1, 2.5f, 1, 4, 0}, y[] = {1, 0, 2, 0, 3, 1, 4, 1};
    Buffers b;
    LrMetricTally tally = tally_of(&b, 0, false, 2);
    tally.actual = NULL;
    tally.scores = NULL;
    add_rows(&tally, ACT_LINEAR, p, y, 2, 2, 0, 1);
    add_rows(&tally, ACT_LINEAR, p, y, 2, 2, 1, 4);
    assert_close(metric_value(METRIC_R2, &tally), -0.05, 1e-15);
    /* Constant targets: 1 when predicted exactly, else 0 (force_finite). */
    float c[] = {2, 2, 2, 2}, exact[] = {2, 2, 2, 2}, off[] = {2, 2, 2, 3};
    tally = tally_of(&b, 0, false, 1);
    add_rows(&tally, ACT_LINEAR, exact, c, 1, 1, 0, 4);
    assert_close(metric_value(METRIC_R2, &tally), 1, 0);
    tally = tally_of(&b, 0, false, 1);
    add_rows(&tally, ACT_LINEAR, off, c, 1, 1, 0, 4);
    assert_close(metric_value(METRIC_R2, &tally), 0, 0);
    /* Far from 0, the mean is taken out as it goes (no cancellation):
     * y 1e6 + 1..4 and p 1e6 + 1.5, 2, 2.5, 4 as above, 0.9. */
    float big_y[] = {1000001, 1000002, 1000003, 1000004};
    float big_p[] = {1000001.5f, 1000002, 1000002.5f, 1000004};
    tally = tally_of(&b, 0, false, 1);
    add_rows(&tally, ACT_LINEAR, big_p, big_y, 1, 1, 0, 4);
    assert_close(metric_value(METRIC_R2, &tally), 0.9, 1e-12);
    /* One row: undefined. */
    tally = tally_of(&b, 0, false, 1);
    add_rows(&tally, ACT_LINEAR, off, c, 1, 1, 0, 1);
    assert_true(isnan(metric_value(METRIC_R2, &tally)));
}

static void test_metrics__which_fit_which_model(void **state)
{
    (void)state;
    char why[256];
    assert_true(metric_per_row(METRIC_ACCURACY) && metric_per_row(METRIC_MAE));
    assert_false(metric_per_row(METRIC_F1) || metric_per_row(METRIC_AUC) ||
                 metric_per_row(METRIC_R2));
    assert_int_equal(metric_classes(LOSS_BINARY_CROSSENTROPY, 1), 2);
    assert_int_equal(metric_classes(LOSS_CATEGORICAL_CROSSENTROPY, 5), 5);
    assert_int_equal(metric_classes(LOSS_BINARY_CROSSENTROPY, 3), 0);
    assert_int_equal(metric_classes(LOSS_MSE, 1), 0);
    assert_int_equal(metric_fits(METRIC_F1, LOSS_CATEGORICAL_CROSSENTROPY, 3, why, sizeof why), 0);
    assert_int_equal(metric_fits(METRIC_AUC, LOSS_BINARY_CROSSENTROPY, 1, why, sizeof why), 0);
    assert_int_equal(metric_fits(METRIC_R2, LOSS_HUBER, 2, why, sizeof why), 0);
    assert_int_equal(metric_fits(METRIC_ACCURACY, LOSS_MSE, 2, why, sizeof why), 0);
    assert_int_equal(metric_fits(METRIC_AUC, LOSS_CATEGORICAL_CROSSENTROPY, 3, why, sizeof why),
                     -1);
    assert_string_equal(why, "auc is for a binary classifier (binary_crossentropy with one "
                             "output); this model has 3 classes (categorical_crossentropy)");
    assert_int_equal(metric_fits(METRIC_PRECISION, LOSS_BINARY_CROSSENTROPY, 2, why, sizeof why),
                     -1);
    assert_string_equal(why, "precision is for a classifier (binary_crossentropy with one "
                             "output, or categorical_crossentropy); this model has 2 outputs "
                             "under binary_crossentropy");
    assert_int_equal(metric_fits(METRIC_R2, LOSS_BINARY_CROSSENTROPY, 1, why, sizeof why), -1);
    assert_string_equal(why, "r2 is for a regression (loss mse, half_mse, mae or huber); this "
                             "model is a binary classifier (binary_crossentropy, one output)");
    assert_int_equal(metric_confusion_fits(LOSS_MSE, 1, why, sizeof why), -1);
    assert_string_equal(why, "a confusion matrix is for a classifier (binary_crossentropy with "
                             "one output, or categorical_crossentropy); this model is a "
                             "regression (loss mse)");
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
    assert_string_equal(metric_name(METRIC_PRECISION), "precision");
    assert_string_equal(metric_name(METRIC_RECALL), "recall");
    assert_string_equal(metric_name(METRIC_F1), "f1");
    assert_string_equal(metric_name(METRIC_AUC), "auc");
    assert_string_equal(metric_name(METRIC_R2), "r2");
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
        cmocka_unit_test(test_metrics__binary_precision_recall_f1),
        cmocka_unit_test(test_metrics__macro_over_present_classes),
        cmocka_unit_test(test_metrics__auc_exact_with_ties),
        cmocka_unit_test(test_metrics__r2_averaged_over_outputs),
        cmocka_unit_test(test_metrics__which_fit_which_model),
        cmocka_unit_test(test_metrics__names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
