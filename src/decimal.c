/* decimal.c — see decimal.h. Why the result is strtod's: with m < 2^53
 * and 0 <= k <= 22, both m and 10^k are exact doubles, so m * 10^k and
 * m / 10^k are single IEEE operations on exact operands, each rounded
 * correctly once — which is what strtod's correctly rounded result is. */
#include "decimal.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* 10^0 .. 10^22, every one exact in a double (5^22 < 2^53). */
static const double powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

enum { MAX_DIGITS = 19, MAX_POWER = 22, MAX_EXPONENT_DIGITS = 5 };

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool decimal_fast(const char *s, size_t n, double *out)
{
#if FLT_EVAL_METHOD != 0
    /* Excess precision (x87) would round twice: always strtod. */
    (void)s, (void)n, (void)out;
    return false;
#else
    size_t i = 0;
    bool negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        negative = s[i++] == '-';
    uint64_t mantissa = 0;
    int digits = 0, exponent = 0;
    bool seen_digit = false;
    /* Integer part: leading zeros are not significant. */
    for (; i < n && is_digit(s[i]); i++) {
        seen_digit = true;
        if (mantissa == 0 && s[i] == '0')
            continue;
        if (++digits > MAX_DIGITS)
            return false;
        mantissa = mantissa * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit(s[i]); i++) {
            seen_digit = true;
            exponent--;
            if (mantissa == 0 && s[i] == '0')
                continue;
            if (++digits > MAX_DIGITS)
                return false;
            mantissa = mantissa * 10 + (uint64_t)(s[i] - '0');
        }
    }
    if (!seen_digit)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool down = false;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            down = s[i++] == '-';
        int value = 0, count = 0;
        for (; i < n && is_digit(s[i]); i++) {
            if (++count > MAX_EXPONENT_DIGITS)
                return false;
            value = value * 10 + (s[i] - '0');
        }
        if (count == 0)
            return false;
        exponent += down ? -value : value;
    }
    if (i != n)
        return false;
    if (mantissa == 0) {
        *out = negative ? -0.0 : 0.0;
        return true;
    }
    if (mantissa > (UINT64_C(1) << 53) || exponent < -MAX_POWER || exponent > MAX_POWER)
        return false;
    double v = (double)mantissa;
    v = exponent >= 0 ? v * powers_of_ten[exponent] : v / powers_of_ten[-exponent];
    *out = negative ? -v : v;
    return true;
#endif
}

size_t decimal_shortest(double v, char out[DECIMAL_SHORTEST_SIZE])
{
    if (!isfinite(v))
        return (size_t)snprintf(out, DECIMAL_SHORTEST_SIZE, "%g", v);
    /* A normal double's rounding interval is narrower than half a unit in
     * the 15th digit, so when some text of at most 15 digits reads back,
     * %.15g writes those digits (it drops trailing zeros): the search
     * starts there. A subnormal's interval is wider (5e-324 is the least
     * one), and its notation is exponential at any precision: from 1.
     * %.17g always reads back. */
    int len = 0;
    for (int digits = v == 0 || fabs(v) >= DBL_MIN ? 15 : 1; digits <= 17; digits++) {
        len = snprintf(out, DECIMAL_SHORTEST_SIZE, "%.*g", digits, v);
        if (strtod(out, NULL) == v)
            break;
    }
    return (size_t)len;
}

size_t decimal_shortest_float(float v, char out[DECIMAL_SHORTEST_SIZE])
{
    int len = 0;
    for (int digits = 6; digits <= 9; digits++) {
        len = snprintf(out, DECIMAL_SHORTEST_SIZE, "%.*g", digits, (double)v);
        if (strtof(out, NULL) == v)
            break;
    }
    return (size_t)len;
}
