/* loss.c — losses with Keras definitions (keras.losses and the backends'
 * binary/categorical crossentropy): the per-sample loss is the mean over
 * outputs (cross-entropies over classes: the sum), the batch loss the mean
 * over samples. Loss and gradient share one row function so that they
 * cannot disagree. Sums run in double so that the full-dataset loss printed
 * per epoch does not depend on float round-off accumulating over thousands
 * of rows; gradients are rounded to float once. */
#include "loss.h"

#include <math.h>
#include <stddef.h>

/* Keras's backend epsilon: probabilities are clipped to [EPS, 1 - EPS],
 * the bounds rounded to float as Keras's float32 clip rounds them. */
#define EPS 1e-7
static const double CLIP_LO = (double)(float)EPS;
static const double CLIP_HI = (double)(float)(1.0 - EPS);

/* ------------------------------------------------------------------------
 * Element-wise losses of d = p - t (mse, half_mse, mae, huber) */

static double diff_loss(const LrLoss *l, double d)
{
    double a = fabs(d);
    switch (l->kind) {
    case LOSS_MSE:
        return d * d;
    case LOSS_HALF_MSE:
        return 0.5 * d * d;
    case LOSS_MAE:
        return a;
    case LOSS_HUBER: /* quadratic inside delta, linear outside */
        return a <= l->delta ? 0.5 * d * d : l->delta * a - 0.5 * l->delta * l->delta;
    case LOSS_BINARY_CROSSENTROPY:
    case LOSS_CATEGORICAL_CROSSENTROPY:
        break;
    }
    return 0.0;
}

/* d diff_loss / dp. At mae's kink d == 0 the derivative is 0, as
 * TensorFlow's sign(); huber is differentiable everywhere. */
static double diff_grad(const LrLoss *l, double d)
{
    double sign = (d > 0) - (d < 0);
    switch (l->kind) {
    case LOSS_MSE:
        return 2.0 * d;
    case LOSS_HALF_MSE:
        return d;
    case LOSS_MAE:
        return sign;
    case LOSS_HUBER:
        return fabs(d) <= l->delta ? d : l->delta * sign;
    case LOSS_BINARY_CROSSENTROPY:
    case LOSS_CATEGORICAL_CROSSENTROPY:
        break;
    }
    return 0.0;
}

static double clip_prob(double p)
{
    return p < CLIP_LO ? CLIP_LO : p > CLIP_HI ? CLIP_HI : p;
}

/* log(1 + exp(-|z|)) + max(z, 0) = log(1 + exp(z)), without overflow. */
static double softplus(double z)
{
    return (z > 0 ? z : 0.0) + log1p(exp(-fabs(z)));
}

static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* ------------------------------------------------------------------------
 * One row: returns the per-sample loss; when g is not NULL also writes
 * scale * d(per-sample loss)/dp into it (scale = 1 / rows for the batch
 * mean). */

/* A row's targets: pred's width of values, or (one target column, several
 * outputs) one class index standing for the one-hot row: 1 at the class,
 * 0 elsewhere. An index that is not a valid class stands for an all-zero
 * row, as Keras's one_hot makes it. loss.h defines the index form for
 * categorical_crossentropy; the other losses read it the same way rather
 * than past the end of a one-column target. */
typedef struct Target {
    const float *t;
    int cls; /* SPARSE_NONE: dense targets */
} Target;

#define SPARSE_NONE (-2)

static Target row_target(const float *t, int tcols, int n)
{
    Target r = {t, SPARSE_NONE};
    if (tcols == 1 && n > 1) {
        float v = t[0];
        r.cls = v >= 0.0f && v < (float)n ? (int)v : -1;
    }
    return r;
}

static double target_at(Target r, int j)
{
    return r.cls == SPARSE_NONE ? (double)r.t[j] : (double)(j == r.cls);
}

static double row_elementwise(const LrLoss *l, const float *p, Target t, int n, float *g,
                              double scale)
{
    double sum = 0.0;
    for (int j = 0; j < n; j++) {
        double d = (double)p[j] - target_at(t, j);
        sum += diff_loss(l, d);
        if (g)
            g[j] = (float)(diff_grad(l, d) * scale / n);
    }
    return sum / n;
}

static double row_binary(const LrLoss *l, const float *p, Target t, int n, float *g,
                         double scale)
{
    double sum = 0.0;
    for (int j = 0; j < n; j++) {
        double z = p[j], y = target_at(t, j);
        if (l->from_logits) {
            /* -(y log s(z) + (1 - y) log(1 - s(z))) = softplus(z) - y z;
             * its derivative s(z) - y. */
            sum += softplus(z) - y * z;
            if (g)
                g[j] = (float)((sigmoid(z) - y) * scale / n);
        } else {
            double c = clip_prob(z);
            sum += -(y * log(c) + (1.0 - y) * log(1.0 - c));
            if (g) {
                /* The clip passes no gradient where it is active. */
                double dc = (z > CLIP_LO && z < CLIP_HI) ? -y / c + (1.0 - y) / (1.0 - c) : 0.0;
                g[j] = (float)(dc * scale / n);
            }
        }
    }
    return sum / n;
}

static double row_categorical(const LrLoss *l, const float *p, Target t, int n, float *g,
                              double scale)
{
    if (l->from_logits) {
        /* -sum_k t_k log softmax(z)_k = (sum_k t_k) lse(z) - sum_k t_k z_k,
         * lse(z) = m + log sum_j exp(z_j - m) with m = max z: every exp
         * argument <= 0 and the sum >= 1. Gradient (sum_k t_k) softmax(z)
         * - t, which is softmax(z) - t for one-hot targets. */
        double m = p[0];
        for (int j = 1; j < n; j++)
            if (p[j] > m)
                m = p[j];
        double se = 0.0, tsum = 0.0, dot = 0.0;
        for (int j = 0; j < n; j++) {
            double y = target_at(t, j);
            se += exp(p[j] - m);
            tsum += y;
            dot += y * p[j];
        }
        double lse = m + log(se);
        if (g)
            for (int j = 0; j < n; j++)
                g[j] = (float)((tsum * exp(p[j] - lse) - target_at(t, j)) * scale);
        return tsum * lse - dot;
    }
    /* Probabilities: Keras first divides by the row sum S, then clips:
     * loss = -sum_k t_k log clip(p_k / S). With q = p / S and
     * e_k = d loss / d q_k = -t_k / q_k (0 where the clip is active),
     * d loss / d p_i = (e_i - sum_k e_k q_k) / S. */
    double s = 0.0;
    for (int j = 0; j < n; j++)
        s += p[j];
    double loss = 0.0, eq = 0.0;
    for (int j = 0; j < n; j++) {
        double q = p[j] / s, y = target_at(t, j);
        loss -= y * log(clip_prob(q));
        if (q > CLIP_LO && q < CLIP_HI)
            eq -= y; /* e_k q_k = -t_k */
    }
    if (g)
        for (int j = 0; j < n; j++) {
            double q = p[j] / s;
            double e = (q > CLIP_LO && q < CLIP_HI) ? -target_at(t, j) / q : 0.0;
            g[j] = (float)((e - eq) / s * scale);
        }
    return loss;
}

static double row_loss(const LrLoss *l, const float *p, const float *t, int tcols, int n,
                       float *g, double scale)
{
    Target tr = row_target(t, tcols, n);
    switch (l->kind) {
    case LOSS_BINARY_CROSSENTROPY:
        return row_binary(l, p, tr, n, g, scale);
    case LOSS_CATEGORICAL_CROSSENTROPY:
        return row_categorical(l, p, tr, n, g, scale);
    case LOSS_MSE:
    case LOSS_HALF_MSE:
    case LOSS_MAE:
    case LOSS_HUBER:
        break;
    }
    return row_elementwise(l, p, tr, n, g, scale);
}

/* ------------------------------------------------------------------------
 * Batches */

double loss_sum(const LrLoss *l, const LrTensor *pred, const LrTensor *target)
{
    double total = 0.0;
    for (int i = 0; i < pred->rows; i++)
        total += row_loss(l, &TENSOR_AT(*pred, i, 0), &TENSOR_AT(*target, i, 0), target->cols,
                          pred->cols, NULL, 0.0);
    return total;
}

double loss_gradient(const LrLoss *l, const LrTensor *pred, const LrTensor *target,
                     LrTensor *grad)
{
    return loss_gradient_part(l, pred, target, grad, pred->rows);
}

double loss_gradient_part(const LrLoss *l, const LrTensor *pred, const LrTensor *target,
                          LrTensor *grad, int64_t batch_rows)
{
    const double scale = 1.0 / (double)batch_rows;
    double total = 0.0;
    for (int i = 0; i < pred->rows; i++)
        total += row_loss(l, &TENSOR_AT(*pred, i, 0), &TENSOR_AT(*target, i, 0), target->cols,
                          pred->cols, &TENSOR_AT(*grad, i, 0), scale);
    return total;
}

LrActivation loss_fused_activation(LrLossKind loss)
{
    return loss == LOSS_CATEGORICAL_CROSSENTROPY ? ACT_SOFTMAX
           : loss == LOSS_BINARY_CROSSENTROPY    ? ACT_SIGMOID
                                                 : ACT_LINEAR;
}

LrOutputKind loss_output_kind(LrLossKind loss, int outputs)
{
    if (loss == LOSS_CATEGORICAL_CROSSENTROPY)
        return OUTPUT_CLASSES;
    if (loss == LOSS_BINARY_CROSSENTROPY && outputs == 1)
        return OUTPUT_BINARY;
    return OUTPUT_REGRESSION;
}
