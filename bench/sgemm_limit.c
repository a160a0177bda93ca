/* sgemm_limit.c — the speed limit of bench/mlp.lr's training step: times
 * exactly the GEMMs one step of the 784-512-512-10 MLP does at batch 128,
 * with the shapes and transposes src/layer_dense.c passes to cblas_sgemm
 * (row-major), and nothing else: no bias, activation, loss or update.
 *
 *   forward   H1 = X  . W1     [128x784] . [784x512]
 *             H2 = H1 . W2     [128x512] . [512x512]
 *             Y  = H2 . W3     [128x512] . [512x10]
 *   backward  dW3 = H2' . dY   [512x128] . [128x10]
 *             dH2 = dY . W3'   [128x10]  . [10x512]
 *             dW2 = H1' . dH2  [512x128] . [128x512]
 *             dH1 = dH2 . W2'  [128x512] . [512x512]
 *             dW1 = X' . dH1   [784x128] . [128x512]
 *
 * all with beta 0 (the bias is added with the activation, after the GEMM).
 *
 * Usage: sgemm_limit [THREADS [STEPS [REPEATS]]] (defaults: the number of
 * online processors, 200, 7). Prints one line:
 *
 *   sgemm_limit threads 2 flops_per_step 410779648 gflops 61.234 (median of 7 x 200 steps)
 *
 * gflops is the median over REPEATS timings of STEPS steps each, after one
 * untimed warm-up repeat. bench/run.py compares it with lrc's training
 * seconds. Exits 2 on a usage error, 1 if memory runs out. */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#ifndef OPENBLAS_VERSION
void openblas_set_num_threads(int num_threads);
#endif

enum { BATCH = 128, IN = 784, H = 512, OUT = 10 };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A matrix of rows x cols floats uniform in [-1, 1] (no denormals, no
 * zeros a BLAS could skip). Exits on allocation failure. */
static float *matrix(int rows, int cols, unsigned *state)
{
    size_t n = (size_t)rows * (size_t)cols;
    float *m = malloc(n * sizeof *m);
    if (!m) {
        fprintf(stderr, "sgemm_limit: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        *state = *state * 1664525u + 1013904223u;
        m[i] = (float)(*state >> 8) / (float)(1u << 23) - 1.0f;
    }
    return m;
}

/* C[m x n] = op(A) . op(B) + beta C, row-major, leading dimensions the
 * stored widths, as blas_gemm() calls it. */
static void gemm(int trans_a, int trans_b, int m, int n, int k, const float *a,
                 const float *b, float beta, float *c)
{
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, trans_a ? m : k, b,
                trans_b ? k : n, beta, c, n);
}

typedef struct {
    float *x, *w1, *w2, *w3, *h1, *h2, *y;
    float *dy, *dh2, *dh1, *dw1, *dw2, *dw3;
} Step;

static void step(const Step *s)
{
    gemm(0, 0, BATCH, H, IN, s->x, s->w1, 0.0f, s->h1);
    gemm(0, 0, BATCH, H, H, s->h1, s->w2, 0.0f, s->h2);
    gemm(0, 0, BATCH, OUT, H, s->h2, s->w3, 0.0f, s->y);
    gemm(1, 0, H, OUT, BATCH, s->h2, s->dy, 0.0f, s->dw3);
    gemm(0, 1, BATCH, H, OUT, s->dy, s->w3, 0.0f, s->dh2);
    gemm(1, 0, H, H, BATCH, s->h1, s->dh2, 0.0f, s->dw2);
    gemm(0, 1, BATCH, H, H, s->dh2, s->w2, 0.0f, s->dh1);
    gemm(1, 0, IN, H, BATCH, s->x, s->dh1, 0.0f, s->dw1);
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static long argument(const char *s, long lo, long hi)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "usage: sgemm_limit [THREADS [STEPS [REPEATS]]]\n");
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long threads = sysconf(_SC_NPROCESSORS_ONLN), steps = 200, repeats = 7;
    if (argc > 4)
        argument("", 1, 0); /* usage */
    if (argc > 1)
        threads = argument(argv[1], 1, 1024);
    if (argc > 2)
        steps = argument(argv[2], 1, 1000000);
    if (argc > 3)
        repeats = argument(argv[3], 1, 1000);
    openblas_set_num_threads((int)threads);

    unsigned seed = 1;
    Step s = {
        .x = matrix(BATCH, IN, &seed),  .w1 = matrix(IN, H, &seed),
        .w2 = matrix(H, H, &seed),      .w3 = matrix(H, OUT, &seed),
        .h1 = matrix(BATCH, H, &seed),  .h2 = matrix(BATCH, H, &seed),
        .y = matrix(BATCH, OUT, &seed), .dy = matrix(BATCH, OUT, &seed),
        .dh2 = matrix(BATCH, H, &seed), .dh1 = matrix(BATCH, H, &seed),
        .dw1 = matrix(IN, H, &seed),    .dw2 = matrix(H, H, &seed),
        .dw3 = matrix(H, OUT, &seed),
    };
    /* Per sample: forward, dW of the three layers (same FLOPs), and dX of
     * layers 2 and 3; 2 FLOPs per multiply-add. */
    const double forward = (double)IN * H + (double)H * H + (double)H * OUT;
    const double flops = 2.0 * BATCH * (2.0 * forward + (double)H * H + (double)H * OUT);

    double *seconds = malloc((size_t)repeats * sizeof *seconds);
    if (!seconds)
        return 1;
    for (long i = 0; i < steps; i++) /* warm-up: threads started, caches */
        step(&s);
    for (long r = 0; r < repeats; r++) {
        double t0 = now_seconds();
        for (long i = 0; i < steps; i++)
            step(&s);
        seconds[r] = now_seconds() - t0;
    }
    qsort(seconds, (size_t)repeats, sizeof *seconds, compare);
    double median = seconds[repeats / 2];
    printf("sgemm_limit threads %ld flops_per_step %.0f gflops %.3f (median of %ld x %ld steps)\n",
           threads, flops, flops * (double)steps / median * 1e-9, repeats, steps);
    return 0;
}
