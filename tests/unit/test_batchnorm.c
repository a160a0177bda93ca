/* test_batchnorm.c — the batch normalization layer against a reference
 * written here in double: the training forward (batch mean, biased
 * variance, y, the saved statistics), the moving averages after two steps,
 * the inference forward on them, and backward (dgamma, dbeta, dx) against
 * central finite differences of the training forward; for channels-last
 * images (3 channels, 2 x 2 samples a row) and dense rows (1 sample); the
 * same bytes on 1, 2 and 3 threads; PyTorch's numbers for one step. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "layer.h"
#include "pool.h"

enum { MAX_CH = 256, MAX_VALUES = 64 * 4096 };

/* A layer and the buffers it works on: gamma, beta, the state. */
typedef struct Bn {
    LrLayer l;
    float gamma[MAX_CH], beta[MAX_CH], dgamma[MAX_CH], dbeta[MAX_CH];
    float mm[MAX_CH], mv[MAX_CH], bmean[MAX_CH], binv[MAX_CH];
} Bn;

static double lcg_uniform(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * (1.0 / 16777216.0);
}

static void bn_init(Bn *b, int channels, int samples, float momentum, float epsilon,
                    uint32_t seed)
{
    memset(b, 0, sizeof *b);
    for (int c = 0; c < channels; c++) {
        b->gamma[c] = (float)(0.5 + lcg_uniform(&seed));
        b->beta[c] = (float)(lcg_uniform(&seed) - 0.5);
        b->mm[c] = 0.0f; /* Keras's initial state */
        b->mv[c] = 1.0f;
    }
    b->l = (LrLayer){.ops = &layer_batchnorm_ops,
                     .in = channels * samples,
                     .out = channels * samples,
                     .channels = channels,
                     .weight = tensor_view(b->gamma, 1, channels),
                     .bias = tensor_view(b->beta, 1, channels),
                     .dweight = tensor_view(b->dgamma, 1, channels),
                     .dbias = tensor_view(b->dbeta, 1, channels),
                     .moving_mean = b->mm,
                     .moving_variance = b->mv,
                     .batch_mean = b->bmean,
                     .batch_inv_std = b->binv,
                     .momentum = momentum,
                     .epsilon = epsilon};
}

/* Values with a different mean and spread per channel. */
static void fill(float *x, double *xd, int n, int channels, uint32_t seed)
{
    for (int i = 0; i < n; i++) {
        int c = i % channels;
        x[i] = (float)((c - 1) * 0.7 + (1 + c) * (lcg_uniform(&seed) - 0.5));
        if (xd)
            xd[i] = x[i];
    }
}

/* The training forward in double; mean and var per channel (biased). */
static void ref_forward(const double *x, int rows, int channels, int samples,
                        const double *gamma, const double *beta, double eps, double *y,
                        double *mean, double *var)
{
    const int width = channels * samples;
    for (int c = 0; c < channels; c++) {
        double s = 0, q = 0;
        for (int i = 0; i < rows * samples; i++)
            s += x[i * channels + c];
        mean[c] = s / (rows * samples);
        for (int i = 0; i < rows * samples; i++)
            q += (x[i * channels + c] - mean[c]) * (x[i * channels + c] - mean[c]);
        var[c] = q / (rows * samples);
    }
    for (int i = 0; i < rows * width; i++) {
        int c = i % channels;
        y[i] = gamma[c] * (x[i] - mean[c]) / sqrt(var[c] + eps) + beta[c];
    }
}

static void check_forward_training(int rows, int channels, int samples)
{
    static Bn b;
    static float x[MAX_VALUES], y[MAX_VALUES];
    static double xd[MAX_VALUES], yd[MAX_VALUES];
    const int n = rows * channels * samples;
    bn_init(&b, channels, samples, 0.9f, 0.001f, 1);
    fill(x, xd, n, channels, 2);
    double gamma[MAX_CH], beta[MAX_CH], mean[MAX_CH], var[MAX_CH];
    for (int c = 0; c < channels; c++)
        gamma[c] = b.gamma[c], beta[c] = b.beta[c];
    LrTensor xt = tensor_view(x, rows, channels * samples);
    LrTensor yt = tensor_view(y, rows, channels * samples);
    b.l.ops->forward(&b.l, &xt, &yt, true);
    ref_forward(xd, rows, channels, samples, gamma, beta, (double)0.001f, yd, mean, var);
    for (int i = 0; i < n; i++)
        assert_close(y[i], yd[i], 2e-6 * (1 + fabs(yd[i])));
    for (int c = 0; c < channels; c++) {
        assert_close(b.bmean[c], mean[c], 1e-6 * (1 + fabs(mean[c])));
        assert_close(b.binv[c], 1 / sqrt(var[c] + (double)0.001f), 1e-6 / sqrt(var[c]));
        /* from 0 and 1, one step of momentum 0.9 with the biased variance */
        assert_close(b.mm[c], 0.1 * mean[c], 1e-6);
        assert_close(b.mv[c], 0.9 + 0.1 * var[c], 1e-6);
    }
}

static void test_batchnorm__training_forward_images(void **state)
{
    (void)state;
    check_forward_training(5, 3, 4);
}

static void test_batchnorm__training_forward_dense(void **state)
{
    (void)state;
    check_forward_training(7, 6, 1);
}

/* Two steps on two batches: moving = 0.99 (0.99 m0 + 0.01 b1) + 0.01 b2;
 * then inference normalizes with them. */
static void test_batchnorm__moving_averages_and_inference(void **state)
{
    (void)state;
    enum { ROWS = 6, CH = 3, S = 4, N = ROWS * CH * S };
    static Bn b;
    float x1[N], x2[N], y[N];
    double xd1[N], xd2[N], yd[N], mean1[CH], var1[CH], mean2[CH], var2[CH];
    double g[CH], be[CH];
    bn_init(&b, CH, S, 0.99f, 0.001f, 3);
    for (int c = 0; c < CH; c++)
        g[c] = b.gamma[c], be[c] = b.beta[c];
    fill(x1, xd1, N, CH, 4);
    fill(x2, xd2, N, CH, 5);
    LrTensor t1 = tensor_view(x1, ROWS, CH * S), t2 = tensor_view(x2, ROWS, CH * S);
    LrTensor yt = tensor_view(y, ROWS, CH * S);
    b.l.ops->forward(&b.l, &t1, &yt, true);
    b.l.ops->forward(&b.l, &t2, &yt, true);
    ref_forward(xd1, ROWS, CH, S, g, be, 0.001, yd, mean1, var1);
    ref_forward(xd2, ROWS, CH, S, g, be, 0.001, yd, mean2, var2);
    double mm[CH], mv[CH];
    for (int c = 0; c < CH; c++) {
        mm[c] = 0.99 * (0.99 * 0 + 0.01 * mean1[c]) + 0.01 * mean2[c];
        mv[c] = 0.99 * (0.99 * 1 + 0.01 * var1[c]) + 0.01 * var2[c];
        assert_close(b.mm[c], mm[c], 1e-6);
        assert_close(b.mv[c], mv[c], 1e-6);
    }
    /* Inference: the moving statistics, the state untouched. */
    float keep_mm[CH], keep_mv[CH];
    memcpy(keep_mm, b.mm, sizeof keep_mm);
    memcpy(keep_mv, b.mv, sizeof keep_mv);
    b.l.ops->forward(&b.l, &t1, &yt, false);
    for (int i = 0; i < N; i++) {
        int c = i % CH;
        double want = g[c] * (xd1[i] - b.mm[c]) / sqrt((double)b.mv[c] + (double)0.001f) + be[c];
        assert_close(y[i], want, 2e-6 * (1 + fabs(want)));
    }
    assert_memory_equal(keep_mm, b.mm, sizeof keep_mm);
    assert_memory_equal(keep_mv, b.mv, sizeof keep_mv);
}

/* L = sum G y of the training forward in double. */
static double ref_loss(const double *x, int rows, int channels, int samples,
                       const double *gamma, const double *beta, const double *g)
{
    static double y[MAX_VALUES];
    double mean[MAX_CH], var[MAX_CH];
    ref_forward(x, rows, channels, samples, gamma, beta, (double)0.001f, y, mean, var);
    double total = 0;
    for (int i = 0; i < rows * channels * samples; i++)
        total += g[i] * y[i];
    return total;
}

static double central_diff(double *x, int rows, int channels, int samples, double *gamma,
                           double *beta, const double *g, double *p)
{
    const double h = 1e-6, keep = *p;
    *p = keep + h;
    double up = ref_loss(x, rows, channels, samples, gamma, beta, g);
    *p = keep - h;
    double down = ref_loss(x, rows, channels, samples, gamma, beta, g);
    *p = keep;
    return (up - down) / (2 * h);
}

static void check_backward(int rows, int channels, int samples)
{
    static Bn b;
    enum { MAXN = 256 };
    const int n = rows * channels * samples;
    assert_true(n <= MAXN);
    float x[MAXN], y[MAXN], g[MAXN], dx[MAXN];
    double xd[MAXN], gd[MAXN], gamma[MAX_CH], beta[MAX_CH];
    bn_init(&b, channels, samples, 0.99f, 0.001f, 6);
    for (int c = 0; c < channels; c++)
        gamma[c] = b.gamma[c], beta[c] = b.beta[c];
    fill(x, xd, n, channels, 7);
    uint32_t seed = 8;
    for (int i = 0; i < n; i++)
        gd[i] = g[i] = (float)(2 * lcg_uniform(&seed) - 1);
    LrTensor xt = tensor_view(x, rows, channels * samples);
    LrTensor yt = tensor_view(y, rows, channels * samples);
    LrTensor gt = tensor_view(g, rows, channels * samples);
    LrTensor dxt = tensor_view(dx, rows, channels * samples);
    b.l.ops->forward(&b.l, &xt, &yt, true);
    b.l.ops->backward(&b.l, &xt, &yt, &gt, &dxt);
    for (int c = 0; c < channels; c++) {
        assert_close_rel(b.dgamma[c],
                         central_diff(xd, rows, channels, samples, gamma, beta, gd, &gamma[c]),
                         1e-4, 1);
        assert_close_rel(b.dbeta[c],
                         central_diff(xd, rows, channels, samples, gamma, beta, gd, &beta[c]),
                         1e-4, 1);
    }
    for (int i = 0; i < n; i++)
        assert_close_rel(dx[i], central_diff(xd, rows, channels, samples, gamma, beta, gd, &xd[i]),
                         1e-4, 1);
    /* Without dx the parameters' gradients are the same. */
    float dgamma[MAX_CH], dbeta[MAX_CH];
    memcpy(dgamma, b.dgamma, sizeof dgamma);
    memcpy(dbeta, b.dbeta, sizeof dbeta);
    b.l.ops->backward(&b.l, &xt, &yt, &gt, NULL);
    assert_memory_equal(dgamma, b.dgamma, (size_t)channels * sizeof(float));
    assert_memory_equal(dbeta, b.dbeta, (size_t)channels * sizeof(float));
}

static void test_batchnorm__backward_images_matches_finite_differences(void **state)
{
    (void)state;
    check_backward(5, 3, 4);
}

static void test_batchnorm__backward_dense_matches_finite_differences(void **state)
{
    (void)state;
    check_backward(8, 5, 1);
}

/* 64 rows of 16 samples x 200 channels (blocks of 64 channels, split by
 * the pool): forward, backward and the state at 1, 2 and 3 threads. */
static void run_at_threads(int threads, float *y, float *dx, Bn *b)
{
    enum { ROWS = 64, S = 16, CH = 200, N = ROWS * S * CH };
    static float x[N], g[N];
    fill(x, NULL, N, CH, 9);
    fill(g, NULL, N, 7, 10);
    bn_init(b, CH, S, 0.99f, 0.001f, 11);
    pool_set_threads(threads);
    pool_start();
    LrTensor xt = tensor_view(x, ROWS, S * CH), yt = tensor_view(y, ROWS, S * CH);
    LrTensor gt = tensor_view(g, ROWS, S * CH), dxt = tensor_view(dx, ROWS, S * CH);
    b->l.ops->forward(&b->l, &xt, &yt, true);
    b->l.ops->backward(&b->l, &xt, &yt, &gt, &dxt);
    b->l.ops->forward(&b->l, &xt, &yt, false);
    pool_stop();
    pool_set_threads(1);
}

static void test_batchnorm__same_bytes_on_any_thread_count(void **state)
{
    (void)state;
    enum { N = 64 * 16 * 200 };
    static float y1[N], dx1[N], y[N], dx[N];
    static Bn b1, b;
    run_at_threads(1, y1, dx1, &b1);
    for (int t = 2; t <= 3; t++) {
        run_at_threads(t, y, dx, &b);
        assert_memory_equal(y1, y, sizeof y);
        assert_memory_equal(dx1, dx, sizeof dx);
        assert_memory_equal(b1.dgamma, b.dgamma, sizeof b.dgamma);
        assert_memory_equal(b1.dbeta, b.dbeta, sizeof b.dbeta);
        assert_memory_equal(b1.mm, b.mm, sizeof b.mm);
        assert_memory_equal(b1.mv, b.mv, sizeof b.mv);
    }
}

/* PyTorch 1.13's BatchNorm2d (train mode, float64, eps 0.001, momentum
 * 0.01, the NHWC batch permuted to NCHW) on x_i = ((37 i) % 17 - 8) / 4,
 * upstream gradients G_i = ((13 i) % 7 - 3) / 2, gamma [1.5, 0.75, -0.5],
 * beta [0.25, -1, 0.5]: y, dx, dgamma, dbeta from autograd, the running
 * mean, and its running variance with the Bessel correction taken out
 * (PyTorch moves it with N / (N - 1) var; Keras 3 with var). */
static void test_batchnorm__matches_pytorch(void **state)
{
    (void)state;
    enum { ROWS = 2, S = 4, CH = 3, N = ROWS * S * CH };
    static const double y_torch[N] = {
        -1.69026809, -1.97013405, 0.662613845, 1.22013405,  -0.514932977, -0.173685928,
        -1.36689008, -1.80844504, 0.569691648, 1.54351206,  -0.353243969, -0.266608125,
        -1.04351206, -1.64675603, 0.476769451, 1.86689008,  -0.191554962, 1.22014703,
        -0.720134046, -1.48506702, 0.383847254, 2.19026809, -0.0298659541, 1.12722483};
    static const double dx_torch[N] = {
        -0.795955397, 1.29975688,  -0.272574131, 0.43839995,  -0.346711552, 0.0141693232,
        -0.299495897, -0.715659475, -0.488506273, 0.93485945, -0.0984818017, -0.201762818,
        0.196963603,  -0.467429725, 0.596472343,  1.43131895,  0.149747948,  0.0937967475,
        0.693423103,  -0.219199975, 0.380540202,  -2.59951376, 0.397977698,  -0.122135394};
    static const double dgamma_torch[CH] = {4.31170687, 4.31170687, -3.48458239};
    static const double dbeta_torch[CH] = {-1.5, 1.5, 1};
    static const double mean_torch[CH] = {-0.005, 0.0025, -0.000625};
    static const double var_biased[CH] = {1.0034375, 1.0034375, 1.00808594};
    static Bn b;
    bn_init(&b, CH, S, 0.99f, 0.001f, 1);
    const float gamma[CH] = {1.5f, 0.75f, -0.5f}, beta[CH] = {0.25f, -1.0f, 0.5f};
    memcpy(b.gamma, gamma, sizeof gamma);
    memcpy(b.beta, beta, sizeof beta);
    float x[N], g[N], y[N], dx[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)((i * 37) % 17 - 8) / 4;
        g[i] = (float)((i * 13) % 7 - 3) / 2;
    }
    LrTensor xt = tensor_view(x, ROWS, S * CH), yt = tensor_view(y, ROWS, S * CH);
    LrTensor gt = tensor_view(g, ROWS, S * CH), dxt = tensor_view(dx, ROWS, S * CH);
    b.l.ops->forward(&b.l, &xt, &yt, true);
    b.l.ops->backward(&b.l, &xt, &yt, &gt, &dxt);
    for (int i = 0; i < N; i++) {
        assert_close(y[i], y_torch[i], 2e-6);
        assert_close(dx[i], dx_torch[i], 2e-6);
    }
    for (int c = 0; c < CH; c++) {
        assert_close(b.dgamma[c], dgamma_torch[c], 2e-6);
        assert_close(b.dbeta[c], dbeta_torch[c], 2e-6);
        assert_close(b.mm[c], mean_torch[c], 1e-7);
        assert_close(b.mv[c], var_biased[c], 1e-6);
    }
}

static void test_batchnorm__name_is_keras(void **state)
{
    (void)state;
    assert_string_equal(layer_batchnorm_ops.name, "batch_normalization");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batchnorm__name_is_keras),
        cmocka_unit_test(test_batchnorm__training_forward_images),
        cmocka_unit_test(test_batchnorm__training_forward_dense),
        cmocka_unit_test(test_batchnorm__moving_averages_and_inference),
        cmocka_unit_test(test_batchnorm__backward_images_matches_finite_differences),
        cmocka_unit_test(test_batchnorm__backward_dense_matches_finite_differences),
        cmocka_unit_test(test_batchnorm__same_bytes_on_any_thread_count),
        cmocka_unit_test(test_batchnorm__matches_pytorch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
