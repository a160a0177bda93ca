/* layer_activation.c — an activation as a layer of its own (Keras's
 * Activation layer): y = act(x), no parameters. With from_logits the
 * activation is left to the loss and the layer passes x through. No
 * allocation. */
#include <assert.h>
#include <string.h>

#include "layer.h"

static void act_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    (void)training;
    LrTensor y = tensor_first_rows(out, x->rows);
    tensor_copy_rows(x, &y);
    if (!l->from_logits)
        activation_forward(l->activation, l->alpha, l->approximate, &y);
}

static void act_backward(LrLayer *l, const LrTensor *x, const LrTensor *out, LrTensor *dout,
                         LrTensor *dx)
{
    if (!dx)
        return;
    const int n = x->rows;
    LrTensor y = tensor_first_rows(out, n);
    LrTensor dy = tensor_first_rows(dout, n);
    if (!l->from_logits)
        activation_backward(l->activation, l->alpha, l->approximate, x, &y, &dy);
    LrTensor d = tensor_first_rows(dx, n);
    tensor_copy_rows(&dy, &d);
}

const LrLayerOps layer_activation_ops = {
    .name = "activation",
    .forward = act_forward,
    .backward = act_backward,
};
