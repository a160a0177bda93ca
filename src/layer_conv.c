/* layer_conv.c — the 2-D convolution (Keras's Conv2D, channels-last) as
 * im2col + GEMM (the window arithmetic is layer_shape.c's window_init).
 *
 * A chunk of whole images is unrolled into l->cols, a row per output pixel
 * (image, oy, ox) holding its receptive field in (ky, kx, c) order, the
 * order of the kernel's rows ([kh, kw, in, out] row-major): then
 * cols . kernel is the chunk's output, a row per pixel and a column per
 * filter, which is exactly the channels-last layout of y. The chunk size
 * comes from the plan (l->cols.rows), never from the thread count, and the
 * kernel gradient is summed over chunks in chunk order: the same bytes on
 * any thread count. Computes on Plan-owned views; no allocation. */
#include <assert.h>
#include <string.h>

#include "blas.h"
#include "layer.h"
#include "pool.h"

/* The input columns [*x0, *x1) a window starting at ix (maybe < 0) covers
 * within the image of width `width`, k wide. */
static void clip_run(int ix, int k, int width, int *x0, int *x1)
{
    *x0 = ix < 0 ? 0 : ix;
    *x1 = ix + k > width ? width : ix + k;
}

/* ------------------------------------------------------------------------
 * im2col and col2im, image by image */

typedef struct ColsJob {
    const LrWindow *w;
    const LrTensor *images; /* a row per image (x or dx) */
    int first;              /* the chunk's first image in `images` */
    LrTensor *cols;         /* a row per output pixel of the chunk */
} ColsJob;

/* Images [begin, end) of the chunk into their rows of cols. For each
 * (pixel, ky) the kw in_c values of a window row are contiguous in the
 * image as in cols, so each is one copy (plus zeros where the window hangs
 * over the padding). */
static void im2col_images(void *ctx, size_t begin, size_t end)
{
    const ColsJob *job = ctx;
    const LrWindow *w = job->w;
    const int c = w->in_c, run = w->k_w * c, pixels = w->out_h * w->out_w;
    for (size_t img = begin; img < end; img++) {
        const float *image = &TENSOR_AT(*job->images, job->first + (int)img, 0);
        for (int oy = 0; oy < w->out_h; oy++) {
            for (int ox = 0; ox < w->out_w; ox++) {
                float *row = &TENSOR_AT(*job->cols, (int)img * pixels + oy * w->out_w + ox, 0);
                const int ix = ox * w->stride_w - w->pad_left;
                int x0, x1;
                clip_run(ix, w->k_w, w->in_w, &x0, &x1);
                for (int ky = 0; ky < w->k_h; ky++, row += run) {
                    const int iy = oy * w->stride_h - w->pad_top + ky;
                    if (iy < 0 || iy >= w->in_h || x0 >= x1) {
                        memset(row, 0, (size_t)run * sizeof *row);
                        continue;
                    }
                    const float *src = image + ((size_t)iy * (size_t)w->in_w + (size_t)x0) * (size_t)c;
                    float *dst = row + (x0 - ix) * c;
                    const int len = (x1 - x0) * c;
                    /* The zeros of the left and right padding. */
                    for (float *p = row; p < dst; p++)
                        *p = 0.0f;
                    for (int j = len + (x0 - ix) * c; j < run; j++)
                        row[j] = 0.0f;
                    if (len <= 8) {
                        /* The in_c = 1 layer's 3-float runs: a call to
                         * memcpy costs more than the copy. */
                        for (int j = 0; j < len; j++)
                            dst[j] = src[j];
                    } else {
                        memcpy(dst, src, (size_t)len * sizeof *dst);
                    }
                }
            }
        }
    }
}

/* Images [begin, end) of the chunk: dx := the sum of the rows of dcols
 * over the windows each input value lies in, in pixel then (ky, kx)
 * order, so that each image is computed alone in a fixed order. */
static void col2im_images(void *ctx, size_t begin, size_t end)
{
    const ColsJob *job = ctx;
    const LrWindow *w = job->w;
    const int c = w->in_c, run = w->k_w * c, pixels = w->out_h * w->out_w;
    const int width = w->in_h * w->in_w * c;
    for (size_t img = begin; img < end; img++) {
        float *image = &TENSOR_AT(*job->images, job->first + (int)img, 0);
        memset(image, 0, (size_t)width * sizeof *image);
        for (int oy = 0; oy < w->out_h; oy++) {
            for (int ox = 0; ox < w->out_w; ox++) {
                const float *row =
                    &TENSOR_AT(*job->cols, (int)img * pixels + oy * w->out_w + ox, 0);
                const int ix = ox * w->stride_w - w->pad_left;
                int x0, x1;
                clip_run(ix, w->k_w, w->in_w, &x0, &x1);
                for (int ky = 0; ky < w->k_h; ky++, row += run) {
                    const int iy = oy * w->stride_h - w->pad_top + ky;
                    if (iy < 0 || iy >= w->in_h || x0 >= x1)
                        continue;
                    float *restrict dst =
                        image + ((size_t)iy * (size_t)w->in_w + (size_t)x0) * (size_t)c;
                    const float *restrict src = row + (x0 - ix) * c;
                    const int len = (x1 - x0) * c;
                    for (int j = 0; j < len; j++)
                        dst[j] += src[j];
                }
            }
        }
    }
}

/* The chunk's images [first, first + count) of `images` unrolled into
 * cols (or, with to_images, cols summed back into them), split over the
 * images: each is computed alone. */
static void cols_run(const LrWindow *w, const LrTensor *images, int first, int count,
                     LrTensor *cols, bool to_images)
{
    ColsJob job = {w, images, first, cols};
    const size_t work = (size_t)w->out_h * (size_t)w->out_w * (size_t)cols->cols;
    pool_run((size_t)count, pool_grain(work), to_images ? col2im_images : im2col_images, &job);
}

/* ------------------------------------------------------------------------
 * The layer */

/* y (or dy) seen as a row per output pixel and a column per filter:
 * channels-last makes each image's row exactly that. */
static LrTensor per_pixel(const LrLayer *l, const LrTensor *t, int first, int count)
{
    const int pixels = l->window.out_h * l->window.out_w, filters = l->weight.cols;
    assert(t->ld == t->cols || count == 1);
    assert(t->cols == pixels * filters);
    return tensor_view(&TENSOR_AT(*t, first, 0), count * pixels, filters);
}

static int chunk_images(const LrLayer *l)
{
    const int chunk = l->cols.rows / (l->window.out_h * l->window.out_w);
    assert(chunk >= 1 && l->cols.cols == l->window.k_h * l->window.k_w * l->window.in_c);
    return chunk;
}

static void conv_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    const int n = x->rows, chunk = chunk_images(l), pixels = l->window.out_h * l->window.out_w;
    LrTensor y = tensor_first_rows(out, n);
    for (int first = 0; first < n; first += chunk) {
        const int count = n - first < chunk ? n - first : chunk;
        LrTensor cols = tensor_first_rows(&l->cols, count * pixels);
        cols_run(&l->window, x, first, count, &cols, false);
        LrTensor yc = per_pixel(l, &y, first, count);
        /* Measuring, a product per image, each of one shape: an image's
         * outputs are then the same bytes however many rows are measured
         * at once (evaluate, a predict statement, lrc predict), since
         * OpenBLAS rounds a row by the shape of the product it is in.
         * Training, the chunk's product (fixed by the plan), 20% faster. */
        if (training)
            blas_gemm(false, false, 1.0f, &cols, &l->weight, 0.0f, &yc);
        else
            blas_gemm_rows(false, false, 1.0f, &cols, &l->weight, 0.0f, &yc, pixels);
    }
    LrTensor all = per_pixel(l, &y, 0, n);
    layer_bias_activation(l, &all, training);
}

/* Backward recomputes each chunk's columns, except when one chunk holds
 * the whole batch: then l->cols still holds forward's (cols is the layer's
 * own), which saves an unrolling of the batch per step. */
static void conv_backward(LrLayer *l, const LrTensor *x, const LrTensor *out, LrTensor *dout,
                          LrTensor *dx)
{
    const int n = x->rows, chunk = chunk_images(l), pixels = l->window.out_h * l->window.out_w;
    LrTensor y = tensor_first_rows(out, n), dy = tensor_first_rows(dout, n);
    LrTensor y_all = per_pixel(l, &y, 0, n), dy_all = per_pixel(l, &dy, 0, n);
    /* From here on dy holds dLoss/d(pre-activation). */
    layer_bias_activation_backward(l, &y_all, &dy_all);
    for (int first = 0; first < n; first += chunk) {
        const int count = n - first < chunk ? n - first : chunk;
        LrTensor cols = tensor_first_rows(&l->cols, count * pixels);
        if (n > chunk)
            cols_run(&l->window, x, first, count, &cols, false);
        LrTensor dyc = per_pixel(l, &dy, first, count);
        blas_gemm_rows(true, false, 1.0f, &cols, &dyc, first == 0 ? 0.0f : 1.0f, &l->dweight,
                       CONV_DWEIGHT_ROWS);
        if (dx) {
            LrTensor dcols = tensor_first_rows(&l->dcols, count * pixels);
            /* By rows: blas_gemm would cut 288 columns into 256 + 32. */
            blas_gemm_rows(false, true, 1.0f, &dyc, &l->weight, 0.0f, &dcols, BLAS_BLOCK);
            cols_run(&l->window, dx, first, count, &dcols, true);
        }
    }
    layer_l2_gradient(l);
}

const LrLayerOps layer_conv2d_ops = {
    .name = "conv2d",
    .forward = conv_forward,
    .backward = conv_backward,
};
