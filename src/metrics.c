/* metrics.c — what is reported besides the loss: accuracy (Keras's
 * sparse/categorical/binary accuracy, chosen by shape) and the losses as
 * metrics. When the output activation was fused into the loss, the metric
 * applies it per row on the fly (no buffer): a cross-entropy whose own
 * activation is pending (binary with sigmoid, categorical with softmax) is
 * computed in the loss's fused form, so that it equals the reported loss;
 * any other metric sees the activated values. */
#include "metrics.h"

#include <math.h>

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
        case METRIC_ACCURACY:
        case METRIC_CATEGORICAL_CROSSENTROPY:
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
    case METRIC_ACCURACY:
    case METRIC_CATEGORICAL_CROSSENTROPY:
        break;
    }
    return LOSS_CATEGORICAL_CROSSENTROPY;
}

double metric_sum(LrMetricKind m, LrActivation pending, const LrTensor *pred,
                  const LrTensor *target)
{
    if (m == METRIC_ACCURACY)
        return accuracy_sum(pending, pred, target);

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

const char *metric_name(LrMetricKind m)
{
    return words_name(words_metrics, (int)m);
}
