/* test_safetensors.c — round trips through the writer and reader, the
 * exact bytes of a small file, refusals of truncated and corrupt files with
 * their messages, and exchange with an independent numpy implementation
 * (tests/safetensors_numpy.py) in both directions. Runs from the
 * repository's top directory, where the script is. */
#include <errno.h>
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "safetensors.h"

#define NUMPY_SCRIPT "tests/safetensors_numpy.py"

/* ---- fixture: a fresh directory per test ------------------------------ */

typedef struct Fixture {
    char dir[64];
    char path[128]; /* dir/w.safetensors */
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/test_safetensors_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/w.safetensors", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    DIR *d = opendir(f->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char p[512];
            snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
            if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")))
                unlink(p);
        }
        closedir(d);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_raw(const char *path, const void *bytes, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* A file with this header text (unpadded) and data_len bytes 0, 1, 2... */
static void make_file(const char *path, const char *header, size_t data_len)
{
    size_t n = strlen(header);
    unsigned char *bytes = malloc(8 + n + data_len + 1);
    assert_non_null(bytes);
    for (int i = 0; i < 8; i++)
        bytes[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(bytes + 8, header, n);
    for (size_t i = 0; i < data_len; i++)
        bytes[8 + n + i] = (unsigned char)i;
    write_raw(path, bytes, 8 + n + data_len);
    free(bytes);
}

static char *read_raw(const char *path, size_t *n)
{
    char why[256];
    char *bytes = file_read_all(path, 1 << 20, n, why, sizeof why);
    if (!bytes)
        fail_msg("%s", why);
    return bytes;
}

/* Opening must fail with exactly this message, path put in for %s. */
static void assert_open_fails(const char *path, const char *fmt)
{
    LrSafetensors st;
    char why[512], want[512];
    snprintf(want, sizeof want, fmt, path);
    int rc = safetensors_open(&st, path, why, sizeof why);
    if (rc == 0) {
        safetensors_close(&st);
        fail_msg("opened, want \"%s\"", want);
    }
    assert_why(why, fmt, path);
    assert_null(st.bytes);
    assert_null(st.header);
    safetensors_close(&st); /* safe after a failed open */
}

/* Reading name as F32 of this shape must fail with exactly this message,
 * the file's path put in for %s. */
static void assert_read_fails(LrSafetensors *st, const char *path, const char *name, int ndim,
                              const int64_t *shape, const char *fmt)
{
    char why[512];
    float dest[64];
    assert_int_equal(safetensors_read(st, name, DTYPE_F32, ndim, shape, dest, why, sizeof why), -1);
    assert_why(why, fmt, path);
}

/* Writing the first count of t to path must fail with exactly this
 * message, path put in for %s. */
static void assert_write_fails(const char *path, const LrNamedTensor *t, int count, const char *fmt)
{
    char why[512];
    assert_int_equal(safetensors_write(path, t, count, NULL, 0, why, sizeof why), -1);
    assert_why(why, fmt, path);
}

static void open_ok(LrSafetensors *st, const char *path)
{
    char why[512];
    if (safetensors_open(st, path, why, sizeof why) != 0)
        fail_msg("%s", why);
}

/* ---- the sample written by several tests -------------------------------- */

static const float F32_DATA[6] = {0.5f, -1.25f, 3.0f, 1e-30f, -0.0f, 65504.0f};
static const double F64_DATA[4] = {0.1, -2.5, 1e300, 4.9406564584124654e-324};
static const int64_t I64_DATA[3] = {-1, INT64_MIN, INT64_C(123456789012345678)};
static const uint64_t U64_DATA[2] = {UINT64_MAX, 7};
static const float SCALAR = 42.0f;

static int write_sample(const char *path, char *why, size_t why_size)
{
    const LrNamedTensor t[] = {
        {"dense/kernel", DTYPE_F32, 2, {2, 3}, F32_DATA},
        {"dense/bias", DTYPE_F64, 1, {4}, F64_DATA},
        {"step", DTYPE_I64, 3, {1, 3, 1}, I64_DATA},
        {"counts", DTYPE_U64, 1, {2}, U64_DATA},
        {"empty", DTYPE_F32, 2, {0, 3}, NULL},
        {"scalar", DTYPE_F32, 0, {0}, &SCALAR},
    };
    const LrMeta meta[] = {{"format", "pt"}, {"lrc", "experiment \"x\"\n"}};
    return safetensors_write(path, t, 6, meta, 2, why, why_size);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_safetensors__round_trip(void **state)
{
    Fixture *f = *state;
    char why[512];
    if (write_sample(f->path, why, sizeof why) != 0)
        fail_msg("%s", why);
    LrSafetensors st;
    open_ok(&st, f->path);

    float f32[6];
    const int64_t s23[2] = {2, 3};
    assert_int_equal(safetensors_read(&st, "dense/kernel", DTYPE_F32, 2, s23, f32, why, sizeof why), 0);
    assert_memory_equal(f32, F32_DATA, sizeof f32); /* -0.0 included */
    double f64[4];
    const int64_t s4[1] = {4};
    assert_int_equal(safetensors_read(&st, "dense/bias", DTYPE_F64, 1, s4, f64, why, sizeof why), 0);
    assert_memory_equal(f64, F64_DATA, sizeof f64);
    int64_t i64[3];
    const int64_t s131[3] = {1, 3, 1};
    assert_int_equal(safetensors_read(&st, "step", DTYPE_I64, 3, s131, i64, why, sizeof why), 0);
    assert_memory_equal(i64, I64_DATA, sizeof i64);
    uint64_t u64[2];
    const int64_t s2[1] = {2};
    assert_int_equal(safetensors_read(&st, "counts", DTYPE_U64, 1, s2, u64, why, sizeof why), 0);
    assert_memory_equal(u64, U64_DATA, sizeof u64);
    float scalar = 0;
    assert_int_equal(safetensors_read(&st, "scalar", DTYPE_F32, 0, NULL, &scalar, why, sizeof why), 0);
    assert_true(scalar == 42.0f);

    assert_string_equal(safetensors_meta(&st, "format"), "pt");
    assert_string_equal(safetensors_meta(&st, "lrc"), "experiment \"x\"\n");
    assert_null(safetensors_meta(&st, "missing"));

    /* The header's length is a multiple of 8 and it opens with the
     * metadata, as the reference writes it. */
    assert_int_equal((st.data - st.bytes - 8) % 8, 0);
    assert_true(strncmp(st.bytes + 8, "{\"__metadata__\":{\"format\":\"pt\",", 31) == 0);
    assert_int_equal(st.data_size, 24 + 32 + 24 + 16 + 0 + 4);
    safetensors_close(&st);
}

static void test_safetensors__exact_bytes(void **state)
{
    Fixture *f = *state;
    char why[256];
    const float w[2] = {1.0f, -2.0f};
    const int64_t n[1] = {1};
    const LrNamedTensor t[] = {{"w", DTYPE_F32, 1, {2}, w}, {"n", DTYPE_I64, 0, {0}, n}};
    assert_int_equal(safetensors_write(f->path, t, 2, NULL, 0, why, sizeof why), 0);
    size_t size;
    char *bytes = read_raw(f->path, &size);
    const char header[] = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                          "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}";
    size_t hlen = sizeof header - 1; /* 107, padded to 112 */
    assert_int_equal(hlen, 107);
    assert_int_equal(size, 8 + 112 + 16);
    const unsigned char length[8] = {112, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(bytes, length, 8);
    assert_memory_equal(bytes + 8, header, hlen);
    assert_memory_equal(bytes + 8 + hlen, "     ", 5);
    /* Little-endian data: 1.0f, -2.0f, then int64 1. */
    const unsigned char data[16] = {0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 1, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(bytes + 120, data, 16);
    free(bytes);

    /* No tensors at all: "{}" and six spaces. */
    assert_int_equal(safetensors_write(f->path, NULL, 0, NULL, 0, why, sizeof why), 0);
    bytes = read_raw(f->path, &size);
    assert_int_equal(size, 16);
    assert_memory_equal(bytes, "\x08\0\0\0\0\0\0\0{}      ", 16);
    free(bytes);
    LrSafetensors st;
    open_ok(&st, f->path);
    assert_null(safetensors_meta(&st, "k"));
    safetensors_close(&st);
}

static void test_safetensors__zero_size_tensors(void **state)
{
    Fixture *f = *state;
    char why[256];
    const double x[2] = {1.5, 2.5};
    const LrNamedTensor t[] = {
        {"a", DTYPE_F64, 1, {0}, NULL},
        {"x", DTYPE_F64, 1, {2}, x},
        {"b", DTYPE_F32, 3, {4, 0, 2}, NULL},
    };
    assert_int_equal(safetensors_write(f->path, t, 3, NULL, 0, why, sizeof why), 0);
    LrSafetensors st;
    open_ok(&st, f->path);
    const int64_t s0[1] = {0}, s402[3] = {4, 0, 2}, s2[1] = {2};
    double got[2];
    assert_int_equal(safetensors_read(&st, "a", DTYPE_F64, 1, s0, NULL, why, sizeof why), 0);
    assert_int_equal(safetensors_read(&st, "b", DTYPE_F32, 3, s402, got, why, sizeof why), 0);
    assert_int_equal(safetensors_read(&st, "x", DTYPE_F64, 1, s2, got, why, sizeof why), 0);
    assert_true(got[0] == 1.5 && got[1] == 2.5);
    safetensors_close(&st);

    /* Empty tensors may sit at any offset, even inside another tensor. */
    make_file(f->path,
              "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
              "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}",
              8);
    open_ok(&st, f->path);
    safetensors_close(&st);
}

static void test_safetensors__truncated_files_are_refused(void **state)
{
    Fixture *f = *state;
    char why[512];
    if (write_sample(f->path, why, sizeof why) != 0)
        fail_msg("%s", why);
    size_t size;
    char *whole = read_raw(f->path, &size);
    size_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | (unsigned char)whole[i];
    char cut[128];
    snprintf(cut, sizeof cut, "%s/cut.safetensors", f->dir);

    /* Every length short of the whole file is refused without a crash. */
    for (size_t n = 0; n < size; n++) {
        write_raw(cut, whole, n);
        LrSafetensors st;
        assert_int_equal(safetensors_open(&st, cut, why, sizeof why), -1);
        assert_true(strncmp(why, "'", 1) == 0 && strstr(why, cut) != NULL);
        safetensors_close(&st);
    }
    /* And the messages at the three stages. */
    char fmt[256];
    write_raw(cut, whole, 5);
    assert_open_fails(cut, "'%s' is truncated: 5 bytes, too short for the 8-byte header length");
    write_raw(cut, whole, 100);
    snprintf(fmt, sizeof fmt,
             "'%%s' is truncated: header says %zu bytes but the file has 92 after the 8-byte length",
             hlen);
    assert_open_fails(cut, fmt);
    write_raw(cut, whole, size - 1);
    assert_open_fails(cut, "'%s': tensor 'scalar' has data_offsets [96, 100] beyond the 99 bytes "
                           "of data");
    write_raw(cut, whole, size);
    LrSafetensors st;
    open_ok(&st, cut);
    safetensors_close(&st);
    free(whole);

    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing.safetensors", f->dir);
    assert_open_fails(missing, "cannot read '%s': No such file or directory");
}

static void test_safetensors__corrupt_headers_are_refused(void **state)
{
    Fixture *f = *state;
    const char *p = f->path;
#define ENTRY(name, dtype, shape, offsets)                                                         \
    "\"" name "\":{\"dtype\":\"" dtype "\",\"shape\":" shape ",\"data_offsets\":" offsets "}"
    static const struct {
        const char *header;
        size_t data;
        const char *why;
    } cases[] = {
        {"not json", 0, "'%s': header is not valid JSON: offset 3: invalid token near 'not'"},
        {"{\"a\":", 0, "'%s': header is not valid JSON: offset 5: unexpected token near end of file"},
        {"[]", 0, "'%s': header is not a JSON object"},
        {"{\"a\":3}", 0, "'%s': tensor 'a' is not an object"},
        {"{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'%s': tensor 'a' has no dtype"},
        {"{" ENTRY("a", "F128", "[1]", "[0,16]") "}", 16, "'%s': tensor 'a' has unknown dtype 'F128'"},
        {"{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "'%s': tensor 'a' has no shape"},
        {"{" ENTRY("a", "F32", "[-1]", "[0,4]") "}", 4,
         "'%s': tensor 'a' has an invalid shape (dimensions must be non-negative integers)"},
        {"{" ENTRY("a", "F32", "[1.0]", "[0,4]") "}", 4,
         "'%s': tensor 'a' has an invalid shape (dimensions must be non-negative integers)"},
        {"{" ENTRY("a", "F32", "[\"1\"]", "[0,4]") "}", 4,
         "'%s': tensor 'a' has an invalid shape (dimensions must be non-negative integers)"},
        {"{" ENTRY("a", "F32", "[1,1,1,1,1]", "[0,4]") "}", 4,
         "'%s': tensor 'a' has 5 dimensions (limit is 4)"},
        {"{" ENTRY("a", "F32", "[4294967296,4294967296]", "[0,4]") "}", 4,
         "'%s': tensor 'a' has shape [4294967296, 4294967296], too large to address"},
        {"{" ENTRY("a", "U8", "[9223372036854775807,3]", "[0,4]") "}", 4,
         "'%s': tensor 'a' has shape [9223372036854775807, 3], too large to address"},
        {"{" ENTRY("a", "F32", "[1]", "[0]") "}", 4,
         "'%s': tensor 'a' has no valid data_offsets (expected [begin, end])"},
        {"{" ENTRY("a", "F32", "[1]", "[0,4,8]") "}", 8,
         "'%s': tensor 'a' has no valid data_offsets (expected [begin, end])"},
        {"{" ENTRY("a", "F32", "[1]", "[-4,0]") "}", 4,
         "'%s': tensor 'a' has no valid data_offsets (expected [begin, end])"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4,
         "'%s': tensor 'a' has no valid data_offsets (expected [begin, end])"},
        {"{" ENTRY("a", "F32", "[1]", "[8,4]") "}", 8,
         "'%s': tensor 'a' has data_offsets [8, 4] that end before they begin"},
        {"{" ENTRY("a", "F32", "[2]", "[0,8]") "}", 4,
         "'%s': tensor 'a' has data_offsets [0, 8] beyond the 4 bytes of data"},
        {"{" ENTRY("a", "F32", "[2,3]", "[0,16]") "}", 24,
         "'%s': tensor 'a' has data_offsets [0, 16] (16 bytes) but dtype F32 and shape [2, 3] "
         "need 24 bytes"},
        {"{" ENTRY("a", "F32", "[2]", "[0,8]") "," ENTRY("b", "F32", "[2]", "[4,12]") "}", 12,
         "'%s': tensors 'a' and 'b' overlap"},
        {"{" ENTRY("b", "F32", "[1]", "[8,12]") "," ENTRY("a", "F32", "[4]", "[0,16]") "}", 16,
         "'%s': tensors 'a' and 'b' overlap"},
        /* A tensor named twice: the JSON reader refuses the key. */
        {"{" ENTRY("a", "F32", "[1]", "[0,4]") "," ENTRY("a", "F32", "[1]", "[4,8]") "}", 8,
         "'%s': header is not valid JSON: offset 57: duplicate object key near '\"a\"'"},
        {"{\"__metadata__\":[]}", 0, "'%s': __metadata__ is not an object"},
        {"{\"__metadata__\":{\"k\":1}}", 0, "'%s': __metadata__ value 'k' is not a string"},
    };
#undef ENTRY
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        make_file(p, cases[i].header, cases[i].data);
        assert_open_fails(p, cases[i].why);
    }

    /* Header lengths over the reference's 100 MB limit are refused
     * before anything else is looked at. */
    unsigned char big[16] = {0x01, 0xe1, 0xf5, 0x05, 0, 0, 0, 0, '{', '}'}; /* 100000001 */
    write_raw(p, big, sizeof big);
    assert_open_fails(p, "'%s': header length 100000001 is over the limit of 100000000 bytes");
    memset(big, 0xff, 8);
    write_raw(p, big, sizeof big);
    assert_open_fails(p, "'%s': header length 18446744073709551615 is over the limit of "
                         "100000000 bytes");
}

static void test_safetensors__read_checks_name_dtype_shape(void **state)
{
    Fixture *f = *state;
    char why[512];
    if (write_sample(f->path, why, sizeof why) != 0)
        fail_msg("%s", why);
    LrSafetensors st;
    open_ok(&st, f->path);
    const int64_t s23[2] = {2, 3}, s31[2] = {3, 1}, s6[1] = {6}, s4[1] = {4};

    assert_read_fails(&st, f->path, "dense_1/bias", 1, s4, "'%s': no tensor 'dense_1/bias'");
    assert_read_fails(&st, f->path, "__metadata__", 1, s4, "'%s': no tensor '__metadata__'");
    assert_read_fails(&st, f->path, "dense/bias", 1, s4,
                      "'%s': tensor 'dense/bias' has dtype F64, expected F32");
    assert_read_fails(&st, f->path, "dense/kernel", 2, s31,
                      "'%s': tensor 'dense/kernel' has shape [2, 3], expected [3, 1]");
    /* Same element count, different rank: still refused. */
    assert_read_fails(&st, f->path, "dense/kernel", 1, s6,
                      "'%s': tensor 'dense/kernel' has shape [2, 3], expected [6]");
    assert_read_fails(&st, f->path, "scalar", 1, s4, "'%s': tensor 'scalar' has shape [], expected [4]");
    float dest[6];
    assert_int_equal(safetensors_read(&st, "dense/kernel", DTYPE_F32, 2, s23, dest, why, sizeof why), 0);
    safetensors_close(&st);

    /* A dtype of the format that lrc does not use: open, refuse on read. */
    make_file(f->path, "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
    open_ok(&st, f->path);
    const int64_t s2[1] = {2};
    assert_read_fails(&st, f->path, "h", 1, s2,
                      "'%s': tensor 'h' has unsupported dtype F16, expected F32");
    safetensors_close(&st);
}

static void test_safetensors__write_refusals(void **state)
{
    Fixture *f = *state;
    char why[512];
    const float x[2] = {0, 0};
    LrNamedTensor t[2] = {{"a", DTYPE_F32, 5, {1, 1, 1, 1}, x}, {"a", DTYPE_F32, 1, {1}, x}};
    assert_write_fails(f->path, t, 1, "cannot write '%s': tensor 'a' has 5 dimensions (limit is 4)");
    t[0].ndim = 1;
    t[0].shape[0] = -2;
    assert_write_fails(f->path, t, 1, "cannot write '%s': tensor 'a' has an invalid shape [-2]");
    t[0].shape[0] = 1;
    assert_write_fails(f->path, t, 2, "cannot write '%s': tensor 'a' appears twice");
    t[1].name = "__metadata__";
    assert_write_fails(f->path, t, 2, "cannot write '%s': tensor 1 has no usable name");
    assert_int_equal(access(f->path, F_OK), -1); /* nothing was written */

    assert_int_equal(safetensors_write("/proc/lrc_test.safetensors", t, 1, NULL, 0, why, sizeof why), -1);
    assert_true(strncmp(why, "cannot write '/proc/lrc_test.safetensors': ", 43) == 0);
}

/* ---- exchange with numpy ------------------------------------------------ */

static void test_safetensors__reads_numpy_file(void **state)
{
    Fixture *f = *state;
    char cmd[512], why[512];
    snprintf(cmd, sizeof cmd, "python3 " NUMPY_SCRIPT " --write '%s'", f->path);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("'%s' failed (status %d); python3 with numpy is required", cmd, rc);
    LrSafetensors st;
    open_ok(&st, f->path);
    float a[6];
    double b[4];
    const int64_t s23[2] = {2, 3}, s4[1] = {4};
    assert_int_equal(safetensors_read(&st, "a", DTYPE_F32, 2, s23, a, why, sizeof why), 0);
    for (int i = 0; i < 6; i++)
        assert_true(a[i] == (float)i);
    assert_int_equal(safetensors_read(&st, "b", DTYPE_F64, 1, s4, b, why, sizeof why), 0);
    for (int i = 0; i < 4; i++)
        assert_true(b[i] == i + 0.5);
    assert_string_equal(safetensors_meta(&st, "k"), "v");
    safetensors_close(&st);
}

static void test_safetensors__numpy_reads_our_file(void **state)
{
    Fixture *f = *state;
    char cmd[512], why[512];
    /* Sums exact in binary floating point, so they compare with ==. */
    float w[12];
    double v[5];
    int64_t n[3] = {-5, INT64_C(1) << 40, 7};
    double w_sum = 0, v_sum = 0;
    for (int i = 0; i < 12; i++)
        w_sum += w[i] = (float)(i * 0.25 - 1);
    for (int i = 0; i < 5; i++)
        v_sum += v[i] = i * 1.5 + 0.125;
    const LrNamedTensor t[] = {
        {"layer/w", DTYPE_F32, 3, {2, 3, 2}, w},
        {"v", DTYPE_F64, 1, {5}, v},
        {"n", DTYPE_I64, 1, {3}, n},
        {"none", DTYPE_F32, 2, {0, 4}, NULL},
    };
    const LrMeta meta[] = {{"epochs", "12"}};
    if (safetensors_write(f->path, t, 4, meta, 1, why, sizeof why) != 0)
        fail_msg("%s", why);

    snprintf(cmd, sizeof cmd, "python3 " NUMPY_SCRIPT " '%s'", f->path);
    FILE *out = popen(cmd, "r");
    assert_non_null(out);
    char line[5][256];
    int lines = 0;
    while (lines < 5 && fgets(line[lines], sizeof line[lines], out))
        lines++;
    int rc = pclose(out);
    if (rc != 0)
        fail_msg("'%s' failed (status %d); python3 with numpy is required", cmd, rc);
    assert_int_equal(lines, 5);

    char name[64], dtype[8], shape[64], sum[64];
    assert_int_equal(sscanf(line[0], "%63s %7s %63s %63s", name, dtype, shape, sum), 4);
    assert_string_equal(name, "layer/w");
    assert_string_equal(dtype, "F32");
    assert_string_equal(shape, "[2,3,2]");
    assert_true(strtod(sum, NULL) == w_sum);
    assert_int_equal(sscanf(line[1], "%63s %7s %63s %63s", name, dtype, shape, sum), 4);
    assert_string_equal(name, "v");
    assert_string_equal(shape, "[5]");
    assert_true(strtod(sum, NULL) == v_sum);
    assert_string_equal(line[2], "n I64 [3] 1099511627778\n");
    assert_string_equal(line[3], "none F32 [0,4] 0.0\n");
    assert_string_equal(line[4], "meta epochs 12\n");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(test_safetensors__##name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(round_trip),
        T(exact_bytes),
        T(zero_size_tensors),
        T(truncated_files_are_refused),
        T(corrupt_headers_are_refused),
        T(read_checks_name_dtype_shape),
        T(write_refusals),
        T(reads_numpy_file),
        T(numpy_reads_our_file),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
