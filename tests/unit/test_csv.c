/* test_csv.c — the record reader: fields split and unquoted exactly as
 * written, line numbers (also across quoted newlines), CRLF, skipped empty
 * lines, custom delimiters, the errors with their positions, the size and
 * line limits, and the hash of what was read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "csv.h"

/* A temporary file holding text; removed by teardown. */
typedef struct Fixture {
    char path[64];
    LrDiag diag;
    LrCsvReader r;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->path, sizeof f->path, "%s/test_csv_XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    int fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    diag_init(&f->diag, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    csv_close(&f->r);
    unlink(f->path);
    free(f);
    return 0;
}

static void write_file(const Fixture *f, const char *text, size_t len)
{
    FILE *out = fopen(f->path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(text, 1, len, out), len);
    assert_int_equal(fclose(out), 0);
}

/* Opens text (written to the fixture's file) with delimiter. */
static void open_text(Fixture *f, const char *text, char delimiter)
{
    write_file(f, text, strlen(text));
    char why[128];
    assert_int_equal(csv_open(&f->r, f->path, "t.csv", delimiter, NULL, &f->diag, why, sizeof why), 0);
}

/* Reads the next record and checks its fields (NULL-terminated) and line. */
static void expect_record(Fixture *f, int line, const char *const *fields)
{
    assert_int_equal(csv_next(&f->r), 1);
    int n = 0;
    while (fields[n])
        n++;
    assert_int_equal(f->r.field_count, n);
    assert_int_equal(f->r.record_line, line);
    for (int i = 0; i < n; i++) {
        size_t len;
        const char *s = csv_field(&f->r, i, &len);
        assert_int_equal(len, strlen(fields[i]));
        assert_string_equal(s, fields[i]);
    }
}

#define RECORD(f, line, ...) expect_record((f), (line), (const char *const[]){__VA_ARGS__, NULL})

static void test_csv__plain_fields_and_lines(void **state)
{
    Fixture *f = *state;
    open_text(f, "a,b,c\n1,2,3\n,x y ,\n", ',');
    RECORD(f, 1, "a", "b", "c");
    RECORD(f, 2, "1", "2", "3");
    RECORD(f, 3, "", "x y ", "");
    assert_int_equal(csv_next(&f->r), 0);
    assert_int_equal(csv_next(&f->r), 0);
    assert_int_equal(f->diag.errors, 0);
}

static void test_csv__quoted_fields(void **state)
{
    Fixture *f = *state;
    open_text(f,
              "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
              "  \"spaced\"  ,\"\",x\"y\n"
              "last,\"\"\"\",\"\"\"\"\"\"",
              ',');
    RECORD(f, 1, "a,b", "say \"hi\"", "two\nlines");
    /* The second record starts on line 3: the quoted newline counts. */
    RECORD(f, 3, "spaced", "", "x\"y");
    /* The last record ends at the end of the file, without a newline. */
    RECORD(f, 4, "last", "\"", "\"\"");
    assert_int_equal(csv_next(&f->r), 0);
    assert_int_equal(f->diag.errors, 0);
}

static void test_csv__field_lines_follow_quoted_newlines(void **state)
{
    Fixture *f = *state;
    open_text(f, "1,\"a\nb\nc\",2\n", ',');
    assert_int_equal(csv_next(&f->r), 1);
    assert_int_equal(f->r.field_line[0], 1);
    assert_int_equal(f->r.field_line[1], 1);
    assert_int_equal(f->r.field_line[2], 3);
    assert_int_equal(f->r.line, 4);
}

static void test_csv__crlf_and_blank_lines(void **state)
{
    Fixture *f = *state;
    open_text(f, "\r\na,b\r\n\r\n1,\"x\r\ny\"\r\n2,3\n\r\n\n\n", ',');
    RECORD(f, 2, "a", "b");
    /* A CRLF inside quotes is kept as written. */
    RECORD(f, 4, "1", "x\r\ny");
    RECORD(f, 6, "2", "3");
    assert_int_equal(csv_next(&f->r), 0);
    assert_int_equal(f->diag.errors, 0);
}

static void test_csv__lone_cr_is_data(void **state)
{
    Fixture *f = *state;
    open_text(f, "a\rb,c\n\rd\n", ',');
    RECORD(f, 1, "a\rb", "c");
    RECORD(f, 2, "\rd");
    assert_int_equal(csv_next(&f->r), 0);
}

static void test_csv__custom_delimiters(void **state)
{
    Fixture *f = *state;
    open_text(f, "1,5;\"2;3\";x\n", ';');
    RECORD(f, 1, "1,5", "2;3", "x");
    csv_close(&f->r);
    open_text(f, "a\tb\t\"c\" \t d\n", '\t');
    RECORD(f, 1, "a", "b", "c", " d");
}

static void test_csv__unterminated_quote(void **state)
{
    Fixture *f = *state;
    open_text(f, "a,b\n1,\"2\n3,4\n", ',');
    RECORD(f, 1, "a", "b");
    assert_int_equal(csv_next(&f->r), -1);
    assert_int_equal(f->diag.errors, 1);
    assert_string_equal(f->diag.first,
                        "2:2: error: unterminated quoted field (the quote opened here is never closed)");
}

static void test_csv__text_after_closing_quote(void **state)
{
    Fixture *f = *state;
    open_text(f, "a,b,c\n1,\"2\"x,3\n", ',');
    RECORD(f, 1, "a", "b", "c");
    assert_int_equal(csv_next(&f->r), -1);
    assert_string_equal(f->diag.first, "2:2: error: unexpected 'x' after a closing quote (a quote "
                                       "inside a quoted field is written \"\")");
}

/* Opens len bytes of text, which may hold NULs. */
static void open_bytes(Fixture *f, const char *text, size_t len)
{
    write_file(f, text, len);
    char why[128];
    assert_int_equal(csv_open(&f->r, f->path, "t.csv", ',', NULL, &f->diag, why, sizeof why), 0);
}

static void test_csv__nul_byte_is_an_error_at_its_place(void **state)
{
    Fixture *f = *state;
    /* Not "non-numeric value '1'": the field would end at the NUL. */
    static const char unquoted[] = "a,b\n1,2\n3,1\0" "2\n";
    open_bytes(f, unquoted, sizeof unquoted - 1);
    RECORD(f, 1, "a", "b");
    RECORD(f, 2, "1", "2");
    assert_int_equal(csv_next(&f->r), -1);
    assert_string_equal(f->diag.first, "3:2: error: NUL byte at byte 4 of the line (a CSV file is text)");
    csv_close(&f->r);
    /* In a quoted field, on the second line of the field; in a header. */
    diag_init(&f->diag, NULL);
    static const char quoted[] = "a,b\n\"x\nab\0\",2\n";
    open_bytes(f, quoted, sizeof quoted - 1);
    RECORD(f, 1, "a", "b");
    assert_int_equal(csv_next(&f->r), -1);
    assert_string_equal(f->diag.first, "3:1: error: NUL byte at byte 3 of the line (a CSV file is text)");
    csv_close(&f->r);
    diag_init(&f->diag, NULL);
    open_bytes(f, "\0a,b\n", 5);
    assert_int_equal(csv_next(&f->r), -1);
    assert_string_equal(f->diag.first, "1:1: error: NUL byte at byte 1 of the line (a CSV file is text)");
}

static void test_csv__byte_order_mark_is_skipped(void **state)
{
    Fixture *f = *state;
    /* The first column is 'a', not "\ufeffa"; a byte of line 1 is counted
     * after the mark. */
    static const char text[] = "\xef\xbb\xbf" "a,b\n1,2\n";
    open_bytes(f, text, sizeof text - 1);
    RECORD(f, 1, "a", "b");
    RECORD(f, 2, "1", "2");
    assert_int_equal(csv_next(&f->r), 0);
    csv_close(&f->r);
    static const char nul[] = "\xef\xbb\xbf" "a\0,b\n";
    open_bytes(f, nul, sizeof nul - 1);
    assert_int_equal(csv_next(&f->r), -1);
    assert_string_equal(f->diag.first, "1:1: error: NUL byte at byte 2 of the line (a CSV file is text)");
    csv_close(&f->r);
    /* Only at the start of the file: elsewhere it is data. */
    static const char later[] = "a\n\xef\xbb\xbf" "b\n";
    open_bytes(f, later, sizeof later - 1);
    RECORD(f, 1, "a");
    RECORD(f, 2, "\xef\xbb\xbf" "b");
}

static void test_csv__line_limit(void **state)
{
    Fixture *f = *state;
    /* A line of exactly the limit passes; one byte more fails. */
    size_t n = (size_t)CSV_MAX_LINE;
    char *text = malloc(2 * n + 16);
    assert_non_null(text);
    memset(text, '7', n);
    text[n] = '\n';
    memset(text + n + 1, '8', n + 1);
    text[2 * n + 2] = '\n';
    write_file(f, text, 2 * n + 3);
    free(text);
    char why[128];
    assert_int_equal(csv_open(&f->r, f->path, "t.csv", ',', NULL, &f->diag, why, sizeof why), 0);
    assert_int_equal(csv_next(&f->r), 1);
    size_t len;
    csv_field(&f->r, 0, &len);
    assert_int_equal(len, n);
    assert_int_equal(csv_next(&f->r), -1);
    assert_string_equal(f->diag.first, "2: error: line is longer than 1 MiB (limit is 1048576 bytes)");
}

static void test_csv__size_limit(void **state)
{
    Fixture *f = *state;
    /* A sparse file one byte over 2 GiB: refused from its size, unread. */
    FILE *out = fopen(f->path, "wb");
    assert_non_null(out);
    assert_int_equal(ftruncate(fileno(out), (off_t)CSV_MAX_BYTES + 1), 0);
    fclose(out);
    char why[128];
    assert_int_equal(csv_open(&f->r, f->path, "t.csv", ',', NULL, &f->diag, why, sizeof why), -1);
    assert_string_equal(why, "file is larger than 2 GiB (limit is 2147483648 bytes)");
    assert_int_equal(f->diag.errors, 0);
}

static void test_csv__missing_file(void **state)
{
    Fixture *f = *state;
    char why[128];
    assert_int_equal(csv_open(&f->r, "tests/data/no such file.csv", "x.csv", ',', NULL, &f->diag,
                              why, sizeof why),
                     -1);
    assert_string_equal(why, "No such file or directory");
}

static void test_csv__hashes_what_it_reads(void **state)
{
    Fixture *f = *state;
    /* sha256("abc") from FIPS 180-2 appendix B.1. */
    write_file(f, "abc", 3);
    LrSha256 h;
    sha256_init(&h);
    char why[128];
    assert_int_equal(csv_open(&f->r, f->path, "t.csv", ',', &h, &f->diag, why, sizeof why), 0);
    RECORD(f, 1, "abc");
    assert_int_equal(csv_next(&f->r), 0);
    unsigned char d[32];
    sha256_final(&h, d);
    static const unsigned char want[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    assert_memory_equal(d, want, 32);
}

static void test_csv__many_fields_and_long_record(void **state)
{
    Fixture *f = *state;
    /* 5000 fields: the field and text buffers grow. */
    enum { N = 5000 };
    char *text = malloc(N * 8 + 2);
    assert_non_null(text);
    size_t len = 0;
    for (int i = 0; i < N; i++)
        len += (size_t)sprintf(text + len, "%s%d", i ? "," : "", i);
    text[len++] = '\n';
    text[len] = '\0';
    open_text(f, text, ',');
    free(text);
    assert_int_equal(csv_next(&f->r), 1);
    assert_int_equal(f->r.field_count, N);
    for (int i = 0; i < N; i += 499) {
        char want[16];
        snprintf(want, sizeof want, "%d", i);
        size_t flen;
        assert_string_equal(csv_field(&f->r, i, &flen), want);
    }
}

static void test_csv__records_across_buffer_refills(void **state)
{
    Fixture *f = *state;
    /* 20000 records, about 500 KB: refills fall inside fields, quotes and
     * CRLF pairs. */
    enum { N = 20000 };
    char *text = malloc((size_t)N * 32);
    assert_non_null(text);
    size_t len = 0;
    for (int i = 0; i < N; i++)
        len += (size_t)sprintf(text + len, "%d,\"q\"\"%d\"\r\n", i, i % 97);
    text[len] = '\0';
    open_text(f, text, ',');
    free(text);
    for (int i = 0; i < N; i++) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", i);
        snprintf(b, sizeof b, "q\"%d", i % 97);
        RECORD(f, i + 1, a, b);
    }
    assert_int_equal(csv_next(&f->r), 0);
    assert_int_equal(f->diag.errors, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_csv__plain_fields_and_lines),
        T(test_csv__quoted_fields),
        T(test_csv__field_lines_follow_quoted_newlines),
        T(test_csv__crlf_and_blank_lines),
        T(test_csv__lone_cr_is_data),
        T(test_csv__custom_delimiters),
        T(test_csv__unterminated_quote),
        T(test_csv__text_after_closing_quote),
        T(test_csv__nul_byte_is_an_error_at_its_place),
        T(test_csv__byte_order_mark_is_skipped),
        T(test_csv__line_limit),
        T(test_csv__size_limit),
        T(test_csv__missing_file),
        T(test_csv__hashes_what_it_reads),
        T(test_csv__many_fields_and_long_record),
        T(test_csv__records_across_buffer_refills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
