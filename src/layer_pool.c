/* layer_pool.c — pooling over channels-last images (Keras's MaxPooling2D,
 * AveragePooling2D, GlobalAveragePooling2D). The window is l->window
 * (window_init): its padded cells hold nothing, as in TensorFlow: the
 * maximum is over the real cells only, and the average divides by the
 * number of real cells in the window, not by k_h k_w (TensorFlow's AvgPool
 * with padding SAME; PyTorch's count_include_pad=True would differ at the
 * border). Each image is computed alone, so loops split over images with
 * pool_run give the same bytes on any thread count. No allocation. */
#include <string.h>

#include "layer.h"
#include "pool.h"

typedef struct PoolJob {
    const LrLayer *l;
    const LrTensor *x, *y; /* forward: in, out; backward: dx, dy */
    bool record;           /* maxpool forward in training: write argmax */
} PoolJob;

/* The real cells of the window of output (oy, ox): rows [*y0, *y1),
 * columns [*x0, *x1) of the input. */
static void window_cells(const LrWindow *w, int oy, int ox, int *y0, int *y1, int *x0, int *x1)
{
    const int top = oy * w->stride_h - w->pad_top, left = ox * w->stride_w - w->pad_left;
    *y0 = top < 0 ? 0 : top;
    *y1 = top + w->k_h > w->in_h ? w->in_h : top + w->k_h;
    *x0 = left < 0 ? 0 : left;
    *x1 = left + w->k_w > w->in_w ? w->in_w : left + w->k_w;
}

static size_t image_grain(const LrLayer *l)
{
    return pool_grain((size_t)l->in);
}

/* A pooling layer's backward: dx from dy, image by image over the pool
 * (none when the layer is the first: nothing needs dx). */
static void backward_images(LrLayer *l, const LrTensor *x, LrTensor *dout, LrTensor *dx,
                            LrRangeFn *images)
{
    if (!dx)
        return;
    LrTensor dy = tensor_first_rows(dout, x->rows), dxv = tensor_first_rows(dx, x->rows);
    PoolJob job = {l, &dxv, &dy, false};
    pool_run((size_t)x->rows, image_grain(l), images, &job);
}

/* ------------------------------------------------------------------------
 * Max */

/* best := the larger of best and the cell's c values v, the first on ties
 * (selects, not branches, so that the loops vectorize). */
static void max_cell(const float *restrict v, int c, float *restrict best)
{
    for (int ch = 0; ch < c; ch++) {
        const float b = best[ch], x = v[ch];
        best[ch] = x > b ? x : b;
    }
}

/* max_cell, and at := cell + ch (the input index) where v's value won. */
static void max_cell_arg(const float *restrict v, int32_t cell, int c, float *restrict best,
                         int32_t *restrict at)
{
    for (int ch = 0; ch < c; ch++) {
        const float b = best[ch], x = v[ch];
        /* All ones where v wins: a blend gcc vectorizes (a ?: on the
         * int32 index it does not). */
        const int32_t won = -(int32_t)(x > b);
        best[ch] = x > b ? x : b;
        at[ch] = (at[ch] & ~won) | ((cell + ch) & won);
    }
}

/* Images [begin, end): each output the largest of its window's real
 * cells, the first in window order on ties (argmax: its input index).
 * The window's cells are visited in order with the channels innermost:
 * a cell's channels are contiguous, and the comparisons become selects
 * over a run of channels instead of a branch per value, which the data
 * made unpredictable (the loop over the window per channel spent most of
 * its time on mispredictions: a third of Fashion-MNIST's CNN step). A NaN
 * is kept where it is the first cell, passed over elsewhere, as before. */
static void max_forward_images(void *ctx, size_t begin, size_t end)
{
    const PoolJob *job = ctx;
    const LrWindow *w = &job->l->window;
    const int c = w->in_c;
    for (size_t img = begin; img < end; img++) {
        const float *in = &TENSOR_AT(*job->x, img, 0);
        float *out = &TENSOR_AT(*job->y, img, 0);
        int32_t *arg = job->record ? job->l->argmax + img * (size_t)job->l->out : NULL;
        for (int oy = 0; oy < w->out_h; oy++) {
            for (int ox = 0; ox < w->out_w; ox++) {
                int y0, y1, x0, x1;
                window_cells(w, oy, ox, &y0, &y1, &x0, &x1);
                const int o = (oy * w->out_w + ox) * c;
                float *restrict best = out + o;
                const int32_t first = (y0 * w->in_w + x0) * c;
                for (int ch = 0; ch < c; ch++)
                    best[ch] = in[first + ch];
                if (arg)
                    for (int ch = 0; ch < c; ch++)
                        arg[o + ch] = first + ch;
                for (int iy = y0; iy < y1; iy++) {
                    for (int ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
                        const int32_t cell = (iy * w->in_w + ix) * c;
                        const float *restrict v = in + cell;
                        if (arg)
                            max_cell_arg(v, cell, c, best, arg + o);
                        else
                            max_cell(v, c, best);
                    }
                }
            }
        }
    }
}

static void max_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    LrTensor y = tensor_first_rows(out, x->rows);
    PoolJob job = {l, x, &y, training};
    pool_run((size_t)x->rows, image_grain(l), max_forward_images, &job);
}

/* Images [begin, end): dx := dy routed to the cells forward took, summed
 * in output order where windows overlap. */
static void max_backward_images(void *ctx, size_t begin, size_t end)
{
    const PoolJob *job = ctx;
    const LrLayer *l = job->l;
    for (size_t img = begin; img < end; img++) {
        float *dx = &TENSOR_AT(*job->x, img, 0);
        const float *dy = &TENSOR_AT(*job->y, img, 0);
        const int32_t *arg = l->argmax + img * (size_t)l->out;
        memset(dx, 0, (size_t)l->in * sizeof *dx);
        for (int o = 0; o < l->out; o++)
            dx[arg[o]] += dy[o];
    }
}

static void max_backward(LrLayer *l, const LrTensor *x, const LrTensor *y, LrTensor *dout,
                         LrTensor *dx)
{
    (void)y;
    backward_images(l, x, dout, dx, max_backward_images);
}

const LrLayerOps layer_maxpool2d_ops = {
    .name = "max_pooling2d",
    .forward = max_forward,
    .backward = max_backward,
};

/* ------------------------------------------------------------------------
 * Average */

static void avg_forward_images(void *ctx, size_t begin, size_t end)
{
    const PoolJob *job = ctx;
    const LrWindow *w = &job->l->window;
    const int c = w->in_c;
    for (size_t img = begin; img < end; img++) {
        const float *in = &TENSOR_AT(*job->x, img, 0);
        float *out = &TENSOR_AT(*job->y, img, 0);
        for (int oy = 0; oy < w->out_h; oy++) {
            for (int ox = 0; ox < w->out_w; ox++) {
                int y0, y1, x0, x1;
                window_cells(w, oy, ox, &y0, &y1, &x0, &x1);
                float *o = out + (oy * w->out_w + ox) * c;
                for (int ch = 0; ch < c; ch++)
                    o[ch] = 0.0f;
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        const float *cell = in + (iy * w->in_w + ix) * c;
                        for (int ch = 0; ch < c; ch++)
                            o[ch] += cell[ch];
                    }
                const float scale = 1.0f / (float)((y1 - y0) * (x1 - x0));
                for (int ch = 0; ch < c; ch++)
                    o[ch] *= scale;
            }
        }
    }
}

static void avg_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    (void)training;
    LrTensor y = tensor_first_rows(out, x->rows);
    PoolJob job = {l, x, &y, false};
    pool_run((size_t)x->rows, image_grain(l), avg_forward_images, &job);
}

/* Images [begin, end): each dy spread evenly over its window's real cells,
 * in output order. */
static void avg_backward_images(void *ctx, size_t begin, size_t end)
{
    const PoolJob *job = ctx;
    const LrWindow *w = &job->l->window;
    const int c = w->in_c;
    for (size_t img = begin; img < end; img++) {
        float *dx = &TENSOR_AT(*job->x, img, 0);
        const float *dy = &TENSOR_AT(*job->y, img, 0);
        memset(dx, 0, (size_t)job->l->in * sizeof *dx);
        for (int oy = 0; oy < w->out_h; oy++) {
            for (int ox = 0; ox < w->out_w; ox++) {
                int y0, y1, x0, x1;
                window_cells(w, oy, ox, &y0, &y1, &x0, &x1);
                const float scale = 1.0f / (float)((y1 - y0) * (x1 - x0));
                const float *g = dy + (oy * w->out_w + ox) * c;
                for (int iy = y0; iy < y1; iy++)
                    for (int ix = x0; ix < x1; ix++) {
                        float *cell = dx + (iy * w->in_w + ix) * c;
                        for (int ch = 0; ch < c; ch++)
                            cell[ch] += scale * g[ch];
                    }
            }
        }
    }
}

static void avg_backward(LrLayer *l, const LrTensor *x, const LrTensor *y, LrTensor *dout,
                         LrTensor *dx)
{
    (void)y;
    backward_images(l, x, dout, dx, avg_backward_images);
}

const LrLayerOps layer_avgpool2d_ops = {
    .name = "average_pooling2d",
    .forward = avg_forward,
    .backward = avg_backward,
};

/* ------------------------------------------------------------------------
 * Global average: [h, w, c] -> [c], the mean over the h w pixels */

static void global_forward_images(void *ctx, size_t begin, size_t end)
{
    const PoolJob *job = ctx;
    const int c = job->l->out, pixels = job->l->in / c;
    for (size_t img = begin; img < end; img++) {
        const float *in = &TENSOR_AT(*job->x, img, 0);
        float *out = &TENSOR_AT(*job->y, img, 0);
        for (int ch = 0; ch < c; ch++)
            out[ch] = 0.0f;
        for (int p = 0; p < pixels; p++)
            for (int ch = 0; ch < c; ch++)
                out[ch] += in[p * c + ch];
        for (int ch = 0; ch < c; ch++)
            out[ch] /= (float)pixels;
    }
}

static void global_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    (void)training;
    LrTensor y = tensor_first_rows(out, x->rows);
    PoolJob job = {l, x, &y, false};
    pool_run((size_t)x->rows, image_grain(l), global_forward_images, &job);
}

static void global_backward_images(void *ctx, size_t begin, size_t end)
{
    const PoolJob *job = ctx;
    const int c = job->l->out, pixels = job->l->in / c;
    const float scale = 1.0f / (float)pixels;
    for (size_t img = begin; img < end; img++) {
        float *dx = &TENSOR_AT(*job->x, img, 0);
        const float *dy = &TENSOR_AT(*job->y, img, 0);
        for (int p = 0; p < pixels; p++)
            for (int ch = 0; ch < c; ch++)
                dx[p * c + ch] = scale * dy[ch];
    }
}

static void global_backward(LrLayer *l, const LrTensor *x, const LrTensor *y, LrTensor *dout,
                            LrTensor *dx)
{
    (void)y;
    backward_images(l, x, dout, dx, global_backward_images);
}

const LrLayerOps layer_global_avgpool2d_ops = {
    .name = "global_average_pooling2d",
    .forward = global_forward,
    .backward = global_backward,
};
