/* init.c — parameter initializers with Keras definitions. RandomNormal is
 * the plain, untruncated normal; the variance-scaling family (glorot, he,
 * lecun) is VarianceScaling(scale, mode, distribution):
 *   uniform:          U(-limit, limit), limit = sqrt(3 scale / n)
 *   truncated normal: N(0, sigma^2) redrawn until within 2 sigma,
 *                     sigma = sqrt(scale / n) / 0.87962566103423978
 * with n = fan_in, fan_out or their mean (fan_avg), at least 1. The
 * constant is the stddev of a standard normal truncated to [-2, 2], so the
 * truncated draw has variance scale / n.
 * Elements are drawn in order 0..count-1, computed in double and rounded
 * once: a uniform is one rng_uniform(), a normal one rng_normal() (two
 * uniforms), a truncated normal as many normals as it takes (on average
 * 1.048). */
#include "init.h"

#include <math.h>

/* stddev of N(0, 1) truncated to [-2, 2] (Keras's constant). */
#define TRUNC_STDDEV 0.87962566103423978

typedef enum FanMode { FAN_IN, FAN_AVG } FanMode;

static double fan(FanMode mode, int fan_in, int fan_out)
{
    double n = mode == FAN_IN ? (double)fan_in : ((double)fan_in + fan_out) / 2.0;
    return n < 1.0 ? 1.0 : n;
}

void init_fans(int rank, const int *dims, int *fan_in, int *fan_out)
{
    if (rank <= 2) {
        *fan_in = rank == 0 ? 1 : dims[0];
        *fan_out = rank == 0 ? 1 : dims[rank - 1];
        return;
    }
    /* A convolution kernel [kh, kw, in, out]: each fan times the window. */
    int receptive = 1;
    for (int i = 0; i < rank - 2; i++)
        receptive *= dims[i];
    *fan_in = dims[rank - 2] * receptive;
    *fan_out = dims[rank - 1] * receptive;
}

static void fill_uniform_limit(float *data, size_t count, double limit, LrRng *rng)
{
    for (size_t i = 0; i < count; i++)
        data[i] = (float)(-limit + 2.0 * limit * rng_uniform(rng));
}

static void fill_truncated(float *data, size_t count, double scale, double n, LrRng *rng)
{
    const double sigma = sqrt(scale / n) / TRUNC_STDDEV;
    for (size_t i = 0; i < count; i++) {
        double z;
        do
            z = rng_normal(rng);
        while (fabs(z) > 2.0);
        data[i] = (float)(sigma * z);
    }
}

void init_fill(const LrInitSpec *init, float *data, size_t count, int fan_in, int fan_out,
               LrRng *rng)
{
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
    case INIT_GLOROT_UNIFORM: /* scale 1, fan_avg: sqrt(6 / (fan_in + fan_out)) */
        fill_uniform_limit(data, count, sqrt(3.0 / fan(FAN_AVG, fan_in, fan_out)), rng);
        break;
    case INIT_HE_UNIFORM: /* scale 2, fan_in: sqrt(6 / fan_in) */
        fill_uniform_limit(data, count, sqrt(6.0 / fan(FAN_IN, fan_in, fan_out)), rng);
        break;
    case INIT_GLOROT_NORMAL:
        fill_truncated(data, count, 1.0, fan(FAN_AVG, fan_in, fan_out), rng);
        break;
    case INIT_HE_NORMAL:
        fill_truncated(data, count, 2.0, fan(FAN_IN, fan_in, fan_out), rng);
        break;
    case INIT_LECUN_NORMAL:
        fill_truncated(data, count, 1.0, fan(FAN_IN, fan_in, fan_out), rng);
        break;
    }
}
