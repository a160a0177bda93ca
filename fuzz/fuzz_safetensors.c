/* fuzz_safetensors.c — libFuzzer harness for the safetensors reader
 * (safetensors.c, json.c), which reads model weights and checkpoints: the
 * input is written to a temporary file and opened; when it opens, the
 * metadata a checkpoint resume asks for is looked up, the tensors a resume
 * and a `load` read are read with the shapes they expect, and then every
 * tensor the header declares is read with its own dtype and shape (so that
 * fuzzed offsets reach the copy). Each read goes into a buffer of exactly
 * the size its shape asks for, so that AddressSanitizer sees a copy that
 * writes more. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "safetensors.h"

/* Declared tensors larger than this are not copied. */
enum { FUZZ_ST_MAX_BYTES = 1 << 16 };

/* Reads tensor name as dtype (bytes per element) and shape. */
static void read_exact(const LrSafetensors *st, const char *name, LrDType dtype, size_t bytes,
                       int ndim, const int64_t *shape)
{
    for (int i = 0; i < ndim; i++)
        bytes *= (size_t)shape[i];
    void *dest = malloc(bytes ? bytes : 1);
    if (!dest)
        return;
    char why[512];
    safetensors_read(st, name, dtype, ndim, shape, dest, why, sizeof why);
    free(dest);
}

static void touch_meta(const LrSafetensors *st, const char *key)
{
    const char *value = safetensors_meta(st, key);
    volatile size_t n = value ? strlen(value) : 0;
    (void)n;
}

static int parse_dtype(const char *s, LrDType *dtype, size_t *bytes)
{
    static const struct { const char *name; LrDType dtype; size_t bytes; } known[] = {
        {"F32", DTYPE_F32, 4}, {"F64", DTYPE_F64, 8}, {"I64", DTYPE_I64, 8}, {"U64", DTYPE_U64, 8}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(s, known[i].name) == 0) {
            *dtype = known[i].dtype;
            *bytes = known[i].bytes;
            return 0;
        }
    }
    return -1;
}

/* Reads every tensor of the header with the dtype and shape it declares. */
static void read_declared(const LrSafetensors *st)
{
    if (!st->header || st->header->kind != LR_JSON_OBJECT)
        return;
    for (const LrJson *m = st->header->first; m; m = m->next) {
        if (!m->key || strcmp(m->key, "__metadata__") == 0)
            continue;
        const LrJson *dt = json_get(m, "dtype"), *shape = json_get(m, "shape");
        LrDType dtype;
        size_t bytes;
        if (!dt || dt->kind != LR_JSON_STRING || parse_dtype(dt->string, &dtype, &bytes) < 0 ||
            !shape || shape->kind != LR_JSON_ARRAY || shape->count > ST_MAX_DIMS)
            continue;
        int64_t dims[ST_MAX_DIMS];
        int ndim = 0;
        size_t total = bytes;
        int fits = 1;
        for (const LrJson *d = shape->first; d && ndim < ST_MAX_DIMS; d = d->next) {
            if (d->kind != LR_JSON_NUMBER || !d->is_integer || d->integer < 0 ||
                d->integer > FUZZ_ST_MAX_BYTES) {
                fits = 0;
                break;
            }
            dims[ndim++] = d->integer;
            total *= (size_t)d->integer;
            if (total > FUZZ_ST_MAX_BYTES) {
                fits = 0;
                break;
            }
        }
        if (fits)
            read_exact(st, m->key, dtype, bytes, ndim, dims);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/lrc-fuzz-st-XXXXXX";
    if (fuzz_temp_write(path, data, size) < 0)
        return 0;
    LrSafetensors st;
    char why[512];
    if (safetensors_open(&st, path, why, sizeof why) == 0) {
        touch_meta(&st, "format");
        touch_meta(&st, "source");
        touch_meta(&st, "sets");
        const int64_t kernel[] = {3, 1}, bias[] = {1}, state[] = {17}, order[] = {10};
        read_exact(&st, "dense/kernel", DTYPE_F32, 4, 2, kernel);
        read_exact(&st, "dense/bias", DTYPE_F32, 4, 1, bias);
        read_exact(&st, "train/state", DTYPE_U64, 8, 1, state);
        read_exact(&st, "train/order", DTYPE_I64, 8, 1, order);
        read_declared(&st);
    }
    safetensors_close(&st);
    unlink(path);
    return 0;
}
