/* conv_step.c — the speed of src/layer_conv.c: times the two conv2d
 * layers of the Fashion-MNIST network of issue 13
 * (conv(32,3)-pool-conv(64,3)-pool-dense(128)-dense(10), batch 128) as one
 * training step runs them:
 *
 *   conv1  28x28x1  -> 26x26x32, 3x3 valid, relu: forward, backward
 *          without dx (the first layer)
 *   conv2  13x13x32 -> 11x11x64, 3x3 valid, relu: forward, backward with dx
 *
 * on THREADS of lrc's threads, for each chunk size given (images per
 * im2col chunk; the plan's choice), and with CHUNK "gemm" the products
 * alone, of the same shapes and blocks (the layers' ceiling: no im2col,
 * col2im, bias or activation).
 *
 * Usage: conv_step THREADS [STEPS [CHUNK...]] (defaults 20 steps, chunks
 * 128 32 16 gemm). CONV_DWEIGHT_ROWS (src/layer.h) is set by the
 * Makefile, for layer_conv.c and these products alike. Prints a line per
 * chunk:
 *
 *   conv_step rows 72 threads 2 chunk 128 ms_per_step 31.2 gflops 58.1 (best of 5 x 20 steps)
 *   conv_gemm rows 72 threads 2 ms_per_step 25.0 gflops 72.4 (best of 5 x 20 steps)
 *
 * flops counts 2 m n k per product: 1.81e9 per step. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blas.h"
#include "layer.h"
#include "pool.h"

enum { BATCH = 128, REPEATS = 5 };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n floats uniform in [-1, 1]; exits on allocation failure. */
static float *floats(size_t n, unsigned *state)
{
    float *m = malloc(n * sizeof *m);
    if (!m) {
        fprintf(stderr, "conv_step: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        *state = *state * 1664525u + 1013904223u;
        m[i] = (float)(*state >> 8) / (float)(1u << 23) - 1.0f;
    }
    return m;
}

typedef struct Conv {
    LrLayer l;
    LrTensor x, y, dy, dx;
} Conv;

static Conv conv_make(int h, int w, int c, int filters, int chunk, unsigned *seed)
{
    Conv t = {0};
    LrWindow win;
    if (!window_init(&win, h, w, c, 3, 3, 1, 1, false))
        exit(1);
    const int pixels = win.out_h * win.out_w, k = 9 * c, in = h * w * c, out = pixels * filters;
    t.l = (LrLayer){
        .ops = &layer_conv2d_ops,
        .in = in,
        .out = out,
        .activation = ACT_RELU,
        .weight = tensor_view(floats((size_t)k * filters, seed), k, filters),
        .bias = tensor_view(floats((size_t)filters, seed), 1, filters),
        .dweight = tensor_view(floats((size_t)k * filters, seed), k, filters),
        .dbias = tensor_view(floats((size_t)filters, seed), 1, filters),
        .window = win,
        .cols = tensor_view(floats((size_t)chunk * pixels * k, seed), chunk * pixels, k),
        .dcols = tensor_view(floats((size_t)chunk * pixels * k, seed), chunk * pixels, k),
    };
    t.x = tensor_view(floats((size_t)BATCH * in, seed), BATCH, in);
    t.dx = tensor_view(floats((size_t)BATCH * in, seed), BATCH, in);
    t.y = tensor_view(floats((size_t)BATCH * out, seed), BATCH, out);
    t.dy = tensor_view(floats((size_t)BATCH * out, seed), BATCH, out);
    return t;
}

static void conv_free(Conv *t)
{
    float *all[] = {t->l.weight.data, t->l.bias.data, t->l.dweight.data, t->l.dbias.data,
                    t->l.cols.data, t->l.dcols.data, t->x.data, t->dx.data, t->y.data, t->dy.data};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The fastest of REPEATS timings of steps calls of fn, after a warm-up:
 * the machine is shared, and the other processes only ever slow a run
 * down. */
static double best_seconds(void (*fn)(void *), void *ctx, long steps)
{
    double seconds[REPEATS];
    for (int r = -1; r < REPEATS; r++) {
        double t0 = now_seconds();
        for (long i = 0; i < steps; i++)
            fn(ctx);
        if (r >= 0)
            seconds[r] = now_seconds() - t0;
    }
    qsort(seconds, REPEATS, sizeof *seconds, compare);
    return seconds[0];
}

static void layers_step(void *ctx)
{
    Conv *c = ctx;
    c[0].l.ops->forward(&c[0].l, &c[0].x, &c[0].y, true);
    c[1].l.ops->forward(&c[1].l, &c[1].x, &c[1].y, true);
    c[1].l.ops->backward(&c[1].l, &c[1].x, &c[1].y, &c[1].dy, &c[1].dx);
    c[0].l.ops->backward(&c[0].l, &c[0].x, &c[0].y, &c[0].dy, NULL);
}

/* The products of layers_step at chunk = BATCH, through blas_gemm. */
static void gemms_step(void *ctx)
{
    Conv *c = ctx;
    for (int i = 0; i < 2; i++) {
        const int rows = c[i].l.cols.rows, filters = c[i].l.weight.cols;
        LrTensor y = tensor_view(c[i].y.data, rows, filters);
        LrTensor dy = tensor_view(c[i].dy.data, rows, filters);
        blas_gemm(false, false, 1.0f, &c[i].l.cols, &c[i].l.weight, 0.0f, &y);
        blas_gemm_rows(true, false, 1.0f, &c[i].l.cols, &dy, 0.0f, &c[i].l.dweight,
                       CONV_DWEIGHT_ROWS);
        if (i == 1)
            blas_gemm_rows(false, true, 1.0f, &dy, &c[i].l.weight, 0.0f, &c[i].l.dcols,
                           BLAS_BLOCK);
    }
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    long steps = argc > 2 ? atol(argv[2]) : 20;
    if (threads < 1 || steps < 1) {
        fprintf(stderr, "usage: conv_step THREADS [STEPS [CHUNK...]] (CHUNK: 1-128 or gemm)\n");
        return 2;
    }
    char why[512];
    if (blas_load(why, sizeof why) < 0) {
        fprintf(stderr, "conv_step: %s\n", why);
        return 1;
    }
    pool_set_threads(threads);
    pool_start();
    /* 2 m n k for conv1 forward and kernel gradient, conv2 forward,
     * kernel gradient and dcols. */
    const double flops = 2.0 * (2.0 * BATCH * 26 * 26 * 9 * 32 + 3.0 * BATCH * 11 * 11 * 288 * 64);
    static const char *const default_chunks[] = {"128", "32", "16", "gemm"};
    const int nchunks = argc > 3 ? argc - 3 : 4;
    for (int i = 0; i < nchunks; i++) {
        const char *arg = argc > 3 ? argv[3 + i] : default_chunks[i];
        const bool gemms = strcmp(arg, "gemm") == 0;
        const int chunk = gemms ? BATCH : atoi(arg);
        if (chunk < 1 || chunk > BATCH) {
            fprintf(stderr, "conv_step: a chunk is 1 to %d images, or gemm\n", BATCH);
            return 2;
        }
        unsigned seed = 1;
        Conv c[2] = {conv_make(28, 28, 1, 32, chunk, &seed),
                     conv_make(13, 13, 32, 64, chunk, &seed)};
        double s = best_seconds(gemms ? gemms_step : layers_step, c, steps);
        if (gemms)
            printf("conv_gemm rows %d threads %d", CONV_DWEIGHT_ROWS, pool_threads());
        else
            printf("conv_step rows %d threads %d chunk %d", CONV_DWEIGHT_ROWS, pool_threads(),
                   chunk);
        printf(" ms_per_step %.1f gflops %.1f (best of %d x %ld steps)\n",
               s / (double)steps * 1e3, flops * (double)steps / s * 1e-9, REPEATS, steps);
        fflush(stdout);
        conv_free(&c[0]);
        conv_free(&c[1]);
    }
    return 0;
}
