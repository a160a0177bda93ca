/* test_dist.c — the exact sum of shard gradients (dist.h), on plain
 * arrays as train.c's step calls it: against the exact sum of the same
 * floats (integers of 128 bits, rounded once to a float), the same bytes
 * however the shards are split among "ranks" (accumulators summed
 * separately, then added), and the edges: a variable of zeros, a single
 * nonzero value, the most shards a batch can have. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dist.h"

/* A tiny deterministic generator for test data, independent of rng.c. */
static double lcg_uniform(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * (1.0 / 16777216.0);
}

/* Magnitudes log-uniform in [1e-8, 1e3], either sign. */
static float mixed_value(uint32_t *s)
{
    double magnitude = pow(10.0, -8.0 + 11.0 * lcg_uniform(s));
    return (float)(lcg_uniform(s) < 0.5 ? -magnitude : magnitude);
}

/* Every float of at least 2^-27 in magnitude (1e-8 is more) is an
 * integer times 2^-50, and one below 2^10 fits in 61 bits: their sum, so scaled, is exact in
 * 128 bits, and converting it to a float rounds once. */
#define EXACT_SHIFT 50
static float exact_sum(const float *values, size_t stride, int shards, size_t i)
{
    __int128 total = 0;
    for (int s = 0; s < shards; s++) {
        float v = values[(size_t)s * stride + i];
        assert_true(fabsf(v) >= 0x1p-27f && fabsf(v) < 0x1p10f);
        total += (__int128)ldexp((double)v, EXACT_SHIFT);
    }
    return ldexpf((float)total, -EXACT_SHIFT);
}

/* How many floats apart a and b are (finite, of the same sign or zero). */
static int64_t ulps_apart(float a, float b)
{
    int32_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    int64_t ka = ia < 0 ? -(int64_t)(ia & 0x7fffffff) : ia;
    int64_t kb = ib < 0 ? -(int64_t)(ib & 0x7fffffff) : ib;
    return ka > kb ? ka - kb : kb - ka;
}

/* One variable's values in `shards` shards of n values each (stride n):
 * the sum as train.c takes it. */
static void sum_all(float *out, int64_t *ints, const float *values, size_t n, int shards)
{
    float max_abs = 0.0f;
    for (size_t k = 0; k < n * (size_t)shards; k++)
        max_abs = fmaxf(max_abs, fabsf(values[k]));
    double scale = dist_sum_scale(max_abs, shards);
    dist_shards_to_int(ints, values, n, n, shards, scale);
    dist_int_to_float(out, ints, n, scale);
}

/* ------------------------------------------------------------------------
 * Against the exact sum */

static void check_against_exact(int shards, uint32_t seed)
{
    enum { N = 2000 };
    float *values = malloc(sizeof(float) * N * (size_t)shards), out[N];
    int64_t ints[N];
    assert_non_null(values);
    for (size_t k = 0; k < N * (size_t)shards; k++)
        values[k] = mixed_value(&seed);
    sum_all(out, ints, values, N, shards);
    int64_t worst = 0;
    for (size_t i = 0; i < N; i++) {
        int64_t apart = ulps_apart(out[i], exact_sum(values, N, shards, i));
        worst = apart > worst ? apart : worst;
    }
    print_message("%d shards: %lld ulps from the exact sum at worst\n", shards, (long long)worst);
    assert_true(worst <= 1);
    free(values);
}

static void test_dist__sum_within_an_ulp_of_the_exact_sum(void **state)
{
    (void)state;
    check_against_exact(2, 1u);
    check_against_exact(7, 2u);
    check_against_exact(64, 3u);
}

/* A variable whose values are all of one magnitude but for one large
 * one: each keeps 2^-(62 - log2 shards) of the largest. */
static void test_dist__small_values_beside_a_large_one(void **state)
{
    (void)state;
    enum { N = 1000, SHARDS = 8 };
    static float values[N * SHARDS];
    float out[N];
    int64_t ints[N];
    uint32_t seed = 11u;
    for (size_t k = 0; k < N * SHARDS; k++)
        values[k] = (float)(1e-6 * (lcg_uniform(&seed) - 0.5));
    values[3] = 1e3f;
    sum_all(out, ints, values, N, SHARDS);
    /* 1e3 < 2^10 and 8 shards: a unit of the integers is 2^(10 - 59). */
    const double unit = 0x1p-49;
    assert_true(dist_sum_scale(1e3f, SHARDS) == 1.0 / unit);
    int64_t worst = 0;
    for (size_t i = 0; i < N; i++) {
        if (i == 3)
            continue;
        double exact = 0.0; /* 8 values of 24 bits within 2^12 of each other: exact */
        for (int s = 0; s < SHARDS; s++)
            exact += values[(size_t)s * N + i];
        /* Each value truncated by less than a unit, then rounded once. */
        assert_true(fabs((double)ints[i] * unit - exact) < SHARDS * unit);
        assert_true(out[i] == (float)((double)ints[i] * unit));
        int64_t apart = ulps_apart(out[i], (float)exact);
        worst = apart > worst ? apart : worst;
    }
    print_message("values near 1e-6 beside 1e3 in 8 shards: %lld ulps at worst\n",
                  (long long)worst);
}

/* ------------------------------------------------------------------------
 * Any split among ranks */

static void test_dist__same_bytes_however_the_shards_are_split(void **state)
{
    (void)state;
    enum { N = 500, SHARDS = 13 };
    static float values[N * SHARDS];
    uint32_t seed = 5u;
    for (size_t k = 0; k < N * SHARDS; k++)
        values[k] = mixed_value(&seed);
    float whole[N], split[N];
    int64_t whole_ints[N], ints[N], part[N];
    sum_all(whole, whole_ints, values, N, SHARDS);
    float max_abs = 0.0f;
    for (size_t k = 0; k < N * SHARDS; k++)
        max_abs = fmaxf(max_abs, fabsf(values[k]));
    const double scale = dist_sum_scale(max_abs, SHARDS);
    for (int size = 1; size <= SHARDS + 2; size++) {
        /* Rank r sums its shards (dist_shards_of), MPI_Allreduce adds the
         * ranks' sums: here, last rank first, to change the order too. */
        memset(ints, 0, sizeof ints);
        for (int rank = size - 1; rank >= 0; rank--) {
            int first, end;
            dist_shards_of(SHARDS, rank, size, &first, &end);
            if (end == first)
                continue;
            dist_shards_to_int(part, values + (size_t)first * N, N, N, end - first, scale);
            for (size_t i = 0; i < N; i++)
                ints[i] += part[i];
        }
        dist_int_to_float(split, ints, N, scale);
        assert_memory_equal(ints, whole_ints, sizeof ints);
        assert_memory_equal(split, whole, sizeof split);
    }
    /* Uneven, out-of-order subsets: shard s to "rank" s * 7 mod 3. */
    memset(ints, 0, sizeof ints);
    for (int rank = 0; rank < 3; rank++)
        for (int s = 0; s < SHARDS; s++)
            if (s * 7 % 3 == rank) {
                dist_shards_to_int(part, values + (size_t)s * N, N, N, 1, scale);
                for (size_t i = 0; i < N; i++)
                    ints[i] += part[i];
            }
    dist_int_to_float(split, ints, N, scale);
    assert_memory_equal(split, whole, sizeof split);
}

/* ------------------------------------------------------------------------
 * Edges */

static void test_dist__zeros_and_a_single_nonzero(void **state)
{
    (void)state;
    enum { N = 4, SHARDS = 5 };
    float zeros[N * SHARDS] = {0}, out[N];
    int64_t ints[N];
    assert_true(dist_sum_scale(0.0, SHARDS) == 0.0);
    sum_all(out, ints, zeros, N, SHARDS);
    for (size_t i = 0; i < N; i++) {
        float zero = 0.0f;
        assert_int_equal(ints[i], 0);
        assert_memory_equal(&out[i], &zero, sizeof zero); /* +0, not -0 */
    }
    /* One value alone comes back as it was: its 24 bits scale exactly. */
    const float singles[] = {3.0f, -1e-30f, FLT_MAX, -FLT_MIN, 0x1p-149f, 1e3f, 0x1p20f};
    for (size_t k = 0; k < sizeof singles / sizeof *singles; k++) {
        float one[N * SHARDS] = {0};
        one[3 * N + 1] = singles[k];
        sum_all(out, ints, one, N, SHARDS);
        assert_memory_equal(&out[1], &singles[k], sizeof(float));
        assert_true(out[0] == 0.0f && out[2] == 0.0f && out[3] == 0.0f);
    }
}

/* Every shard at the variable's largest magnitude, of one sign: the sum
 * is the largest the integers ever hold. stride 0 reads one value as
 * every shard's. */
static void check_headroom(float max_abs, int shards)
{
    const double scale = dist_sum_scale(max_abs, shards);
    /* shards * the largest scaled value < 2^63, in exact arithmetic. */
    assert_true((double)max_abs * scale < 0x1p62 / shards);
    const float values[2] = {max_abs, -max_abs};
    int64_t ints[2];
    float out[2];
    dist_shards_to_int(ints, values, 2, 0, shards, scale);
    dist_int_to_float(out, ints, 2, scale);
    assert_true(ints[0] > 0 && ints[1] == -ints[0]);
    assert_true(out[0] == (float)((double)max_abs * shards));
    assert_true(out[1] == -out[0]);
}

static void test_dist__the_most_shards_do_not_overflow(void **state)
{
    (void)state;
    /* A batch has at most 1e9 rows (options.c), so 1e9 shards of one row;
     * their scale, and the sums of up to 2^20 + 1 shards. */
    assert_true((double)FLT_MAX * dist_sum_scale(FLT_MAX, 1000000000) * 1e9 < 0x1p63);
    assert_true(0x1p-149 * dist_sum_scale(0x1p-149, 1000000000) * 1e9 < 0x1p63);
    const int counts[] = {1, 2, 3, 64, 1000, (1 << 20) + 1};
    const float maxima[] = {FLT_MAX, 1.0f, 0x1p-149f, 0.75f, 3e-20f};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++)
        for (size_t m = 0; m < sizeof maxima / sizeof *maxima; m++)
            if (!(maxima[m] == FLT_MAX && counts[c] > 1))
                check_headroom(maxima[m], counts[c]);
    /* FLT_MAX twice is no float: the integers still hold it. */
    const double scale = dist_sum_scale(FLT_MAX, 1 << 20);
    const float big = FLT_MAX;
    int64_t ints;
    dist_shards_to_int(&ints, &big, 1, 0, 1 << 20, scale);
    assert_true(ints > 0 && (double)ints == (double)FLT_MAX * scale * 0x1p20);
}

/* ------------------------------------------------------------------------
 * One process's shortcuts: the same bytes as the general path */

/* dist_shards_to_float against dist_shards_to_int then dist_int_to_float,
 * on runs that do not end at a multiple of dist.c's 512 and a stride
 * longer than the variable (as a slot of train.c's shard_grads). */
static void test_dist__one_process_sum_is_the_general_sum(void **state)
{
    (void)state;
    enum { N = 1300, STRIDE = 1500, MOST = 9 };
    static float values[STRIDE * MOST];
    static int64_t ints[N];
    static float general[N], fused[N];
    uint32_t seed = 17u;
    for (size_t k = 0; k < STRIDE * MOST; k++)
        values[k] = mixed_value(&seed);
    values[STRIDE + 7] = 0x1p-149f;
    values[2 * STRIDE + 9] = -0.0f;
    const size_t lengths[] = {0, 1, 511, 512, 513, N};
    for (int shards = 1; shards <= MOST; shards++)
        for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
            const size_t n = lengths[l];
            float max_abs = 0.0f;
            for (int s = 0; s < shards; s++)
                for (size_t i = 0; i < n; i++)
                    max_abs = fmaxf(max_abs, fabsf(values[(size_t)s * STRIDE + i]));
            /* and a scale 0 (all zeros) or coarser than needed */
            const double scales[] = {dist_sum_scale(max_abs, shards), 0.0,
                                     dist_sum_scale(max_abs * 1e6f, shards)};
            for (size_t c = 0; c < sizeof scales / sizeof *scales; c++) {
                memset(fused, 0xff, sizeof fused);
                dist_shards_to_int(ints, values, n, STRIDE, shards, scales[c]);
                dist_int_to_float(general, ints, n, scales[c]);
                dist_shards_to_float(fused, values, n, STRIDE, shards, scales[c]);
                assert_memory_equal(fused, general, n * sizeof(float));
                /* nothing written past n */
                assert_true(n == N || isnan(fused[n]));
            }
        }
}

/* In place: the output may be the first shard's values (train.c's
 * last shard writes its gradient where the sum goes). */
static void test_dist__one_process_sum_in_place(void **state)
{
    (void)state;
    enum { N = 1100, SHARDS = 4 };
    static float values[N * SHARDS], copy[N * SHARDS], want[N];
    static int64_t ints[N];
    uint32_t seed = 23u;
    for (size_t k = 0; k < N * SHARDS; k++)
        values[k] = copy[k] = mixed_value(&seed);
    float max_abs = 0.0f;
    for (size_t k = 0; k < N * SHARDS; k++)
        max_abs = fmaxf(max_abs, fabsf(values[k]));
    const double scale = dist_sum_scale(max_abs, SHARDS);
    dist_shards_to_int(ints, copy, N, N, SHARDS, scale);
    dist_int_to_float(want, ints, N, scale);
    dist_shards_to_float(values, values, N, N, SHARDS, scale);
    assert_memory_equal(values, want, sizeof want);
}

/* The largest magnitude's pattern against fabsf's maximum, and what
 * train.c reads from it: infinity and NaN above every finite value, -0
 * as 0, subnormals ordered. */
static void test_dist__largest_magnitude_bits(void **state)
{
    (void)state;
    enum { N = 777 };
    static float values[N];
    uint32_t seed = 29u;
    for (size_t i = 0; i < N; i++)
        values[i] = mixed_value(&seed);
    float want = 0.0f;
    for (size_t i = 0; i < N; i++)
        want = fmaxf(want, fabsf(values[i]));
    for (size_t n = 0; n <= N; n += N / 7 + 1) {
        float part = 0.0f;
        for (size_t i = 0; i < n; i++)
            part = fmaxf(part, fabsf(values[i]));
        uint32_t bits = dist_max_magnitude_bits(values, n, 0);
        float got;
        memcpy(&got, &bits, sizeof got);
        assert_true(got == part);
    }
    uint32_t bits = dist_max_magnitude_bits(values, N, 0), start;
    float got, bigger = want * 2.0f;
    memcpy(&got, &bits, sizeof got);
    assert_true(got == want);
    /* A larger start stays. */
    memcpy(&start, &bigger, sizeof start);
    assert_int_equal(dist_max_magnitude_bits(values, N, start), start);
    /* Edges. */
    const float negzero[3] = {-0.0f, 0.0f, -0.0f};
    assert_int_equal(dist_max_magnitude_bits(negzero, 3, 0), 0);
    const float tiny[3] = {-0x1p-149f, 0x1p-148f, -0x1p-147f};
    memcpy(&got, &(uint32_t){dist_max_magnitude_bits(tiny, 3, 0)}, sizeof got);
    assert_true(got == 0x1p-147f);
    float special[N];
    memcpy(special, values, sizeof special);
    special[N - 1] = -INFINITY;
    assert_int_equal(dist_max_magnitude_bits(special, N, 0), 0x7f800000u);
    special[N / 2] = -NAN;
    assert_true(dist_max_magnitude_bits(special, N, 0) > 0x7f800000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dist__sum_within_an_ulp_of_the_exact_sum),
        cmocka_unit_test(test_dist__small_values_beside_a_large_one),
        cmocka_unit_test(test_dist__same_bytes_however_the_shards_are_split),
        cmocka_unit_test(test_dist__zeros_and_a_single_nonzero),
        cmocka_unit_test(test_dist__the_most_shards_do_not_overflow),
        cmocka_unit_test(test_dist__one_process_sum_is_the_general_sum),
        cmocka_unit_test(test_dist__one_process_sum_in_place),
        cmocka_unit_test(test_dist__largest_magnitude_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
