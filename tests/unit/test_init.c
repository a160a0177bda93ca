/* test_init.c — initializers with Keras definitions: constants exact and
 * drawing nothing, normal (untruncated) and uniform moments, glorot_uniform
 * bound sqrt(6 / (fan_in + fan_out)) and he_uniform bound sqrt(6 / fan_in)
 * with variance limit^2 / 3, the truncated normals (glorot_normal,
 * he_normal, lecun_normal: nothing beyond 2 sigma, variance scale / n), and
 * the documented draw order. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "init.h"


enum { N = 200000 };

static int setup(void **state)
{
    float *buf = malloc(N * sizeof *buf);
    *state = buf;
    return buf ? 0 : -1;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void moments(const float *x, size_t n, double *mean, double *var)
{
    double s = 0, q = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    *mean = s / n;
    for (size_t i = 0; i < n; i++)
        q += (x[i] - *mean) * (x[i] - *mean);
    *var = q / n;
}

static void test_init__constants_exact_and_draw_nothing(void **state)
{
    (void)state;
    float x[5];
    LrRng r, before;
    rng_seed(&r, 1, RNG_STREAM_INIT);
    before = r;
    LrInitSpec zeros = {INIT_ZEROS, 0, 0}, ones = {INIT_ONES, 0, 0};
    LrInitSpec c = {INIT_CONSTANT, 0.3, 0};
    init_fill(&zeros, x, 5, 2, 3, &r);
    for (int i = 0; i < 5; i++)
        assert_true(x[i] == 0.0f);
    init_fill(&ones, x, 5, 2, 3, &r);
    for (int i = 0; i < 5; i++)
        assert_true(x[i] == 1.0f);
    init_fill(&c, x, 5, 2, 3, &r);
    for (int i = 0; i < 5; i++)
        assert_true(x[i] == 0.3f);
    assert_memory_equal(r.s, before.s, sizeof r.s);
}

static void test_init__normal_moments_untruncated(void **state)
{
    float *x = *state;
    LrRng r;
    rng_seed(&r, 11, RNG_STREAM_INIT);
    LrInitSpec spec = {INIT_NORMAL, 2.0, 0.5};
    init_fill(&spec, x, N, 10, 10, &r);
    double mean, var;
    moments(x, N, &mean, &var);
    /* SE 0.5 / sqrt(N) = 1.1e-3 (mean), 0.25 sqrt(2 / N) = 7.9e-4 (var). */
    assert_close(mean, 2.0, 6e-3);
    assert_close(var, 0.25, 4e-3);
    /* RandomNormal is not truncated: 4.55% of draws lie beyond 2 stddev
     * (TruncatedNormal would have none). SE 4.7e-4. */
    size_t beyond = 0;
    for (size_t i = 0; i < N; i++)
        beyond += fabs(x[i] - 2.0) > 1.0;
    assert_close((double)beyond / N, 0.0455, 3e-3);
}

static void test_init__uniform_moments_and_range(void **state)
{
    float *x = *state;
    LrRng r;
    rng_seed(&r, 12, RNG_STREAM_INIT);
    LrInitSpec spec = {INIT_UNIFORM, -0.05, 0.2};
    init_fill(&spec, x, N, 10, 10, &r);
    for (size_t i = 0; i < N; i++)
        assert_true(x[i] >= -0.05f && x[i] <= 0.2f);
    double mean, var;
    moments(x, N, &mean, &var);
    /* mean (low + high) / 2, variance (high - low)^2 / 12 = 5.2e-3;
     * SE 1.6e-4 and 1.7e-5. */
    assert_close(mean, 0.075, 1e-3);
    assert_close(var, 0.25 * 0.25 / 12, 1e-4);
}

/* kind: uniform on [-limit, limit] with variance `target` (computed by
 * the caller from the formula). Checks the bound, that draws come close to
 * it, the mean, and the variance (SE l^2 sqrt(4 / 45 / N): 3e-5 to 8e-5
 * for the limits below). */
static void check_symmetric_uniform(float *x, LrInitKind kind, int fan_in, int fan_out,
                                    double limit, double target, uint64_t seed)
{
    LrRng r;
    rng_seed(&r, seed, RNG_STREAM_INIT);
    LrInitSpec spec = {kind, 0, 0};
    init_fill(&spec, x, N, fan_in, fan_out, &r);
    double mean, var, top = 0;
    for (size_t i = 0; i < N; i++) {
        assert_true(fabs(x[i]) <= (float)limit);
        top = fmax(top, fabs(x[i]));
    }
    assert_true(top > 0.999 * limit);
    moments(x, N, &mean, &var);
    assert_close(limit * limit / 3, target, 1e-15); /* the uniform's variance */
    assert_close(mean, 0.0, 5 * limit / sqrt(3.0 * N));
    assert_close(var, target, 5e-4);
}

static void test_init__glorot_uniform_bound_and_variance(void **state)
{
    /* limit sqrt(6 / (fan_in + fan_out)); variance 2 / (fan_in + fan_out),
     * Glorot's target. */
    check_symmetric_uniform(*state, INIT_GLOROT_UNIFORM, 30, 20, sqrt(6.0 / 50), 2.0 / 50, 13);
}

static void test_init__he_uniform_bound_and_variance(void **state)
{
    /* limit sqrt(6 / fan_in), fan_out plays no part; variance 2 / fan_in,
     * He's target. */
    check_symmetric_uniform(*state, INIT_HE_UNIFORM, 40, 7, sqrt(6.0 / 40), 2.0 / 40, 14);
}

/* The variance of N(0, 1) truncated to [-2, 2], from its density:
 * 1 - 2 * 2 phi(2) / (2 Phi(2) - 1). */
static double truncated_unit_variance(void)
{
    const double phi2 = exp(-2.0) / sqrt(2 * 3.14159265358979323846);
    const double mass = erf(2.0 / sqrt(2.0)); /* 2 Phi(2) - 1 */
    return 1.0 - 4.0 * phi2 / mass;
}

/* kind: a truncated normal of variance scale / n (n its fan). Checks that
 * no draw lies beyond 2 sigma of the untruncated sigma, that draws come
 * close to that bound, and the mean and variance. */
static void check_truncated(float *x, LrInitKind kind, int fan_in, int fan_out, double n,
                            double scale, uint64_t seed)
{
    LrRng r;
    rng_seed(&r, seed, RNG_STREAM_INIT);
    LrInitSpec spec = {kind, 0, 0};
    init_fill(&spec, x, N, fan_in, fan_out, &r);
    /* Keras: sigma = sqrt(scale / n) / 0.87962566103423978, the constant
     * being the stddev of the unit normal truncated at 2. */
    assert_close(sqrt(truncated_unit_variance()), 0.87962566103423978, 1e-12);
    const double sigma = sqrt(scale / n) / sqrt(truncated_unit_variance());
    double top = 0;
    size_t near = 0;
    for (size_t i = 0; i < N; i++) {
        assert_true(fabs(x[i]) <= (float)(2 * sigma));
        top = fmax(top, fabs(x[i]));
        near += fabs(x[i]) > 1.5 * sigma;
    }
    assert_true(top > 1.99 * sigma);
    /* Mass in 1.5 < |z| <= 2 of the truncated law:
     * (erf(2/sqrt 2) - erf(1.5/sqrt 2)) / erf(2/sqrt 2) = 0.0934; SE 6.5e-4. */
    const double band = (erf(2 / sqrt(2.0)) - erf(1.5 / sqrt(2.0))) / erf(2 / sqrt(2.0));
    assert_close((double)near / N, band, 4e-3);
    double mean, var;
    moments(x, N, &mean, &var);
    const double target = scale / n;
    /* SE of the mean sqrt(target / N); of the variance ~ target * 0.0027. */
    assert_close(mean, 0.0, 5 * sqrt(target / N));
    assert_close(var / target, 1.0, 0.015);
}

static void test_init__glorot_normal_truncated_variance(void **state)
{
    /* fan_avg = (30 + 20) / 2 = 25, scale 1: variance 1/25. */
    check_truncated(*state, INIT_GLOROT_NORMAL, 30, 20, 25.0, 1.0, 31);
}

static void test_init__he_normal_truncated_variance(void **state)
{
    /* fan_in 50, scale 2: variance 2/50. */
    check_truncated(*state, INIT_HE_NORMAL, 50, 3, 50.0, 2.0, 32);
}

static void test_init__lecun_normal_truncated_variance(void **state)
{
    /* fan_in 8, scale 1: variance 1/8. */
    check_truncated(*state, INIT_LECUN_NORMAL, 8, 100, 8.0, 1.0, 33);
}

static void test_init__truncated_normal_redraws_in_order(void **state)
{
    (void)state;
    /* Element i is sigma z for the next standard normal z of the stream
     * with |z| <= 2; rejected draws are skipped, not reused. */
    enum { K = 2000 };
    static float x[K];
    LrRng a, c;
    rng_seed(&a, 41, RNG_STREAM_INIT);
    c = a;
    LrInitSpec spec = {INIT_HE_NORMAL, 0, 0};
    init_fill(&spec, x, K, 18, 5, &a);
    const double sigma = sqrt(2.0 / 18) / 0.87962566103423978;
    int rejected = 0;
    for (int i = 0; i < K; i++) {
        double z = rng_normal(&c);
        while (fabs(z) > 2) {
            rejected++;
            z = rng_normal(&c);
        }
        assert_close(x[i], sigma * z, 1e-6);
    }
    assert_true(rejected > 0); /* ~4.55% of 2000 */
    assert_memory_equal(a.s, c.s, sizeof a.s);
}

static void test_init__draws_elements_in_order(void **state)
{
    (void)state;
    /* Element i is the i-th draw of the stream, so a layer's parameters do
     * not depend on how the count is split between calls. */
    float whole[6], parts[6];
    LrRng a, b;
    rng_seed(&a, 21, RNG_STREAM_INIT);
    b = a;
    LrInitSpec spec = {INIT_NORMAL, 0, 1};
    init_fill(&spec, whole, 6, 2, 3, &a);
    init_fill(&spec, parts, 2, 2, 3, &b);
    init_fill(&spec, parts + 2, 4, 2, 3, &b);
    assert_memory_equal(whole, parts, sizeof whole);

    LrRng c;
    rng_seed(&c, 21, RNG_STREAM_INIT);
    for (int i = 0; i < 6; i++)
        assert_true(whole[i] == (float)rng_normal(&c));
    assert_memory_equal(a.s, c.s, sizeof a.s);

    LrInitSpec u = {INIT_UNIFORM, -1, 3};
    rng_seed(&a, 22, RNG_STREAM_INIT);
    c = a;
    init_fill(&u, whole, 6, 2, 3, &a);
    for (int i = 0; i < 6; i++)
        assert_close(whole[i], -1.0 + 4.0 * rng_uniform(&c), 1e-6);
    assert_memory_equal(a.s, c.s, sizeof a.s);
}

static void test_init__fans_as_keras_computes_them(void **state)
{
    (void)state;
    /* keras compute_fans: a vector's fans are both its length (a bias of
     * 7 units: 7 and 7, whatever its layer's inputs), a matrix's its rows
     * and columns, a scalar's 1 and 1. */
    int fan_in = 0, fan_out = 0;
    const int bias[1] = {7};
    init_fans(1, bias, &fan_in, &fan_out);
    assert_int_equal(fan_in, 7);
    assert_int_equal(fan_out, 7);
    const int kernel[2] = {3, 5};
    init_fans(2, kernel, &fan_in, &fan_out);
    assert_int_equal(fan_in, 3);
    assert_int_equal(fan_out, 5);
    init_fans(0, NULL, &fan_in, &fan_out);
    assert_int_equal(fan_in, 1);
    assert_int_equal(fan_out, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init__constants_exact_and_draw_nothing),
        cmocka_unit_test(test_init__fans_as_keras_computes_them),
        cmocka_unit_test_setup_teardown(test_init__normal_moments_untruncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init__uniform_moments_and_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init__glorot_uniform_bound_and_variance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_init__he_uniform_bound_and_variance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_init__glorot_normal_truncated_variance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_init__he_normal_truncated_variance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_init__lecun_normal_truncated_variance, setup,
                                        teardown),
        cmocka_unit_test(test_init__truncated_normal_redraws_in_order),
        cmocka_unit_test(test_init__draws_elements_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
