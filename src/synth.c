/* synth.c — generated data sets. The draw order is part of the
 * reproducibility contract: the same seed gives the same data on every
 * machine. */
#include "synth.h"

#include <math.h>
#include <stddef.h>

void synth_linear(const LrDatasetSpec *d, LrRng *rng, int64_t first, int64_t count, float *x,
                  float *y)
{
    const int f = d->features;
    rng_skip(rng, (uint64_t)first * (uint64_t)(f + 2)); /* a uniform per feature, a normal */
    for (int64_t i = 0; i < count; i++) {
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

/* linspace(a, b, m)[i], numpy's definition: a + i * (b - a) / (m - 1), and
 * a alone when m == 1. */
static double linspace_at(double a, double b, int64_t m, int64_t i)
{
    return m > 1 ? a + (double)i * (b - a) / (double)(m - 1) : a;
}

void synth_blobs(const LrDatasetSpec *d, LrRng *rng, int64_t first, int64_t count, float *x,
                 float *y, double *centers)
{
    const int f = d->features;
    const int k = d->classes;
    for (int c = 0; c < k; c++)
        for (int j = 0; j < f; j++)
            centers[(size_t)c * (size_t)f + (size_t)j] = -10.0 + 20.0 * rng_uniform(rng);
    rng_skip(rng, (uint64_t)first * 2 * (uint64_t)f); /* a normal per feature */
    for (int64_t i = 0; i < count; i++) {
        int c = (int)((first + i) % k);
        const double *center = centers + (size_t)c * (size_t)f;
        float *row = x + (size_t)i * (size_t)f;
        for (int j = 0; j < f; j++)
            row[j] = (float)(center[j] + d->spread * rng_normal(rng));
        y[i] = (float)c;
    }
}

void synth_moons(const LrDatasetSpec *d, LrRng *rng, int64_t first, int64_t count, float *x,
                 float *y)
{
    const double pi = 3.14159265358979323846;
    const int64_t n_out = d->n / 2, n_in = d->n - n_out;
    double px[2];
    rng_skip(rng, (uint64_t)first * 4); /* two normals */
    for (int64_t i = first; i < first + count; i++) {
        const int64_t at = i - first;
        if (i < n_out) {
            double t = linspace_at(0, pi, n_out, i);
            px[0] = cos(t);
            px[1] = sin(t);
            y[at] = 0.0f;
        } else {
            double t = linspace_at(0, pi, n_in, i - n_out);
            px[0] = 1.0 - cos(t);
            px[1] = 1.0 - sin(t) - 0.5;
            y[at] = 1.0f;
        }
        /* Noise after the shape, as make_moons adds it: x first, then y. */
        for (int j = 0; j < 2; j++)
            x[2 * at + j] = (float)(px[j] + d->noise * rng_normal(rng));
    }
}

void synth_spiral(const LrDatasetSpec *d, LrRng *rng, int64_t first, int64_t count, float *x,
                  float *y)
{
    const int k = d->classes;
    const int64_t per = d->n / k;
    int64_t row = 0;
    rng_skip(rng, (uint64_t)first * 2); /* a normal */
    for (int c = 0; c < k; c++) {
        int64_t m = c == k - 1 ? d->n - per * (k - 1) : per;
        for (int64_t i = 0; i < m; i++, row++) {
            if (row < first || row >= first + count)
                continue;
            const int64_t at = row - first;
            double r = linspace_at(0, 1, m, i);
            double t = linspace_at(4.0 * c, 4.0 * (c + 1), m, i) + d->noise * rng_normal(rng);
            x[2 * at] = (float)(r * sin(t));
            x[2 * at + 1] = (float)(r * cos(t));
            y[at] = (float)c;
        }
    }
}
