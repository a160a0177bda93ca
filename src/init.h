/* init.h — parameter initializers with Keras definitions. */
#ifndef LR_INIT_H
#define LR_INIT_H
#include <stddef.h>

#include "rng.h"
#include "spec.h"

/* The fans of a parameter of shape dims[0..rank-1] as Keras computes them
 * (compute_fans): a vector's are both its length, so a bias's are its
 * units, not its layer's inputs and units; a convolution kernel [kh, kw,
 * in, out] has fan_in kh kw in and fan_out kh kw out. */
void init_fans(int rank, const int *dims, int *fan_in, int *fan_out);

/* Fills count floats; fan_in/fan_out are the parameter's (init_fans). */
void init_fill(const LrInitSpec *init, float *data, size_t count, int fan_in, int fan_out,
               LrRng *rng);

#endif
