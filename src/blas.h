/* blas.h — the only door to BLAS (blas.c is the only file that includes
 * <cblas.h>). */
#ifndef LR_BLAS_H
#define LR_BLAS_H
#include <stdbool.h>

#include "tensor.h"

/* C = alpha * op(A) * op(B) + beta * C, op = transpose when trans_* is set.
 * Shapes must agree (checked by the Plan, asserted here in debug builds). */
void blas_gemm(bool trans_a, bool trans_b, float alpha, const LrTensor *a,
               const LrTensor *b, float beta, LrTensor *c);
/* Sets the BLAS thread count (n >= 1). */
void blas_set_threads(int n);
/* "OpenBLAS 0.3.21 ..." as the library reports itself. */
const char *blas_vendor(void);

#endif
