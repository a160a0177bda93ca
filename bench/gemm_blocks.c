/* gemm_blocks.c — the cost of computing products in shape-fixed blocks
 * (src/blas.c), for choosing BLAS_BLOCK: times the 8 products of one
 * training step of bench/mlp.lr (the shapes bench/sgemm_limit.c lists)
 * through lrc's blas_gemm, built with the BLAS_BLOCK given on the compiler
 * command line, on THREADS of lrc's threads. `make bench-blocks` builds it
 * for several block sizes and runs each at 1 and 2 threads, beside
 * sgemm_limit (whole products on OpenBLAS's own threads).
 *
 * Usage: gemm_blocks THREADS [STEPS [REPEATS]]. Prints one line:
 *   gemm_blocks block 256 threads 2 gflops 140.2 (median of 7 x 200 steps) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "blas.h"
#include "pool.h"

enum { BATCH = 128, IN = 784, H = 512, OUT = 10 };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* rows x cols floats uniform in [-1, 1]; exits on allocation failure. */
static LrTensor matrix(int rows, int cols, unsigned *state)
{
    size_t n = (size_t)rows * (size_t)cols;
    float *m = malloc(n * sizeof *m);
    if (!m) {
        fprintf(stderr, "gemm_blocks: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        *state = *state * 1664525u + 1013904223u;
        m[i] = (float)(*state >> 8) / (float)(1u << 23) - 1.0f;
    }
    return tensor_view(m, rows, cols);
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    long steps = argc > 2 ? atol(argv[2]) : 200, repeats = argc > 3 ? atol(argv[3]) : 7;
    if (threads < 1 || steps < 1 || repeats < 1 || repeats > 1000) {
        fprintf(stderr, "usage: gemm_blocks THREADS [STEPS [REPEATS]]\n");
        return 2;
    }
    char why[512];
    if (blas_load(why, sizeof why) < 0) {
        fprintf(stderr, "gemm_blocks: %s\n", why);
        return 1;
    }
    pool_set_threads(threads);
    pool_start();
    unsigned seed = 1;
    LrTensor x = matrix(BATCH, IN, &seed), w1 = matrix(IN, H, &seed), w2 = matrix(H, H, &seed),
             w3 = matrix(H, OUT, &seed), h1 = matrix(BATCH, H, &seed),
             h2 = matrix(BATCH, H, &seed), y = matrix(BATCH, OUT, &seed),
             dy = matrix(BATCH, OUT, &seed), dh2 = matrix(BATCH, H, &seed),
             dh1 = matrix(BATCH, H, &seed), dw1 = matrix(IN, H, &seed),
             dw2 = matrix(H, H, &seed), dw3 = matrix(H, OUT, &seed);
    const double forward = (double)IN * H + (double)H * H + (double)H * OUT;
    const double flops = 2.0 * BATCH * (2.0 * forward + (double)H * H + (double)H * OUT);
    double *seconds = malloc((size_t)repeats * sizeof *seconds);
    if (!seconds)
        return 1;
    for (long r = -1; r < repeats; r++) { /* r = -1: warm-up */
        double t0 = now_seconds();
        for (long i = 0; i < steps; i++) {
            blas_gemm(false, false, 1.0f, &x, &w1, 0.0f, &h1);
            blas_gemm(false, false, 1.0f, &h1, &w2, 0.0f, &h2);
            blas_gemm(false, false, 1.0f, &h2, &w3, 0.0f, &y);
            blas_gemm(true, false, 1.0f, &h2, &dy, 0.0f, &dw3);
            blas_gemm(false, true, 1.0f, &dy, &w3, 0.0f, &dh2);
            blas_gemm(true, false, 1.0f, &h1, &dh2, 0.0f, &dw2);
            blas_gemm(false, true, 1.0f, &dh2, &w2, 0.0f, &dh1);
            blas_gemm(true, false, 1.0f, &x, &dh1, 0.0f, &dw1);
        }
        if (r >= 0)
            seconds[r] = now_seconds() - t0;
    }
    qsort(seconds, (size_t)repeats, sizeof *seconds, compare);
    printf("gemm_blocks block %d threads %d gflops %.1f (median of %ld x %ld steps)\n",
           BLAS_BLOCK, pool_threads(), flops * (double)steps / seconds[repeats / 2] * 1e-9,
           repeats, steps);
    return 0;
}
