/* test_idx.c — the IDX reader (idx.c) and idx data sets (data.c): files
 * written here byte by byte (big-endian sizes and values of every element
 * type, plain and through zlib's gzwrite), the values read against the
 * numbers written, every error with its exact message (bad magic, unknown
 * type, rank, sizes past the limit or overflowing 64 bits, truncated plain
 * and compressed files, a corrupt gzip stream), then data_load on images
 * and labels (shape, scale, digests against sha256_hex of the bytes
 * written, label errors) and csv's shape=. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "test_util.h"

#include "data.h"
#include "idx.h"
#include "sha256.h"

/* The statement error spans point into. */
static const char TEXT[] =
    "dataset d = idx(\"images.idx\", labels=\"labels.idx\", scale=255) shape=[2, 3]\n";

typedef struct Fixture {
    LrSource src;
    LrDiag diag;
    LrDataset d;
    char images[64], labels[64];
} Fixture;

static int make_temp(char *path, size_t size)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/test_idx_XXXXXX", dir && strlen(dir) < 40 ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    if (!f || source_from_string(&f->src, "t.lr", TEXT) < 0 ||
        make_temp(f->images, sizeof f->images) < 0 || make_temp(f->labels, sizeof f->labels) < 0)
        return -1;
    diag_init(&f->diag, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    data_free(&f->d);
    source_free(&f->src);
    unlink(f->images);
    unlink(f->labels);
    free(f);
    return 0;
}

static LrSpan span_of(const char *s)
{
    const char *p = strstr(TEXT, s);
    assert_non_null(p);
    return (LrSpan){(uint32_t)(p - TEXT), (uint32_t)strlen(s)};
}

/* ---- writing IDX files ------------------------------------------------------- */

/* A buffer the bytes of a file are built in. */
typedef struct Bytes {
    unsigned char b[4096];
    size_t n;
} Bytes;

static void put(Bytes *o, uint64_t v, int size)
{
    for (int i = size - 1; i >= 0; i--)
        o->b[o->n++] = (unsigned char)(v >> (8 * i));
}

static void header(Bytes *o, int type, int rank, const uint32_t *dims)
{
    o->n = 0;
    put(o, 0, 2);
    put(o, (uint64_t)type, 1);
    put(o, (uint64_t)rank, 1);
    for (int i = 0; i < rank; i++)
        put(o, dims[i], 4);
}

/* value as type's big-endian bytes. */
static void put_value(Bytes *o, int type, double value)
{
    switch (type) {
    case IDX_U8:
        put(o, (uint8_t)value, 1);
        break;
    case IDX_I8:
        put(o, (uint8_t)(int8_t)value, 1);
        break;
    case IDX_I16:
        put(o, (uint16_t)(int16_t)value, 2);
        break;
    case IDX_I32:
        put(o, (uint32_t)(int32_t)value, 4);
        break;
    case IDX_F32: {
        float v = (float)value;
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        put(o, bits, 4);
        break;
    }
    case IDX_F64: {
        uint64_t bits;
        memcpy(&bits, &value, sizeof bits);
        put(o, bits, 8);
        break;
    }
    }
}

static void write_file(const char *path, const Bytes *o, size_t n, bool gz)
{
    if (gz) {
        gzFile g = gzopen(path, "wb");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, o->b, (unsigned)n), (int)n);
        assert_int_equal(gzclose(g), Z_OK);
    } else {
        FILE *out = fopen(path, "wb");
        assert_non_null(out);
        assert_int_equal(fwrite(o->b, 1, n, out), n);
        assert_int_equal(fclose(out), 0);
    }
}

/* ---- the reader --------------------------------------------------------------- */

static const int TYPES[] = {IDX_U8, IDX_I8, IDX_I16, IDX_I32, IDX_F32, IDX_F64};

/* Values each type holds exactly (a float and a double for the last two). */
static double sample(int type, int i)
{
    static const double u8[] = {0, 1, 127, 128, 200, 255};
    static const double i8[] = {-128, -1, 0, 1, 100, 127};
    static const double i16[] = {-32768, -300, 0, 258, 1000, 32767};
    static const double i32[] = {-2147483648.0, -70000, 0, 65536, 16777216, 2147483647.0};
    static const double f32[] = {-1.5, 0.25, 0, 3.0e38, -1e-30, 6.5};
    static const double f64[] = {-1.5, 0.1, 0, 1e300, -1e-300, 6.5};
    switch (type) {
    case IDX_U8:
        return u8[i];
    case IDX_I8:
        return i8[i];
    case IDX_I16:
        return i16[i];
    case IDX_I32:
        return i32[i];
    case IDX_F32:
        return f32[i];
    default:
        return f64[i];
    }
}

static void read_every_type(Fixture *f, bool gz)
{
    for (size_t t = 0; t < sizeof TYPES / sizeof *TYPES; t++) {
        int type = TYPES[t];
        Bytes o;
        header(&o, type, 2, (const uint32_t[]){3, 2});
        for (int i = 0; i < 6; i++)
            put_value(&o, type, sample(type, i));
        write_file(f->images, &o, o.n, gz);
        LrIdx x;
        char why[256] = "";
        assert_int_equal(idx_open(&x, f->images, why, sizeof why), 0);
        assert_int_equal(x.type, type);
        assert_int_equal(x.rank, 2);
        assert_int_equal(x.dims[0], 3);
        assert_int_equal(x.dims[1], 2);
        assert_int_equal(x.count, 6);
        assert_int_equal(x.compressed, gz);
        float v[6];
        assert_int_equal(idx_read(&x, v, 6, 2.0, why, sizeof why), 0);
        for (int i = 0; i < 6; i++)
            assert_true(v[i] == (float)(sample(type, i) / 2.0));
        idx_close(&x);
    }
}

static void test_idx__every_type_plain(void **state)
{
    read_every_type(*state, false);
}

static void test_idx__every_type_gzip(void **state)
{
    read_every_type(*state, true);
}

/* Sizes above 255 show the byte order; values read in two calls. */
static void test_idx__big_endian_sizes_and_pieces(void **state)
{
    Fixture *f = *state;
    Bytes o;
    header(&o, IDX_I16, 2, (const uint32_t[]){1, 300});
    for (int i = 0; i < 300; i++)
        put_value(&o, IDX_I16, i * 100 - 15000);
    write_file(f->images, &o, o.n, true);
    LrIdx x;
    char why[256];
    assert_int_equal(idx_open(&x, f->images, why, sizeof why), 0);
    assert_int_equal(x.dims[1], 300);
    float v[300];
    assert_int_equal(idx_read(&x, v, 100, 1, why, sizeof why), 0);
    assert_int_equal(idx_read(&x, v + 100, 200, 1, why, sizeof why), 0);
    for (int i = 0; i < 300; i++)
        assert_true(v[i] == (float)(i * 100 - 15000));
    assert_int_equal(idx_read(&x, v, 1, 1, why, sizeof why), -1);
    assert_string_equal(why, "holds 300 values, not 301");
    idx_close(&x);
}

static void expect_open_error(Fixture *f, const Bytes *o, size_t n, bool gz, int rc,
                              const char *message)
{
    write_file(f->images, o, n, gz);
    LrIdx x;
    char why[512] = "";
    assert_int_equal(idx_open(&x, f->images, why, sizeof why), rc);
    assert_string_equal(why, message);
    assert_null(x.gz);
}

static void test_idx__bad_magic(void **state)
{
    Bytes o = {.b = "PK\3\4 not idx", .n = 12};
    expect_open_error(*state, &o, o.n, false, IDX_BAD_FORMAT,
                      "is not an IDX file: it begins with the bytes 50 4b, not 00 00");
    expect_open_error(*state, &o, 3, true, IDX_BAD_FORMAT,
                      "is not an IDX file: it is shorter than the 4 bytes of a header");
}

static void test_idx__unknown_type_and_rank(void **state)
{
    Bytes o;
    header(&o, 0x0A, 1, (const uint32_t[]){1});
    expect_open_error(*state, &o, o.n, false, IDX_BAD_FORMAT,
                      "has the element type 0x0a, which IDX does not define (0x08 u8, 0x09 i8, "
                      "0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64)");
    header(&o, IDX_U8, 0, NULL);
    expect_open_error(*state, &o, o.n, false, IDX_BAD_FORMAT,
                      "has 0 dimensions (lrc reads IDX files of 1 to 4)");
    header(&o, IDX_U8, 5, (const uint32_t[]){1, 1, 1, 1, 1});
    expect_open_error(*state, &o, o.n, true, IDX_BAD_FORMAT,
                      "has 5 dimensions (lrc reads IDX files of 1 to 4)");
}

static void test_idx__sizes_past_the_limit(void **state)
{
    Bytes o;
    /* 2^31 + 2^16 values: one past the limit's multiple. */
    header(&o, IDX_U8, 3, (const uint32_t[]){32769, 65536, 1});
    expect_open_error(*state, &o, o.n, false, IDX_BAD_FORMAT,
                      "has the sizes [32769, 65536, 1]: more than 2147483648 values (the most "
                      "lrc reads from an IDX file)");
    /* The product of four 2^32 - 1 would overflow 64 bits. */
    header(&o, IDX_F64, 4, (const uint32_t[]){UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX});
    expect_open_error(*state, &o, o.n, true, IDX_BAD_FORMAT,
                      "has the sizes [4294967295, 4294967295, 4294967295, 4294967295]: more "
                      "than 2147483648 values (the most lrc reads from an IDX file)");
}

static void test_idx__truncated(void **state)
{
    Fixture *f = *state;
    Bytes o;
    header(&o, IDX_I16, 3, (const uint32_t[]){2, 2, 2});
    for (int i = 0; i < 8; i++)
        put_value(&o, IDX_I16, i);
    /* Plain: its size says so at once. */
    expect_open_error(f, &o, o.n - 3, false, IDX_BAD_FORMAT,
                      "is truncated: its sizes [2, 2, 2] need 32 bytes and it has 29");
    expect_open_error(f, &o, 9, false, IDX_BAD_FORMAT,
                      "is truncated: it ends inside the sizes of its header");
    /* Compressed: when the values are read. */
    write_file(f->images, &o, o.n - 3, true);
    LrIdx x;
    char why[256];
    float v[8];
    assert_int_equal(idx_open(&x, f->images, why, sizeof why), 0);
    assert_int_equal(idx_read(&x, v, 8, 1, why, sizeof why), -1);
    assert_string_equal(why, "is truncated: its sizes [2, 2, 2] make 8 values and it ends after 6");
    idx_close(&x);
}

/* A gzip stream cut short and one with damaged bytes: zlib's messages. */
static void test_idx__corrupt_gzip(void **state)
{
    Fixture *f = *state;
    Bytes o;
    header(&o, IDX_U8, 2, (const uint32_t[]){40, 50});
    for (int i = 0; i < 2000; i++)
        put_value(&o, IDX_U8, (i * 7919) % 251);
    write_file(f->images, &o, o.n, true);
    FILE *in = fopen(f->images, "rb");
    assert_non_null(in);
    Bytes z;
    z.n = fread(z.b, 1, sizeof z.b, in);
    fclose(in);
    assert_true(z.n > 100 && z.n < sizeof z.b);
    /* Cut inside the deflate stream: the values end early. */
    write_file(f->images, &z, z.n / 2, false);
    LrIdx x;
    char why[256];
    float v[2000];
    assert_int_equal(idx_open(&x, f->images, why, sizeof why), 0);
    assert_true(x.compressed);
    assert_int_equal(idx_read(&x, v, 2000, 1, why, sizeof why), -1);
    assert_true(strncmp(why, "is truncated: its sizes [40, 50] make 2000 values and it ends after ",
                        68) == 0);
    idx_close(&x);
    /* The stored CRC-32 no longer matches: zlib says so at the end. */
    z.b[z.n - 8] ^= 0xFF;
    write_file(f->images, &z, z.n, false);
    /* The file is small enough for zlib to read it whole with the header. */
    assert_int_equal(idx_open(&x, f->images, why, sizeof why), IDX_BAD_FORMAT);
    assert_string_equal(why, "cannot be read: incorrect data check");
}

static void test_idx__missing_file(void **state)
{
    (void)state;
    LrIdx x;
    char why[256];
    assert_int_equal(idx_open(&x, "/nonexistent/file.idx", why, sizeof why), IDX_CANNOT_OPEN);
    assert_string_equal(why, "No such file or directory");
}

/* ---- idx data sets ------------------------------------------------------------ */

static LrDatasetSpec idx_spec(const Fixture *f)
{
    LrDatasetSpec s;
    memset(&s, 0, sizeof s);
    s.kind = DATA_IDX;
    s.name = "d";
    s.span = (LrSpan){0, (uint32_t)strlen(TEXT) - 1};
    s.path = "images.idx";
    s.resolved_path = f->images;
    s.path_span = span_of("\"images.idx\"");
    s.labels_path = "labels.idx";
    s.labels_resolved = f->labels;
    s.label_span = span_of("\"labels.idx\"");
    s.scale = 255;
    return s;
}

/* n images of [h, w] (c = 0) or [h, w, c] u8 with value (7 i + 3) mod 256,
 * and n u8 labels i mod 10; the files' bytes into images/labels. */
static void write_set(Fixture *f, uint32_t n, uint32_t h, uint32_t w, uint32_t c,
                      uint32_t label_count, bool gz, Bytes *images, Bytes *labels)
{
    uint32_t dims[4] = {n, h, w, c};
    header(images, IDX_U8, c ? 4 : 3, dims);
    for (uint32_t i = 0; i < n * h * w * (c ? c : 1); i++)
        put_value(images, IDX_U8, (7 * i + 3) % 256);
    header(labels, IDX_U8, 1, &label_count);
    for (uint32_t i = 0; i < label_count; i++)
        put_value(labels, IDX_U8, i % 10);
    write_file(f->images, images, images->n, gz);
    write_file(f->labels, labels, labels->n, gz);
}

static void test_idx__data_set(void **state)
{
    Fixture *f = *state;
    Bytes images, labels;
    write_set(f, 5, 2, 3, 0, 5, true, &images, &labels);
    LrDatasetSpec s = idx_spec(f);
    LrDataShape shape;
    assert_int_equal(data_check_columns(&s, &f->src, &f->diag, &shape).outcome, LR_OK);
    assert_int_equal(shape.features, 6);
    assert_int_equal(shape.targets, 1);
    assert_int_equal(shape.rows_at_least, 5);
    assert_int_equal(shape.rows_at_most, 5);
    assert_int_equal(shape.shape.rank, 3);
    assert_int_equal(shape.shape.dims[0], 2);
    assert_int_equal(shape.shape.dims[1], 3);
    assert_int_equal(shape.shape.dims[2], 1);
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.n, 5);
    assert_int_equal(f->d.features, 6);
    assert_int_equal(f->d.shape.rank, 3);
    assert_null(f->d.feature_names);
    for (int i = 0; i < 30; i++)
        assert_true(f->d.x[i] == (float)((double)((7 * i + 3) % 256) / 255.0));
    for (int i = 0; i < 5; i++)
        assert_true(f->d.y[i] == (float)(i % 10));
    /* The digests are of the files' bytes (compressed): hashed here from
     * what a fresh read of each file gives. */
    char want[65];
    for (int k = 0; k < 2; k++) {
        FILE *in = fopen(k ? f->labels : f->images, "rb");
        assert_non_null(in);
        Bytes raw;
        raw.n = fread(raw.b, 1, sizeof raw.b, in);
        fclose(in);
        sha256_hex(raw.b, raw.n, want);
        assert_string_equal(k ? f->d.labels_sha256 : f->d.sha256, want);
    }
    assert_int_equal(f->diag.errors, 0);
}

static void test_idx__channels_and_plain_rows(void **state)
{
    Fixture *f = *state;
    Bytes images, labels;
    write_set(f, 2, 2, 2, 3, 2, false, &images, &labels);
    LrDatasetSpec s = idx_spec(f);
    s.scale = 0; /* a Spec built elsewhere: 1 */
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.features, 12);
    assert_int_equal(f->d.shape.rank, 3);
    assert_int_equal(f->d.shape.dims[2], 3);
    assert_true(f->d.x[23] == (float)((7 * 23 + 3) % 256));
    data_free(&f->d);
    /* [n, features]: plain rows. */
    header(&images, IDX_F32, 2, (const uint32_t[]){2, 4});
    for (int i = 0; i < 8; i++)
        put_value(&images, IDX_F32, i - 0.5);
    write_file(f->images, &images, images.n, false);
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.features, 4);
    assert_int_equal(f->d.shape.rank, 0);
    assert_true(f->d.x[7] == 6.5f);
}

/* Header errors come from data_check_columns alone (lrc check). */
static void expect_set_error(Fixture *f, LrOutcome status, const char *first)
{
    LrDatasetSpec s = idx_spec(f);
    diag_init(&f->diag, NULL);
    assert_int_equal(data_check_columns(&s, &f->src, &f->diag, NULL).outcome, status);
    assert_int_equal(f->diag.errors, 1);
    assert_string_equal(f->diag.first, first);
}

static void test_idx__data_set_errors(void **state)
{
    Fixture *f = *state;
    Bytes images, labels;
    write_set(f, 5, 2, 3, 0, 4, true, &images, &labels);
    expect_set_error(f, LR_LANGUAGE_ERROR,
                     "1:38: error: 'labels.idx' has 4 labels but 'images.idx' has 5 images");
    header(&labels, IDX_U8, 2, (const uint32_t[]){5, 1});
    for (int i = 0; i < 5; i++)
        put_value(&labels, IDX_U8, 1);
    write_file(f->labels, &labels, labels.n, false);
    expect_set_error(f, LR_LANGUAGE_ERROR,
                     "1:38: error: labels file 'labels.idx' has the sizes [5, 1]: labels are one "
                     "class index per image, [n]");
    header(&labels, IDX_F32, 1, (const uint32_t[]){5});
    for (int i = 0; i < 5; i++)
        put_value(&labels, IDX_F32, 1);
    write_file(f->labels, &labels, labels.n, false);
    expect_set_error(f, LR_LANGUAGE_ERROR,
                     "1:38: error: labels file 'labels.idx' holds f32 values: labels are "
                     "integers (u8, i8, i16 or i32)");
    /* Images of rank 1, and no images at all. */
    header(&images, IDX_U8, 1, (const uint32_t[]){5});
    for (int i = 0; i < 5; i++)
        put_value(&images, IDX_U8, 1);
    write_file(f->images, &images, images.n, false);
    expect_set_error(f, LR_LANGUAGE_ERROR,
                     "1:17: error: 'images.idx' has the sizes [5]: images are [n, features], "
                     "[n, height, width] or [n, height, width, channels]");
    header(&images, IDX_U8, 3, (const uint32_t[]){0, 28, 28});
    write_file(f->images, &images, images.n, false);
    expect_set_error(f, LR_LANGUAGE_ERROR, "1:17: error: 'images.idx' has the sizes [0, 28, 28]: it holds no images");
    header(&images, IDX_U8, 2, (const uint32_t[]){0, UINT32_MAX});
    write_file(f->images, &images, images.n, false);
    expect_set_error(f, LR_LANGUAGE_ERROR,
                     "1:17: error: 'images.idx' has the sizes [0, 4294967295]: it holds no images");
    header(&images, IDX_U8, 0, NULL);
    write_file(f->images, &images, images.n, true);
    expect_set_error(f, LR_LANGUAGE_ERROR,
                     "1:17: error: 'images.idx' has 0 dimensions (lrc reads IDX files of 1 to 4)");
    unlink(f->images);
    expect_set_error(f, LR_LANGUAGE_ERROR,
                     "1:17: error: cannot read data file 'images.idx': No such file or directory");
    /* Along a data path, every place looked at is named. */
    const char *const dirs[] = {"/nonexistent/a", "/nonexistent/b"};
    LrDatasetSpec along = idx_spec(f);
    along.data_path = dirs;
    along.data_path_count = 2;
    diag_init(&f->diag, NULL);
    assert_int_equal(data_check_columns(&along, &f->src, &f->diag, NULL).outcome, LR_LANGUAGE_ERROR);
    char want[256];
    snprintf(want, sizeof want,
             "1:17: error: cannot read data file 'images.idx': No such file or directory (looked "
             "for '%s', '/nonexistent/a/images.idx', '/nonexistent/b/images.idx')",
             f->images);
    assert_string_equal(f->diag.first, want);
    /* The run could not open what the check did: it fails (status 1). */
    LrDatasetSpec s = idx_spec(f);
    diag_init(&f->diag, NULL);
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_RUN_FAILED);
}

/* lrc check reads the headers only: values cut short pass it, not the run. */
static void test_idx__check_reads_headers_only(void **state)
{
    Fixture *f = *state;
    Bytes images, labels;
    write_set(f, 50, 4, 4, 0, 50, true, &images, &labels);
    write_file(f->images, &images, images.n - 10, true);
    LrDatasetSpec s = idx_spec(f);
    assert_int_equal(data_check_columns(&s, &f->src, &f->diag, NULL).outcome, LR_OK);
    assert_int_equal(data_check_values(&s, &f->src, &f->diag).outcome, LR_OK);
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first,
                        "1:17: error: 'images.idx' is truncated: its sizes [50, 4, 4] make 800 "
                        "values and it ends after 790");
    assert_null(f->d.x);
}

static void test_idx__labels_against_the_model(void **state)
{
    Fixture *f = *state;
    Bytes images, labels;
    write_set(f, 12, 1, 1, 0, 12, false, &images, &labels);
    LrDatasetSpec s = idx_spec(f);
    LrLabelRule rule = {.want = LABEL_CLASS_INDEX, .outputs = 8};
    assert_int_equal(data_load_labels(&s, 0, 1, &f->src, &f->diag, &rule, &f->d).outcome,
                     LR_LANGUAGE_ERROR);
    /* Labels 8 and 9 of images 9 and 10 (from 1): one error. */
    assert_int_equal(f->diag.errors, 1);
    assert_string_equal(f->diag.first,
                        "1:38: error: label 8 of image 9 in 'labels.idx' is out of range (and 1 "
                        "more): the model's 8 outputs are classes 0 to 7");
    diag_init(&f->diag, NULL);
    rule.outputs = 10;
    assert_int_equal(data_load_labels(&s, 0, 1, &f->src, &f->diag, &rule, &f->d).outcome, LR_OK);
}

/* The usual options: a split of an idx data set. */
static void test_idx__split(void **state)
{
    Fixture *f = *state;
    Bytes images, labels;
    write_set(f, 20, 1, 2, 0, 20, true, &images, &labels);
    LrDatasetSpec s = idx_spec(f);
    s.test = 0.25;
    s.stratify = true;
    assert_int_equal(data_load(&s, 0, 7, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.part_count[PART_TRAIN], 10);
    assert_int_equal(f->d.part_count[PART_TEST], 10); /* a row of each of 10 classes of 2 */
}

/* ---- csv's shape= -------------------------------------------------------------- */

static void test_idx__csv_shape(void **state)
{
    Fixture *f = *state;
    FILE *out = fopen(f->images, "wb");
    assert_non_null(out);
    fputs("a,b,c,d,e,f,y\n1,2,3,4,5,6,0\n", out);
    assert_int_equal(fclose(out), 0);
    const char *label[] = {"y"};
    LrDatasetSpec s;
    memset(&s, 0, sizeof s);
    s.kind = DATA_CSV;
    s.name = "d";
    s.path = "images.idx";
    s.resolved_path = f->images;
    s.label_count = 1;
    s.labels = label;
    s.header = true;
    s.delimiter = ',';
    s.shape = (LrShape){3, {2, 3, 1}};
    s.shape_span = span_of("[2, 3]");
    LrDataShape shape;
    assert_int_equal(data_check_columns(&s, &f->src, &f->diag, &shape).outcome, LR_OK);
    assert_int_equal(shape.shape.rank, 3);
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.shape.dims[1], 3);
    data_free(&f->d);
    s.shape = (LrShape){3, {2, 2, 2}};
    assert_int_equal(data_check_columns(&s, &f->src, &f->diag, NULL).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first,
                        "1:69: error: shape [2, 2, 2] has 8 values but the data set has 6 features");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_idx__every_type_plain),
        T(test_idx__every_type_gzip),
        T(test_idx__big_endian_sizes_and_pieces),
        T(test_idx__bad_magic),
        T(test_idx__unknown_type_and_rank),
        T(test_idx__sizes_past_the_limit),
        T(test_idx__truncated),
        T(test_idx__corrupt_gzip),
        T(test_idx__missing_file),
        T(test_idx__data_set),
        T(test_idx__channels_and_plain_rows),
        T(test_idx__data_set_errors),
        T(test_idx__check_reads_headers_only),
        T(test_idx__labels_against_the_model),
        T(test_idx__split),
        T(test_idx__csv_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
