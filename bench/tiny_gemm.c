/* tiny_gemm.c — where a plain loop beats cblas_sgemm. For each product
 * shape a dense layer makes (batch x in x out, the three products of a
 * training step), times blas_gemm_loop against OpenBLAS on the same data,
 * single-threaded, and prints the ratio; BLAS_TINY_GEMM in src/blas.h is
 * set below the first size where BLAS wins. The last shapes are those of
 * measuring a small model by 256 to 1024 rows: BLAS wins them too, but
 * loading it costs more than such a model's whole run (src/plan.c's
 * eval_rows keeps them at the batch size). Built and run by
 * `make bench-blocks`.
 *
 *   m n k   loop ns   blas ns   loop/blas */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "blas.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(void)
{
    static const int shapes[][3] = {{8, 1, 3},  {8, 3, 1},   {3, 1, 8},   {32, 1, 4},
                                    {8, 4, 8},  {16, 8, 4},  {8, 8, 8},   {16, 16, 4},
                                    {16, 8, 8}, {32, 8, 8},  {16, 16, 16}, {32, 32, 32},
                                    /* measuring: many rows, a few features */
                                    {256, 1, 3}, {1024, 1, 3}, {1024, 1, 4}, {1024, 2, 2},
                                    {512, 4, 2}, {1024, 1, 8}, {512, 2, 8}, {256, 8, 2}};
    static float a[1024 * 8], b[1024 * 8], c[1024 * 8];
    for (int i = 0; i < 1024 * 8; i++) {
        a[i] = (float)(i % 7) * 0.1f;
        b[i] = (float)(i % 5) * 0.2f;
    }
    openblas_set_num_threads(1);
    printf("%-12s %10s %10s %10s\n", "m n k", "loop ns", "blas ns", "loop/blas");
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        LrTensor ta = tensor_view(a, m, k), tb = tensor_view(b, k, n), tc = tensor_view(c, m, n);
        const int reps = 200000;
        double t0 = now();
        for (int r = 0; r < reps; r++)
            blas_gemm_loop(false, false, 1.0f, &ta, &tb, 1.0f, &tc);
        double t1 = now();
        for (int r = 0; r < reps; r++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n,
                        1.0f, c, n);
        double t2 = now();
        double loop = (t1 - t0) / reps, blas = (t2 - t1) / reps;
        char shape[32];
        snprintf(shape, sizeof shape, "%d %d %d", m, n, k);
        printf("%-12s %10.1f %10.1f %10.2f  (m n k = %d)%s\n", shape, loop, blas, loop / blas,
               m * n * k, m * n * k <= BLAS_TINY_GEMM ? "  loop used" : "");
    }
    return 0;
}
