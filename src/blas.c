/* blas.c — the only door to BLAS and the only file that includes
 * <cblas.h>: single-precision GEMM on row-major tensor views, the thread
 * count, and the library's self-description for run.json.
 *
 * OpenBLAS is loaded with dlopen when the first product too large for the
 * plain loop needs it, not linked: the grades example never pays for
 * loading it.
 *
 * OpenBLAS runs single-threaded (OPENBLAS_NUM_THREADS=1 as it loads). A
 * product is cut into blocks of BLAS_BLOCK columns of C (rows, when C is
 * narrow), each one cblas_sgemm call, and lrc's threads (pool.h) share the
 * blocks out. The blocks depend on the shape alone, so C is the same bytes
 * whatever the thread count. OpenBLAS's own threading is not: it divides
 * a product by its thread count, and the last bits of C move with the
 * division (1 and 2 threads disagreed on 15 of 17 shapes tried, among them
 * all of bench/mlp.lr's). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "blas.h"

#include <assert.h>
#include <cblas.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "diag.h"
#include "pool.h"

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
} lib = {NULL, NULL, NULL};

int blas_load(char *why, size_t why_size)
{
    if (lib.handle)
        return 0;
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
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

/* OpenBLAS maps a work buffer of this size (BUFFER_SIZE, 32 << 22 on
 * x86_64) for each thread the first time it multiplies on it, and when the
 * map fails it retries forever, deaf to signals (blas_memory_alloc). So the
 * room is made sure of before training, by mapping it once and letting go. */
#define BLAS_BUFFER_BYTES ((size_t)128 << 20)

/* The smaller of the address-space and data limits (ulimit -v, ulimit -d)
 * in bytes, and which it is; RLIM_INFINITY when neither is set. */
static rlim_t memory_limit(const char **name)
{
    struct rlimit as = {RLIM_INFINITY, RLIM_INFINITY}, data = {RLIM_INFINITY, RLIM_INFINITY};
    getrlimit(RLIMIT_AS, &as);
    getrlimit(RLIMIT_DATA, &data);
    *name = data.rlim_cur < as.rlim_cur ? "data size limit (ulimit -d)"
                                        : "address-space limit (ulimit -v)";
    return data.rlim_cur < as.rlim_cur ? data.rlim_cur : as.rlim_cur;
}

int blas_check_memory(int threads, char *why, size_t why_size)
{
    size_t need = (size_t)(threads > 0 ? threads : 1) * BLAS_BUFFER_BYTES;
    /* Mapped as OpenBLAS maps it (private, writable), so it counts against
     * the same limits; never touched, so it costs no memory. */
    void *room = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (room != MAP_FAILED) {
        munmap(room, need);
        return 0;
    }
    const char *name;
    rlim_t limit = memory_limit(&name);
    if (limit == RLIM_INFINITY)
        snprintf(why, why_size,
                 "OpenBLAS needs %zu MiB of memory for %d thread%s (128 MiB each) and the "
                 "system refused it",
                 need >> 20, threads, threads == 1 ? "" : "s");
    else
        snprintf(why, why_size,
                 "OpenBLAS needs %zu MiB of memory for %d thread%s (128 MiB each) beyond what "
                 "lrc holds, more than the %s of %llu KiB allows; raise the limit%s",
                 need >> 20, threads, threads == 1 ? "" : "s", name,
                 (unsigned long long)(limit >> 10), threads > 1 ? " or use fewer --threads" : "");
    return -1;
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

typedef struct GemmJob {
    bool trans_a, trans_b;
    bool by_rows; /* blocks of rows of C (else of columns) */
    int block;    /* rows or columns of C per block */
    float alpha, beta;
    const LrTensor *a, *b;
    LrTensor *c;
} GemmJob;

/* Blocks [begin, end) of C, each from the matching rows of op(A) or
 * columns of op(B), one call each. */
static void gemm_blocks(void *ctx, size_t begin, size_t end)
{
    const GemmJob *job = ctx;
    for (size_t block = begin; block < end; block++) {
        LrTensor a = *job->a, b = *job->b, c = *job->c;
        const int size = job->block;
        int lo = (int)block * size;
        if (job->by_rows) {
            int rows = c.rows - lo < size ? c.rows - lo : size;
            c = tensor_slice(&c, lo, rows, 0, c.cols);
            a = job->trans_a ? tensor_slice(&a, 0, a.rows, lo, rows)
                             : tensor_slice(&a, lo, rows, 0, a.cols);
        } else {
            int cols = c.cols - lo < size ? c.cols - lo : size;
            c = tensor_slice(&c, 0, c.rows, lo, cols);
            b = job->trans_b ? tensor_slice(&b, lo, cols, 0, b.cols)
                             : tensor_slice(&b, 0, b.rows, lo, cols);
        }
        lib.sgemm(CblasRowMajor, job->trans_a ? CblasTrans : CblasNoTrans,
                  job->trans_b ? CblasTrans : CblasNoTrans, c.rows, c.cols,
                  job->trans_a ? a.rows : a.cols, job->alpha, a.data, a.ld, b.data, b.ld,
                  job->beta, c.data, c.ld);
    }
}

/* blas_gemm, or blas_gemm_rows when block_rows > 0. */
static void gemm(bool trans_a, bool trans_b, float alpha, const LrTensor *a, const LrTensor *b,
                 float beta, LrTensor *c, int block_rows)
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
            diag_info("%s", why);
            abort();
        }
    }
    /* Columns unless C is too narrow to cut and tall enough to. */
    bool by_rows = block_rows > 0 || (n <= BLAS_BLOCK && m > BLAS_BLOCK);
    int side = by_rows ? m : n, size = block_rows > 0 ? block_rows : BLAS_BLOCK;
    GemmJob job = {trans_a, trans_b, by_rows, size, alpha, beta, a, b, c};
    pool_run((size_t)((side + size - 1) / size), 1, gemm_blocks, &job);
}

void blas_gemm(bool trans_a, bool trans_b, float alpha, const LrTensor *a,
               const LrTensor *b, float beta, LrTensor *c)
{
    gemm(trans_a, trans_b, alpha, a, b, beta, c, 0);
}

void blas_gemm_rows(bool trans_a, bool trans_b, float alpha, const LrTensor *a,
                    const LrTensor *b, float beta, LrTensor *c, int block_rows)
{
    assert(block_rows > 0);
    gemm(trans_a, trans_b, alpha, a, b, beta, c, block_rows);
}

const char *blas_vendor(void)
{
    char why[256];
    if (blas_load(why, sizeof why) < 0 || !lib.config)
        return "OpenBLAS (not loaded)";
    return lib.config();
}
