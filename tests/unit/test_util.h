/* test_util.h — what the unit tests share: assert_close() and
 * assert_close_rel() for floats, assert_why() for messages that name a
 * file, and activations written in double from their definitions (the
 * reference the layer tests check float code against). Include after
 * <cmocka.h>. */
#ifndef LR_TEST_UTIL_H
#define LR_TEST_UTIL_H
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "spec.h"

#define assert_close(a, b, tol) assert_close_at((a), (b), (tol), __FILE__, __LINE__)

static inline void assert_close_at(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}

/* Whether a is within rel of the reference b, relative to |b| but to no
 * less than min_scale: near zero the tolerance is rel * min_scale. */
static inline bool within_rel(double a, double b, double rel, double min_scale)
{
    return fabs(a - b) <= rel * fmax(min_scale, fabs(b));
}

#define assert_close_rel(a, b, rel, min_scale)                                                     \
    assert_close_rel_at((a), (b), (rel), (min_scale), __FILE__, __LINE__)

static inline void assert_close_rel_at(double a, double b, double rel, double min_scale,
                                       const char *file, int line)
{
    if (!within_rel(a, b, rel, min_scale)) {
        print_error("%.17g != %.17g (relative tolerance %g, scale at least %g)\n", a, b, rel,
                    min_scale);
        _fail(file, line);
    }
}

/* A message that names a file (whose path varies from run to run): why
 * must be fmt with path put in for its %s. */
#define assert_why(why, fmt, path) assert_why_at((why), (fmt), (path), __FILE__, __LINE__)

static inline void assert_why_at(const char *why, const char *fmt, const char *path,
                                 const char *file, int line)
{
    char want[1024];
    snprintf(want, sizeof want, fmt, path);
    if (strcmp(why, want) != 0) {
        print_error("\"%s\" != \"%s\"\n", why, want);
        _fail(file, line);
    }
}

/* act with its parameters (alpha: leaky_relu, elu; approximate: gelu)
 * applied to one row z of n values, into y, in double. */
static inline void activation_ref_with(LrActivation act, double alpha, bool approximate,
                                       const double *z, double *y, int n)
{
    double top = z[0], sum = 0;
    for (int j = 1; j < n; j++)
        top = fmax(top, z[j]);
    for (int j = 0; j < n; j++)
        sum += exp(z[j] - top);
    for (int j = 0; j < n; j++) {
        switch (act) {
        case ACT_LINEAR:
            y[j] = z[j];
            break;
        case ACT_RELU:
            y[j] = z[j] > 0 ? z[j] : 0;
            break;
        case ACT_SIGMOID:
            y[j] = 1.0 / (1.0 + exp(-z[j]));
            break;
        case ACT_TANH:
            y[j] = tanh(z[j]);
            break;
        case ACT_SOFTMAX:
            y[j] = exp(z[j] - top) / sum;
            break;
        case ACT_GELU:
            y[j] = approximate ? 0.5 * z[j] *
                                     (1 + tanh(sqrt(2 / acos(-1.0)) *
                                               (z[j] + 0.044715 * z[j] * z[j] * z[j])))
                               : 0.5 * z[j] * erfc(-z[j] / sqrt(2));
            break;
        case ACT_LEAKY_RELU:
            y[j] = z[j] > 0 ? z[j] : alpha * z[j];
            break;
        case ACT_ELU:
            y[j] = z[j] > 0 ? z[j] : alpha * expm1(z[j]);
            break;
        }
    }
}

/* With the activations' default parameters (Keras's). */
static inline void activation_ref(LrActivation act, const double *z, double *y, int n)
{
    activation_ref_with(act, act == ACT_ELU ? 1.0 : 0.2, false, z, y, n);
}

#endif
