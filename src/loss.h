/* loss.h — losses with Keras definitions: the per-sample loss is the mean
 * over outputs; the batch loss is the mean over samples.
 *   mse      (p - t)^2
 *   half_mse (p - t)^2 / 2
 *   mae      |p - t| */
#ifndef LR_LOSS_H
#define LR_LOSS_H
#include "spec.h"
#include "tensor.h"

/* Sum over the rows of the per-sample loss, accumulated in double. */
double loss_sum(LrLossKind k, const LrTensor *pred, const LrTensor *target);
/* grad = d(batch loss)/d(pred), batch loss = loss_sum / pred->rows. */
void loss_gradient(LrLossKind k, const LrTensor *pred, const LrTensor *target, LrTensor *grad);

#endif
