/* safetensors.c — writes and reads weights in the safetensors format, as
 * the Hugging Face reference implementation lays them out: an 8-byte
 * little-endian header length, a JSON header padded with spaces to a
 * multiple of 8 bytes, then the tensors' little-endian bytes in order.
 * A file from elsewhere is untrusted: it is validated whole when opened,
 * and every refusal names the file and what is wrong with it. */
#include "safetensors.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

/* The reference implementation's limit on the header (MAX_HEADER_SIZE). */
#define ST_MAX_HEADER 100000000u
/* Files are read whole; a larger one is not a weights file lrc wrote. */
#define ST_MAX_FILE (UINT64_C(4) << 30)

/* Every dtype of the format, so that a file holding, say, F16 tensors is
 * still validated (their offsets checked) and refused only when read. */
static const struct {
    const char *name;
    unsigned size;
    int lr; /* the LrDType, or -1 when lrc cannot use it */
} ST_DTYPES[] = {
    {"F32", 4, DTYPE_F32},  {"F64", 8, DTYPE_F64},  {"I64", 8, DTYPE_I64}, {"U64", 8, DTYPE_U64},
    {"BOOL", 1, -1},        {"U8", 1, -1},          {"I8", 1, -1},         {"F8_E5M2", 1, -1},
    {"F8_E4M3", 1, -1},     {"I16", 2, -1},         {"U16", 2, -1},        {"F16", 2, -1},
    {"BF16", 2, -1},        {"I32", 4, -1},         {"U32", 4, -1},
};
enum { ST_DTYPE_COUNT = sizeof ST_DTYPES / sizeof ST_DTYPES[0] };

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int st_fail(char *why, size_t why_size, const char *fmt, ...)
{
    if (why && why_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The index in ST_DTYPES of an LrDType (the first four rows). */
static int st_dtype_index(LrDType d)
{
    for (int i = 0; i < ST_DTYPE_COUNT; i++)
        if (ST_DTYPES[i].lr == (int)d)
            return i;
    return -1;
}

/* "[3, 2]"; "[]" for a scalar. */
static const char *st_format_shape(char *buf, size_t size, const int64_t *shape, int ndim)
{
    size_t n = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%" PRId64, i ? ", " : "", shape[i]);
    if (n < size)
        snprintf(buf + n, size - n, "]");
    return buf;
}

/* The file stores little-endian bytes; on a big-endian host each element
 * is reversed on the way in and out. Conversion is its own inverse. */
static bool st_host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

static void st_copy_le(void *dest, const void *src, size_t count, unsigned size)
{
    if (count == 0)
        return;
    if (st_host_is_little_endian() || size == 1) {
        memcpy(dest, src, count * size);
        return;
    }
    unsigned char *d = dest;
    const unsigned char *s = src;
    for (size_t i = 0; i < count; i++, d += size, s += size)
        for (unsigned j = 0; j < size; j++)
            d[j] = s[size - 1 - j];
}

/* Product of the dimensions times the element size, or -1 on overflow. */
static int st_byte_size(const int64_t *shape, int ndim, unsigned size, uint64_t *bytes)
{
    uint64_t n = size;
    for (int i = 0; i < ndim; i++) {
        uint64_t d = (uint64_t)shape[i];
        if (shape[i] < 0 || (d != 0 && n > UINT64_MAX / d))
            return -1;
        n *= d;
    }
    *bytes = n;
    return 0;
}

/* ======================================================================
 * Writing
 * ====================================================================== */

int safetensors_write(const char *path, const LrNamedTensor *tensors, int count,
                      const LrMeta *meta, int meta_count, char *why, size_t why_size)
{
    char shape_text[128];
    uint64_t total = 0;
    for (int i = 0; i < count; i++) {
        const LrNamedTensor *t = &tensors[i];
        int d = st_dtype_index(t->dtype);
        uint64_t bytes = 0;
        if (!t->name || strcmp(t->name, "__metadata__") == 0)
            return st_fail(why, why_size, "cannot write '%s': tensor %d has no usable name", path, i);
        if (d < 0)
            return st_fail(why, why_size, "cannot write '%s': tensor '%s' has an unknown dtype",
                           path, t->name);
        if (t->ndim < 0 || t->ndim > ST_MAX_DIMS)
            return st_fail(why, why_size, "cannot write '%s': tensor '%s' has %d dimensions (limit is %d)",
                           path, t->name, t->ndim, ST_MAX_DIMS);
        if (st_byte_size(t->shape, t->ndim, ST_DTYPES[d].size, &bytes) != 0 ||
            bytes > ST_MAX_FILE - total)
            return st_fail(why, why_size, "cannot write '%s': tensor '%s' has an invalid shape %s",
                           path, t->name, st_format_shape(shape_text, sizeof shape_text, t->shape, t->ndim));
        if (bytes > 0 && !t->data)
            return st_fail(why, why_size, "cannot write '%s': tensor '%s' has no data", path, t->name);
        for (int j = 0; j < i; j++)
            if (strcmp(tensors[j].name, t->name) == 0)
                return st_fail(why, why_size, "cannot write '%s': tensor '%s' appears twice", path,
                               t->name);
        total += bytes;
    }

    /* The header, in the reference's key order. */
    LrBuffer header = {0};
    LrJsonWriter w = {.out = &header};
    json_begin_object(&w);
    if (meta_count > 0) {
        json_key(&w, "__metadata__");
        json_begin_object(&w);
        for (int i = 0; i < meta_count; i++) {
            json_key(&w, meta[i].key);
            json_write_string(&w, meta[i].value);
        }
        json_end_object(&w);
    }
    uint64_t offset = 0;
    for (int i = 0; i < count; i++) {
        const LrNamedTensor *t = &tensors[i];
        uint64_t bytes = 0;
        st_byte_size(t->shape, t->ndim, ST_DTYPES[st_dtype_index(t->dtype)].size, &bytes);
        json_key(&w, t->name);
        json_begin_object(&w);
        json_key(&w, "dtype");
        json_write_string(&w, ST_DTYPES[st_dtype_index(t->dtype)].name);
        json_key(&w, "shape");
        json_begin_array(&w);
        for (int k = 0; k < t->ndim; k++)
            json_write_integer(&w, t->shape[k]);
        json_end_array(&w);
        json_key(&w, "data_offsets");
        json_begin_array(&w);
        json_write_integer(&w, (int64_t)offset);
        json_write_integer(&w, (int64_t)(offset + bytes));
        json_end_array(&w);
        json_end_object(&w);
        offset += bytes;
    }
    json_end_object(&w);
    /* Spaces up to a multiple of 8, so that the data starts 8-aligned. */
    while (!header.failed && header.length % 8 != 0)
        buffer_append(&header, " ", 1);

    /* The whole file in one allocation of its final size. */
    size_t file_size = 0;
    char *file = NULL;
    if (!header.failed && total <= (size_t)-1 - 8 - header.length) {
        file_size = 8 + header.length + (size_t)total;
        file = malloc(file_size);
    }
    if (!file) {
        buffer_free(&header);
        return st_fail(why, why_size, "cannot write '%s': out of memory", path);
    }
    for (int i = 0; i < 8; i++)
        file[i] = (char)(unsigned char)((uint64_t)header.length >> (8 * i));
    memcpy(file + 8, header.data, header.length);
    size_t at = 8 + header.length;
    for (int i = 0; i < count; i++) {
        const LrNamedTensor *t = &tensors[i];
        unsigned size = ST_DTYPES[st_dtype_index(t->dtype)].size;
        uint64_t n = 0;
        st_byte_size(t->shape, t->ndim, size, &n);
        st_copy_le(file + at, t->data, (size_t)(n / size), size);
        at += (size_t)n;
    }
    int rc = file_write_atomic(path, file, file_size, why, why_size);
    free(file);
    buffer_free(&header);
    return rc;
}

/* ======================================================================
 * Reading and validation
 * ====================================================================== */

/* One tensor's header entry, checked on its own. */
typedef struct StEntry {
    const char *name;
    int dtype; /* index in ST_DTYPES */
    int ndim;
    int64_t shape[ST_MAX_DIMS];
    uint64_t begin, end;
} StEntry;

static bool st_is_count(const LrJson *v)
{
    return v && v->kind == LR_JSON_NUMBER && v->is_integer && v->integer >= 0;
}

/* Checks a header member other than __metadata__ against the data size. */
static int st_parse_entry(const LrSafetensors *st, const LrJson *m, StEntry *e, char *why,
                          size_t why_size)
{
    const char *path = st->path, *name = m->key;
    memset(e, 0, sizeof *e);
    e->name = name;
    if (m->kind != LR_JSON_OBJECT)
        return st_fail(why, why_size, "'%s': tensor '%s' is not an object", path, name);

    const LrJson *dtype = json_get(m, "dtype");
    if (!dtype || dtype->kind != LR_JSON_STRING)
        return st_fail(why, why_size, "'%s': tensor '%s' has no dtype", path, name);
    e->dtype = -1;
    for (int i = 0; i < ST_DTYPE_COUNT; i++)
        if (strcmp(dtype->string, ST_DTYPES[i].name) == 0)
            e->dtype = i;
    if (e->dtype < 0)
        return st_fail(why, why_size, "'%s': tensor '%s' has unknown dtype '%s'", path, name,
                       dtype->string);

    const LrJson *shape = json_get(m, "shape");
    if (!shape || shape->kind != LR_JSON_ARRAY)
        return st_fail(why, why_size, "'%s': tensor '%s' has no shape", path, name);
    if (shape->count > ST_MAX_DIMS)
        return st_fail(why, why_size, "'%s': tensor '%s' has %d dimensions (limit is %d)", path,
                       name, shape->count, ST_MAX_DIMS);
    for (const LrJson *d = shape->first; d; d = d->next) {
        if (!st_is_count(d))
            return st_fail(why, why_size,
                           "'%s': tensor '%s' has an invalid shape (dimensions must be "
                           "non-negative integers)",
                           path, name);
        e->shape[e->ndim++] = d->integer;
    }
    uint64_t need;
    char shape_text[128];
    if (st_byte_size(e->shape, e->ndim, ST_DTYPES[e->dtype].size, &need) != 0)
        return st_fail(why, why_size, "'%s': tensor '%s' has shape %s, too large to address", path,
                       name, st_format_shape(shape_text, sizeof shape_text, e->shape, e->ndim));

    const LrJson *off = json_get(m, "data_offsets");
    if (!off || off->kind != LR_JSON_ARRAY || off->count != 2 || !st_is_count(off->first) ||
        !st_is_count(off->first->next))
        return st_fail(why, why_size,
                       "'%s': tensor '%s' has no valid data_offsets (expected [begin, end])", path,
                       name);
    e->begin = (uint64_t)off->first->integer;
    e->end = (uint64_t)off->first->next->integer;
    if (e->begin > e->end)
        return st_fail(why, why_size, "'%s': tensor '%s' has data_offsets [%" PRIu64 ", %" PRIu64
                       "] that end before they begin", path, name, e->begin, e->end);
    if (e->end > st->data_size)
        return st_fail(why, why_size, "'%s': tensor '%s' has data_offsets [%" PRIu64 ", %" PRIu64
                       "] beyond the %zu bytes of data", path, name, e->begin, e->end, st->data_size);
    if (e->end - e->begin != need)
        return st_fail(why, why_size, "'%s': tensor '%s' has data_offsets [%" PRIu64 ", %" PRIu64
                       "] (%" PRIu64 " bytes) but dtype %s and shape %s need %" PRIu64 " bytes",
                       path, name, e->begin, e->end, e->end - e->begin, ST_DTYPES[e->dtype].name,
                       st_format_shape(shape_text, sizeof shape_text, e->shape, e->ndim), need);
    return 0;
}

static int st_by_offset(const void *a, const void *b)
{
    const StEntry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* The whole-file checks after the header parsed: every entry, then no two
 * tensors sharing a byte. Two tensors of one name never get here: the
 * JSON reader refuses a key given twice. */
static int st_validate(LrSafetensors *st, char *why, size_t why_size)
{
    const char *path = st->path;
    if (st->header->kind != LR_JSON_OBJECT)
        return st_fail(why, why_size, "'%s': header is not a JSON object", path);
    StEntry *entries = malloc(((size_t)st->header->count + 1) * sizeof *entries);
    if (!entries)
        return st_fail(why, why_size, "'%s': out of memory", path);
    int n = 0, rc = 0;
    for (const LrJson *m = st->header->first; m && rc == 0; m = m->next) {
        if (strcmp(m->key, "__metadata__") != 0) {
            rc = st_parse_entry(st, m, &entries[n++], why, why_size);
            continue;
        }
        if (m->kind != LR_JSON_OBJECT) {
            rc = st_fail(why, why_size, "'%s': __metadata__ is not an object", path);
            continue;
        }
        for (const LrJson *kv = m->first; kv && rc == 0; kv = kv->next)
            if (kv->kind != LR_JSON_STRING)
                rc = st_fail(why, why_size, "'%s': __metadata__ value '%s' is not a string", path,
                             kv->key);
    }
    if (rc == 0) {
        /* Sorted by offset, a tensor overlaps an earlier one exactly when
         * it begins before the furthest end so far; empty tensors hold no
         * bytes and overlap nothing. */
        qsort(entries, (size_t)n, sizeof *entries, st_by_offset);
        const StEntry *furthest = NULL;
        for (int i = 0; i < n && rc == 0; i++) {
            const StEntry *e = &entries[i];
            if (e->begin == e->end)
                continue;
            if (furthest && e->begin < furthest->end)
                rc = st_fail(why, why_size, "'%s': tensors '%s' and '%s' overlap", path,
                             furthest->name, e->name);
            if (!furthest || e->end > furthest->end)
                furthest = e;
        }
    }
    free(entries);
    return rc;
}

int safetensors_open(LrSafetensors *st, const char *path, char *why, size_t why_size)
{
    memset(st, 0, sizeof *st);
    st->path = malloc(strlen(path) + 1);
    if (!st->path)
        return st_fail(why, why_size, "cannot read '%s': out of memory", path);
    strcpy(st->path, path);
    size_t max = ST_MAX_FILE > (size_t)-1 ? (size_t)-1 : (size_t)ST_MAX_FILE;
    st->bytes = file_read_all(path, max, &st->size, why, why_size);
    if (!st->bytes) {
        safetensors_close(st);
        return -1;
    }
    if (st->size < 8) {
        st_fail(why, why_size, "'%s' is truncated: %zu bytes, too short for the 8-byte header length",
                path, st->size);
        safetensors_close(st);
        return -1;
    }
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | (unsigned char)st->bytes[i];
    if (n > ST_MAX_HEADER) {
        st_fail(why, why_size, "'%s': header length %" PRIu64 " is over the limit of %u bytes", path,
                n, ST_MAX_HEADER);
        safetensors_close(st);
        return -1;
    }
    if (n > st->size - 8) {
        st_fail(why, why_size,
                "'%s' is truncated: header says %" PRIu64 " bytes but the file has %zu after the "
                "8-byte length",
                path, n, st->size - 8);
        safetensors_close(st);
        return -1;
    }
    st->data = st->bytes + 8 + n;
    st->data_size = st->size - 8 - (size_t)n;
    char reason[256];
    st->header = json_parse(st->bytes + 8, (size_t)n, reason, sizeof reason);
    if (!st->header) {
        st_fail(why, why_size, "'%s': header is not valid JSON: %s", path, reason);
        safetensors_close(st);
        return -1;
    }
    if (st_validate(st, why, why_size) != 0) {
        safetensors_close(st);
        return -1;
    }
    return 0;
}

int safetensors_read(const LrSafetensors *st, const char *name, LrDType dtype, int ndim,
                     const int64_t *shape, void *dest, char *why, size_t why_size)
{
    const LrJson *m = strcmp(name, "__metadata__") == 0 ? NULL : json_get(st->header, name);
    if (!m)
        return st_fail(why, why_size, "'%s': no tensor '%s'", st->path, name);
    StEntry e;
    if (st_parse_entry(st, m, &e, why, why_size) != 0)
        return -1; /* not reached: safetensors_open checked every entry */
    int want = st_dtype_index(dtype);
    const char *want_name = want >= 0 ? ST_DTYPES[want].name : "?";
    if (ST_DTYPES[e.dtype].lr < 0)
        return st_fail(why, why_size, "'%s': tensor '%s' has unsupported dtype %s, expected %s",
                       st->path, name, ST_DTYPES[e.dtype].name, want_name);
    if (ST_DTYPES[e.dtype].lr != (int)dtype)
        return st_fail(why, why_size, "'%s': tensor '%s' has dtype %s, expected %s", st->path, name,
                       ST_DTYPES[e.dtype].name, want_name);
    bool same = e.ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = e.shape[i] == shape[i];
    if (!same) {
        char have[128], expected[128];
        return st_fail(why, why_size, "'%s': tensor '%s' has shape %s, expected %s", st->path, name,
                       st_format_shape(have, sizeof have, e.shape, e.ndim),
                       st_format_shape(expected, sizeof expected, shape, ndim));
    }
    unsigned size = ST_DTYPES[e.dtype].size;
    st_copy_le(dest, st->data + e.begin, (size_t)((e.end - e.begin) / size), size);
    return 0;
}

const char *safetensors_meta(const LrSafetensors *st, const char *key)
{
    const LrJson *v = json_get(json_get(st->header, "__metadata__"), key);
    return v && v->kind == LR_JSON_STRING ? v->string : NULL;
}

void safetensors_close(LrSafetensors *st)
{
    free(st->path);
    free(st->bytes);
    json_free(st->header);
    memset(st, 0, sizeof *st);
}
