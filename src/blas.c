/* blas.c — the only door to BLAS and the only file that includes
 * <cblas.h>: single-precision GEMM on row-major tensor views, the thread
 * count, and the library's self-description for run.json. */
#include "blas.h"

#include <assert.h>
#include <cblas.h>

/* OpenBLAS extensions; its cblas.h declares them, other BLAS headers not. */
#ifndef OPENBLAS_VERSION
void openblas_set_num_threads(int num_threads);
char *openblas_get_config(void);
#endif

void blas_gemm(bool trans_a, bool trans_b, float alpha, const LrTensor *a,
               const LrTensor *b, float beta, LrTensor *c)
{
    const int m = c->rows, n = c->cols;
    const int k = trans_a ? a->rows : a->cols;
    assert((trans_a ? a->cols : a->rows) == m);
    assert((trans_b ? b->cols : b->rows) == k);
    assert((trans_b ? b->rows : b->cols) == n);
    assert(a->ld >= a->cols && b->ld >= b->cols && c->ld >= c->cols);
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        /* An empty inner product: BLAS may reject the leading dimensions of
         * empty operands, and the result is just beta * C. */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                TENSOR_AT(*c, i, j) = beta == 0 ? 0.0f : beta * TENSOR_AT(*c, i, j);
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a->data, a->ld,
                b->data, b->ld, beta, c->data, c->ld);
}

void blas_set_threads(int n)
{
    openblas_set_num_threads(n < 1 ? 1 : n);
}

const char *blas_vendor(void)
{
    return openblas_get_config();
}
