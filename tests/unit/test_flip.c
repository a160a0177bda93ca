/* random_flip: in training each image is its mirror left-right and/or
 * top-bottom exactly where the dropout stream's draws fall below 1/2 (one
 * draw per flip the mode allows, image by image, recomputed here from a
 * twin stream); outside training it is the identity; backward mirrors the
 * gradient back the same way (checked against the definition: the
 * gradient of sum(g * y) with respect to x). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "layer.h"
#include "layers.h"
#include "rng.h"

enum { H = 3, W = 4, C = 2, N = 16, ROW = H * W * C };

static float at(const float *img, int y, int x, int c)
{
    return img[(y * W + x) * C + c];
}

static LrLayer flip_layer(LrFlipMode mode, float *mask, LrRng *rng)
{
    LrLayer l = {.ops = &layer_random_flip_ops, .in = ROW, .out = ROW, .flip = mode, .rng = rng};
    l.in_shape = (LrShape){3, {H, W, C}};
    l.out_shape = l.in_shape;
    l.mask = tensor_view(mask, N, 2);
    return l;
}

static void fill(float *x)
{
    for (int i = 0; i < N * ROW; i++)
        x[i] = (float)i * 0.25f - 7.0f;
}

static float x[N * ROW], y[N * ROW], mask[N * 2];

/* The layer's forward of fill()'s images into y, its draws from *rng
 * seeded with seed; *twin is that stream as it started. */
static LrLayer forward_flip(LrFlipMode mode, bool training, uint64_t seed, LrRng *rng,
                            LrRng *twin)
{
    fill(x);
    rng_seed(rng, seed, RNG_STREAM_DROPOUT);
    *twin = *rng;
    LrLayer l = flip_layer(mode, mask, rng);
    LrTensor xt = tensor_view(x, N, ROW), yt = tensor_view(y, N, ROW);
    l.ops->forward(&l, &xt, &yt, training);
    return l;
}

static void check_mode(LrFlipMode mode)
{
    LrRng rng, twin;
    LrLayer l = forward_flip(mode, true, 7, &rng, &twin);
    int flipped[2] = {0, 0};
    for (int i = 0; i < N; i++) {
        bool lr = mode != FLIP_VERTICAL && rng_uniform(&twin) < 0.5;
        bool tb = mode != FLIP_HORIZONTAL && rng_uniform(&twin) < 0.5;
        flipped[0] += lr;
        flipped[1] += tb;
        for (int yy = 0; yy < H; yy++)
            for (int xx = 0; xx < W; xx++)
                for (int c = 0; c < C; c++)
                    assert_true(at(y + i * ROW, yy, xx, c) ==
                                at(x + i * ROW, tb ? H - 1 - yy : yy, lr ? W - 1 - xx : xx, c));
    }
    /* The layer drew exactly what layer_draws says, no more. */
    assert_int_equal(layer_draws(&l), mode == FLIP_BOTH ? 2 : 1);
    assert_true(rng_next(&rng) == rng_next(&twin));
    /* 16 images: some flipped, some not, where the mode allows. */
    if (mode != FLIP_VERTICAL)
        assert_true(flipped[0] > 0 && flipped[0] < N);
    else
        assert_int_equal(flipped[0], 0);
    if (mode != FLIP_HORIZONTAL)
        assert_true(flipped[1] > 0 && flipped[1] < N);
    else
        assert_int_equal(flipped[1], 0);

    /* Backward: y = P x for a permutation P, so dL/dx = P^T g, i.e.
     * dx[src] = g[dst] for each element moved from src to dst. */
    static float g[N * ROW], dx[N * ROW];
    for (int i = 0; i < N * ROW; i++)
        g[i] = (float)((i * 37) % 101) - 50.0f;
    LrTensor xt = tensor_view(x, N, ROW), yt = tensor_view(y, N, ROW);
    LrTensor gt = tensor_view(g, N, ROW), dxt = tensor_view(dx, N, ROW);
    l.ops->backward(&l, &xt, &yt, &gt, &dxt);
    for (int i = 0; i < N; i++) {
        bool lr = mask[2 * i] != 0.0f, tb = mask[2 * i + 1] != 0.0f;
        for (int yy = 0; yy < H; yy++)
            for (int xx = 0; xx < W; xx++)
                for (int c = 0; c < C; c++)
                    assert_true(at(dx + i * ROW, tb ? H - 1 - yy : yy, lr ? W - 1 - xx : xx, c) ==
                                at(g + i * ROW, yy, xx, c));
    }
}

static void test_flip__horizontal_mirrors_where_the_draws_say(void **state)
{
    (void)state;
    check_mode(FLIP_HORIZONTAL);
}

static void test_flip__vertical_mirrors_where_the_draws_say(void **state)
{
    (void)state;
    check_mode(FLIP_VERTICAL);
}

static void test_flip__both_draw_twice_per_image(void **state)
{
    (void)state;
    check_mode(FLIP_BOTH);
}

static void test_flip__inference_is_the_identity_and_draws_nothing(void **state)
{
    (void)state;
    LrRng rng, twin;
    forward_flip(FLIP_BOTH, false, 3, &rng, &twin);
    assert_memory_equal(x, y, sizeof x);
    assert_true(rng_next(&rng) == rng_next(&twin));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flip__horizontal_mirrors_where_the_draws_say),
        cmocka_unit_test(test_flip__vertical_mirrors_where_the_draws_say),
        cmocka_unit_test(test_flip__both_draw_twice_per_image),
        cmocka_unit_test(test_flip__inference_is_the_identity_and_draws_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
