/* safetensors.h — the safetensors format (Hugging Face): an 8-byte
 * little-endian header length N, N bytes of JSON header, then the raw
 * little-endian tensor bytes. The header maps each tensor name to
 * {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
 * the end of the header) and may hold "__metadata__": string to string.
 * Used for weights (model.safetensors, save/load) and checkpoints. */
#ifndef LR_SAFETENSORS_H
#define LR_SAFETENSORS_H
#include <stddef.h>
#include <stdint.h>

#include "json.h"

typedef enum LrDType { DTYPE_F32, DTYPE_F64, DTYPE_I64, DTYPE_U64 } LrDType;

#define ST_MAX_DIMS 4

typedef struct LrNamedTensor {
    const char *name;
    LrDType dtype;
    int ndim;
    int64_t shape[ST_MAX_DIMS];
    const void *data; /* shape's product elements of dtype */
} LrNamedTensor;

typedef struct LrMeta {
    const char *key, *value;
} LrMeta;

/* Writes the tensors (in the order given) and metadata to path atomically
 * (fileio.h). Returns 0, or -1 with a reason. */
int safetensors_write(const char *path, const LrNamedTensor *tensors, int count,
                      const LrMeta *meta, int meta_count, char *why, size_t why_size);

/* A file read whole and validated: the header parses, every tensor's dtype
 * is known, its offsets lie inside the data and match its shape, tensors
 * do not overlap. */
typedef struct LrSafetensors {
    char *path;        /* a copy, for messages */
    char *bytes;       /* the whole file */
    size_t size;
    const char *data;  /* start of the tensor bytes */
    size_t data_size;
    LrJson *header;
} LrSafetensors;

/* Opens and validates path (at most 4 GiB, header at most 100 MB); -1
 * with a reason naming the file and what is wrong ("'w.safetensors' is
 * truncated: header says 4096 bytes but the file has 92 after the 8-byte
 * length"). Dtypes known to the format but not to lrc (F16, ...) are
 * accepted here and refused by safetensors_read. safetensors_close is safe
 * after a failed open. */
int safetensors_open(LrSafetensors *st, const char *path, char *why, size_t why_size);
/* Copies tensor name into dest (converted to host byte order) after
 * checking that it exists with this dtype and exactly this shape; -1 with a
 * reason ("'w.safetensors': tensor 'dense/kernel' has shape [3, 2],
 * expected [3, 1]") otherwise. */
int safetensors_read(const LrSafetensors *st, const char *name, LrDType dtype, int ndim,
                     const int64_t *shape, void *dest, char *why, size_t why_size);
/* A metadata value, or NULL. */
const char *safetensors_meta(const LrSafetensors *st, const char *key);
void safetensors_close(LrSafetensors *st);

#endif
