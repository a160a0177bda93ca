/* blas.h — the only door to BLAS (blas.c is the only file that includes
 * <cblas.h>). */
#ifndef LR_BLAS_H
#define LR_BLAS_H
#include <stdbool.h>
#include <stddef.h>

#include "tensor.h"

/* Products of at most this many multiply-adds (m n k) take a plain loop
 * instead of cblas_sgemm, whose call overhead dominates them; the value
 * comes from bench/tiny_gemm.c (see it for the measurement). */
#define BLAS_TINY_GEMM 64
/* Larger products are computed in blocks of this many columns of C (or
 * rows, when C has no more columns than this and more rows), shared out
 * among lrc's threads (blas.c says why). Larger blocks lose less to
 * OpenBLAS's per-call packing, smaller ones share out more evenly;
 * `make bench-blocks` times bench/mlp.lr's step at 64, 128, 256 and 512
 * (the value is a compile-time setting for that benchmark only). */
#ifndef BLAS_BLOCK
#define BLAS_BLOCK 256
#endif

/* C = alpha * op(A) * op(B) + beta * C, op = transpose when trans_* is set.
 * Shapes must agree (checked by the Plan, asserted here in debug builds).
 * Tiny products use a loop (BLAS_TINY_GEMM); both give the same results to
 * float rounding (tests/unit/test_dense.c compares them). The result is
 * the same bytes on any number of threads. */
void blas_gemm(bool trans_a, bool trans_b, float alpha, const LrTensor *a,
               const LrTensor *b, float beta, LrTensor *c);
/* blas_gemm with C cut into blocks of block_rows rows whatever its shape
 * (the caller's choice, so again the same bytes on any thread count): for
 * a C too small for blas_gemm's blocks to share out evenly, as conv2d's
 * 288 x 64 kernel gradient summed over 15,488 pixels (layer_conv.c). */
void blas_gemm_rows(bool trans_a, bool trans_b, float alpha, const LrTensor *a,
                    const LrTensor *b, float beta, LrTensor *c, int block_rows);
/* The plain loop blas_gemm uses for tiny products, exposed so that tests
 * can hold it against BLAS on the same shapes. */
void blas_gemm_loop(bool trans_a, bool trans_b, float alpha, const LrTensor *a,
                    const LrTensor *b, float beta, LrTensor *c);

/* Whether an m x n x k product goes to BLAS (is not tiny). */
static inline bool blas_needed(long m, long n, long k)
{
    return m * n * k > BLAS_TINY_GEMM;
}
/* Loads OpenBLAS if it is not loaded yet, single-threaded (lrc's pool
 * spreads the blocks of a product). 0, or -1 with a reason. */
int blas_load(char *why, size_t why_size);
/* Makes sure OpenBLAS can map the work buffer it needs on each of
 * `threads` threads (it would retry forever if it could not, see blas.c).
 * Call once everything else is allocated. 0, or -1 with a reason naming
 * the memory limit in the way. */
int blas_check_memory(int threads, char *why, size_t why_size);
/* "OpenBLAS 0.3.21 ..." as the library reports itself. */
const char *blas_vendor(void);

#endif
