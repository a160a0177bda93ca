/* decimal.h — decimal numbers to doubles, fast: the common case of a CSV
 * value (at most 19 significant digits, a power of ten within 10^±22)
 * takes one exact conversion and one correctly rounded multiplication or
 * division, which gives the double strtod gives (Clinger's fast path);
 * anything else is left to strtod. */
#ifndef LR_DECIMAL_H
#define LR_DECIMAL_H
#include <stdbool.h>
#include <stddef.h>

/* The n bytes at s as [+-]digits[.digits][(e|E)[+-]digits] (digits on at
 * least one side of the point): true and *out, the same double strtod
 * returns for them; false for any other text or a value outside the fast
 * path, which the caller then gives to strtod. */
bool decimal_fast(const char *s, size_t n, double *out);

#endif
