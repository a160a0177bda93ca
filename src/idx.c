/* idx.c — see idx.h. zlib's gz* calls read both plain and gzip files;
 * values are decoded from big-endian bytes one buffer at a time. */
#include "idx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fileio.h"

int idx_type_size(int type)
{
    switch (type) {
    case IDX_U8:
    case IDX_I8:
        return 1;
    case IDX_I16:
        return 2;
    case IDX_I32:
    case IDX_F32:
        return 4;
    case IDX_F64:
        return 8;
    default:
        return 0;
    }
}

const char *idx_type_name(int type)
{
    switch (type) {
    case IDX_U8:
        return "u8";
    case IDX_I8:
        return "i8";
    case IDX_I16:
        return "i16";
    case IDX_I32:
        return "i32";
    case IDX_F32:
        return "f32";
    case IDX_F64:
        return "f64";
    default:
        return "?";
    }
}

bool idx_type_is_integer(int type)
{
    return type == IDX_U8 || type == IDX_I8 || type == IDX_I16 || type == IDX_I32;
}

void idx_describe_dims(const LrIdx *f, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < f->rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? ", " : "",
                                 (long long)f->dims[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

/* zlib's message without the "<fd:3>: " gzdopen puts before it. */
static const char *zlib_message(gzFile gz)
{
    int code;
    const char *msg = gzerror(gz, &code);
    const char *colon = strncmp(msg, "<fd:", 4) == 0 ? strstr(msg, ": ") : NULL;
    return colon ? colon + 2 : msg;
}

/* Reads exactly size bytes: 0; -1 with why on an error; -2 at the end of
 * the file, with *got the bytes read before it. */
static int read_exactly(LrIdx *f, void *buf, size_t size, size_t *got_out, char *why,
                        size_t why_size)
{
    size_t got = 0;
    bool retried = false;
    while (got < size) {
        size_t want = size - got > (1u << 30) ? (1u << 30) : size - got;
        int n = gzread(f->gz, (char *)buf + got, (unsigned)want);
        /* A stream cut short: zlib reports it (Z_BUF_ERROR) before handing
         * out what it inflated up to there, which the next call gives. */
        if (n == 0 && !retried) {
            int code;
            gzerror(f->gz, &code);
            retried = code == Z_BUF_ERROR;
            if (retried)
                continue;
        }
        if (n < 0) {
            int code;
            gzerror(f->gz, &code);
            snprintf(why, why_size, "cannot be read: %s",
                     code == Z_ERRNO ? strerror(errno) : zlib_message(f->gz));
            return -1;
        }
        got += (size_t)n;
        if (n == 0) {
            int code;
            gzerror(f->gz, &code);
            /* zlib's Z_BUF_ERROR: a compressed stream cut short. */
            if (code != Z_OK && code != Z_BUF_ERROR) {
                snprintf(why, why_size, "cannot be read: %s", zlib_message(f->gz));
                return -1;
            }
            if (got_out)
                *got_out = got;
            return -2;
        }
    }
    return 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int open_header(LrIdx *f, int fd, char *why, size_t why_size)
{
    unsigned char head[4 + 4 * IDX_MAX_RANK];
    f->gz = gzdopen(fd, "rb");
    if (!f->gz) {
        snprintf(why, why_size, "cannot be read: %s", errno ? strerror(errno) : "out of memory");
        close(fd);
        return IDX_CANNOT_OPEN;
    }
    gzbuffer(f->gz, 1 << 17);
    if (read_exactly(f, head, 4, NULL, why, why_size) == -2)
        snprintf(why, why_size, "is not an IDX file: it is shorter than the 4 bytes of a header");
    if (why[0])
        return IDX_BAD_FORMAT;
    f->compressed = !gzdirect(f->gz);
    if (head[0] != 0 || head[1] != 0) {
        snprintf(why, why_size,
                 "is not an IDX file: it begins with the bytes %02x %02x, not 00 00", head[0],
                 head[1]);
        return IDX_BAD_FORMAT;
    }
    if (!idx_type_size(head[2])) {
        snprintf(why, why_size,
                 "has the element type 0x%02x, which IDX does not define (0x08 u8, 0x09 i8, "
                 "0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64)",
                 head[2]);
        return IDX_BAD_FORMAT;
    }
    f->type = (LrIdxType)head[2];
    f->rank = head[3];
    if (f->rank < 1 || f->rank > IDX_MAX_RANK) {
        snprintf(why, why_size, "has %d dimensions (lrc reads IDX files of 1 to %d)", f->rank,
                 IDX_MAX_RANK);
        return IDX_BAD_FORMAT;
    }
    if (read_exactly(f, head + 4, 4 * (size_t)f->rank, NULL, why, why_size) == -2)
        snprintf(why, why_size, "is truncated: it ends inside the sizes of its header");
    if (why[0])
        return IDX_BAD_FORMAT;
    f->count = 1;
    bool over = false;
    for (int i = 0; i < f->rank; i++) {
        f->dims[i] = be32(head + 4 + 4 * i);
        /* Each size is below 2^32 and the product stays at most 2^31 before
         * the next one multiplies it: no int64_t overflow. */
        if (!over)
            f->count *= f->dims[i];
        over = over || f->count > IDX_MAX_VALUES;
    }
    if (over) {
        char dims[128];
        idx_describe_dims(f, dims, sizeof dims);
        snprintf(why, why_size,
                 "has the sizes %s: more than %lld values (the most lrc reads from an IDX file)",
                 dims, (long long)IDX_MAX_VALUES);
        return IDX_BAD_FORMAT;
    }
    return 0;
}

int idx_open(LrIdx *f, const char *path, char *why, size_t why_size)
{
    memset(f, 0, sizeof *f);
    why[0] = '\0';
    char reason[256];
    int fd = file_open_regular(path, reason, sizeof reason);
    if (fd < 0) {
        snprintf(why, why_size, "%s", reason);
        return IDX_CANNOT_OPEN;
    }
    struct stat st;
    off_t size = fstat(fd, &st) == 0 ? st.st_size : -1;
    errno = 0;
    int rc = open_header(f, fd, why, why_size);
    if (rc == 0 && !f->compressed && size >= 0) {
        /* A plain file's size tells whether its values are all there. */
        int64_t need = 4 + 4 * (int64_t)f->rank + f->count * idx_type_size(f->type);
        if ((int64_t)size < need) {
            char dims[128];
            idx_describe_dims(f, dims, sizeof dims);
            snprintf(why, why_size,
                     "is truncated: its sizes %s need %lld bytes and it has %lld", dims,
                     (long long)need, (long long)size);
            rc = IDX_BAD_FORMAT;
        }
    }
    if (rc != 0)
        idx_close(f);
    return rc;
}

/* One big-endian value of type at p, as a double. */
static double decode(LrIdxType type, const unsigned char *p)
{
    switch (type) {
    case IDX_U8:
        return p[0];
    case IDX_I8:
        return (int8_t)p[0];
    case IDX_I16:
        return (int16_t)(uint16_t)((unsigned)p[0] << 8 | p[1]);
    case IDX_I32:
        return (int32_t)be32(p);
    case IDX_F32: {
        uint32_t bits = be32(p);
        float v;
        memcpy(&v, &bits, sizeof v);
        return v;
    }
    case IDX_F64: {
        uint64_t bits = (uint64_t)be32(p) << 32 | be32(p + 4);
        double v;
        memcpy(&v, &bits, sizeof v);
        return v;
    }
    }
    return 0;
}

int idx_read(LrIdx *f, float *out, int64_t n, double scale, char *why, size_t why_size)
{
    unsigned char buf[1 << 16];
    const int size = idx_type_size(f->type);
    const int64_t per = (int64_t)sizeof buf / size;
    if (n > f->count - f->done) {
        snprintf(why, why_size, "holds %lld values, not %lld", (long long)f->count,
                 (long long)(f->done + n));
        return -1;
    }
    for (int64_t i = 0; i < n;) {
        int64_t k = n - i < per ? n - i : per;
        size_t got = 0;
        int rc = read_exactly(f, buf, (size_t)(k * size), &got, why, why_size);
        if (rc == -2) {
            char dims[128];
            idx_describe_dims(f, dims, sizeof dims);
            snprintf(why, why_size, "is truncated: its sizes %s make %lld values and it ends after %lld",
                     dims, (long long)f->count, (long long)(f->done + (int64_t)got / size));
        }
        if (rc < 0)
            return -1;
        for (int64_t j = 0; j < k; j++)
            out[i + j] = (float)(decode(f->type, buf + j * size) / scale);
        i += k;
        f->done += k;
    }
    return 0;
}

int idx_skip(LrIdx *f, int64_t n, char *why, size_t why_size)
{
    if (n > f->count - f->done) {
        snprintf(why, why_size, "holds %lld values, not %lld", (long long)f->count,
                 (long long)(f->done + n));
        return -1;
    }
    /* zlib seeks a plain file; a compressed one it inflates up to there. */
    if (n > 0 && gzseek(f->gz, (z_off_t)(n * idx_type_size(f->type)), SEEK_CUR) < 0) {
        int code;
        const char *msg = gzerror(f->gz, &code);
        snprintf(why, why_size, "cannot be read past its first values: %s",
                 code == Z_ERRNO ? strerror(errno) : msg);
        return -1;
    }
    f->done += n;
    return 0;
}

void idx_close(LrIdx *f)
{
    if (f->gz)
        gzclose(f->gz);
    f->gz = NULL;
}
