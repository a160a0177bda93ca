/* loss.h — losses with Keras definitions: the per-sample loss is the mean
 * over outputs (cross-entropies: the sum over classes); the batch loss is
 * the mean over samples.
 *   mse       (p - t)^2
 *   half_mse  (p - t)^2 / 2
 *   mae       |p - t|
 *   huber     d^2/2 if |d| <= delta, else delta (|d| - delta/2), d = p - t
 *   binary_crossentropy       -(t log p + (1 - t) log(1 - p))
 *   categorical_crossentropy  -sum_k t_k log p_k; with one target column
 *                             and several outputs, t is the class index.
 * Cross-entropies on probabilities clip p to [1e-7, 1 - 1e-7] (Keras's
 * epsilon). With from_logits the predictions are the inputs of the output
 * activation (sigmoid for binary, softmax for categorical) and the loss and
 * gradient use the stable fused forms: no log(0), no overflow at |z| = 100. */
#ifndef LR_LOSS_H
#define LR_LOSS_H
#include <stdbool.h>

#include "spec.h"
#include "tensor.h"

typedef struct LrLoss {
    LrLossKind kind;
    double delta;     /* huber */
    bool from_logits; /* cross-entropies only */
} LrLoss;

/* Sum over the rows of the per-sample loss, accumulated in double. */
double loss_sum(const LrLoss *l, const LrTensor *pred, const LrTensor *target);
/* grad = d(batch loss)/d(pred), batch loss = loss_sum / pred->rows.
 * Returns loss_sum of the same rows, computed on the way (training checks
 * it for divergence at no extra pass). */
double loss_gradient(const LrLoss *l, const LrTensor *pred, const LrTensor *target,
                     LrTensor *grad);
/* loss_gradient of some of a batch's rows (a shard, dist.h): grad =
 * d(batch loss)/d(pred) with the batch loss the mean over batch_rows rows,
 * of which pred holds some. loss_gradient is this with batch_rows =
 * pred->rows. */
double loss_gradient_part(const LrLoss *l, const LrTensor *pred, const LrTensor *target,
                          LrTensor *grad, int64_t batch_rows);

/* What a model's outputs are under its loss: classes under
 * categorical_crossentropy, binary for one output under
 * binary_crossentropy, else regression (several sigmoid outputs too). */
LrOutputKind loss_output_kind(LrLossKind loss, int outputs);

/* The output activation a loss of this kind computes together with itself
 * from the logits (softmax for categorical_crossentropy, sigmoid for
 * binary_crossentropy; ACT_LINEAR for the others): a model whose last
 * layer (not dropout) ends with it leaves it pending, in training (plan.c)
 * and in a loaded model (model.c) alike. */
LrActivation loss_fused_activation(LrLossKind loss);

#endif
