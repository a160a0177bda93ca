/* metrics.h — what is reported besides the loss. Predictions come as the
 * model computed them: when the output activation was fused into the loss,
 * pending says which one (sigmoid or softmax) still applies, per row.
 *   accuracy   several outputs: argmax of the prediction equals the class
 *              (the target's index, or its argmax when one-hot); one output:
 *              (p > 0.5) equals (t > 0.5)
 *   mse, half_mse, mae, huber (delta 1), binary_crossentropy,
 *   categorical_crossentropy: as the losses of the same name */
#ifndef LR_METRICS_H
#define LR_METRICS_H
#include "spec.h"
#include "tensor.h"

/* Sum over the rows of the per-sample metric, in double (divide by the
 * number of rows for the mean). Allocates nothing. */
double metric_sum(LrMetricKind m, LrActivation pending, const LrTensor *pred,
                  const LrTensor *target);
/* "accuracy", "mse", ... as written in the language. */
const char *metric_name(LrMetricKind m);

#endif
