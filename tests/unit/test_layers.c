/* test_layers.c — the parameterless layers and softmax: the softmax
 * activation against its definition (stable at large logits) and its
 * backward against central finite differences; the activation layer's
 * forward and backward for every activation against a double-precision
 * reference, and its from_logits pass-through; inverted dropout's
 * statistics (fraction dropped, scaling), its identity at inference, its
 * draw order and reproducibility, and its backward with a fixed mask. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "layer.h"


/* A tiny deterministic generator for test data, independent of rng.c. */
static double lcg_uniform(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (*s >> 8) * (1.0 / 16777216.0);
}

enum { B = 3, C = 4 };

/* L = sum_ij G_ij act(x)_ij: dL/dy = G. */
static double ref_loss(LrActivation act, const double *x, const double *g)
{
    double total = 0;
    for (int i = 0; i < B; i++) {
        double y[C];
        activation_ref(act, &x[i * C], y, C);
        for (int j = 0; j < C; j++)
            total += g[i * C + j] * y[j];
    }
    return total;
}

/* d ref_loss / d x[i] by central differences; x is left as it was. */
static double ref_loss_slope(LrActivation act, double *x, const double *g, int i)
{
    const double h = 1e-6, keep = x[i];
    x[i] = keep + h;
    double up = ref_loss(act, x, g);
    x[i] = keep - h;
    double down = ref_loss(act, x, g);
    x[i] = keep;
    return (up - down) / (2 * h);
}

/* ------------------------------------------------------------------------
 * Softmax */

static void test_layers__softmax_matches_definition_and_is_stable(void **state)
{
    (void)state;
    /* Rows: ordinary values; logits +-1000 where exp would overflow; a tie;
     * one row of equal values (uniform). */
    float v[4][C] = {{1, 2, 3, 4}, {1000, 999, -1000, 0}, {-1000, -1000, -1001, -1200},
                     {5, 5, 5, 5}};
    float y[4][C];
    memcpy(y, v, sizeof v);
    LrTensor t = tensor_view(&y[0][0], 4, C);
    activation_forward(ACT_SOFTMAX, 0, false, &t);
    for (int i = 0; i < 4; i++) {
        double z[C], want[C], sum = 0;
        for (int j = 0; j < C; j++)
            z[j] = v[i][j];
        activation_ref(ACT_SOFTMAX, z, want, C);
        for (int j = 0; j < C; j++) {
            assert_true(isfinite(y[i][j]));
            assert_close(y[i][j], want[j], 1e-7);
            sum += y[i][j];
        }
        assert_close(sum, 1.0, 1e-6);
    }
    /* Hand values: softmax(1, 2, 3, 4)_4 = 1 / (1 + e^-1 + e^-2 + e^-3). */
    assert_close(y[0][3], 1.0 / (1 + exp(-1.0) + exp(-2.0) + exp(-3.0)), 1e-7);
    /* 1000 vs 999: e / (e + 1); the others underflow to 0. */
    assert_close(y[1][0], exp(1.0) / (exp(1.0) + 1), 1e-7);
    assert_true(y[1][2] == 0.0f);
    assert_close(y[2][0], 1.0 / (2 + exp(-1.0)), 1e-7);
    assert_close(y[3][2], 0.25, 0);
}

static void test_layers__softmax_backward_matches_finite_differences(void **state)
{
    (void)state;
    uint32_t seed = 5u;
    float y[B * C], g[B * C];
    double xd[B * C], gd[B * C];
    for (int i = 0; i < B * C; i++) {
        xd[i] = y[i] = (float)(6 * lcg_uniform(&seed) - 3);
        gd[i] = g[i] = (float)(2 * lcg_uniform(&seed) - 1);
    }
    LrTensor yt = tensor_view(y, B, C), gt = tensor_view(g, B, C);
    activation_forward(ACT_SOFTMAX, 0, false, &yt);
    activation_backward(ACT_SOFTMAX, 0, false, NULL, &yt, &gt);
    for (int i = 0; i < B * C; i++)
        assert_close(g[i], ref_loss_slope(ACT_SOFTMAX, xd, gd, i), 1e-6);
}

/* ------------------------------------------------------------------------
 * Activation layer */

static LrLayer activation_layer(LrActivation act)
{
    LrLayer l = {.ops = &layer_activation_ops, .in = C, .out = C, .activation = act};
    return l;
}

static void check_activation_layer(LrActivation act)
{
    uint32_t seed = 77u + (uint32_t)act;
    float x[B * C], g[B * C], y[B * C], dx[B * C];
    double xd[B * C], gd[B * C];
    for (int i = 0; i < B * C; i++) {
        double v = 4 * lcg_uniform(&seed) - 2;
        if (fabs(v) < 0.05) /* away from relu's kink */
            v += 0.25;
        xd[i] = x[i] = (float)v;
        gd[i] = g[i] = (float)(2 * lcg_uniform(&seed) - 1);
    }
    float x0[B * C];
    memcpy(x0, x, sizeof x);
    LrLayer l = activation_layer(act);
    LrTensor xt = tensor_view(x, B, C), yt = tensor_view(y, B, C);
    LrTensor gt = tensor_view(g, B, C), dxt = tensor_view(dx, B, C);
    l.ops->forward(&l, &xt, &yt, true);
    assert_memory_equal(x, x0, sizeof x); /* the input is left alone */
    for (int i = 0; i < B; i++) {
        double want[C];
        activation_ref(act, &xd[i * C], want, C);
        for (int j = 0; j < C; j++)
            assert_close(y[i * C + j], want[j], 1e-6);
    }
    l.ops->backward(&l, &xt, &yt, &gt, &dxt);
    for (int i = 0; i < B * C; i++)
        assert_close_rel(dx[i], ref_loss_slope(act, xd, gd, i), 1e-5, 1);
}

static void test_layers__activation_layer_matches_finite_differences(void **state)
{
    (void)state;
    LrLayer l = activation_layer(ACT_RELU);
    assert_string_equal(l.ops->name, "activation");
    check_activation_layer(ACT_LINEAR);
    check_activation_layer(ACT_RELU);
    check_activation_layer(ACT_SIGMOID);
    check_activation_layer(ACT_TANH);
    check_activation_layer(ACT_SOFTMAX);
}

static void test_layers__activation_layer_from_logits_passes_through(void **state)
{
    (void)state;
    float x[] = {-3, 0.5f, 7, 100}, y[4], g[] = {1, -2, 3, -4}, dx[4];
    LrLayer l = activation_layer(ACT_SOFTMAX);
    l.from_logits = true;
    LrTensor xt = tensor_view(x, 1, 4), yt = tensor_view(y, 1, 4);
    LrTensor gt = tensor_view(g, 1, 4), dxt = tensor_view(dx, 1, 4);
    l.ops->forward(&l, &xt, &yt, true);
    assert_memory_equal(y, x, sizeof x);
    l.ops->backward(&l, &xt, &yt, &gt, &dxt);
    float want[] = {1, -2, 3, -4};
    assert_memory_equal(dx, want, sizeof want);
}

/* ------------------------------------------------------------------------
 * Dropout */

enum { ROWS = 200, COLS = 500, N = ROWS * COLS };

typedef struct DropoutFixture {
    float *x, *y, *mask, *g, *dx;
} DropoutFixture;

static int dropout_setup(void **state)
{
    DropoutFixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->x = malloc(N * sizeof(float));
    f->y = malloc(N * sizeof(float));
    f->mask = malloc(N * sizeof(float));
    f->g = malloc(N * sizeof(float));
    f->dx = malloc(N * sizeof(float));
    *state = f;
    if (!f->x || !f->y || !f->mask || !f->g || !f->dx)
        return -1;
    uint32_t seed = 31u;
    for (int i = 0; i < N; i++) {
        f->x[i] = (float)(lcg_uniform(&seed) + 0.5); /* nonzero: a zero y means dropped */
        f->g[i] = (float)(2 * lcg_uniform(&seed) - 1);
    }
    return 0;
}

static int dropout_teardown(void **state)
{
    DropoutFixture *f = *state;
    if (f) {
        free(f->x);
        free(f->y);
        free(f->mask);
        free(f->g);
        free(f->dx);
        free(f);
    }
    return 0;
}

static LrLayer dropout_layer(float rate, float *mask, int rows, LrRng *rng)
{
    LrLayer l = {
        .ops = &layer_dropout_ops,
        .in = COLS,
        .out = COLS,
        .rate = rate,
        .mask = tensor_view(mask, rows, COLS),
        .rng = rng,
    };
    return l;
}

static void test_layers__dropout_drops_rate_and_scales_kept(void **state)
{
    DropoutFixture *f = *state;
    static const float rates[] = {0.1f, 0.3f, 0.5f, 0.8f};
    for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
        const float rate = rates[r];
        LrRng rng;
        rng_seed(&rng, 7 + r, RNG_STREAM_DROPOUT);
        LrLayer l = dropout_layer(rate, f->mask, ROWS, &rng);
        assert_string_equal(l.ops->name, "dropout");
        LrTensor xt = tensor_view(f->x, ROWS, COLS), yt = tensor_view(f->y, ROWS, COLS);
        l.ops->forward(&l, &xt, &yt, true);
        /* Inverted dropout: kept elements are x / (1 - rate). */
        const float scale = (float)(1.0 / (1.0 - (double)rate));
        size_t dropped = 0;
        for (int i = 0; i < N; i++) {
            if (f->y[i] == 0.0f) {
                dropped++;
                assert_true(f->mask[i] == 0.0f);
            } else {
                assert_true(f->mask[i] == scale);
                assert_close_rel(f->y[i], f->x[i] / (1.0 - rate), 1e-6, 0);
            }
        }
        /* Binomial: SE sqrt(rate (1 - rate) / N) <= 1.6e-3; 5 SE. */
        assert_close((double)dropped / N, rate, 8e-3);
    }
}

static void test_layers__dropout_mask_follows_stream_draws(void **state)
{
    DropoutFixture *f = *state;
    /* Element (i, j) keeps iff the (i * cols + j)-th rng_uniform() of the
     * stream is < 1 - rate: the same seed gives the same mask, and the
     * stream ends where an independent replay of N draws ends. */
    const float rate = 0.25f;
    LrRng a, replay;
    rng_seed(&a, 99, RNG_STREAM_DROPOUT);
    replay = a;
    LrLayer l = dropout_layer(rate, f->mask, ROWS, &a);
    LrTensor xt = tensor_view(f->x, ROWS, COLS), yt = tensor_view(f->y, ROWS, COLS);
    l.ops->forward(&l, &xt, &yt, true);
    for (int i = 0; i < N; i++)
        assert_true((f->mask[i] != 0.0f) == (rng_uniform(&replay) < 0.75));
    assert_memory_equal(a.s, replay.s, sizeof a.s);

    /* Same seed, second layer: the same mask. The next step: another. */
    float *first = malloc(N * sizeof(float));
    assert_non_null(first);
    memcpy(first, f->mask, N * sizeof(float));
    LrRng b;
    rng_seed(&b, 99, RNG_STREAM_DROPOUT);
    LrLayer l2 = dropout_layer(rate, f->mask, ROWS, &b);
    l2.ops->forward(&l2, &xt, &yt, true);
    assert_memory_equal(f->mask, first, N * sizeof(float));
    l2.ops->forward(&l2, &xt, &yt, true);
    assert_true(memcmp(f->mask, first, N * sizeof(float)) != 0);
    free(first);
}

static void test_layers__dropout_inference_and_rate_zero_are_identity(void **state)
{
    DropoutFixture *f = *state;
    LrRng rng, before;
    rng_seed(&rng, 3, RNG_STREAM_DROPOUT);
    before = rng;
    LrTensor xt = tensor_view(f->x, ROWS, COLS), yt = tensor_view(f->y, ROWS, COLS);
    LrTensor gt = tensor_view(f->g, ROWS, COLS), dxt = tensor_view(f->dx, ROWS, COLS);

    LrLayer l = dropout_layer(0.5f, f->mask, ROWS, &rng);
    l.ops->forward(&l, &xt, &yt, false);
    assert_memory_equal(f->y, f->x, N * sizeof(float));
    assert_memory_equal(rng.s, before.s, sizeof rng.s); /* nothing drawn */

    /* rate 0: identity both ways, nothing drawn, no mask needed. */
    LrLayer z = dropout_layer(0.0f, NULL, 0, &rng);
    memset(f->y, 0, N * sizeof(float));
    z.ops->forward(&z, &xt, &yt, true);
    assert_memory_equal(f->y, f->x, N * sizeof(float));
    z.ops->backward(&z, &xt, &yt, &gt, &dxt);
    assert_memory_equal(f->dx, f->g, N * sizeof(float));
    assert_memory_equal(rng.s, before.s, sizeof rng.s);
}

static void test_layers__dropout_backward_matches_finite_differences(void **state)
{
    DropoutFixture *f = *state;
    /* With the mask m of the training forward fixed, the layer is
     * y = x * m; L = sum G y in double has dL/dx = G m. */
    enum { R = 4, K = 6 };
    float mask[R * K];
    LrRng rng;
    rng_seed(&rng, 5, RNG_STREAM_DROPOUT);
    LrLayer l = dropout_layer(0.4f, mask, R, &rng);
    l.in = l.out = K;
    l.mask = tensor_view(mask, R, K);
    float x[R * K], y[R * K], g[R * K], dx[R * K];
    double xd[R * K], gd[R * K];
    for (int i = 0; i < R * K; i++) {
        xd[i] = x[i] = f->x[i];
        gd[i] = g[i] = f->g[i];
    }
    LrTensor xt = tensor_view(x, R, K), yt = tensor_view(y, R, K);
    LrTensor gt = tensor_view(g, R, K), dxt = tensor_view(dx, R, K);
    l.ops->forward(&l, &xt, &yt, true);
    int kept = 0;
    for (int i = 0; i < R * K; i++)
        kept += mask[i] != 0.0f;
    assert_true(kept > 0 && kept < R * K);
    l.ops->backward(&l, &xt, &yt, &gt, &dxt);
    const double h = 1e-6;
    for (int i = 0; i < R * K; i++) {
        double keep = xd[i], side[2];
        for (int s = 0; s < 2; s++) {
            xd[i] = s == 0 ? keep + h : keep - h;
            side[s] = 0;
            for (int k = 0; k < R * K; k++)
                side[s] += gd[k] * xd[k] * (double)mask[k];
        }
        xd[i] = keep;
        assert_close(dx[i], (side[0] - side[1]) / (2 * h), 1e-6);
    }
}

static void test_layers__dropout_short_batch_uses_first_rows(void **state)
{
    DropoutFixture *f = *state;
    /* Buffers sized for 8 rows, a batch of 3: the spare rows of y, mask and
     * dx stay untouched, and exactly 3 * COLS draws are made. */
    enum { CAP = 8, N3 = 3 };
    const float SENTINEL = -7.0f;
    for (int i = 0; i < CAP * COLS; i++)
        f->y[i] = f->mask[i] = f->dx[i] = SENTINEL;
    LrRng rng, replay;
    rng_seed(&rng, 11, RNG_STREAM_DROPOUT);
    replay = rng;
    LrLayer l = dropout_layer(0.5f, f->mask, CAP, &rng);
    LrTensor xt = tensor_view(f->x, N3, COLS), yt = tensor_view(f->y, CAP, COLS);
    LrTensor gt = tensor_view(f->g, CAP, COLS), dxt = tensor_view(f->dx, CAP, COLS);
    l.ops->forward(&l, &xt, &yt, true);
    l.ops->backward(&l, &xt, &yt, &gt, &dxt);
    for (int i = N3 * COLS; i < CAP * COLS; i++)
        assert_true(f->y[i] == SENTINEL && f->mask[i] == SENTINEL && f->dx[i] == SENTINEL);
    for (int i = 0; i < N3 * COLS; i++) {
        assert_true(f->mask[i] == 0.0f || f->mask[i] == 2.0f);
        assert_true(f->dx[i] == f->g[i] * f->mask[i]);
    }
    for (int i = 0; i < N3 * COLS; i++)
        rng_uniform(&replay);
    assert_memory_equal(rng.s, replay.s, sizeof rng.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers__softmax_matches_definition_and_is_stable),
        cmocka_unit_test(test_layers__softmax_backward_matches_finite_differences),
        cmocka_unit_test(test_layers__activation_layer_matches_finite_differences),
        cmocka_unit_test(test_layers__activation_layer_from_logits_passes_through),
        cmocka_unit_test_setup_teardown(test_layers__dropout_drops_rate_and_scales_kept,
                                        dropout_setup, dropout_teardown),
        cmocka_unit_test_setup_teardown(test_layers__dropout_mask_follows_stream_draws,
                                        dropout_setup, dropout_teardown),
        cmocka_unit_test_setup_teardown(test_layers__dropout_inference_and_rate_zero_are_identity,
                                        dropout_setup, dropout_teardown),
        cmocka_unit_test_setup_teardown(test_layers__dropout_backward_matches_finite_differences,
                                        dropout_setup, dropout_teardown),
        cmocka_unit_test_setup_teardown(test_layers__dropout_short_batch_uses_first_rows,
                                        dropout_setup, dropout_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
