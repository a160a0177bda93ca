/* layer_reshape.c — flatten and reshape (Keras's Flatten, Reshape): a
 * channels-last row is the same floats whatever the shape it is read as,
 * so both copy their input to their output, and the gradient back. No
 * allocation. */
#include "layer.h"

static void copy_forward(LrLayer *l, const LrTensor *x, LrTensor *out, bool training)
{
    (void)l;
    (void)training;
    tensor_copy_rows(x, out);
}

static void copy_backward(LrLayer *l, const LrTensor *x, const LrTensor *y, LrTensor *dout,
                          LrTensor *dx)
{
    (void)l;
    (void)y;
    if (!dx)
        return;
    LrTensor dy = tensor_first_rows(dout, x->rows);
    tensor_copy_rows(&dy, dx);
}

const LrLayerOps layer_flatten_ops = {
    .name = "flatten",
    .forward = copy_forward,
    .backward = copy_backward,
};

const LrLayerOps layer_reshape_ops = {
    .name = "reshape",
    .forward = copy_forward,
    .backward = copy_backward,
};
