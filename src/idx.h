/* idx.h — a reader of IDX files (the format of MNIST and Fashion-MNIST):
 * two zero bytes, an element type byte, a rank byte, rank big-endian
 * 32-bit sizes, then the values big-endian in row-major order. A file may
 * be gzip-compressed: zlib reads it (and a plain file through the same
 * calls: gzread passes bytes that do not begin with gzip's magic 1f 8b
 * through unchanged). It knows nothing of data sets: data.c turns images
 * and labels into one.
 *
 * Opening reads only the header (and, for a plain file, compares its size
 * with what the sizes need), so `lrc check` inflates nothing but the first
 * block of a compressed file.
 *
 * Limits: rank 1 to IDX_MAX_RANK; at most IDX_MAX_VALUES values in all. */
#ifndef LR_IDX_H
#define LR_IDX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDX_MAX_RANK 4
#define IDX_MAX_VALUES ((int64_t)1 << 31)

/* The element types IDX defines, by their type byte. */
typedef enum LrIdxType {
    IDX_U8 = 0x08,
    IDX_I8 = 0x09,
    IDX_I16 = 0x0B,
    IDX_I32 = 0x0C,
    IDX_F32 = 0x0D,
    IDX_F64 = 0x0E
} LrIdxType;

typedef struct LrIdx {
    void *gz;            /* zlib's gzFile */
    LrIdxType type;
    int rank;
    int64_t dims[IDX_MAX_RANK];
    int64_t count;       /* the product of dims: the values of the file */
    int64_t done;        /* values read so far */
    bool compressed;
} LrIdx;

/* What idx_open found wrong. */
enum { IDX_CANNOT_OPEN = -1, IDX_BAD_FORMAT = -2 };

/* Opens path and reads its header. Returns 0, or IDX_CANNOT_OPEN (the
 * reason from errno in why) or IDX_BAD_FORMAT (why says what: not IDX, an
 * element type IDX does not define, a rank out of range, sizes past the
 * limit, a plain file shorter than its sizes need, a damaged gzip header);
 * why is a phrase to follow the file's name ("is not an IDX file: ...").
 * Nothing needs closing after an error. */
int idx_open(LrIdx *f, const char *path, char *why, size_t why_size);

/* Reads the next n values (n <= count - done), each converted to double,
 * divided by scale and rounded to float, into out. Returns 0, or -1 with
 * why saying what went wrong (the file ends early; zlib's message for a
 * corrupt stream; a read error). */
int idx_read(LrIdx *f, float *out, int64_t n, double scale, char *why, size_t why_size);

/* Passes over the next n values (n <= count - done) without reading them
 * into memory: a share's rows begin further on. Returns 0, or -1 with why. */
int idx_skip(LrIdx *f, int64_t n, char *why, size_t why_size);

/* Closes f; safe on one idx_open failed to open. */
void idx_close(LrIdx *f);

/* The bytes of one value of type, or 0 for a byte that is not a type. */
int idx_type_size(int type);
/* The name of type ("u8", "f32"); "?" for another byte. */
const char *idx_type_name(int type);
/* Whether type holds integers. */
bool idx_type_is_integer(int type);
/* "[60000, 28, 28]" of f's sizes into buf. */
void idx_describe_dims(const LrIdx *f, char *buf, size_t size);

#endif
