/* blas.c — the only door to BLAS and the only file that includes
 * <cblas.h>: single-precision GEMM on row-major tensor views, the thread
 * count, and the library's self-description for run.json.
 *
 * OpenBLAS is loaded with dlopen when the first product too large for the
 * plain loop needs it, not linked: loading it starts its thread pool, which
 * costs more than a whole small experiment (the grades example never needs
 * it). The thread count is given to it through OPENBLAS_NUM_THREADS as it
 * loads. */
#include "blas.h"

#include <assert.h>
#include <cblas.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*SgemmFn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE,
                        const enum CBLAS_TRANSPOSE, const int, const int, const int, const float,
                        const float *, const int, const float *, const int, const float,
                        float *, const int);
typedef char *(*ConfigFn)(void);

/* The loaded library: process-wide, like the library itself. */
static struct {
    void *handle;
    SgemmFn sgemm;
    ConfigFn config;
    int threads; /* wished by blas_set_threads; applied when loading */
} lib = {NULL, NULL, NULL, 1};

int blas_load(char *why, size_t why_size)
{
    if (lib.handle)
        return 0;
    char threads[16];
    snprintf(threads, sizeof threads, "%d", lib.threads);
    setenv("OPENBLAS_NUM_THREADS", threads, 1);
    static const char *const names[] = {"libopenblas.so.0", LRC_BLAS_LIBDIR "/libopenblas.so.0",
                                        "libopenblas.so"};
    const char *error = "not found";
    for (size_t i = 0; i < sizeof names / sizeof *names && !lib.handle; i++) {
        lib.handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!lib.handle)
            error = dlerror();
    }
    if (lib.handle) {
        /* The POSIX way to turn an object pointer into a function pointer. */
        *(void **)&lib.sgemm = dlsym(lib.handle, "cblas_sgemm");
        *(void **)&lib.config = dlsym(lib.handle, "openblas_get_config");
    }
    if (!lib.handle || !lib.sgemm) {
        snprintf(why, why_size, "cannot load OpenBLAS (libopenblas.so.0): %s",
                 lib.handle ? "it has no cblas_sgemm" : error);
        lib.handle = NULL;
        return -1;
    }
    return 0;
}

/* C = alpha op(A) op(B) + beta C by the textbook triple loop, the inner
 * product summed in k order. For tiny products (dense(1) on 3 features)
 * the cost of a BLAS call (argument checks, dispatch, threading decisions)
 * dwarfs the arithmetic; bench/tiny_gemm.c measures where the loop wins. */
void blas_gemm_loop(bool trans_a, bool trans_b, float alpha, const LrTensor *a,
                    const LrTensor *b, float beta, LrTensor *c)
{
    const int k = trans_a ? a->rows : a->cols;
    /* Strides instead of branches in the inner loop: element (i, p) of
     * op(A) is a->data[i * ai + p * ap], (p, j) of op(B) is b->data[p * bp + j * bj]. */
    const size_t ai = trans_a ? 1 : (size_t)a->ld, ap = trans_a ? (size_t)a->ld : 1;
    const size_t bp = trans_b ? 1 : (size_t)b->ld, bj = trans_b ? (size_t)b->ld : 1;
    for (int i = 0; i < c->rows; i++) {
        for (int j = 0; j < c->cols; j++) {
            const float *x = a->data + (size_t)i * ai, *y = b->data + (size_t)j * bj;
            float sum = 0.0f;
            for (int p = 0; p < k; p++)
                sum += x[(size_t)p * ap] * y[(size_t)p * bp];
            float *out = &TENSOR_AT(*c, i, j);
            *out = alpha * sum + (beta == 0.0f ? 0.0f : beta * *out);
        }
    }
}

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
    if ((long)m * n * k <= BLAS_TINY_GEMM) {
        blas_gemm_loop(trans_a, trans_b, alpha, a, b, beta, c);
        return;
    }
    if (!lib.handle) {
        /* The Plan loads the library before training; reaching here
         * without it is a programming error, not a user's. */
        char why[256];
        if (blas_load(why, sizeof why) < 0) {
            fprintf(stderr, "lrc: %s\n", why);
            abort();
        }
    }
    lib.sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a->data, a->ld,
                b->data, b->ld, beta, c->data, c->ld);
}

void blas_set_threads(int n)
{
    lib.threads = n < 1 ? 1 : n;
}

const char *blas_vendor(void)
{
    char why[256];
    if (blas_load(why, sizeof why) < 0 || !lib.config)
        return "OpenBLAS (not loaded)";
    return lib.config();
}
