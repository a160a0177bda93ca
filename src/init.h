/* init.h — parameter initializers with Keras definitions. */
#ifndef LR_INIT_H
#define LR_INIT_H
#include <stddef.h>

#include "rng.h"
#include "spec.h"

/* Fills count floats; fan_in/fan_out are the layer's (for glorot). */
void init_fill(const LrInitSpec *init, float *data, size_t count, int fan_in, int fan_out,
               LrRng *rng);

#endif
