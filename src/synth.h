/* synth.h — generated data sets. */
#ifndef LR_SYNTH_H
#define LR_SYNTH_H
#include "rng.h"
#include "spec.h"

/* Each generator writes rows [first, first + count) of the n it defines
 * (x and y hold count rows), drawing as if it had made the rows before:
 * it skips their draws (rng_skip), so that a share is its rows of the
 * whole. */

/* linear: for each row i in order, features x_ij ~ U(low, high) (j in
 * order), then y_i = x_i . w + bias + noise * N(0, 1). x is n x features,
 * y is n x 1, both row-major. Each row draws its features' uniforms, then
 * one normal even when noise == 0, so x does not depend on noise. */
void synth_linear(const LrDatasetSpec *d, LrRng *rng, int64_t first, int64_t count, float *x,
                  float *y);

/* The classification generators below write x (n x features, row-major)
 * and y (n x 1: the class index 0, 1, ... as a float). Coordinates are
 * computed in double and stored as float. Every row draws the same number
 * of normals whatever the noise, so the noise level changes only how far
 * points move, never which draws they get. */

/* blobs (sklearn make_blobs with center_box=(-10, 10)): first the
 * `classes` centers, center by center, each feature ~ U(-10, 10) in feature
 * order; they are written to centers (classes x features). Then row i is of
 * class i % classes, each feature center + spread * N(0, 1) in order. */
void synth_blobs(const LrDatasetSpec *d, LrRng *rng, int64_t first, int64_t count, float *x,
                 float *y, double *centers);

/* moons (sklearn make_moons, unshuffled): two features. The first
 * n_out = floor(n / 2) rows are the outer moon (cos t, sin t), class 0, and
 * the other n_in = n - n_out rows the inner moon (1 - cos t, 0.5 - sin t),
 * class 1, with t = linspace(0, pi, m) over each moon's m rows
 * (linspace(0, pi, 1) = [0]). Then each row in order draws two normals, for
 * x and for y, scaled by noise (drawn even when noise == 0). */
void synth_moons(const LrDatasetSpec *d, LrRng *rng, int64_t first, int64_t count, float *x,
                 float *y);

/* spiral (the CS231n spiral): two features. Class k = 0 .. classes - 1
 * has m = floor(n / classes) rows (the last class also takes the
 * remainder), in class order; its row i has radius r = linspace(0, 1, m)[i]
 * and angle t = linspace(4k, 4(k + 1), m)[i] + noise * N(0, 1) (one normal
 * per row, drawn even when noise == 0), and is (r sin t, r cos t). */
void synth_spiral(const LrDatasetSpec *d, LrRng *rng, int64_t first, int64_t count, float *x,
                  float *y);

#endif
