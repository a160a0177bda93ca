/* init.c — parameter initializers with Keras definitions (RandomNormal is
 * the plain, untruncated normal; GlorotUniform is VarianceScaling(1,
 * fan_avg, uniform)). Elements are drawn in order 0..count-1, one draw
 * each (a normal is two uniforms), computed in double and rounded once. */
#include "init.h"

#include <math.h>

void init_fill(const LrInitSpec *init, float *data, size_t count, int fan_in, int fan_out,
               LrRng *rng)
{
    double limit;
    switch (init->kind) {
    case INIT_ZEROS:
        for (size_t i = 0; i < count; i++)
            data[i] = 0.0f;
        break;
    case INIT_ONES:
        for (size_t i = 0; i < count; i++)
            data[i] = 1.0f;
        break;
    case INIT_CONSTANT:
        for (size_t i = 0; i < count; i++)
            data[i] = (float)init->a;
        break;
    case INIT_NORMAL:
        for (size_t i = 0; i < count; i++)
            data[i] = (float)(init->a + init->b * rng_normal(rng));
        break;
    case INIT_UNIFORM:
        for (size_t i = 0; i < count; i++)
            data[i] = (float)(init->a + (init->b - init->a) * rng_uniform(rng));
        break;
    case INIT_GLOROT_UNIFORM:
        limit = sqrt(6.0 / ((double)fan_in + fan_out));
        for (size_t i = 0; i < count; i++)
            data[i] = (float)(-limit + 2.0 * limit * rng_uniform(rng));
        break;
    }
}
