/* test_dense.c — the dense layer and its activations: forward against a
 * hand-computed example, backward (dW, db, dx) against central finite
 * differences of an independent double-precision forward (every activation
 * including softmax; the L2 penalty; from_logits leaving the activation to
 * the loss), batches smaller than the buffers they live in, and the same
 * bytes from products and layers on 1, 2 or 3 threads. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "blas.h"
#include "layer.h"
#include "pool.h"

static LrLayer make_layer(int in, int out, LrActivation act, float *w, float *b, float *dw,
                          float *db)
{
    LrLayer l = {
        .ops = &layer_dense_ops,
        .in = in,
        .out = out,
        .activation = act,
        .weight = tensor_view(w, in, out),
        .bias = tensor_view(b, 1, out),
        .dweight = tensor_view(dw, in, out),
        .dbias = tensor_view(db, 1, out),
    };
    return l;
}

/* A tiny deterministic generator for test data, independent of rng.c. */
static double lcg_uniform(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * (1.0 / 16777216.0);
}

/* ------------------------------------------------------------------------
 * Forward */

static void test_dense__forward_matches_hand_example(void **state)
{
    (void)state;
    /* x (2x3) . W (3x2) + b:
     *   row 0: [1 2 3] -> [1*1 + 2*3 + 3*5, 1*2 + 2*4 + 3*6] + [0.5, -1] = [22.5, 27]
     *   row 1: [-1 0 2] -> [-1 + 10, -2 + 12] + [0.5, -1] = [9.5, 9] */
    float x[] = {1, 2, 3, -1, 0, 2};
    float w[] = {1, 2, 3, 4, 5, 6};
    float b[] = {0.5f, -1.0f};
    float dw[6], db[2], y[4];
    LrLayer l = make_layer(3, 2, ACT_LINEAR, w, b, dw, db);
    LrTensor xt = tensor_view(x, 2, 3), yt = tensor_view(y, 2, 2);
    assert_string_equal(l.ops->name, "dense");
    l.ops->forward(&l, &xt, &yt, true);
    assert_close(y[0], 22.5, 0);
    assert_close(y[1], 27.0, 0);
    assert_close(y[2], 9.5, 0);
    assert_close(y[3], 9.0, 0);

    /* With relu and a sign flip on the kernel: [-21.5, -29, -8.5, -11] -> 0
     * except where the bias wins. */
    float wn[] = {-1, -2, -3, -4, -5, -6};
    float bn[] = {10.0f, 0.0f};
    LrLayer r = make_layer(3, 2, ACT_RELU, wn, bn, dw, db);
    r.ops->forward(&r, &xt, &yt, false);
    assert_close(y[0], 0.0, 0);       /* -22 + 10 < 0 */
    assert_close(y[1], 0.0, 0);
    assert_close(y[2], 1.0, 0);       /* -9 + 10 */
    assert_close(y[3], 0.0, 0);
}

static void test_dense__activations_match_definitions(void **state)
{
    (void)state;
    float v[] = {-1000, -30, -2, -0.5f, 0, 0.5f, 2, 30, 1000};
    enum { N = sizeof v / sizeof *v };
    float y[N];
    LrTensor t = tensor_view(y, 1, N);

    memcpy(y, v, sizeof v);
    activation_forward(ACT_SIGMOID, 0, false, &t);
    for (int i = 0; i < N; i++) {
        assert_true(isfinite(y[i]) && y[i] >= 0 && y[i] <= 1);
        assert_close(y[i], 1.0 / (1.0 + exp(-(double)v[i])), 1e-7);
    }
    assert_true(y[0] == 0.0f && y[N - 1] == 1.0f);

    memcpy(y, v, sizeof v);
    activation_forward(ACT_TANH, 0, false, &t);
    for (int i = 0; i < N; i++)
        assert_close(y[i], tanh((double)v[i]), 1e-7);

    memcpy(y, v, sizeof v);
    activation_forward(ACT_RELU, 0, false, &t);
    for (int i = 0; i < N; i++)
        assert_true(y[i] == (v[i] > 0 ? v[i] : 0.0f));

    memcpy(y, v, sizeof v);
    activation_forward(ACT_LINEAR, 0, false, &t);
    assert_memory_equal(y, v, sizeof v);
}

/* ------------------------------------------------------------------------
 * Backward against finite differences */

enum { B = 4, IN = 3, OUT = 3 };

static void ref_forward_row(LrActivation act, const double *x, const double *w, const double *b,
                            int i, double *z, double *y)
{
    for (int j = 0; j < OUT; j++) {
        z[j] = b[j];
        for (int k = 0; k < IN; k++)
            z[j] += x[i * IN + k] * w[k * OUT + j];
    }
    activation_ref(act, z, y, OUT);
}

/* L = sum_ij G_ij * act(x . W + b)_ij + l2 * sum W^2 in double: its
 * gradient with respect to y is G, the upstream gradient handed to
 * backward, and the penalty's gradient is what backward adds to dW. */
static double ref_loss(LrActivation act, double l2, const double *x, const double *w,
                       const double *b, const double *g)
{
    double total = 0;
    for (int i = 0; i < B; i++) {
        double z[OUT], y[OUT];
        ref_forward_row(act, x, w, b, i, z, y);
        for (int j = 0; j < OUT; j++)
            total += g[i * OUT + j] * y[j];
    }
    for (int k = 0; k < IN * OUT; k++)
        total += l2 * w[k] * w[k];
    return total;
}

static double central_diff(LrActivation act, double l2, double *x, double *w, double *b,
                           const double *g, double *param)
{
    const double h = 1e-6;
    double keep = *param;
    *param = keep + h;
    double up = ref_loss(act, l2, x, w, b, g);
    *param = keep - h;
    double down = ref_loss(act, l2, x, w, b, g);
    *param = keep;
    return (up - down) / (2 * h);
}

static void check_gradients(LrActivation act, float l2)
{
    uint32_t seed = 12345u + (uint32_t)act;
    float x[B * IN], w[IN * OUT], b[OUT], g[B * OUT];
    double xd[B * IN], wd[IN * OUT], bd[OUT], gd[B * OUT];
    for (int i = 0; i < B * IN; i++)
        xd[i] = x[i] = (float)(2 * lcg_uniform(&seed) - 1);
    for (int i = 0; i < IN * OUT; i++)
        wd[i] = w[i] = (float)(2 * lcg_uniform(&seed) - 1);
    for (int i = 0; i < OUT; i++)
        bd[i] = b[i] = (float)(lcg_uniform(&seed) - 0.5);
    for (int i = 0; i < B * OUT; i++)
        gd[i] = g[i] = (float)(2 * lcg_uniform(&seed) - 1);

    float y[B * OUT], dw[IN * OUT], db[OUT], dx[B * IN];
    LrLayer l = make_layer(IN, OUT, act, w, b, dw, db);
    l.l2 = l2;
    LrTensor xt = tensor_view(x, B, IN), yt = tensor_view(y, B, OUT);
    LrTensor gt = tensor_view(g, B, OUT), dxt = tensor_view(dx, B, IN);
    l.ops->forward(&l, &xt, &yt, true);

    /* Finite differences cannot see relu's kink: keep the data away from it. */
    for (int i = 0; i < B; i++) {
        double z[OUT], yr[OUT];
        ref_forward_row(act, xd, wd, bd, i, z, yr);
        for (int j = 0; j < OUT; j++) {
            assert_true(fabs(z[j]) > 1e-3);
            assert_close(y[i * OUT + j], yr[j], 1e-5);
        }
    }

    l.ops->backward(&l, &xt, &yt, &gt, &dxt);

    const double l2d = l2; /* the float the layer uses, exactly */
    for (int i = 0; i < IN * OUT; i++) {
        double ref = central_diff(act, l2d, xd, wd, bd, gd, &wd[i]);
        assert_close_rel(dw[i], ref, 1e-3, 1);
    }
    for (int i = 0; i < OUT; i++) {
        double ref = central_diff(act, l2d, xd, wd, bd, gd, &bd[i]);
        assert_close_rel(db[i], ref, 1e-3, 1);
    }
    for (int i = 0; i < B * IN; i++) {
        double ref = central_diff(act, l2d, xd, wd, bd, gd, &xd[i]);
        assert_close_rel(dx[i], ref, 1e-3, 1);
    }

    /* The penalty the layer reports is l2 * sum W^2 (0 without l2). */
    double pen = 0;
    for (int i = 0; i < IN * OUT; i++)
        pen += l2d * wd[i] * wd[i];
    assert_close(layer_penalty(&l), pen, 1e-12);
}

static void test_dense__backward_linear_matches_finite_differences(void **state)
{
    (void)state;
    check_gradients(ACT_LINEAR, 0);
}

static void test_dense__backward_relu_matches_finite_differences(void **state)
{
    (void)state;
    check_gradients(ACT_RELU, 0);
}

static void test_dense__backward_sigmoid_matches_finite_differences(void **state)
{
    (void)state;
    check_gradients(ACT_SIGMOID, 0);
}

static void test_dense__backward_tanh_matches_finite_differences(void **state)
{
    (void)state;
    check_gradients(ACT_TANH, 0);
}

static void test_dense__backward_softmax_matches_finite_differences(void **state)
{
    (void)state;
    check_gradients(ACT_SOFTMAX, 0);
}

static void test_dense__l2_gradient_is_that_of_loss_plus_penalty(void **state)
{
    (void)state;
    /* The reference adds l2 * sum W^2 to the loss: dW gains 2 l2 W. */
    check_gradients(ACT_TANH, 0.25f);
    check_gradients(ACT_LINEAR, 0.01f);
}

static void test_dense__penalty_hand_value_and_other_layers(void **state)
{
    (void)state;
    /* W = [[1, -2], [0.5, 3]]: sum W^2 = 1 + 4 + 0.25 + 9 = 14.25. */
    float w[] = {1, -2, 0.5f, 3}, b[2] = {0}, dw[4], db[2];
    LrLayer l = make_layer(2, 2, ACT_LINEAR, w, b, dw, db);
    assert_close(layer_penalty(&l), 0.0, 0);
    l.l2 = 0.5f;
    assert_close(layer_penalty(&l), 7.125, 1e-12);
    /* Not a dense layer: no penalty, whatever its fields say. */
    static const LrLayerOps other = {.name = "other"};
    l.ops = &other;
    assert_close(layer_penalty(&l), 0.0, 0);
}

static void test_dense__from_logits_leaves_activation_to_loss(void **state)
{
    (void)state;
    /* With from_logits, forward stops at x . W + b and backward takes dy as
     * the gradient at the pre-activation: the same numbers as a linear
     * layer, whatever the activation. */
    uint32_t seed = 4242u;
    float x[B * IN], w[IN * OUT], b[OUT], g1[B * OUT], g2[B * OUT];
    for (int i = 0; i < B * IN; i++)
        x[i] = (float)(2 * lcg_uniform(&seed) - 1);
    for (int i = 0; i < IN * OUT; i++)
        w[i] = (float)(4 * lcg_uniform(&seed) - 2);
    for (int i = 0; i < OUT; i++)
        b[i] = (float)(lcg_uniform(&seed) - 0.5);
    for (int i = 0; i < B * OUT; i++)
        g1[i] = g2[i] = (float)(2 * lcg_uniform(&seed) - 1);
    float y1[B * OUT], y2[B * OUT], dw1[IN * OUT], dw2[IN * OUT], db1[OUT], db2[OUT];
    float dx1[B * IN], dx2[B * IN];
    LrLayer fused = make_layer(IN, OUT, ACT_SOFTMAX, w, b, dw1, db1);
    fused.from_logits = true;
    LrLayer lin = make_layer(IN, OUT, ACT_LINEAR, w, b, dw2, db2);
    LrTensor xt = tensor_view(x, B, IN);
    LrTensor y1t = tensor_view(y1, B, OUT), y2t = tensor_view(y2, B, OUT);
    LrTensor g1t = tensor_view(g1, B, OUT), g2t = tensor_view(g2, B, OUT);
    LrTensor dx1t = tensor_view(dx1, B, IN), dx2t = tensor_view(dx2, B, IN);
    fused.ops->forward(&fused, &xt, &y1t, true);
    lin.ops->forward(&lin, &xt, &y2t, true);
    assert_memory_equal(y1, y2, sizeof y1);
    /* Logits, not probabilities: some are outside [0, 1]. */
    int outside = 0;
    for (int i = 0; i < B * OUT; i++)
        outside += y1[i] < 0 || y1[i] > 1;
    assert_true(outside > 0);
    fused.ops->backward(&fused, &xt, &y1t, &g1t, &dx1t);
    lin.ops->backward(&lin, &xt, &y2t, &g2t, &dx2t);
    assert_memory_equal(dw1, dw2, sizeof dw1);
    assert_memory_equal(db1, db2, sizeof db1);
    assert_memory_equal(dx1, dx2, sizeof dx1);
}

/* ------------------------------------------------------------------------
 * Batches smaller than the buffers, strided inputs */

static void test_dense__short_batch_in_larger_buffers(void **state)
{
    (void)state;
    enum { CAP = 6, N = 3, LD = IN + 2 };
    const float SENTINEL = -12345.0f;
    uint32_t seed = 99u;
    float w[IN * OUT], b[OUT];
    for (int i = 0; i < IN * OUT; i++)
        w[i] = (float)(2 * lcg_uniform(&seed) - 1);
    for (int i = 0; i < OUT; i++)
        b[i] = (float)(lcg_uniform(&seed) - 0.5);

    /* The batch: N rows of a CAP-row buffer whose rows are LD floats apart
     * (a view into a wider matrix); the padding must be ignored. */
    float xbuf[CAP * LD], xs[N * IN];
    for (int i = 0; i < CAP * LD; i++)
        xbuf[i] = SENTINEL;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < IN; k++)
            xbuf[i * LD + k] = xs[i * IN + k] = (float)(2 * lcg_uniform(&seed) - 1);
    LrTensor x = {xbuf, N, IN, LD};

    float y[CAP * OUT], g[CAP * OUT], dx[CAP * IN], dw[IN * OUT], db[OUT];
    for (int i = 0; i < CAP * OUT; i++)
        y[i] = g[i] = SENTINEL;
    for (int i = 0; i < CAP * IN; i++)
        dx[i] = SENTINEL;
    float gs[N * OUT], g0[N * OUT]; /* backward overwrites dy: keep g0 */
    for (int i = 0; i < N * OUT; i++)
        g0[i] = g[i] = gs[i] = (float)(2 * lcg_uniform(&seed) - 1);
    LrTensor yt = tensor_view(y, CAP, OUT), gt = tensor_view(g, CAP, OUT);
    LrTensor dxt = tensor_view(dx, CAP, IN);

    LrLayer l = make_layer(IN, OUT, ACT_TANH, w, b, dw, db);
    l.ops->forward(&l, &x, &yt, true);
    l.ops->backward(&l, &x, &yt, &gt, &dxt);
    for (int i = N * OUT; i < CAP * OUT; i++)
        assert_true(y[i] == SENTINEL && g[i] == SENTINEL);
    for (int i = N * IN; i < CAP * IN; i++)
        assert_true(dx[i] == SENTINEL);

    /* The same batch in exactly-sized, contiguous buffers gives the same
     * numbers. */
    float y2[N * OUT], dx2[N * IN], dw2[IN * OUT], db2[OUT];
    LrLayer l2 = make_layer(IN, OUT, ACT_TANH, w, b, dw2, db2);
    LrTensor x2 = tensor_view(xs, N, IN), y2t = tensor_view(y2, N, OUT);
    LrTensor g2t = tensor_view(gs, N, OUT), dx2t = tensor_view(dx2, N, IN);
    l2.ops->forward(&l2, &x2, &y2t, true);
    l2.ops->backward(&l2, &x2, &y2t, &g2t, &dx2t);
    for (int i = 0; i < N * OUT; i++)
        assert_close(y[i], y2[i], 1e-6);
    for (int i = 0; i < N * IN; i++)
        assert_close(dx[i], dx2[i], 1e-6);
    for (int i = 0; i < IN * OUT; i++)
        assert_close(dw[i], dw2[i], 1e-6);
    for (int i = 0; i < OUT; i++)
        assert_close(db[i], db2[i], 1e-6);

    /* dx is optional (the first layer has no one to pass it to). */
    for (int i = 0; i < N * OUT; i++)
        g[i] = g0[i];
    l.ops->forward(&l, &x, &yt, false);
    l.ops->backward(&l, &x, &yt, &gt, NULL);
    for (int i = 0; i < IN * OUT; i++)
        assert_close(dw[i], dw2[i], 1e-6);
}

static void test_dense__blas_reports_openblas(void **state)
{
    (void)state;
    assert_non_null(strstr(blas_vendor(), "OpenBLAS"));
}

/* The loop used for tiny products agrees with BLAS, for every
 * transposition and for alpha/beta, on shapes on both sides of the
 * threshold (so that the kernel choice never changes results beyond float
 * rounding of the sum order). */
static void test_dense__tiny_loop_matches_blas(void **state)
{
    (void)state;
    static const int shapes[][3] = {{8, 1, 3}, {8, 3, 1}, {3, 1, 8}, {4, 5, 6}, {16, 10, 9},
                                    {33, 17, 20}};
    static float a[40 * 40], b[40 * 40], c1[40 * 40], c2[40 * 40];
    unsigned seed = 12345;
    for (size_t i = 0; i < sizeof a / sizeof *a; i++) {
        seed = seed * 1103515245u + 12345u;
        a[i] = (float)((seed >> 8) % 2001) / 1000.0f - 1.0f;
        seed = seed * 1103515245u + 12345u;
        b[i] = (float)((seed >> 8) % 2001) / 1000.0f - 1.0f;
    }
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        for (int t = 0; t < 4; t++) {
            bool ta = t & 1, tb = t & 2;
            LrTensor ta_view = ta ? tensor_view(a, k, m) : tensor_view(a, m, k);
            LrTensor tb_view = tb ? tensor_view(b, n, k) : tensor_view(b, k, n);
            for (int i = 0; i < m * n; i++)
                c1[i] = c2[i] = 0.25f * (float)i;
            LrTensor C1 = tensor_view(c1, m, n), C2 = tensor_view(c2, m, n);
            blas_gemm(ta, tb, 0.5f, &ta_view, &tb_view, 0.75f, &C1);
            blas_gemm_loop(ta, tb, 0.5f, &ta_view, &tb_view, 0.75f, &C2);
            for (int i = 0; i < m * n; i++) {
                if (!within_rel(c2[i], c1[i], 1e-5, 1))
                    fail_msg("shape %dx%dx%d trans %d: %g vs %g", m, n, k, t, (double)c1[i],
                             (double)c2[i]);
            }
        }
    }
}

/* ------------------------------------------------------------------------
 * Threads: products cut into blocks (blas.c) and loops split across
 * threads (pool.h) give the same bytes on any number of threads. */

static void fill_uniform(float *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(2.0 * lcg_uniform(&seed) - 1.0);
}

/* The product of the given shape into c, at `threads` threads, through a
 * view with ld > cols inside a larger buffer (as the Plan's first-rows
 * views are); the margin keeps its initial values. */
static void product_at_threads(int threads, bool ta, bool tb, int m, int n, int k, float beta,
                               const float *a, const float *b, float *c)
{
    pool_set_threads(threads);
    pool_start();
    LrTensor av = ta ? tensor_view((float *)a, k, m) : tensor_view((float *)a, m, k);
    LrTensor bv = tb ? tensor_view((float *)b, n, k) : tensor_view((float *)b, k, n);
    LrTensor whole = tensor_view(c, m + 3, n + 5);
    LrTensor cv = tensor_slice(&whole, 1, m, 2, n);
    fill_uniform(c, (size_t)(m + 3) * (size_t)(n + 5), 99);
    blas_gemm(ta, tb, 0.5f, &av, &bv, beta, &cv);
    pool_stop();
    pool_set_threads(1);
}

static void test_dense__products_same_on_any_thread_count(void **state)
{
    (void)state;
    /* The MLP's shapes, cut by columns and by rows, and odd ones. */
    static const int shapes[][3] = {{128, 512, 784}, {784, 512, 128}, {512, 10, 128},
                                    {100, 333, 257}, {517, 45, 300},  {128, 10, 512},
                                    {600, 700, 3}};
    enum { MAX = 800 * 800 };
    static float a[MAX], b[MAX], c1[MAX], c2[MAX], c3[MAX];
    fill_uniform(a, MAX, 1);
    fill_uniform(b, MAX, 2);
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        size_t bytes = (size_t)(m + 3) * (size_t)(n + 5) * sizeof(float);
        for (int t = 0; t < 8; t++) {
            bool ta = t & 1, tb = t & 2;
            float beta = t & 4 ? 0.75f : 0.0f;
            product_at_threads(1, ta, tb, m, n, k, beta, a, b, c1);
            product_at_threads(2, ta, tb, m, n, k, beta, a, b, c2);
            product_at_threads(3, ta, tb, m, n, k, beta, a, b, c3);
            if (memcmp(c1, c2, bytes) != 0 || memcmp(c1, c3, bytes) != 0)
                fail_msg("%dx%dx%d trans %d beta %g: threads disagree", m, n, k, t & 3,
                         (double)beta);
        }
        /* and it is the product: every element of the last (trans 3, beta
         * 0.75) against a double-precision sum, the margin untouched */
        fill_uniform(c2, bytes / sizeof(float), 99);
        for (int i = 0; i < m + 3; i++) {
            for (int j = 0; j < n + 5; j++) {
                size_t at = (size_t)i * (size_t)(n + 5) + (size_t)j;
                if (i < 1 || i > m || j < 2 || j >= n + 2) {
                    assert_true(c3[at] == c2[at]);
                    continue;
                }
                double sum = 0;
                for (int p = 0; p < k; p++) /* A' is k x m, B' is n x k */
                    sum += (double)a[(size_t)p * (size_t)m + (size_t)(i - 1)] *
                           b[(size_t)(j - 2) * (size_t)k + (size_t)p];
                assert_close(c3[at], 0.5 * sum + 0.75 * c2[at], 1e-4 * (1 + sqrt((double)k)));
            }
        }
    }
}

/* Forward and backward of a 128 x 300 -> 520 layer at 1 and 3 threads. */
static void layer_at_threads(int threads, LrActivation act, float *y, float *dx, float *dw,
                             float *db)
{
    enum { SN = 128, SIN = 300, SOUT = 520 };
    static float x[SN * SIN], w[SIN * SOUT], b[SOUT], dy[SN * SOUT];
    fill_uniform(x, SN * SIN, 3);
    fill_uniform(w, SIN * SOUT, 4);
    fill_uniform(b, SOUT, 5);
    fill_uniform(dy, SN * SOUT, 6);
    pool_set_threads(threads);
    pool_start();
    LrLayer l = make_layer(SIN, SOUT, act, w, b, dw, db);
    LrTensor xt = tensor_view(x, SN, SIN), yt = tensor_view(y, SN, SOUT);
    LrTensor dyt = tensor_view(dy, SN, SOUT), dxt = tensor_view(dx, SN, SIN);
    l.ops->forward(&l, &xt, &yt, true);
    l.ops->backward(&l, &xt, &yt, &dyt, &dxt);
    pool_stop();
    pool_set_threads(1);
}

static void test_dense__split_layers_are_identical(void **state)
{
    (void)state;
    enum { SN = 128, SIN = 300, SOUT = 520 };
    static float y1[SN * SOUT], dx1[SN * SIN], dw1[SIN * SOUT], db1[SOUT];
    static float y3[SN * SOUT], dx3[SN * SIN], dw3[SIN * SOUT], db3[SOUT];
    static const LrActivation acts[] = {ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH,
                                        ACT_SOFTMAX};
    for (size_t i = 0; i < sizeof acts / sizeof *acts; i++) {
        layer_at_threads(1, acts[i], y1, dx1, dw1, db1);
        layer_at_threads(3, acts[i], y3, dx3, dw3, db3);
        assert_memory_equal(y1, y3, sizeof y1);
        assert_memory_equal(dx1, dx3, sizeof dx1);
        assert_memory_equal(dw1, dw3, sizeof dw1);
        assert_memory_equal(db1, db3, sizeof db1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense__products_same_on_any_thread_count),
        cmocka_unit_test(test_dense__split_layers_are_identical),
        cmocka_unit_test(test_dense__tiny_loop_matches_blas),
        cmocka_unit_test(test_dense__forward_matches_hand_example),
        cmocka_unit_test(test_dense__activations_match_definitions),
        cmocka_unit_test(test_dense__backward_linear_matches_finite_differences),
        cmocka_unit_test(test_dense__backward_relu_matches_finite_differences),
        cmocka_unit_test(test_dense__backward_sigmoid_matches_finite_differences),
        cmocka_unit_test(test_dense__backward_tanh_matches_finite_differences),
        cmocka_unit_test(test_dense__backward_softmax_matches_finite_differences),
        cmocka_unit_test(test_dense__l2_gradient_is_that_of_loss_plus_penalty),
        cmocka_unit_test(test_dense__penalty_hand_value_and_other_layers),
        cmocka_unit_test(test_dense__from_logits_leaves_activation_to_loss),
        cmocka_unit_test(test_dense__short_batch_in_larger_buffers),
        cmocka_unit_test(test_dense__blas_reports_openblas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
