/* synth.c — generated data sets. The draw order is part of the
 * reproducibility contract: the same seed gives the same data on every
 * machine. */
#include "synth.h"

#include <stddef.h>

void synth_linear(const LrDatasetSpec *d, LrRng *rng, float *x, float *y)
{
    const int f = d->features;
    for (int64_t i = 0; i < d->n; i++) {
        float *row = x + (size_t)i * (size_t)f;
        double target = d->bias;
        for (int j = 0; j < f; j++) {
            double v = d->low + (d->high - d->low) * rng_uniform(rng);
            row[j] = (float)v;
            /* y uses the stored (float) feature, so the data set is exactly
             * linear in what the model sees. */
            target += (double)row[j] * d->weights[j];
        }
        /* The noise normal is drawn even when noise == 0, so that x does
         * not depend on the noise level: changing only noise= changes only
         * the labels. */
        double z = rng_normal(rng);
        y[i] = (float)(target + d->noise * z);
    }
}
