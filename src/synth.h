/* synth.h — generated data sets. */
#ifndef LR_SYNTH_H
#define LR_SYNTH_H
#include "rng.h"
#include "spec.h"

/* linear: for each row i in order, features x_ij ~ U(low, high) (j in
 * order), then y_i = x_i . w + bias + noise * N(0, 1). x is n x features,
 * y is n x 1, both row-major. Each row draws its features' uniforms, then
 * one normal even when noise == 0, so x does not depend on noise. */
void synth_linear(const LrDatasetSpec *d, LrRng *rng, float *x, float *y);

#endif
