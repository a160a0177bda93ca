/* loss.c — regression losses with Keras definitions: the per-sample loss is
 * the mean over outputs and the batch loss the mean over samples, so the
 * gradient carries 1 / (rows * cols). Sums run in double so that the
 * full-dataset loss printed per epoch does not depend on float round-off
 * accumulating over thousands of rows. */
#include "loss.h"

#include <math.h>

static double elem_loss(LrLossKind k, double d)
{
    switch (k) {
    case LOSS_MSE:
        return d * d;
    case LOSS_HALF_MSE:
        return 0.5 * d * d;
    case LOSS_MAE:
        return fabs(d);
    }
    return 0.0;
}

/* d elem_loss / d prediction at difference d = p - t. mae's derivative at
 * d == 0 is taken as 0, as TensorFlow's sign(). */
static double elem_grad(LrLossKind k, double d)
{
    switch (k) {
    case LOSS_MSE:
        return 2.0 * d;
    case LOSS_HALF_MSE:
        return d;
    case LOSS_MAE:
        return (d > 0) - (d < 0);
    }
    return 0.0;
}

double loss_sum(LrLossKind k, const LrTensor *pred, const LrTensor *target)
{
    double total = 0.0;
    for (int i = 0; i < pred->rows; i++) {
        double row = 0.0;
        for (int j = 0; j < pred->cols; j++)
            row += elem_loss(k, (double)TENSOR_AT(*pred, i, j) - TENSOR_AT(*target, i, j));
        total += row / pred->cols;
    }
    return total;
}

void loss_gradient(LrLossKind k, const LrTensor *pred, const LrTensor *target, LrTensor *grad)
{
    const double scale = 1.0 / ((double)pred->rows * pred->cols);
    for (int i = 0; i < pred->rows; i++)
        for (int j = 0; j < pred->cols; j++) {
            double d = (double)TENSOR_AT(*pred, i, j) - TENSOR_AT(*target, i, j);
            TENSOR_AT(*grad, i, j) = (float)(elem_grad(k, d) * scale);
        }
}
