/* test_synth.c — the linear data generator: features in range, labels
 * exactly linear without noise, noise with the requested variance, and the
 * documented draw order (features in order, then one normal per row even
 * when noise is 0). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "synth.h"

#define assert_close(a, b, tol) assert_close_at((a), (b), (tol), __FILE__, __LINE__)
static void assert_close_at(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}

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
    synth_linear(&d, &r, b->x, b->y);
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
    synth_linear(&d, &r, b->x, b->y);
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
    synth_linear(&quiet, &r1, b->x, b->y);
    synth_linear(&noisy, &r2, b->x2, b->y2);
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
    synth_linear(&d, &r, x, y);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
