/* test_shards.c — what lets a shard's backward write its own slot of
 * gradients (train.c's step, plan->shard_grads): layer_move_gradients
 * points the layers' gradient views from one buffer at the same places of
 * another, so that backward writes there, the right values (by hand),
 * the buffer left behind untouched, and moving back restores the views;
 * a layer without parameters keeps none. The sum of the slots is
 * test_dist's. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "layer.h"
#include "layers.h"

/* Two dense layers (3 -> 2 with an l2 penalty, 2 -> 1) and one without
 * parameters between them, their gradients side by side in a buffer of
 * PARAMS floats, as layer_bind lays them out: kernel, then bias. */
enum { PARAMS = 3 * 2 + 2 + 2 * 1 + 1 };

typedef struct Model {
    float params[PARAMS];
    LrLayer layers[3];
} Model;

static void model_init(Model *m, float *grads)
{
    for (int i = 0; i < PARAMS; i++)
        m->params[i] = (float)(i + 1);
    memset(m->layers, 0, sizeof m->layers);
    LrLayer *a = &m->layers[0], *c = &m->layers[2];
    *a = (LrLayer){.ops = &layer_dense_ops, .in = 3, .out = 2, .activation = ACT_LINEAR,
                   .l2 = 0.5f};
    a->weight = tensor_view(m->params, 3, 2);
    a->bias = tensor_view(m->params + 6, 1, 2);
    a->dweight = tensor_view(grads, 3, 2);
    a->dbias = tensor_view(grads + 6, 1, 2);
    *c = (LrLayer){.ops = &layer_dense_ops, .in = 2, .out = 1, .activation = ACT_LINEAR};
    c->weight = tensor_view(m->params + 8, 2, 1);
    c->bias = tensor_view(m->params + 10, 1, 1);
    c->dweight = tensor_view(grads + 8, 2, 1);
    c->dbias = tensor_view(grads + 10, 1, 1);
}

/* Both dense layers' backward on fixed inputs and output gradients. */
static void backward_both(Model *m)
{
    float x1[] = {1, 2, 3, -1, 0, 2}, y1[4] = {0}, dy1[] = {1, -1, 2, 0.5f};
    float x2[] = {1, 2, 3, 4}, y2[2] = {0}, dy2[] = {1, -1};
    LrTensor x1t = tensor_view(x1, 2, 3), y1t = tensor_view(y1, 2, 2),
             dy1t = tensor_view(dy1, 2, 2);
    LrTensor x2t = tensor_view(x2, 2, 2), y2t = tensor_view(y2, 2, 1),
             dy2t = tensor_view(dy2, 2, 1);
    m->layers[0].ops->backward(&m->layers[0], &x1t, &y1t, &dy1t, NULL);
    m->layers[2].ops->backward(&m->layers[2], &x2t, &y2t, &dy2t, NULL);
}

static void test_shards__backward_writes_the_slot_it_is_moved_to(void **state)
{
    (void)state;
    float grads[PARAMS], slot[PARAMS];
    Model m;
    model_init(&m, grads);
    const LrTensor before = m.layers[0].dweight;
    for (int i = 0; i < PARAMS; i++)
        grads[i] = slot[i] = -99.0f;
    for (int i = 0; i < 3; i++)
        layer_move_gradients(&m.layers[i], grads, slot);
    /* The views keep their shapes; the middle layer has none. */
    assert_ptr_equal(m.layers[0].dweight.data, slot);
    assert_ptr_equal(m.layers[2].dbias.data, slot + 10);
    assert_int_equal(m.layers[0].dweight.rows, 3);
    assert_int_equal(m.layers[0].dweight.cols, 2);
    assert_int_equal(m.layers[0].dweight.ld, before.ld);
    assert_null(m.layers[1].dweight.data);
    assert_null(m.layers[1].dbias.data);
    backward_both(&m);
    /* dW = x^T dy (+ 2 l2 W = W for the first), db = dy's column sums. */
    const float want[PARAMS] = {-1 + 1, -1.5f + 2, 2 + 3, -2 + 4, 7 + 5, -2 + 6,
                                3,      -0.5f,     -2,    -2,     0};
    assert_memory_equal(slot, want, sizeof want);
    for (int i = 0; i < PARAMS; i++)
        assert_true(grads[i] == -99.0f);
    /* And back: the next shard's backward writes grads again. */
    for (int i = 0; i < 3; i++)
        layer_move_gradients(&m.layers[i], slot, grads);
    assert_ptr_equal(m.layers[0].dweight.data, grads);
    assert_ptr_equal(m.layers[2].dweight.data, grads + 8);
    assert_null(m.layers[1].dweight.data);
    backward_both(&m);
    assert_memory_equal(grads, want, sizeof want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards__backward_writes_the_slot_it_is_moved_to),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
