/* test_rng.c — the generator against published known answers (splitmix64
 * from Rosetta Code "Pseudo-random numbers/Splitmix64"; xoshiro256** from
 * the reference xoshiro256starstar.c started at state {1, 2, 3, 4}), the
 * seeding contract, and the moments of its distributions. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "rng.h"


static const uint64_t GAMMA = 0x9E3779B97F4A7C15u;

static void test_rng__splitmix64_matches_reference(void **state)
{
    (void)state;
    static const uint64_t want[5] = {6457827717110365317u, 3203168211198807973u,
                                     9817491932198370423u, 4593380528125082431u,
                                     16408922859458223821u};
    uint64_t x = 1234567;
    for (int i = 0; i < 5; i++)
        assert_int_equal(rng_splitmix64(&x), want[i]);
    /* The first outputs from seed 0, as in Vigna's splitmix64.c. */
    x = 0;
    assert_int_equal(rng_splitmix64(&x), 0xE220A8397B1DCDAFu);
    assert_int_equal(rng_splitmix64(&x), 0x6E789E6AA1B965F4u);
}

static void test_rng__xoshiro256starstar_matches_reference(void **state)
{
    (void)state;
    static const uint64_t want[10] = {11520u,
                                      0u,
                                      1509978240u,
                                      1215971899390074240u,
                                      1216172134540287360u,
                                      607988272756665600u,
                                      16172922978634559625u,
                                      8476171486693032832u,
                                      10595114339597558777u,
                                      2904607092377533576u};
    LrRng r = {{1, 2, 3, 4}};
    for (int i = 0; i < 10; i++)
        assert_int_equal(rng_next(&r), want[i]);
}

static void test_rng__seed_fills_state_from_splitmix64(void **state)
{
    (void)state;
    /* Stream 0 leaves the seed as is: the state is the first four published
     * splitmix64 outputs for 1234567. */
    LrRng r;
    rng_seed(&r, 1234567, 0);
    assert_int_equal(r.s[0], 6457827717110365317u);
    assert_int_equal(r.s[1], 3203168211198807973u);
    assert_int_equal(r.s[2], 9817491932198370423u);
    assert_int_equal(r.s[3], 4593380528125082431u);
    /* Stream k starts splitmix64 at seed ^ (k * gamma). */
    LrRng a, b;
    rng_seed(&a, 42, RNG_STREAM_SHUFFLE);
    rng_seed(&b, 42 ^ (RNG_STREAM_SHUFFLE * GAMMA), 0);
    assert_memory_equal(a.s, b.s, sizeof a.s);
}

static void test_rng__same_seed_repeats(void **state)
{
    (void)state;
    LrRng a, b;
    rng_seed(&a, 7, RNG_STREAM_DATA);
    rng_seed(&b, 7, RNG_STREAM_DATA);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(rng_next(&a), rng_next(&b));
}

static void test_rng__streams_and_seeds_differ(void **state)
{
    (void)state;
    LrRng r[6];
    rng_seed(&r[0], 42, RNG_STREAM_DATA);
    rng_seed(&r[1], 42, RNG_STREAM_INIT);
    rng_seed(&r[2], 42, RNG_STREAM_SHUFFLE);
    rng_seed(&r[3], 42, RNG_STREAM_DROPOUT);
    rng_seed(&r[4], 43, RNG_STREAM_DATA);
    rng_seed(&r[5], 0, RNG_STREAM_DATA);
    for (int i = 0; i < 1000; i++) {
        uint64_t v[6];
        for (int k = 0; k < 6; k++)
            v[k] = rng_next(&r[k]);
        /* A 64-bit coincidence at the same index has probability 2^-64. */
        for (int k = 0; k < 6; k++)
            for (int m = k + 1; m < 6; m++)
                assert_true(v[k] != v[m]);
    }
}

static void test_rng__uniform_is_top_53_bits(void **state)
{
    (void)state;
    LrRng a, b;
    rng_seed(&a, 5, RNG_STREAM_INIT);
    b = a;
    for (int i = 0; i < 100; i++) {
        double u = rng_uniform(&a);
        assert_true(u == ldexp((double)(rng_next(&b) >> 11), -53));
    }
}

static void test_rng__uniform_moments(void **state)
{
    (void)state;
    const int n = 1000000;
    LrRng r;
    rng_seed(&r, 1, RNG_STREAM_DATA);
    double sum = 0, sq = 0, lo = 1, hi = 0;
    for (int i = 0; i < n; i++) {
        double u = rng_uniform(&r);
        lo = fmin(lo, u);
        hi = fmax(hi, u);
        sum += u;
        sq += (u - 0.5) * (u - 0.5);
    }
    assert_true(lo >= 0.0 && hi < 1.0);
    /* Standard errors: sqrt(1/12/n) = 2.9e-4 for the mean, and
     * sqrt((1/80 - 1/144)/n) = 7.5e-5 for the variance; bounds are ~5 SE. */
    assert_close(sum / n, 0.5, 1.5e-3);
    assert_close(sq / n, 1.0 / 12.0, 4e-4);
}

static void test_rng__normal_moments(void **state)
{
    (void)state;
    const int n = 1000000;
    LrRng r;
    rng_seed(&r, 2, RNG_STREAM_INIT);
    double s1 = 0, s2 = 0, s4 = 0;
    for (int i = 0; i < n; i++) {
        double z = rng_normal(&r);
        assert_true(isfinite(z));
        s1 += z;
        s2 += z * z;
        s4 += z * z * z * z;
    }
    /* SE: 1e-3 (mean), sqrt(2/n) = 1.4e-3 (variance), sqrt(96/n) = 9.8e-3
     * (fourth moment, 3 for a normal); bounds are ~5 SE. */
    assert_close(s1 / n, 0.0, 5e-3);
    assert_close(s2 / n, 1.0, 7e-3);
    assert_close(s4 / n, 3.0, 5e-2);
}

static void test_rng__normal_consumes_two_uniforms(void **state)
{
    (void)state;
    LrRng a, b;
    rng_seed(&a, 9, RNG_STREAM_DATA);
    b = a;
    double z = rng_normal(&a);
    /* Box-Muller from the same two uniforms, u1 first and flipped to (0, 1]. */
    double u1 = 1.0 - rng_uniform(&b);
    double u2 = rng_uniform(&b);
    assert_close(z, sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2), 1e-12);
    assert_int_equal(rng_next(&a), rng_next(&b));
}

static void test_rng__below_covers_range_without_bias(void **state)
{
    (void)state;
    enum { K = 10, N = 100000 };
    LrRng r;
    rng_seed(&r, 3, RNG_STREAM_SHUFFLE);
    int count[K] = {0};
    for (int i = 0; i < N; i++) {
        uint64_t v = rng_below(&r, K);
        assert_true(v < K);
        count[v]++;
    }
    double chi2 = 0;
    for (int k = 0; k < K; k++) {
        assert_true(count[k] > 0);
        double d = count[k] - (double)N / K;
        chi2 += d * d / ((double)N / K);
    }
    /* 9 degrees of freedom: mean 9, P(chi2 > 40) < 1e-5. */
    assert_true(chi2 < 40.0);

    for (int i = 0; i < 100; i++)
        assert_int_equal(rng_below(&r, 1), 0);
    /* A bound just above 2^63 rejects about half the raw draws; the upper
     * half of the range, [2^62, 2^63], still gets half the draws (SD 16). */
    const uint64_t big = (UINT64_C(1) << 63) + 1;
    int upper = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t v = rng_below(&r, big);
        assert_true(v < big);
        upper += v >= (UINT64_C(1) << 62);
    }
    assert_true(upper > 420 && upper < 580);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng__splitmix64_matches_reference),
        cmocka_unit_test(test_rng__xoshiro256starstar_matches_reference),
        cmocka_unit_test(test_rng__seed_fills_state_from_splitmix64),
        cmocka_unit_test(test_rng__same_seed_repeats),
        cmocka_unit_test(test_rng__streams_and_seeds_differ),
        cmocka_unit_test(test_rng__uniform_is_top_53_bits),
        cmocka_unit_test(test_rng__uniform_moments),
        cmocka_unit_test(test_rng__normal_moments),
        cmocka_unit_test(test_rng__normal_consumes_two_uniforms),
        cmocka_unit_test(test_rng__below_covers_range_without_bias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
