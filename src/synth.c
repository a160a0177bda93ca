/* synth.c — generated data sets. The draw order is part of the
 * reproducibility contract: the same seed gives the same data on every
 * machine. */
#include "synth.h"

#include <math.h>
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

/* linspace(a, b, m)[i], numpy's definition: a + i * (b - a) / (m - 1), and
 * a alone when m == 1. */
static double linspace_at(double a, double b, int64_t m, int64_t i)
{
    return m > 1 ? a + (double)i * (b - a) / (double)(m - 1) : a;
}

void synth_blobs(const LrDatasetSpec *d, LrRng *rng, float *x, float *y, double *centers)
{
    const int f = d->features;
    const int k = d->classes;
    for (int c = 0; c < k; c++)
        for (int j = 0; j < f; j++)
            centers[(size_t)c * (size_t)f + (size_t)j] = -10.0 + 20.0 * rng_uniform(rng);
    for (int64_t i = 0; i < d->n; i++) {
        int c = (int)(i % k);
        const double *center = centers + (size_t)c * (size_t)f;
        float *row = x + (size_t)i * (size_t)f;
        for (int j = 0; j < f; j++)
            row[j] = (float)(center[j] + d->spread * rng_normal(rng));
        y[i] = (float)c;
    }
}

void synth_moons(const LrDatasetSpec *d, LrRng *rng, float *x, float *y)
{
    const double pi = 3.14159265358979323846;
    const int64_t n_out = d->n / 2, n_in = d->n - n_out;
    double px[2];
    for (int64_t i = 0; i < d->n; i++) {
        if (i < n_out) {
            double t = linspace_at(0, pi, n_out, i);
            px[0] = cos(t);
            px[1] = sin(t);
            y[i] = 0.0f;
        } else {
            double t = linspace_at(0, pi, n_in, i - n_out);
            px[0] = 1.0 - cos(t);
            px[1] = 1.0 - sin(t) - 0.5;
            y[i] = 1.0f;
        }
        /* Noise after the shape, as make_moons adds it: x first, then y. */
        for (int j = 0; j < 2; j++)
            x[2 * i + j] = (float)(px[j] + d->noise * rng_normal(rng));
    }
}

void synth_spiral(const LrDatasetSpec *d, LrRng *rng, float *x, float *y)
{
    const int k = d->classes;
    const int64_t per = d->n / k;
    int64_t row = 0;
    for (int c = 0; c < k; c++) {
        int64_t m = c == k - 1 ? d->n - per * (k - 1) : per;
        for (int64_t i = 0; i < m; i++, row++) {
            double r = linspace_at(0, 1, m, i);
            double t = linspace_at(4.0 * c, 4.0 * (c + 1), m, i) + d->noise * rng_normal(rng);
            x[2 * row] = (float)(r * sin(t));
            x[2 * row + 1] = (float)(r * cos(t));
            y[row] = (float)c;
        }
    }
}
