/* tensor.h — a view of a row-major float matrix: data, rows, cols and the
 * leading dimension (distance between rows). Views own nothing; the Plan
 * owns every buffer. */
#ifndef LR_TENSOR_H
#define LR_TENSOR_H
#include <assert.h>
#include <stddef.h>
#include <string.h>

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

/* The first rows of t: buffers are sized for the largest batch while the
 * last batch of an epoch may be smaller. */
static inline LrTensor tensor_first_rows(const LrTensor *t, int rows)
{
    assert(rows <= t->rows);
    LrTensor v = *t;
    v.rows = rows;
    return v;
}

/* The block of t at (row, col) of rows x cols, same leading dimension. */
static inline LrTensor tensor_slice(const LrTensor *t, int row, int rows, int col, int cols)
{
    assert(row >= 0 && col >= 0 && row + rows <= t->rows && col + cols <= t->cols);
    LrTensor v = {t->data + (size_t)row * (size_t)t->ld + (size_t)col, rows, cols, t->ld};
    return v;
}

/* dst's first src->rows rows := src's (they may overlap: memmove). */
static inline void tensor_copy_rows(const LrTensor *src, LrTensor *dst)
{
    for (int i = 0; i < src->rows; i++)
        memmove(&TENSOR_AT(*dst, i, 0), &TENSOR_AT(*src, i, 0),
                (size_t)src->cols * sizeof(float));
}

#endif
