/* tensor.h — a view of a row-major float matrix: data, rows, cols and the
 * leading dimension (distance between rows). Views own nothing; the Plan
 * owns every buffer. */
#ifndef LR_TENSOR_H
#define LR_TENSOR_H

typedef struct LrTensor {
    float *data;
    int rows, cols;
    int ld;
} LrTensor;

static inline LrTensor tensor_view(float *data, int rows, int cols)
{
    LrTensor t = {data, rows, cols, cols};
    return t;
}

#define TENSOR_AT(t, r, c) ((t).data[(size_t)(r) * (size_t)(t).ld + (size_t)(c)])

#endif
