/* test_conv.c — the image layers: window_init against TensorFlow's
 * output sizes and paddings worked out by hand; conv2d forward against a
 * direct double-precision convolution written here (chunks shorter than
 * the batch, strides, same padding, non-square kernels, one channel and
 * several); conv2d backward (kernel, bias, input gradients) against
 * central finite differences of that double forward, with relu, linear
 * and L2; max, average and global average pooling against hand values
 * and double references, their backward by finite differences; the same
 * bytes on 1, 2 and 3 threads; flatten and reshape as copies. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "blas.h"
#include "layer.h"
#include "pool.h"

/* A tiny deterministic generator for test data, independent of rng.c. */
static double lcg_uniform(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * (1.0 / 16777216.0);
}

static void fill_uniform(float *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(2.0 * lcg_uniform(&seed) - 1.0);
}

static float *floats(size_t n)
{
    float *p = calloc(n ? n : 1, sizeof *p);
    assert_non_null(p);
    return p;
}

static double *doubles_of(const float *p, size_t n)
{
    double *d = calloc(n ? n : 1, sizeof *d);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++)
        d[i] = p[i];
    return d;
}

/* ------------------------------------------------------------------------
 * window_init */

static void test_conv__window_matches_tensorflow(void **state)
{
    (void)state;
    /* in, k, stride, same -> out, pad before (worked out by hand from
     * TensorFlow's rules: valid floor((in - k) / s) + 1; same ceil(in / s)
     * with max((out - 1) s + k - in, 0) padding, the smaller half first). */
    static const struct {
        int in, k, stride, same, out, pad;
    } cases[] = {
        {28, 3, 1, 0, 26, 0}, {28, 3, 1, 1, 28, 1}, {28, 2, 2, 0, 14, 0}, {27, 2, 2, 0, 13, 0},
        {27, 2, 2, 1, 14, 0}, /* 13 * 2 + 2 - 27 = 1: the odd cell at the end */
        {5, 3, 2, 1, 3, 1},   {6, 3, 2, 1, 3, 0},   {7, 3, 3, 0, 2, 0},   {7, 3, 3, 1, 3, 1},
        {8, 4, 3, 1, 3, 1},   {4, 5, 1, 1, 4, 2},   {1, 1, 3, 1, 1, 0},   {10, 1, 3, 0, 4, 0},
        {6, 2, 1, 1, 6, 0},   {11, 3, 2, 0, 5, 0},
    };
    enum { N = sizeof cases / sizeof *cases };
    for (int i = 0; i < N; i++) {
        /* Height from case i, width from another, so that the two are
         * computed independently. */
        int j = (i + 5) % N;
        if (cases[i].same != cases[j].same)
            continue;
        LrWindow w;
        assert_true(window_init(&w, cases[i].in, cases[j].in, 3, cases[i].k, cases[j].k,
                                cases[i].stride, cases[j].stride, cases[i].same));
        if (w.out_h != cases[i].out || w.pad_top != cases[i].pad || w.out_w != cases[j].out ||
            w.pad_left != cases[j].pad)
            fail_msg("case %d/%d: out %dx%d pad %d,%d", i, j, w.out_h, w.out_w, w.pad_top,
                     w.pad_left);
        assert_int_equal(w.in_h, cases[i].in);
        assert_int_equal(w.in_w, cases[j].in);
        assert_int_equal(w.in_c, 3);
        assert_int_equal(w.k_h, cases[i].k);
        assert_int_equal(w.stride_w, cases[j].stride);
    }
    /* Each case alone, as a square window. */
    for (int i = 0; i < N; i++) {
        LrWindow w;
        assert_true(window_init(&w, cases[i].in, cases[i].in, 1, cases[i].k, cases[i].k,
                                cases[i].stride, cases[i].stride, cases[i].same));
        assert_int_equal(w.out_h, cases[i].out);
        assert_int_equal(w.out_w, cases[i].out);
        assert_int_equal(w.pad_top, cases[i].pad);
        assert_int_equal(w.pad_left, cases[i].pad);
    }
    /* A valid window larger than its input has no output. */
    LrWindow w;
    assert_false(window_init(&w, 4, 10, 1, 5, 3, 1, 1, false));
    assert_false(window_init(&w, 10, 2, 1, 3, 3, 1, 1, false));
    assert_true(window_init(&w, 4, 4, 1, 4, 4, 1, 1, false));
    assert_int_equal(w.out_h * w.out_w, 1);
}

/* ------------------------------------------------------------------------
 * conv2d: a fixture, the double reference, forward */

typedef struct ConvCase {
    int n, h, w, c, kh, kw, sh, sw;
    bool same;
    int filters, chunk;
} ConvCase;

typedef struct Conv {
    ConvCase cc;
    LrLayer l;
    int in, out, k;
    float *x, *y, *dy, *dx, *w, *b, *dw, *db, *cols, *dcols;
} Conv;

static void conv_make(Conv *t, const ConvCase *cc, LrActivation act, float l2, uint32_t seed)
{
    memset(t, 0, sizeof *t);
    t->cc = *cc;
    LrWindow win;
    assert_true(window_init(&win, cc->h, cc->w, cc->c, cc->kh, cc->kw, cc->sh, cc->sw, cc->same));
    const int pixels = win.out_h * win.out_w;
    t->in = cc->h * cc->w * cc->c;
    t->out = pixels * cc->filters;
    t->k = cc->kh * cc->kw * cc->c;
    t->x = floats((size_t)cc->n * t->in);
    t->dx = floats((size_t)cc->n * t->in);
    t->y = floats((size_t)cc->n * t->out);
    t->dy = floats((size_t)cc->n * t->out);
    t->w = floats((size_t)t->k * cc->filters);
    t->dw = floats((size_t)t->k * cc->filters);
    t->b = floats((size_t)cc->filters);
    t->db = floats((size_t)cc->filters);
    t->cols = floats((size_t)cc->chunk * pixels * t->k);
    t->dcols = floats((size_t)cc->chunk * pixels * t->k);
    fill_uniform(t->x, (size_t)cc->n * t->in, seed);
    fill_uniform(t->w, (size_t)t->k * cc->filters, seed + 1);
    fill_uniform(t->b, (size_t)cc->filters, seed + 2);
    fill_uniform(t->dy, (size_t)cc->n * t->out, seed + 3);
    t->l = (LrLayer){
        .ops = &layer_conv2d_ops,
        .in = t->in,
        .out = t->out,
        .activation = act,
        .weight = tensor_view(t->w, t->k, cc->filters),
        .bias = tensor_view(t->b, 1, cc->filters),
        .dweight = tensor_view(t->dw, t->k, cc->filters),
        .dbias = tensor_view(t->db, 1, cc->filters),
        .l2 = l2,
        .in_shape = {3, {cc->h, cc->w, cc->c}},
        .out_shape = {3, {win.out_h, win.out_w, cc->filters}},
        .window = win,
        .cols = tensor_view(t->cols, cc->chunk * pixels, t->k),
        .dcols = tensor_view(t->dcols, cc->chunk * pixels, t->k),
    };
}

static void conv_free(Conv *t)
{
    float *all[] = {t->x, t->y, t->dy, t->dx, t->w, t->b, t->dw, t->db, t->cols, t->dcols};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
}

static void conv_run(Conv *t, bool backward, bool with_dx)
{
    LrTensor x = tensor_view(t->x, t->cc.n, t->in), y = tensor_view(t->y, t->cc.n, t->out);
    LrTensor dy = tensor_view(t->dy, t->cc.n, t->out), dx = tensor_view(t->dx, t->cc.n, t->in);
    t->l.ops->forward(&t->l, &x, &y, true);
    if (backward)
        t->l.ops->backward(&t->l, &x, &y, &dy, with_dx ? &dx : NULL);
}

/* The pre-activations z of image `img` by the definition of a
 * convolution, in double: z[(oy, ox, f)] = b[f] + sum over the window's
 * cells inside the image of x[(iy, ix, ci)] w[(ky, kx, ci, f)]. The
 * padding is computed here from TensorFlow's rule, not taken from the
 * layer. */
static void ref_conv_image(const ConvCase *cc, const double *x, const double *w, const double *b,
                           int img, double *z)
{
    const int oh = cc->same ? (cc->h + cc->sh - 1) / cc->sh : (cc->h - cc->kh) / cc->sh + 1;
    const int ow = cc->same ? (cc->w + cc->sw - 1) / cc->sw : (cc->w - cc->kw) / cc->sw + 1;
    const int pt = cc->same ? (int)fmax(0, (oh - 1) * cc->sh + cc->kh - cc->h) / 2 : 0;
    const int pl = cc->same ? (int)fmax(0, (ow - 1) * cc->sw + cc->kw - cc->w) / 2 : 0;
    const double *xi = x + (size_t)img * cc->h * cc->w * cc->c;
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
            for (int f = 0; f < cc->filters; f++) {
                double s = b[f];
                for (int ky = 0; ky < cc->kh; ky++)
                    for (int kx = 0; kx < cc->kw; kx++)
                        for (int ci = 0; ci < cc->c; ci++) {
                            int iy = oy * cc->sh - pt + ky, ix = ox * cc->sw - pl + kx;
                            if (iy < 0 || iy >= cc->h || ix < 0 || ix >= cc->w)
                                continue;
                            s += xi[(iy * cc->w + ix) * cc->c + ci] *
                                 w[((ky * cc->kw + kx) * cc->c + ci) * cc->filters + f];
                        }
                z[(oy * ow + ox) * cc->filters + f] = s;
            }
}

static const ConvCase conv_cases[] = {
    /* n  h  w  c kh kw sh sw same  F chunk */
    {3, 6, 5, 1, 3, 3, 1, 1, false, 4, 3},  /* one channel, one chunk */
    {5, 7, 6, 3, 3, 2, 2, 2, true, 3, 2},   /* chunks 2, 2, 1; kh != kw */
    {2, 5, 5, 2, 2, 2, 1, 3, true, 2, 1},   /* strides differ, chunk of 1 */
    {4, 8, 8, 3, 3, 3, 2, 2, false, 5, 3},  /* stride 2 valid, chunks 3, 1 */
    {3, 9, 9, 1, 3, 3, 1, 1, true, 4, 2},   /* one channel, same */
    {2, 4, 4, 30, 3, 3, 1, 1, false, 2, 2}, /* 270-wide rows: past BLAS_BLOCK */
    {2, 3, 4, 2, 5, 4, 1, 1, true, 3, 1},   /* a kernel larger than the image */
};

static void test_conv__forward_matches_direct_convolution(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof conv_cases / sizeof *conv_cases; s++) {
        const ConvCase *cc = &conv_cases[s];
        for (int a = 0; a < 2; a++) {
            LrActivation act = a ? ACT_RELU : ACT_LINEAR;
            Conv t;
            conv_make(&t, cc, act, 0, 100u + (uint32_t)s);
            assert_string_equal(t.l.ops->name, "conv2d");
            conv_run(&t, false, false);
            double *xd = doubles_of(t.x, (size_t)cc->n * t.in);
            double *wd = doubles_of(t.w, (size_t)t.k * cc->filters);
            double *bd = doubles_of(t.b, (size_t)cc->filters);
            double *z = calloc((size_t)t.out, sizeof *z);
            int zeros = 0;
            for (int img = 0; img < cc->n; img++) {
                ref_conv_image(cc, xd, wd, bd, img, z);
                for (int o = 0; o < t.out; o++) {
                    double want = act == ACT_RELU && z[o] < 0 ? 0 : z[o];
                    zeros += want == 0;
                    double got = t.y[(size_t)img * t.out + o];
                    if (!(fabs(got - want) <= 1e-5 * (1 + sqrt((double)t.k))))
                        fail_msg("case %zu act %d image %d output %d: %g, want %g", s, a, img, o,
                                 got, want);
                }
            }
            assert_true(act != ACT_RELU || zeros > 0);
            free(xd), free(wd), free(bd), free(z);
            conv_free(&t);
        }
    }
}

/* ------------------------------------------------------------------------
 * conv2d backward against finite differences */

/* L = sum G . act(conv(x)) + l2 sum W^2 in double: its gradient with
 * respect to the output is G, the dy handed to backward. */
static double ref_conv_loss(const ConvCase *cc, LrActivation act, double l2, const double *x,
                            const double *w, const double *b, const double *g, int out)
{
    double *z = calloc((size_t)out, sizeof *z), *y = calloc((size_t)out, sizeof *y);
    double total = 0;
    for (int img = 0; img < cc->n; img++) {
        ref_conv_image(cc, x, w, b, img, z);
        for (int p = 0; p < out; p += cc->filters)
            activation_ref(act, z + p, y + p, cc->filters);
        for (int o = 0; o < out; o++)
            total += g[(size_t)img * out + o] * y[o];
    }
    for (int i = 0; i < cc->kh * cc->kw * cc->c * cc->filters; i++)
        total += l2 * w[i] * w[i];
    free(z), free(y);
    return total;
}

typedef struct FdArgs {
    const ConvCase *cc;
    LrActivation act;
    double l2;
    double *x, *w, *b;
    const double *g;
    int out;
} FdArgs;

static double conv_central_diff(const FdArgs *a, double *param)
{
    const double h = 1e-6, keep = *param;
    *param = keep + h;
    double up = ref_conv_loss(a->cc, a->act, a->l2, a->x, a->w, a->b, a->g, a->out);
    *param = keep - h;
    double down = ref_conv_loss(a->cc, a->act, a->l2, a->x, a->w, a->b, a->g, a->out);
    *param = keep;
    return (up - down) / (2 * h);
}

static void check_conv_gradients(const ConvCase *cc, LrActivation act, float l2, uint32_t seed)
{
    Conv t;
    conv_make(&t, cc, act, l2, seed);
    double *xd = doubles_of(t.x, (size_t)cc->n * t.in);
    double *wd = doubles_of(t.w, (size_t)t.k * cc->filters);
    double *bd = doubles_of(t.b, (size_t)cc->filters);
    double *gd = doubles_of(t.dy, (size_t)cc->n * t.out);
    /* Finite differences cannot see relu's kink: keep away from it. */
    double *z = calloc((size_t)t.out, sizeof *z);
    for (int img = 0; img < cc->n; img++) {
        ref_conv_image(cc, xd, wd, bd, img, z);
        for (int o = 0; o < t.out; o++)
            assert_true(act != ACT_RELU || fabs(z[o]) > 1e-4);
    }
    free(z);
    conv_run(&t, true, true);

    FdArgs a = {cc, act, l2, xd, wd, bd, gd, t.out};
    const double tol = 1e-3;
    for (int i = 0; i < t.k * cc->filters; i++) {
        double ref = conv_central_diff(&a, &wd[i]);
        if (!within_rel(t.dw[i], ref, tol, 1))
            fail_msg("dweight[%d]: %g, want %g", i, (double)t.dw[i], ref);
    }
    for (int i = 0; i < cc->filters; i++)
        assert_close_rel(t.db[i], conv_central_diff(&a, &bd[i]), tol, 1);
    for (int i = 0; i < cc->n * t.in; i++) {
        double ref = conv_central_diff(&a, &xd[i]);
        if (!within_rel(t.dx[i], ref, tol, 1))
            fail_msg("dx[%d]: %g, want %g", i, (double)t.dx[i], ref);
    }
    double pen = 0;
    for (int i = 0; i < t.k * cc->filters; i++)
        pen += (double)l2 * wd[i] * wd[i];
    assert_close(layer_penalty(&t.l), pen, 1e-9 * (1 + pen));
    assert_true(l2 == 0 || pen > 0);

    /* Without dx (a first layer) the parameter gradients are the same. */
    float *dw = floats((size_t)t.k * cc->filters);
    memcpy(dw, t.dw, (size_t)t.k * cc->filters * sizeof *dw);
    fill_uniform(t.dy, (size_t)cc->n * t.out, seed + 3);
    conv_run(&t, true, false);
    assert_memory_equal(dw, t.dw, (size_t)t.k * cc->filters * sizeof *dw);
    free(dw);
    free(xd), free(wd), free(bd), free(gd);
    conv_free(&t);
}

static void test_conv__backward_linear_matches_finite_differences(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof conv_cases / sizeof *conv_cases; s++)
        check_conv_gradients(&conv_cases[s], ACT_LINEAR, 0, 200u + (uint32_t)s);
}

static void test_conv__backward_relu_matches_finite_differences(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof conv_cases / sizeof *conv_cases; s++)
        check_conv_gradients(&conv_cases[s], ACT_RELU, 0, 300u + (uint32_t)s);
}

static void test_conv__l2_gradient_is_that_of_loss_plus_penalty(void **state)
{
    (void)state;
    check_conv_gradients(&conv_cases[1], ACT_RELU, 0.25f, 400u);
    check_conv_gradients(&conv_cases[2], ACT_LINEAR, 0.01f, 401u);
}

/* ------------------------------------------------------------------------
 * Pooling */

typedef enum { POOL_MAX, POOL_AVG, POOL_GLOBAL } PoolKind;

static const LrLayerOps *pool_ops(PoolKind kind)
{
    return kind == POOL_MAX   ? &layer_maxpool2d_ops
           : kind == POOL_AVG ? &layer_avgpool2d_ops
                              : &layer_global_avgpool2d_ops;
}

static LrLayer pool_layer(PoolKind kind, int h, int w, int c, int k, int s, bool same,
                          int32_t *argmax)
{
    LrLayer l = {.ops = pool_ops(kind), .in = h * w * c, .argmax = argmax,
                 .in_shape = {3, {h, w, c}}};
    if (kind == POOL_GLOBAL) {
        l.out = c;
        l.out_shape = (LrShape){1, {c, 0, 0}};
    } else {
        assert_true(window_init(&l.window, h, w, c, k, k, s, s, same));
        l.out = l.window.out_h * l.window.out_w * c;
        l.out_shape = (LrShape){3, {l.window.out_h, l.window.out_w, c}};
    }
    return l;
}

static void test_conv__pooling_hand_values(void **state)
{
    (void)state;
    /* A 3x3 single-channel image, 2x2 windows moved by 2:
     *   1 5 2
     *   7 3 9
     *   4 8 6
     * valid: one window [1 5 7 3]: max 7 (input index 3), mean 4.
     * same: out 2x2, padding 1 (all at the bottom and right): windows
     * [1 5 7 3], [2 9], [4 8], [6]: max 7 9 8 6, mean 4 5.5 6 6 (divided
     * by the real cells, as TensorFlow does). */
    float x[9] = {1, 5, 2, 7, 3, 9, 4, 8, 6}, y[4];
    int32_t arg[4] = {-9, -9, -9, -9};
    LrTensor xt = tensor_view(x, 1, 9);

    LrLayer l = pool_layer(POOL_MAX, 3, 3, 1, 2, 2, false, arg);
    assert_string_equal(l.ops->name, "max_pooling2d");
    LrTensor yt = tensor_view(y, 1, l.out);
    l.ops->forward(&l, &xt, &yt, true);
    assert_int_equal(l.out, 1);
    assert_true(y[0] == 7 && arg[0] == 3);

    l = pool_layer(POOL_MAX, 3, 3, 1, 2, 2, true, arg);
    yt = tensor_view(y, 1, l.out);
    l.ops->forward(&l, &xt, &yt, true);
    float want_max[4] = {7, 9, 8, 6};
    int32_t want_arg[4] = {3, 5, 7, 8};
    assert_memory_equal(y, want_max, sizeof y);
    assert_memory_equal(arg, want_arg, sizeof arg);
    /* Inference leaves argmax alone. */
    int32_t none[4] = {-1, -1, -1, -1};
    memcpy(arg, none, sizeof arg);
    l.ops->forward(&l, &xt, &yt, false);
    assert_memory_equal(y, want_max, sizeof y);
    assert_memory_equal(arg, none, sizeof arg);

    l = pool_layer(POOL_AVG, 3, 3, 1, 2, 2, false, NULL);
    assert_string_equal(l.ops->name, "average_pooling2d");
    yt = tensor_view(y, 1, l.out);
    l.ops->forward(&l, &xt, &yt, true);
    assert_close(y[0], 4.0, 0);
    l = pool_layer(POOL_AVG, 3, 3, 1, 2, 2, true, NULL);
    yt = tensor_view(y, 1, l.out);
    l.ops->forward(&l, &xt, &yt, true);
    assert_close(y[0], 4.0, 0);
    assert_close(y[1], 5.5, 0);
    assert_close(y[2], 6.0, 0);
    assert_close(y[3], 6.0, 0);

    /* Ties: the first maximum in window order. A 2x2x2 image whose
     * channel 0 is all 3 and channel 1 is [1 4 4 2]. */
    float tie[8] = {3, 1, 3, 4, 3, 4, 3, 2}, ty[2];
    int32_t targ[2];
    LrTensor tt = tensor_view(tie, 1, 8), tyt = tensor_view(ty, 1, 2);
    l = pool_layer(POOL_MAX, 2, 2, 2, 2, 2, false, targ);
    l.ops->forward(&l, &tt, &tyt, true);
    assert_true(ty[0] == 3 && ty[1] == 4);
    assert_int_equal(targ[0], 0);
    assert_int_equal(targ[1], 3);

    /* Global: a 2x2x2 image's mean per channel. */
    l = pool_layer(POOL_GLOBAL, 2, 2, 2, 0, 0, false, NULL);
    assert_string_equal(l.ops->name, "global_average_pooling2d");
    l.ops->forward(&l, &tt, &tyt, true);
    assert_close(ty[0], 3.0, 0);
    assert_close(ty[1], 2.75, 0);
}

/* Max pooling compares a cell's channels at once: with 37 channels (whole
 * vectors and a remainder), values drawn from 4 levels (ties in most
 * windows), a NaN in some cells and same padding, each output and its
 * argmax are the first largest value in window order, computed here one
 * channel at a time with the comparison max pooling documents (a NaN
 * first in its window stays, elsewhere it is passed over). */
static void test_conv__maxpool_wide_channels_ties_and_nan(void **state)
{
    (void)state;
    enum { H = 5, W = 5, C = 37 };
    LrLayer l = pool_layer(POOL_MAX, H, W, C, 2, 2, true, NULL);
    int32_t *arg = calloc((size_t)l.out, sizeof *arg);
    l.argmax = arg;
    float x[H * W * C], *y = floats((size_t)l.out), *y2 = floats((size_t)l.out);
    uint32_t r = 12345u;
    for (int i = 0; i < H * W * C; i++) {
        r = r * 1664525u + 1013904223u;
        x[i] = (float)((r >> 16) % 4);
        if (i % 29 == 3)
            x[i] = NAN;
    }
    LrTensor xt = tensor_view(x, 1, H * W * C), yt = tensor_view(y, 1, l.out);
    l.ops->forward(&l, &xt, &yt, true);
    const LrWindow *w = &l.window;
    for (int oy = 0; oy < w->out_h; oy++)
        for (int ox = 0; ox < w->out_w; ox++)
            for (int ch = 0; ch < C; ch++) {
                int at = -1;
                for (int iy = oy * 2 - w->pad_top; iy < oy * 2 - w->pad_top + 2; iy++)
                    for (int ix = ox * 2 - w->pad_left; ix < ox * 2 - w->pad_left + 2; ix++) {
                        if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                            continue;
                        const int i = (iy * W + ix) * C + ch;
                        if (at < 0 || x[i] > x[at])
                            at = i;
                    }
                const int o = (oy * w->out_w + ox) * C + ch;
                assert_int_equal(arg[o], at);
                assert_memory_equal(&y[o], &x[at], sizeof *y);
            }
    /* Inference gives the same values without argmax. */
    yt = tensor_view(y2, 1, l.out);
    l.ops->forward(&l, &xt, &yt, false);
    assert_memory_equal(y, y2, (size_t)l.out * sizeof *y);
    free(arg), free(y), free(y2);
}

/* The pooling of image `img` in double, by the definition: the max or
 * mean over the window's cells inside the image (padding by TensorFlow's
 * rule, computed here). */
static void ref_pool_image(PoolKind kind, int h, int w, int c, int k, int s, bool same,
                           const double *x, int img, double *y)
{
    const double *xi = x + (size_t)img * h * w * c;
    if (kind == POOL_GLOBAL) {
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int p = 0; p < h * w; p++)
                sum += xi[p * c + ch];
            y[ch] = sum / (h * w);
        }
        return;
    }
    const int oh = same ? (h + s - 1) / s : (h - k) / s + 1;
    const int ow = same ? (w + s - 1) / s : (w - k) / s + 1;
    const int pt = same ? (int)fmax(0, (oh - 1) * s + k - h) / 2 : 0;
    const int pl = same ? (int)fmax(0, (ow - 1) * s + k - w) / 2 : 0;
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
            for (int ch = 0; ch < c; ch++) {
                double best = -INFINITY, sum = 0;
                int count = 0;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        int iy = oy * s - pt + ky, ix = ox * s - pl + kx;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            continue;
                        double v = xi[(iy * w + ix) * c + ch];
                        best = fmax(best, v);
                        sum += v;
                        count++;
                    }
                y[(oy * ow + ox) * c + ch] = kind == POOL_MAX ? best : sum / count;
            }
}

typedef struct PoolCase {
    PoolKind kind;
    int n, h, w, c, k, s;
    bool same;
} PoolCase;

static const PoolCase pool_cases[] = {
    {POOL_MAX, 3, 6, 6, 2, 2, 2, false}, {POOL_MAX, 2, 5, 7, 3, 2, 2, true},
    {POOL_MAX, 2, 7, 7, 1, 3, 2, true},  {POOL_MAX, 2, 5, 5, 2, 3, 1, false},
    {POOL_AVG, 3, 6, 6, 2, 2, 2, false}, {POOL_AVG, 2, 5, 7, 3, 2, 2, true},
    {POOL_AVG, 2, 7, 7, 1, 3, 2, true},  {POOL_AVG, 2, 5, 5, 2, 3, 1, true},
    {POOL_GLOBAL, 3, 4, 5, 3, 0, 0, false},
};

static double ref_pool_loss(const PoolCase *pc, const double *x, const double *g, int out)
{
    double *y = calloc((size_t)out, sizeof *y), total = 0;
    for (int img = 0; img < pc->n; img++) {
        ref_pool_image(pc->kind, pc->h, pc->w, pc->c, pc->k, pc->s, pc->same, x, img, y);
        for (int o = 0; o < out; o++)
            total += g[(size_t)img * out + o] * y[o];
    }
    free(y);
    return total;
}

static void test_conv__pooling_matches_references(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof pool_cases / sizeof *pool_cases; s++) {
        const PoolCase *pc = &pool_cases[s];
        const int in = pc->h * pc->w * pc->c;
        int32_t *arg = calloc((size_t)pc->n * in, sizeof *arg);
        LrLayer l = pool_layer(pc->kind, pc->h, pc->w, pc->c, pc->k, pc->s, pc->same, arg);
        float *x = floats((size_t)pc->n * in), *dx = floats((size_t)pc->n * in);
        float *y = floats((size_t)pc->n * l.out), *g = floats((size_t)pc->n * l.out);
        /* Distinct values (no ties), far apart next to a 1e-6 step. */
        fill_uniform(x, (size_t)pc->n * in, 500u + (uint32_t)s);
        fill_uniform(g, (size_t)pc->n * l.out, 600u + (uint32_t)s);
        double *xd = doubles_of(x, (size_t)pc->n * in);
        double *gd = doubles_of(g, (size_t)pc->n * l.out);
        double *yr = calloc((size_t)l.out, sizeof *yr);
        LrTensor xt = tensor_view(x, pc->n, in), yt = tensor_view(y, pc->n, l.out);
        LrTensor gt = tensor_view(g, pc->n, l.out), dxt = tensor_view(dx, pc->n, in);
        l.ops->forward(&l, &xt, &yt, true);
        for (int img = 0; img < pc->n; img++) {
            ref_pool_image(pc->kind, pc->h, pc->w, pc->c, pc->k, pc->s, pc->same, xd, img, yr);
            for (int o = 0; o < l.out; o++)
                if (!(fabs(y[(size_t)img * l.out + o] - yr[o]) <= 1e-6))
                    fail_msg("case %zu image %d output %d: %g, want %g", s, img, o,
                             (double)y[(size_t)img * l.out + o], yr[o]);
        }
        l.ops->backward(&l, &xt, &yt, &gt, &dxt);
        for (int i = 0; i < pc->n * in; i++) {
            const double h = 1e-6, keep = xd[i];
            xd[i] = keep + h;
            double up = ref_pool_loss(pc, xd, gd, l.out);
            xd[i] = keep - h;
            double down = ref_pool_loss(pc, xd, gd, l.out);
            xd[i] = keep;
            double ref = (up - down) / (2 * h);
            if (!within_rel(dx[i], ref, 1e-4, 1))
                fail_msg("case %zu dx[%d]: %g, want %g", s, i, (double)dx[i], ref);
        }
        free(arg), free(x), free(dx), free(y), free(g), free(xd), free(gd), free(yr);
    }
}

/* ------------------------------------------------------------------------
 * Threads: the same bytes on 1, 2 and 3 threads */

static void conv_at_threads(int threads, const ConvCase *cc, LrActivation act, Conv *t)
{
    pool_set_threads(threads);
    pool_start();
    conv_make(t, cc, act, 0.01f, 77u);
    conv_run(t, true, true);
    pool_stop();
    pool_set_threads(1);
}

static void test_conv__conv_same_on_any_thread_count(void **state)
{
    (void)state;
    static const ConvCase cases[] = {
        {24, 14, 14, 8, 3, 3, 1, 1, true, 16, 7},   /* chunks of 7, the last 3 */
        {10, 11, 11, 32, 3, 3, 1, 1, false, 24, 4}, /* 288-wide rows */
        {40, 28, 28, 1, 3, 3, 1, 1, false, 32, 40}, /* the first layer, one chunk */
    };
    for (size_t s = 0; s < sizeof cases / sizeof *cases; s++) {
        Conv one, two, three;
        conv_at_threads(1, &cases[s], ACT_RELU, &one);
        conv_at_threads(2, &cases[s], ACT_RELU, &two);
        conv_at_threads(3, &cases[s], ACT_RELU, &three);
        const size_t ys = (size_t)cases[s].n * one.out * sizeof(float);
        const size_t xs = (size_t)cases[s].n * one.in * sizeof(float);
        const size_t ws = (size_t)one.k * cases[s].filters * sizeof(float);
        const Conv *other[] = {&two, &three};
        for (int i = 0; i < 2; i++) {
            assert_memory_equal(one.y, other[i]->y, ys);
            assert_memory_equal(one.dx, other[i]->dx, xs);
            assert_memory_equal(one.dw, other[i]->dw, ws);
            assert_memory_equal(one.db, other[i]->db, (size_t)cases[s].filters * sizeof(float));
        }
        conv_free(&one), conv_free(&two), conv_free(&three);
    }
}

static void pool_at_threads(int threads, PoolKind kind, bool same, float *y, float *dx,
                            int32_t *arg)
{
    enum { N = 64, H = 13, W = 13, C = 16 };
    static float x[N * H * W * C], g[N * H * W * C];
    fill_uniform(x, sizeof x / sizeof *x, 8);
    fill_uniform(g, sizeof g / sizeof *g, 9);
    pool_set_threads(threads);
    pool_start();
    LrLayer l = pool_layer(kind, H, W, C, 3, 2, same, arg);
    LrTensor xt = tensor_view(x, N, l.in), yt = tensor_view(y, N, l.out);
    LrTensor gt = tensor_view(g, N, l.out), dxt = tensor_view(dx, N, l.in);
    l.ops->forward(&l, &xt, &yt, true);
    l.ops->backward(&l, &xt, &yt, &gt, &dxt);
    pool_stop();
    pool_set_threads(1);
}

static void test_conv__pooling_same_on_any_thread_count(void **state)
{
    (void)state;
    enum { SIZE = 64 * 13 * 13 * 16 };
    static float y1[SIZE], y3[SIZE], dx1[SIZE], dx3[SIZE];
    static int32_t a1[SIZE], a3[SIZE];
    for (int kind = POOL_MAX; kind <= POOL_GLOBAL; kind++)
        for (int same = 0; same < 2; same++) {
            pool_at_threads(1, (PoolKind)kind, same, y1, dx1, a1);
            pool_at_threads(3, (PoolKind)kind, same, y3, dx3, a3);
            assert_memory_equal(y1, y3, sizeof y1);
            assert_memory_equal(dx1, dx3, sizeof dx1);
            assert_memory_equal(a1, a3, sizeof a1);
        }
}

/* ------------------------------------------------------------------------
 * flatten, reshape */

static void test_conv__flatten_and_reshape_copy(void **state)
{
    (void)state;
    const LrLayerOps *ops[] = {&layer_flatten_ops, &layer_reshape_ops};
    assert_string_equal(ops[0]->name, "flatten");
    assert_string_equal(ops[1]->name, "reshape");
    for (int i = 0; i < 2; i++) {
        /* 2 rows of 12 in buffers of 3 rows: the third row is untouched. */
        float x[24], y[36], dy[36], dx[36];
        fill_uniform(x, 24, 10);
        fill_uniform(dy, 36, 11);
        for (int j = 0; j < 36; j++)
            y[j] = dx[j] = -7.0f;
        LrLayer l = {.ops = ops[i], .in = 12, .out = 12, .in_shape = {3, {2, 2, 3}},
                     .out_shape = {1, {12, 0, 0}}};
        LrTensor xt = tensor_view(x, 2, 12), yt = tensor_view(y, 3, 12);
        LrTensor dyt = tensor_view(dy, 3, 12), dxt = tensor_view(dx, 3, 12);
        l.ops->forward(&l, &xt, &yt, true);
        l.ops->backward(&l, &xt, &yt, &dyt, &dxt);
        assert_memory_equal(y, x, sizeof x);
        assert_memory_equal(dx, dy, 24 * sizeof(float));
        for (int j = 24; j < 36; j++)
            assert_true(y[j] == -7.0f && dx[j] == -7.0f);
        l.ops->backward(&l, &xt, &yt, &dyt, NULL);
    }
}

/* ------------------------------------------------------------------------
 * test_conv --dump: one conv2d and the three poolings on fixed inputs,
 * inputs and results as text for tests/conv_torch.py to recompute with
 * PyTorch (tests/golden/conv.sh). A line per array: NAME COUNT VALUES. */

static void dump(const char *name, const float *p, size_t n)
{
    printf("%s %zu", name, n);
    for (size_t i = 0; i < n; i++)
        printf(" %.9g", (double)p[i]);
    printf("\n");
}

static int dump_cases(void)
{
    /* n 3 of 7x6x3, kernel 3x2, strides 2 and 1, same, 4 filters, relu,
     * l2 0.01, chunks of 2 (the last of 1). */
    static const ConvCase cc = {3, 7, 6, 3, 3, 2, 2, 1, true, 4, 2};
    Conv t;
    conv_make(&t, &cc, ACT_RELU, 0.01f, 4242u);
    printf("conv %d %d %d %d %d %d %d %d %d %d 0.01\n", cc.n, cc.h, cc.w, cc.c, cc.kh, cc.kw,
           cc.sh, cc.sw, cc.same, cc.filters);
    dump("x", t.x, (size_t)cc.n * t.in);
    dump("w", t.w, (size_t)t.k * cc.filters);
    dump("b", t.b, (size_t)cc.filters);
    dump("dy", t.dy, (size_t)cc.n * t.out);
    conv_run(&t, true, true);
    dump("y", t.y, (size_t)cc.n * t.out);
    dump("dw", t.dw, (size_t)t.k * cc.filters);
    dump("db", t.db, (size_t)cc.filters);
    dump("dx", t.dx, (size_t)cc.n * t.in);
    conv_free(&t);
    /* 2 images of 6x8x2; windows 3 moved by 2, same padding: one padded
     * row at the bottom, one padded column at the right. */
    enum { N = 2, H = 6, W = 8, C = 2 };
    static const char *const names[] = {"max", "avg", "global"};
    for (int kind = POOL_MAX; kind <= POOL_GLOBAL; kind++) {
        int32_t arg[N * H * W * C];
        LrLayer l = pool_layer((PoolKind)kind, H, W, C, 3, 2, true, arg);
        float x[N * H * W * C], dx[N * H * W * C], y[N * H * W * C], g[N * H * W * C];
        fill_uniform(x, N * H * W * C, 77u + (uint32_t)kind);
        fill_uniform(g, (size_t)N * l.out, 88u + (uint32_t)kind);
        LrTensor xt = tensor_view(x, N, l.in), yt = tensor_view(y, N, l.out);
        LrTensor gt = tensor_view(g, N, l.out), dxt = tensor_view(dx, N, l.in);
        printf("pool %s %d %d %d %d 3 2 1\n", names[kind], N, H, W, C);
        dump("x", x, N * H * W * C);
        dump("dy", g, (size_t)N * l.out);
        l.ops->forward(&l, &xt, &yt, true);
        l.ops->backward(&l, &xt, &yt, &gt, &dxt);
        dump("y", y, (size_t)N * l.out);
        dump("dx", dx, N * H * W * C);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    char why[256];
    if (blas_load(why, sizeof why) < 0) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    if (argc == 2 && strcmp(argv[1], "--dump") == 0)
        return dump_cases();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv__window_matches_tensorflow),
        cmocka_unit_test(test_conv__forward_matches_direct_convolution),
        cmocka_unit_test(test_conv__backward_linear_matches_finite_differences),
        cmocka_unit_test(test_conv__backward_relu_matches_finite_differences),
        cmocka_unit_test(test_conv__l2_gradient_is_that_of_loss_plus_penalty),
        cmocka_unit_test(test_conv__pooling_hand_values),
        cmocka_unit_test(test_conv__maxpool_wide_channels_ties_and_nan),
        cmocka_unit_test(test_conv__pooling_matches_references),
        cmocka_unit_test(test_conv__conv_same_on_any_thread_count),
        cmocka_unit_test(test_conv__pooling_same_on_any_thread_count),
        cmocka_unit_test(test_conv__flatten_and_reshape_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
