/* test_synth.c — the data generators. linear: features in range, labels
 * exactly linear without noise, noise with the requested variance, and the
 * documented draw order (features in order, then one normal per row even
 * when noise is 0). blobs: balanced classes around their centers, centers
 * drawn first. moons: points on the two half circles, sklearn's endpoints,
 * a fixed number of draws. spiral: radii, angles and class sizes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "synth.h"


enum { ROWS = 20000, F = 3 };
static const double W[F] = {0.3, 0.3, 0.4};

typedef struct Bufs {
    float *x, *y, *x2, *y2;
} Bufs;

static int setup(void **state)
{
    Bufs *b = calloc(1, sizeof *b);
    if (!b)
        return -1;
    b->x = malloc(ROWS * F * sizeof(float));
    b->x2 = malloc(ROWS * F * sizeof(float));
    b->y = malloc(ROWS * sizeof(float));
    b->y2 = malloc(ROWS * sizeof(float));
    *state = b;
    return b->x && b->x2 && b->y && b->y2 ? 0 : -1;
}

static int teardown(void **state)
{
    Bufs *b = *state;
    free(b->x);
    free(b->x2);
    free(b->y);
    free(b->y2);
    free(b);
    return 0;
}

static LrDatasetSpec grades(double noise)
{
    LrDatasetSpec d = {.kind = DATA_LINEAR, .name = "grades", .n = ROWS, .features = F,
                       .low = 0, .high = 5, .weights = W, .bias = 0.5, .noise = noise};
    return d;
}

static void test_synth__noiseless_labels_are_linear(void **state)
{
    Bufs *b = *state;
    LrDatasetSpec d = grades(0);
    LrRng r;
    rng_seed(&r, 42, RNG_STREAM_DATA);
    synth_linear(&d, &r, 0, d.n, b->x, b->y);
    double sum = 0;
    for (int i = 0; i < ROWS; i++) {
        double want = 0.5;
        for (int j = 0; j < F; j++) {
            float v = b->x[i * F + j];
            assert_true(v >= 0.0f && v <= 5.0f);
            sum += v;
            want += v * W[j];
        }
        assert_close(b->y[i], want, 1e-5);
    }
    /* Features ~ U(0, 5): mean 2.5, SE 1.44 / sqrt(3 * ROWS) = 6e-3. */
    assert_close(sum / (ROWS * F), 2.5, 0.03);
}

static void test_synth__noise_has_requested_variance(void **state)
{
    Bufs *b = *state;
    LrDatasetSpec d = grades(0.2);
    LrRng r;
    rng_seed(&r, 42, RNG_STREAM_DATA);
    synth_linear(&d, &r, 0, d.n, b->x, b->y);
    double s = 0, q = 0;
    for (int i = 0; i < ROWS; i++) {
        double e = b->y[i] - 0.5;
        for (int j = 0; j < F; j++)
            e -= b->x[i * F + j] * W[j];
        s += e;
        q += e * e;
    }
    /* Residual ~ N(0, 0.04): SE 1.4e-3 (mean) and 4e-4 (variance). */
    assert_close(s / ROWS, 0.0, 7e-3);
    assert_close(q / ROWS, 0.04, 2e-3);
}

static void test_synth__features_do_not_depend_on_noise(void **state)
{
    Bufs *b = *state;
    LrDatasetSpec quiet = grades(0), noisy = grades(0.7);
    LrRng r1, r2;
    rng_seed(&r1, 5, RNG_STREAM_DATA);
    rng_seed(&r2, 5, RNG_STREAM_DATA);
    synth_linear(&quiet, &r1, 0, quiet.n, b->x, b->y);
    synth_linear(&noisy, &r2, 0, noisy.n, b->x2, b->y2);
    assert_memory_equal(b->x, b->x2, ROWS * F * sizeof(float));
    assert_memory_equal(r1.s, r2.s, sizeof r1.s);
}

static void test_synth__draw_order_per_row(void **state)
{
    (void)state;
    float x[2 * F], y[2];
    LrDatasetSpec d = grades(0.2);
    d.n = 2;
    LrRng r, ref;
    rng_seed(&r, 8, RNG_STREAM_DATA);
    ref = r;
    synth_linear(&d, &r, 0, d.n, x, y);
    for (int i = 0; i < 2; i++) {
        double want = 0.5;
        for (int j = 0; j < F; j++) {
            float v = (float)(5.0 * rng_uniform(&ref));
            assert_true(x[i * F + j] == v);
            want += v * W[j];
        }
        want += 0.2 * rng_normal(&ref);
        assert_close(y[i], want, 1e-6);
    }
    assert_memory_equal(r.s, ref.s, sizeof r.s);
}

/* ---- blobs --------------------------------------------------------------- */

static void test_synth__blobs_balanced_around_centers(void **state)
{
    Bufs *b = *state;
    enum { N = 6000, BF = 3, K = 4 };
    LrDatasetSpec d = {.kind = DATA_BLOBS, .n = N, .features = BF, .classes = K, .spread = 0.5};
    double centers[K * BF];
    LrRng r;
    rng_seed(&r, 3, RNG_STREAM_DATA);
    synth_blobs(&d, &r, 0, d.n, b->x, b->y, centers);
    double sum[K][BF] = {{0}}, sq[K][BF] = {{0}};
    int count[K] = {0};
    for (int i = 0; i < N; i++) {
        /* Row i is of class i % classes. */
        assert_true(b->y[i] == (float)(i % K));
        int c = (int)b->y[i];
        count[c]++;
        for (int j = 0; j < BF; j++) {
            double e = b->x[i * BF + j] - centers[c * BF + j];
            sum[c][j] += e;
            sq[c][j] += e * e;
        }
    }
    for (int c = 0; c < K; c++) {
        assert_int_equal(count[c], N / K);
        for (int j = 0; j < BF; j++) {
            assert_true(centers[c * BF + j] >= -10.0 && centers[c * BF + j] < 10.0);
            /* Mean offset from the center: SE 0.5 / sqrt(1500) = 0.013. */
            assert_close(sum[c][j] / count[c], 0.0, 4 * 0.5 / sqrt(count[c]));
            /* Spread: variance 0.25, SE 0.25 * sqrt(2 / 1500) = 0.009. */
            assert_close(sq[c][j] / count[c], 0.25, 0.04);
        }
    }
}

static void test_synth__blobs_draw_order(void **state)
{
    (void)state;
    enum { BF = 2, K = 3, N = 4 };
    LrDatasetSpec d = {.kind = DATA_BLOBS, .n = N, .features = BF, .classes = K, .spread = 1.5};
    double centers[K * BF];
    float x[N * BF], y[N];
    LrRng r, ref;
    rng_seed(&r, 77, RNG_STREAM_DATA);
    ref = r;
    synth_blobs(&d, &r, 0, d.n, x, y, centers);
    /* Centers first, center by center, U(-10, 10) per feature... */
    for (int i = 0; i < K * BF; i++)
        assert_true(centers[i] == -10.0 + 20.0 * rng_uniform(&ref));
    /* ...then one normal per feature per row. */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < BF; j++)
            assert_true(x[i * BF + j] ==
                        (float)(centers[(i % K) * BF + j] + 1.5 * rng_normal(&ref)));
    assert_memory_equal(r.s, ref.s, sizeof r.s);
}

/* ---- moons --------------------------------------------------------------- */

static void test_synth__moons_on_half_circles(void **state)
{
    Bufs *b = *state;
    const double pi = 3.14159265358979323846;
    for (int64_t n = 1; n <= 201; n += 50) {
        LrDatasetSpec d = {.kind = DATA_MOONS, .n = n, .noise = 0};
        LrRng r;
        rng_seed(&r, 1, RNG_STREAM_DATA);
        synth_moons(&d, &r, 0, d.n, b->x, b->y);
        int64_t n_out = n / 2, n_in = n - n_out;
        for (int64_t i = 0; i < n; i++) {
            double x = b->x[2 * i], y = b->x[2 * i + 1];
            if (i < n_out) {
                assert_true(b->y[i] == 0.0f);
                assert_close(x * x + y * y, 1.0, 1e-6);
                assert_true(y >= -1e-7);
                /* theta = pi * i / (n_out - 1): x = cos(theta). */
                double t = n_out > 1 ? pi * (double)i / (double)(n_out - 1) : 0;
                assert_close(x, cos(t), 1e-6);
            } else {
                assert_true(b->y[i] == 1.0f);
                assert_close((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5), 1.0, 1e-6);
                assert_true(y <= 0.5 + 1e-7);
                double t = n_in > 1 ? pi * (double)(i - n_out) / (double)(n_in - 1) : 0;
                assert_close(x, 1 - cos(t), 1e-6);
            }
        }
        /* Endpoints as make_moons: outer (1, 0) to (-1, 0), inner (0, 0.5)
         * to (2, 0.5). */
        if (n_out > 1) {
            assert_close(b->x[0], 1, 1e-7);
            assert_close(b->x[2 * (n_out - 1)], -1, 1e-7);
        }
        assert_close(b->x[2 * n_out], 0, 1e-7);
        assert_close(b->x[2 * n_out + 1], 0.5, 1e-7);
        if (n_in > 1)
            assert_close(b->x[2 * (n - 1)], 2, 1e-7);
    }
}

static void test_synth__moons_noise_and_draws(void **state)
{
    Bufs *b = *state;
    enum { N = 10000 };
    LrDatasetSpec quiet = {.kind = DATA_MOONS, .n = N, .noise = 0};
    LrDatasetSpec noisy = {.kind = DATA_MOONS, .n = N, .noise = 0.1};
    LrRng r1, r2, ref;
    rng_seed(&r1, 9, RNG_STREAM_DATA);
    r2 = ref = r1;
    synth_moons(&quiet, &r1, 0, quiet.n, b->x, b->y);
    synth_moons(&noisy, &r2, 0, noisy.n, b->x2, b->y2);
    /* Two normals per row whatever the noise. */
    assert_memory_equal(r1.s, r2.s, sizeof r1.s);
    for (int i = 0; i < 2 * N; i++)
        rng_normal(&ref);
    assert_memory_equal(r1.s, ref.s, sizeof r1.s);
    /* The noise is N(0, 0.1^2) per coordinate, x then y: exactly the
     * replayed normals. */
    rng_seed(&ref, 9, RNG_STREAM_DATA);
    double q = 0;
    for (int i = 0; i < 2 * N; i++) {
        double z = rng_normal(&ref);
        double e = (double)b->x2[i] - (double)b->x[i];
        assert_close(e, 0.1 * z, 1e-6);
        q += e * e;
    }
    assert_close(q / (2 * N), 0.01, 0.001);
    assert_memory_equal(b->y, b->y2, N * sizeof(float));
}

/* ---- spiral -------------------------------------------------------------- */

static void test_synth__spiral_radii_angles_classes(void **state)
{
    Bufs *b = *state;
    const double pi = 3.14159265358979323846;
    enum { N = 1001, K = 3 };
    LrDatasetSpec d = {.kind = DATA_SPIRAL, .n = N, .classes = K, .noise = 0};
    LrRng r;
    rng_seed(&r, 4, RNG_STREAM_DATA);
    synth_spiral(&d, &r, 0, d.n, b->x, b->y);
    /* 333, 333, 335: the last class takes the remainder. */
    const int sizes[K] = {333, 333, 335};
    int row = 0;
    for (int c = 0; c < K; c++) {
        int m = sizes[c];
        for (int i = 0; i < m; i++, row++) {
            assert_true(b->y[row] == (float)c);
            double x = b->x[2 * row], y = b->x[2 * row + 1];
            double radius = sqrt(x * x + y * y);
            assert_true(radius <= 1.0 + 1e-6);
            assert_close(radius, (double)i / (m - 1), 1e-6);
            if (i > 0) {
                /* (r sin t, r cos t): atan2(x, y) is t modulo 2 pi. */
                double t = 4.0 * c + 4.0 * i / (m - 1);
                double a = atan2(x, y) - t;
                a -= 2 * pi * floor(a / (2 * pi) + 0.5);
                assert_close(a, 0.0, 1e-5 / radius);
            }
        }
    }
    assert_int_equal(row, N);
}

static void test_synth__spiral_noise_moves_angles(void **state)
{
    Bufs *b = *state;
    enum { N = 9, K = 2 };
    LrDatasetSpec d = {.kind = DATA_SPIRAL, .n = N, .classes = K, .noise = 0.2};
    LrRng r, ref;
    rng_seed(&r, 12, RNG_STREAM_DATA);
    ref = r;
    synth_spiral(&d, &r, 0, d.n, b->x, b->y);
    const int sizes[K] = {4, 5};
    int row = 0;
    for (int c = 0; c < K; c++) {
        for (int i = 0; i < sizes[c]; i++, row++) {
            double radius = (double)i / (sizes[c] - 1);
            double t = 4.0 * c + 4.0 * i / (sizes[c] - 1) + 0.2 * rng_normal(&ref);
            assert_close(b->x[2 * row], radius * sin(t), 1e-6);
            assert_close(b->x[2 * row + 1], radius * cos(t), 1e-6);
        }
    }
    assert_memory_equal(r.s, ref.s, sizeof r.s);
}

/* A share (rows [first, first + count) drawn after skipping the draws of
 * those before) is exactly those rows of the whole, for every generator:
 * a rank under mpirun holds what one process would. */
static void test_synth__share_is_rows_of_whole(void **state)
{
    Bufs *b = *state;
    const LrDatasetSpec linear = grades(0.2);
    LrDatasetSpec blobs = {.kind = DATA_BLOBS, .n = 1000, .features = F, .classes = 4,
                           .spread = 1.5};
    LrDatasetSpec moons = {.kind = DATA_MOONS, .n = 1001, .noise = 0.1};
    LrDatasetSpec spiral = {.kind = DATA_SPIRAL, .n = 1000, .classes = 3, .noise = 0.2};
    const LrDatasetSpec *specs[] = {&linear, &blobs, &moons, &spiral};
    double centers[4 * F];
    for (size_t k = 0; k < sizeof specs / sizeof *specs; k++) {
        const LrDatasetSpec *d = specs[k];
        const int f = d->kind == DATA_MOONS || d->kind == DATA_SPIRAL ? 2 : F;
        const int64_t n = d->n, cuts[][2] = {{0, 1}, {1, 499}, {500, n - 500}, {n - 1, 1}};
        LrRng r;
        rng_seed(&r, 9, 1);
        switch (d->kind) {
        case DATA_LINEAR: synth_linear(d, &r, 0, n, b->x, b->y); break;
        case DATA_BLOBS: synth_blobs(d, &r, 0, n, b->x, b->y, centers); break;
        case DATA_MOONS: synth_moons(d, &r, 0, n, b->x, b->y); break;
        default: synth_spiral(d, &r, 0, n, b->x, b->y); break;
        }
        for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
            const int64_t first = cuts[c][0], count = cuts[c][1];
            rng_seed(&r, 9, 1);
            switch (d->kind) {
            case DATA_LINEAR: synth_linear(d, &r, first, count, b->x2, b->y2); break;
            case DATA_BLOBS: synth_blobs(d, &r, first, count, b->x2, b->y2, centers); break;
            case DATA_MOONS: synth_moons(d, &r, first, count, b->x2, b->y2); break;
            default: synth_spiral(d, &r, first, count, b->x2, b->y2); break;
            }
            assert_memory_equal(b->x2, b->x + first * f, (size_t)(count * f) * sizeof(float));
            assert_memory_equal(b->y2, b->y + first, (size_t)count * sizeof(float));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_synth__noiseless_labels_are_linear, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_synth__noise_has_requested_variance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_synth__features_do_not_depend_on_noise, setup,
                                        teardown),
        cmocka_unit_test(test_synth__draw_order_per_row),
        cmocka_unit_test_setup_teardown(test_synth__blobs_balanced_around_centers, setup,
                                        teardown),
        cmocka_unit_test(test_synth__blobs_draw_order),
        cmocka_unit_test_setup_teardown(test_synth__moons_on_half_circles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_synth__moons_noise_and_draws, setup, teardown),
        cmocka_unit_test_setup_teardown(test_synth__spiral_radii_angles_classes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_synth__share_is_rows_of_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_synth__spiral_noise_moves_angles, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
