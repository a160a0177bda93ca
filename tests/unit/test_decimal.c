/* test_decimal.c — decimal_fast gives strtod's double, bit for bit, on
 * every text it accepts: hand-picked cases at the edges of the fast path
 * (19 digits, 2^53, 10^±22, signed zeros, leading zeros, forms without
 * digits on one side of the point) and 200,000 random decimal strings of
 * the kinds CSV files hold; and it declines what it cannot do exactly.
 * decimal_shortest writes texts that read back bit for bit and are the
 * shortest that do: hand-picked values, and random doubles of every
 * exponent and of few digits against a search over every digit count
 * from 1. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decimal.h"

/* When decimal_fast accepts s, its double must be strtod's, bit for bit
 * (memcmp: -0.0 and 0.0 differ). Returns whether it accepted. */
static bool agrees(const char *s)
{
    double fast;
    if (!decimal_fast(s, strlen(s), &fast))
        return false;
    char *end;
    double slow = strtod(s, &end);
    if (*end != '\0')
        fail_msg("'%s' accepted, but strtod stops at '%s'", s, end);
    if (memcmp(&fast, &slow, sizeof fast) != 0)
        fail_msg("'%s': %.17g, strtod %.17g", s, fast, slow);
    return true;
}

static void test_decimal__edges_of_the_fast_path(void **state)
{
    (void)state;
    static const char *const accepted[] = {
        "0", "-0", "+0", "0.0", "-0.000", "1", "-1", "+7", "12.5", "-3.25e2", "5.", ".5", "-.5",
        "0001.2300", "1e0", "1E+3", "2e-3", "9007199254740992", "900719925474099.2e1",
        "1234567890123456e-22", "0.1", "0.2", "0.3", "3.14159265", "1e22", "1e-22",
        "4.35", "1.797693134862315e22", "0.0000000000000000001234",
        "1234567890.123456",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof *accepted; i++)
        if (!agrees(accepted[i]))
            fail_msg("'%s' should take the fast path", accepted[i]);
    static const char *const declined[] = {
        "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ", "0x10", "inf", "nan",
        "1e23", "1e-23", "9007199254740993", "12345678901234567890", "1e123456",
        "1234567890123456789e-22", "1.7976931348623157e22", "0.000000000000000000001234",
        "1.5f", "--1", "+-1", "1e5x",
    };
    for (size_t i = 0; i < sizeof declined / sizeof *declined; i++) {
        double v;
        if (decimal_fast(declined[i], strlen(declined[i]), &v))
            fail_msg("'%s' should be left to strtod, got %.17g", declined[i], v);
    }
    /* The length bounds the text: "12" of "123". */
    double v = 0;
    assert_true(decimal_fast("123", 2, &v));
    assert_true(v == 12.0);
}

/* A random decimal of the shapes numbers take in files: %.Ng of random
 * doubles of many magnitudes, and digit strings with a point and an
 * exponent placed at random. */
static void random_decimal(char *buf, size_t size, uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    uint64_t r = *state >> 11;
    if (r & 1) {
        double mag = ldexp((double)(r >> 12) / (double)(UINT64_C(1) << 41), (int)(r % 61) - 30);
        snprintf(buf, size, "%.*g", 1 + (int)((r >> 3) % 18), (r & 2) ? -mag : mag);
        return;
    }
    size_t at = 0;
    if (r & 2)
        buf[at++] = '-';
    int digits = 1 + (int)((r >> 2) % 21), point = (int)((r >> 7) % (unsigned)(digits + 2)) - 1;
    for (int d = 0; d < digits; d++) {
        if (d == point)
            buf[at++] = '.';
        *state = *state * 6364136223846793005u + 1442695040888963407u;
        buf[at++] = (char)('0' + (*state >> 33) % 10);
    }
    if ((r >> 13) & 1)
        at += (size_t)snprintf(buf + at, size - at, "e%d", (int)((r >> 14) % 61) - 30);
    buf[at] = '\0';
}

static void test_decimal__random_strings_match_strtod(void **state)
{
    (void)state;
    uint64_t seed = 42;
    char buf[64];
    int fast = 0;
    for (int i = 0; i < 200000; i++) {
        random_decimal(buf, sizeof buf, &seed);
        fast += agrees(buf);
    }
    /* and the fast path is the common one */
    assert_true(fast > 100000);
}

static void assert_shortest(double v, const char *want)
{
    char text[DECIMAL_SHORTEST_SIZE];
    size_t len = decimal_shortest(v, text);
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
}

static void test_decimal__shortest_known_values(void **state)
{
    (void)state;
    assert_shortest(0.1, "0.1");
    assert_shortest(1e-7, "1e-07");
    assert_shortest(5e-324, "5e-324");
    assert_shortest(-5e-324, "-5e-324");
    assert_shortest(1.7976931348623157e308, "1.7976931348623157e+308");
    assert_shortest(2.2250738585072014e-308, "2.2250738585072014e-308"); /* DBL_MIN */
    assert_shortest(0.30000000000000004, "0.30000000000000004");
    assert_shortest(1.0 / 3.0, "0.3333333333333333");
    assert_shortest(100, "100");
    assert_shortest(1e23, "1e+23");
    assert_shortest(1e10, "10000000000");
    assert_shortest(1e15, "1e+15");
    assert_shortest(0.0, "0");
    assert_shortest(-0.0, "-0");
    assert_shortest(INFINITY, "inf");
    assert_shortest(-INFINITY, "-inf");
    char text[DECIMAL_SHORTEST_SIZE];
    decimal_shortest(NAN, text);
    assert_true(strcmp(text, "nan") == 0 || strcmp(text, "-nan") == 0);
}

/* Random bit patterns (every exponent, subnormals included): the text
 * reads back bit for bit and has the digits of the plain search from 1
 * digit (the definition of shortest), written as %.15g writes them when
 * there are 15 or fewer and the double is normal. */
static void test_decimal__shortest_random_doubles_round_trip(void **state)
{
    (void)state;
    uint64_t seed = 7;
    int subnormal = 0;
    for (int i = 0; i < 100000; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        uint64_t bits = seed ^ (seed >> 29);
        if (i % 4 == 0)
            bits &= ~(UINT64_C(0x7ff) << 52); /* a quarter subnormal (or zero) */
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        if (i % 4 == 1) { /* a quarter of few digits, as most written numbers have */
            char few[DECIMAL_SHORTEST_SIZE];
            snprintf(few, sizeof few, "%.*g", 1 + (int)(seed >> 60) % 15, v);
            v = strtod(few, NULL);
        }
        subnormal += v != 0 && fabs(v) < DBL_MIN;
        char text[DECIMAL_SHORTEST_SIZE], want[DECIMAL_SHORTEST_SIZE];
        decimal_shortest(v, text);
        double back = strtod(text, NULL);
        if (memcmp(&back, &v, sizeof v) != 0)
            fail_msg("%a written as '%s' reads back as %a", v, text, back);
        int fewest = 1;
        for (; fewest < 17; fewest++) {
            snprintf(want, sizeof want, "%.*g", fewest, v);
            if (strtod(want, NULL) == v)
                break;
        }
        int notation = fewest < 15 && (v == 0 || fabs(v) >= DBL_MIN) ? 15 : fewest;
        snprintf(want, sizeof want, "%.*g", notation, v);
        if (strcmp(text, want) != 0)
            fail_msg("%a written as '%s', shortest is '%s'", v, text, want);
    }
    assert_true(subnormal > 20000);
}

/* decimal_shortest_float: random float bits (finite) read back through
 * strtof bit for bit, and no text of fewer digits (from 6, %g's default)
 * would; a few known values. */
static void test_decimal__shortest_float_round_trips(void **state)
{
    (void)state;
    char text[DECIMAL_SHORTEST_SIZE];
    assert_int_equal(decimal_shortest_float(0.1f, text), 3);
    assert_string_equal(text, "0.1");
    decimal_shortest_float(1.0f / 3.0f, text);
    assert_string_equal(text, "0.33333334");
    decimal_shortest_float(16777216.0f, text);
    assert_string_equal(text, "16777216");
    decimal_shortest_float(-0.0f, text);
    assert_string_equal(text, "-0");
    uint32_t seed = 11;
    for (int i = 0; i < 100000; i++) {
        seed = seed * 1664525u + 1013904223u;
        uint32_t bits = seed ^ (seed >> 13);
        float v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        size_t len = decimal_shortest_float(v, text);
        float back = strtof(text, NULL);
        if (memcmp(&back, &v, sizeof v) != 0 || len != strlen(text))
            fail_msg("%a written as '%s' reads back as %a", (double)v, text, (double)back);
        int digits = 6;
        char fewer[DECIMAL_SHORTEST_SIZE];
        for (; digits < 9; digits++) {
            snprintf(fewer, sizeof fewer, "%.*g", digits, (double)v);
            if (strtof(fewer, NULL) == v)
                break;
        }
        snprintf(fewer, sizeof fewer, "%.*g", digits, (double)v);
        if (strcmp(fewer, text) != 0)
            fail_msg("%a written as '%s', shortest is '%s'", (double)v, text, fewer);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal__edges_of_the_fast_path),
        cmocka_unit_test(test_decimal__random_strings_match_strtod),
        cmocka_unit_test(test_decimal__shortest_known_values),
        cmocka_unit_test(test_decimal__shortest_random_doubles_round_trip),
        cmocka_unit_test(test_decimal__shortest_float_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
