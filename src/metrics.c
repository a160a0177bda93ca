/* metrics.c — what is reported besides the loss: accuracy (Keras's
 * sparse/categorical/binary accuracy, chosen by shape) and the losses as
 * metrics. When the output activation was fused into the loss, the metric
 * applies it per row on the fly (no buffer): a cross-entropy whose own
 * activation is pending (binary with sigmoid, categorical with softmax) is
 * computed in the loss's fused form, so that it equals the reported loss;
 * any other metric sees the activated values. The metrics of the whole
 * part (precision, recall, f1, auc, r2) are computed from a tally. */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "loss.h"

/* Keras's backend epsilon, with the bounds rounded to float (loss.c). */
#define EPS 1e-7
static const double CLIP_LO = (double)(float)EPS;
static const double CLIP_HI = (double)(float)(1.0 - EPS);

/* ------------------------------------------------------------------------
 * The pending activation, one element at a time */

/* What an element's activation needs to know about its row: for softmax,
 * the row maximum and sum_j exp(z_j - max). */
typedef struct RowStats {
    double top, sum_exp;
} RowStats;

static RowStats row_stats(LrActivation act, const float *z, int n)
{
    RowStats s = {0.0, 1.0};
    if (act != ACT_SOFTMAX)
        return s;
    s.top = z[0];
    for (int j = 1; j < n; j++)
        if (z[j] > s.top)
            s.top = z[j];
    s.sum_exp = 0.0;
    for (int j = 0; j < n; j++)
        s.sum_exp += exp(z[j] - s.top);
    return s;
}

static double activated(LrActivation act, const float *z, int j, RowStats s)
{
    double v = z[j];
    switch (act) {
    case ACT_LINEAR:
        return v;
    case ACT_RELU:
        return v > 0 ? v : 0.0;
    case ACT_SIGMOID:
        return v >= 0 ? 1.0 / (1.0 + exp(-v)) : exp(v) / (1.0 + exp(v));
    case ACT_TANH:
        return tanh(v);
    case ACT_SOFTMAX:
        return exp(v - s.top) / s.sum_exp;
    case ACT_GELU:
    case ACT_LEAKY_RELU:
    case ACT_ELU:
        break; /* never pending: a loss fuses only sigmoid or softmax */
    }
    return v;
}

/* Target j of a row: the value, or for a class index (one target column,
 * several outputs) 1 at the class and 0 elsewhere (loss.c does the same). */
static double target_at(const float *t, int tcols, int n, int j)
{
    if (tcols == 1 && n > 1)
        return t[0] >= 0.0f && t[0] < (float)n && (int)t[0] == j;
    return t[j];
}

/* ------------------------------------------------------------------------
 * Accuracy */

static int argmax_row(LrActivation act, const float *z, int n)
{
    RowStats s = row_stats(act, z, n);
    int best = 0;
    double top = activated(act, z, 0, s);
    for (int j = 1; j < n; j++) {
        double v = activated(act, z, j, s);
        if (v > top) {
            top = v;
            best = j;
        }
    }
    return best;
}

static double accuracy_sum(LrActivation pending, const LrTensor *pred, const LrTensor *target)
{
    const int n = pred->cols;
    double hits = 0.0;
    for (int i = 0; i < pred->rows; i++) {
        const float *z = &TENSOR_AT(*pred, i, 0);
        const float *t = &TENSOR_AT(*target, i, 0);
        if (n == 1) {
            /* Binary: the prediction thresholded at 0.5 against the
             * target thresholded likewise (lr(5): Keras compares with the
             * target itself, so a soft target would never count). */
            double p = activated(pending, z, 0, row_stats(pending, z, 1));
            hits += (p > 0.5) == (t[0] > 0.5f);
            continue;
        }
        int cls;
        if (target->cols == 1) /* sparse: the class index */
            cls = t[0] >= 0.0f && t[0] < (float)n ? (int)t[0] : -1;
        else                   /* one-hot: its argmax */
            cls = argmax_row(ACT_LINEAR, t, n);
        hits += argmax_row(pending, z, n) == cls;
    }
    return hits;
}

/* ------------------------------------------------------------------------
 * Losses on activated predictions */

static double clip_prob(double p)
{
    return p < CLIP_LO ? CLIP_LO : p > CLIP_HI ? CLIP_HI : p;
}

static double row_metric(LrMetricKind m, LrActivation pending, const float *z, const float *t,
                         int tcols, int n)
{
    RowStats s = row_stats(pending, z, n);
    double sum = 0.0;
    if (m == METRIC_CATEGORICAL_CROSSENTROPY) {
        /* As the loss: divide by the row sum, clip, -sum_k t_k log q_k. */
        double total = 0.0;
        for (int j = 0; j < n; j++)
            total += activated(pending, z, j, s);
        for (int j = 0; j < n; j++)
            sum -= target_at(t, tcols, n, j) * log(clip_prob(activated(pending, z, j, s) / total));
        return sum;
    }
    for (int j = 0; j < n; j++) {
        double p = activated(pending, z, j, s), y = target_at(t, tcols, n, j);
        double d = p - y, a = fabs(d);
        switch (m) {
        case METRIC_MSE:
            sum += d * d;
            break;
        case METRIC_HALF_MSE:
            sum += 0.5 * d * d;
            break;
        case METRIC_MAE:
            sum += a;
            break;
        case METRIC_HUBER: /* delta 1 */
            sum += a <= 1.0 ? 0.5 * d * d : a - 0.5;
            break;
        case METRIC_BINARY_CROSSENTROPY: {
            double c = clip_prob(p);
            sum -= y * log(c) + (1.0 - y) * log(1.0 - c);
            break;
        }
        default: /* accuracy, categorical_crossentropy, the tallied ones */
            break;
        }
    }
    return sum / n;
}

static LrLossKind loss_kind(LrMetricKind m)
{
    switch (m) {
    case METRIC_MSE:
        return LOSS_MSE;
    case METRIC_HALF_MSE:
        return LOSS_HALF_MSE;
    case METRIC_MAE:
        return LOSS_MAE;
    case METRIC_HUBER:
        return LOSS_HUBER;
    case METRIC_BINARY_CROSSENTROPY:
        return LOSS_BINARY_CROSSENTROPY;
    default:
        break;
    }
    return LOSS_CATEGORICAL_CROSSENTROPY;
}

double metric_sum(LrMetricKind m, LrActivation pending, const LrTensor *pred,
                  const LrTensor *target)
{
    if (m == METRIC_ACCURACY)
        return accuracy_sum(pending, pred, target);
    if (!metric_per_row(m))
        return 0; /* metric_value's */

    /* Nothing pending, or the cross-entropy's own activation: exactly the
     * loss of the same name. */
    LrLoss loss = {.kind = loss_kind(m), .delta = 1.0, .from_logits = false};
    if ((m == METRIC_BINARY_CROSSENTROPY && pending == ACT_SIGMOID) ||
        (m == METRIC_CATEGORICAL_CROSSENTROPY && pending == ACT_SOFTMAX))
        loss.from_logits = true;
    if (pending == ACT_LINEAR || loss.from_logits)
        return loss_sum(&loss, pred, target);

    double total = 0.0;
    for (int i = 0; i < pred->rows; i++)
        total += row_metric(m, pending, &TENSOR_AT(*pred, i, 0), &TENSOR_AT(*target, i, 0),
                            target->cols, pred->cols);
    return total;
}

/* ------------------------------------------------------------------------
 * Metrics of the whole part */

bool metric_per_row(LrMetricKind m)
{
    switch (m) {
    case METRIC_PRECISION:
    case METRIC_RECALL:
    case METRIC_F1:
    case METRIC_AUC:
    case METRIC_R2:
        return false;
    default:
        return true;
    }
}

int metric_classes(LrLossKind loss, int outputs)
{
    switch (loss_output_kind(loss, outputs)) {
    case OUTPUT_BINARY:
        return 2;
    case OUTPUT_CLASSES:
        return outputs;
    case OUTPUT_REGRESSION:
        break;
    }
    return 0;
}

/* "this model has 3 classes (categorical_crossentropy)", ... */
static void model_is(LrLossKind loss, int outputs, char *out, size_t size)
{
    const char *name = words_name(words_losses, (int)loss);
    if (loss == LOSS_CATEGORICAL_CROSSENTROPY)
        snprintf(out, size, "this model has %d classes (%s)", outputs, name);
    else if (loss == LOSS_BINARY_CROSSENTROPY && outputs == 1)
        snprintf(out, size, "this model is a binary classifier (%s, one output)", name);
    else if (loss == LOSS_BINARY_CROSSENTROPY)
        snprintf(out, size, "this model has %d outputs under %s", outputs, name);
    else
        snprintf(out, size, "this model is a regression (loss %s)", name);
}

static const char CLASSIFIER[] =
    "a classifier (binary_crossentropy with one output, or categorical_crossentropy)";

int metric_fits(LrMetricKind m, LrLossKind loss, int outputs, char *why, size_t why_size)
{
    LrOutputKind kind = loss_output_kind(loss, outputs);
    const char *needs = NULL;
    switch (m) {
    case METRIC_PRECISION:
    case METRIC_RECALL:
    case METRIC_F1:
        if (kind == OUTPUT_REGRESSION)
            needs = CLASSIFIER;
        break;
    case METRIC_AUC:
        if (kind != OUTPUT_BINARY)
            needs = "a binary classifier (binary_crossentropy with one output)";
        break;
    case METRIC_R2:
        /* Not several sigmoid outputs either: probabilities, not values. */
        if (kind != OUTPUT_REGRESSION || loss == LOSS_BINARY_CROSSENTROPY)
            needs = "a regression (loss mse, half_mse, mae or huber)";
        break;
    default:
        break;
    }
    if (!needs)
        return 0;
    char model[128];
    model_is(loss, outputs, model, sizeof model);
    snprintf(why, why_size, "%s is for %s; %s", metric_name(m), needs, model);
    return -1;
}

int metric_confusion_fits(LrLossKind loss, int outputs, char *why, size_t why_size)
{
    if (metric_classes(loss, outputs) > 0)
        return 0;
    char model[128];
    model_is(loss, outputs, model, sizeof model);
    snprintf(why, why_size, "a confusion matrix is for %s; %s", CLASSIFIER, model);
    return -1;
}

bool metric_wanted(const LrSpec *spec, LrMetricKind m)
{
    for (int i = 0; i < spec->train.metric_count; i++)
        if (spec->train.metrics[i] == m)
            return true;
    for (int e = 0; e < spec->evaluate_count; e++)
        for (int i = 0; i < spec->evaluates[e].metric_count; i++)
            if (spec->evaluates[e].metrics[i] == m)
                return true;
    return false;
}

int metric_tally_size(LrMetricTally *t, const LrSpec *spec, LrLossKind loss, int outputs,
                      int64_t largest, LrArena *arena)
{
    bool confusion = false;
    for (int e = 0; e < spec->evaluate_count; e++)
        confusion |= spec->evaluates[e].confusion;
    size_t classes = (size_t)metric_classes(loss, outputs);
    bool failed = false;
    if (classes > 0 && (confusion || metric_wanted(spec, METRIC_PRECISION) ||
                        metric_wanted(spec, METRIC_RECALL) || metric_wanted(spec, METRIC_F1))) {
        t->classes = (int)classes;
        t->binary = outputs == 1;
        t->actual = arena_array(arena, classes, sizeof(int64_t));
        t->predicted = arena_array(arena, classes, sizeof(int64_t));
        t->correct = arena_array(arena, classes, sizeof(int64_t));
        failed |= !t->actual || !t->predicted || !t->correct;
        if (confusion && !failed)
            failed |= !(t->confusion = arena_array(arena, classes * classes, sizeof(int64_t)));
    }
    if (metric_wanted(spec, METRIC_AUC)) {
        t->capacity = largest > 0 ? largest : 1;
        failed |= !(t->scores = arena_array(arena, (size_t)t->capacity, sizeof(LrScore)));
    }
    if (metric_wanted(spec, METRIC_R2)) {
        size_t n = (size_t)outputs;
        t->outputs = outputs;
        t->mean = arena_array(arena, n, sizeof(double));
        t->deviations = arena_array(arena, n, sizeof(double));
        t->residuals = arena_array(arena, n, sizeof(double));
        failed |= !t->mean || !t->deviations || !t->residuals;
    }
    return failed ? -1 : 0;
}

int metrics_check_fit(const LrSpec *spec, LrLossKind loss, int outputs, const LrSource *src,
                      LrDiag *diag)
{
    char why[256];
    int reported = 0;
    const LrTrainSpec *t = &spec->train;
    for (int m = 0; m < t->metric_count; m++)
        if (metric_fits(t->metrics[m], loss, outputs, why, sizeof why) < 0) {
            diag_error(diag, src, t->metric_spans[m], "%s", why);
            reported++;
        }
    for (int i = 0; i < spec->evaluate_count; i++) {
        const LrEvaluateSpec *e = &spec->evaluates[i];
        for (int m = 0; e->own_metrics && m < e->metric_count; m++)
            if (metric_fits(e->metrics[m], loss, outputs, why, sizeof why) < 0) {
                diag_error(diag, src, e->metric_spans[m], "%s", why);
                reported++;
            }
        if (e->confusion && metric_confusion_fits(loss, outputs, why, sizeof why) < 0) {
            diag_error(diag, src, e->confusion_span, "%s", why);
            reported++;
        }
    }
    return reported;
}

void metric_tally_reset(LrMetricTally *t)
{
    size_t k = (size_t)t->classes;
    if (t->actual) {
        memset(t->actual, 0, k * sizeof *t->actual);
        memset(t->predicted, 0, k * sizeof *t->predicted);
        memset(t->correct, 0, k * sizeof *t->correct);
    }
    if (t->confusion)
        memset(t->confusion, 0, k * k * sizeof *t->confusion);
    t->scored = 0;
    if (t->mean) {
        size_t n = (size_t)t->outputs;
        memset(t->mean, 0, n * sizeof *t->mean);
        memset(t->deviations, 0, n * sizeof *t->deviations);
        memset(t->residuals, 0, n * sizeof *t->residuals);
    }
    t->rows = 0;
}

/* A classifier's row: its true class (-1: none of the classes) and the
 * class predicted, as accuracy decides them. */
static void classify_row(const float *z, int n, const float *t, int tcols, LrActivation pending,
                         int *truth, int *guess)
{
    if (n == 1) {
        *guess = activated(pending, z, 0, row_stats(pending, z, 1)) > 0.5;
        *truth = t[0] > 0.5f;
        return;
    }
    if (tcols == 1)
        *truth = t[0] >= 0.0f && t[0] < (float)n ? (int)t[0] : -1;
    else
        *truth = argmax_row(ACT_LINEAR, t, n);
    *guess = argmax_row(pending, z, n);
}

void metric_tally_add(LrMetricTally *t, LrActivation pending, const LrTensor *pred,
                      const LrTensor *target)
{
    const int n = pred->cols;
    for (int i = 0; i < pred->rows; i++) {
        const float *z = &TENSOR_AT(*pred, i, 0);
        const float *y = &TENSOR_AT(*target, i, 0);
        if (t->actual) {
            int truth, guess;
            classify_row(z, n, y, target->cols, pending, &truth, &guess);
            if (truth >= 0 && truth < t->classes && guess < t->classes) {
                t->actual[truth]++;
                t->predicted[guess]++;
                t->correct[truth] += truth == guess;
                if (t->confusion)
                    t->confusion[(size_t)truth * (size_t)t->classes + (size_t)guess]++;
            }
        }
        if (t->scores && t->scored < t->capacity)
            t->scores[t->scored++] = (LrScore){z[0], y[0] > 0.5f ? 1.0f : 0.0f};
        if (t->mean) {
            RowStats s = row_stats(pending, z, n);
            double k = (double)(t->rows + 1);
            for (int j = 0; j < n && j < t->outputs; j++) {
                double v = target_at(y, target->cols, n, j);
                double d = v - t->mean[j];
                t->mean[j] += d / k;
                t->deviations[j] += d * (v - t->mean[j]);
                double r = activated(pending, z, j, s) - v;
                t->residuals[j] += r * r;
            }
        }
        t->rows++;
    }
}

/* Heapsort by score, ascending: in place, no allocation, O(n log n) at
 * worst. The order within ties does not matter to auc. */
static void sift_down(LrScore *s, int64_t root, int64_t n)
{
    for (;;) {
        int64_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && s[child].score < s[child + 1].score)
            child++;
        if (!(s[root].score < s[child].score))
            return;
        LrScore tmp = s[root];
        s[root] = s[child];
        s[child] = tmp;
        root = child;
    }
}

static void sort_scores(LrScore *s, int64_t n)
{
    for (int64_t i = n / 2 - 1; i >= 0; i--)
        sift_down(s, i, n);
    for (int64_t end = n - 1; end > 0; end--) {
        LrScore tmp = s[0];
        s[0] = s[end];
        s[end] = tmp;
        sift_down(s, 0, end);
    }
}

/* The ROC area: over the rows in score order, each positive counts the
 * negatives below it and half of those tied with it; divided by P N. */
static double auc_of(LrMetricTally *t)
{
    sort_scores(t->scores, t->scored);
    double area = 0, negatives_below = 0, positives = 0;
    for (int64_t i = 0; i < t->scored;) {
        int64_t j = i + 1;
        while (j < t->scored && t->scores[j].score == t->scores[i].score)
            j++;
        double p = 0;
        for (int64_t k = i; k < j; k++)
            p += t->scores[k].positive;
        double q = (double)(j - i) - p;
        area += p * (negatives_below + 0.5 * q);
        negatives_below += q;
        positives += p;
        i = j;
    }
    if (positives == 0 || negatives_below == 0)
        return NAN;
    return area / (positives * negatives_below);
}

/* Class c's precision, recall or f1; 0 where the denominator is. */
static double class_score(LrMetricKind m, const LrMetricTally *t, int c)
{
    double hit = (double)t->correct[c], actual = (double)t->actual[c];
    double predicted = (double)t->predicted[c];
    double denominator = m == METRIC_PRECISION ? predicted
                         : m == METRIC_RECALL  ? actual
                                               : predicted + actual; /* 2TP + FP + FN */
    double numerator = m == METRIC_F1 ? 2 * hit : hit;
    return denominator > 0 ? numerator / denominator : 0.0;
}

static double r2_of(const LrMetricTally *t)
{
    if (t->rows < 2)
        return NAN;
    double sum = 0;
    for (int j = 0; j < t->outputs; j++) {
        if (t->deviations[j] > 0)
            sum += 1.0 - t->residuals[j] / t->deviations[j];
        else
            sum += t->residuals[j] == 0 ? 1.0 : 0.0;
    }
    return sum / t->outputs;
}

double metric_value(LrMetricKind m, LrMetricTally *t)
{
    switch (m) {
    case METRIC_PRECISION:
    case METRIC_RECALL:
    case METRIC_F1: {
        if (!t->actual)
            return NAN;
        if (t->binary)
            return class_score(m, t, 1);
        double sum = 0;
        int present = 0;
        for (int c = 0; c < t->classes; c++) {
            if (t->actual[c] == 0 && t->predicted[c] == 0)
                continue;
            sum += class_score(m, t, c);
            present++;
        }
        return present ? sum / present : 0.0;
    }
    case METRIC_AUC:
        return t->scores ? auc_of(t) : NAN;
    case METRIC_R2:
        return t->mean ? r2_of(t) : NAN;
    default:
        return NAN;
    }
}

const char *metric_name(LrMetricKind m)
{
    return words_name(words_metrics, (int)m);
}
