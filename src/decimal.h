/* decimal.h — decimal numbers to doubles and back. To doubles, fast: the
 * common case of a CSV value (at most 19 significant digits, a power of
 * ten within 10^±22) takes one exact conversion and one correctly rounded
 * multiplication or division, which gives the double strtod gives
 * (Clinger's fast path); anything else is left to strtod. Back: the
 * shortest text that reads back as the same double, which every number
 * lrc writes to a file or to --explain uses. */
#ifndef LR_DECIMAL_H
#define LR_DECIMAL_H
#include <stdbool.h>
#include <stddef.h>

/* The n bytes at s as [+-]digits[.digits][(e|E)[+-]digits] (digits on at
 * least one side of the point): true and *out, the same double strtod
 * returns for them; false for any other text or a value outside the fast
 * path, which the caller then gives to strtod. */
bool decimal_fast(const char *s, size_t n, double *out);

/* Room for any text decimal_shortest writes, with its NUL. */
#define DECIMAL_SHORTEST_SIZE 32
/* Writes v with the fewest significant digits (1 to 17) that strtod reads
 * back as v exactly, in %g's notation: 0.1 as "0.1", 1e-7 as "1e-07",
 * 5e-324 as "5e-324". With 15 digits or fewer the text is %.15g's, so
 * integers up to 15 digits stay positional (1e10 is "10000000000");
 * otherwise %.16g's or %.17g's. "-0" for -0.0; "nan", "-nan", "inf" or
 * "-inf" as printf writes them when v is not finite. Returns the length
 * of the text. */
size_t decimal_shortest(double v, char out[DECIMAL_SHORTEST_SIZE]);
/* The same for a float: the fewest digits (%.6g to %.9g) that strtof
 * reads back as v, so a float32 written to a model description or a
 * prediction file reads back exactly. Returns the length of the text. */
size_t decimal_shortest_float(float v, char out[DECIMAL_SHORTEST_SIZE]);

#endif
