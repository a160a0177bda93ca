/* test_data.c — loading datasets: CSV columns (labels anywhere, feature
 * subsets in their order, numbered columns without a header, quoting, CRLF,
 * delimiters), every error with its exact message, place and status, the
 * file's hash, the split (sizes, a permutation, order kept, seeded by
 * dataset, stratified per class), normalization against statistics
 * computed here, the generators through data_load, text labels as sorted
 * classes and mapped through the training ones, and every bad row. Fixtures are in tests/data/ (paths relative
 * to the top of the tree, where the tests run). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "data.h"
#include "rng.h"
#include "synth.h"


#define DIR "tests/data/"

/* One experiment text (for error spans), a diagnostics sink that only
 * records, a dataset, and a temporary file for CSVs written by a test. */
typedef struct Fixture {
    LrSource src;
    LrDiag diag;
    LrDataset d;
    char tmp[64];
} Fixture;

static const char TEXT[] =
    "data d = csv(\"f.csv\", label=\"specis\", features=[\"sepal_widht\", \"x\"])\n";

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    if (!f || source_from_string(&f->src, "t.lr", TEXT) < 0)
        return -1;
    diag_init(&f->diag, NULL);
    const char *dir = getenv("TMPDIR");
    snprintf(f->tmp, sizeof f->tmp, "%s/test_data_XXXXXX", dir && strlen(dir) < 40 ? dir : "/tmp");
    int fd = mkstemp(f->tmp);
    if (fd < 0)
        return -1;
    close(fd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    data_free(&f->d);
    source_free(&f->src);
    unlink(f->tmp);
    free(f);
    return 0;
}

static void write_tmp(const Fixture *f, const char *text)
{
    FILE *out = fopen(f->tmp, "wb");
    assert_non_null(out);
    fputs(text, out);
    assert_int_equal(fclose(out), 0);
}

/* The span of the first occurrence of s in TEXT. */
static LrSpan span_of(const char *s)
{
    const char *p = strstr(TEXT, s);
    assert_non_null(p);
    return (LrSpan){(uint32_t)(p - TEXT), (uint32_t)strlen(s)};
}

/* A CSV dataset spec with one label, every other column a feature. */
static LrDatasetSpec csv_spec(const char *path, const char *const *label)
{
    LrDatasetSpec s = {.kind = DATA_CSV, .name = "d", .path = path, .resolved_path = path,
                       .label_count = 1, .labels = label, .header = true, .delimiter = ',',
                       .span = span_of("csv("), .label_span = span_of("\"specis\""),
                       .features_span = span_of("[\"sepal_widht\", \"x\"]")};
    return s;
}

static void expect_row(const LrDataset *d, int64_t i, const float *x, const float *y)
{
    for (int j = 0; j < d->features; j++)
        assert_true(d->x[i * d->features + j] == x[j]);
    for (int j = 0; j < d->targets; j++)
        assert_true(d->y[i * d->targets + j] == y[j]);
}

#define ROW(d, i, xs, ys) expect_row((d), (i), (xs), (ys))
#define V(...) ((const float[]){__VA_ARGS__})
#define L(...) ((const char *const[]){__VA_ARGS__})

/* ---- columns and values -------------------------------------------------- */

static void test_data__label_in_middle_features_default(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "iris_tiny.csv", L("species"));
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->d.n, 6);
    assert_int_equal(f->d.features, 4);
    assert_int_equal(f->d.targets, 1);
    const char *names[] = {"sepal_length", "sepal_width", "petal_length", "petal_width"};
    for (int j = 0; j < 4; j++)
        assert_string_equal(f->d.feature_names[j], names[j]);
    ROW(&f->d, 0, V(5.1f, 3.5f, 1.4f, 0.2f), V(0));
    ROW(&f->d, 3, V(6.4f, 3.2f, 4.5f, 1.5f), V(1));
    ROW(&f->d, 5, V(5.8f, 2.7f, 5.1f, 1.9f), V(2));
    /* No held-out parts: everything trains, in file order. */
    assert_int_equal(f->d.part_begin[PART_TRAIN], 0);
    assert_int_equal(f->d.part_count[PART_TRAIN], 6);
    assert_int_equal(f->d.part_count[PART_VALIDATION], 0);
    assert_int_equal(f->d.part_count[PART_TEST], 0);
    /* sha256sum tests/data/iris_tiny.csv */
    assert_string_equal(f->d.sha256,
                        "633696ca334732523da7cd83f696470ef59285c90f6f9a23231ad2cea7eddfb8");
}

static void test_data__features_subset_in_given_order(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "iris_tiny.csv", L("species"));
    s.feature_count = 2;
    s.feature_names = L("petal_width", "sepal_length");
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.features, 2);
    assert_string_equal(f->d.feature_names[0], "petal_width");
    assert_string_equal(f->d.feature_names[1], "sepal_length");
    assert_null(f->d.feature_names[2]);
    ROW(&f->d, 2, V(1.4f, 7.0f), V(1));
}

static void test_data__several_labels(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "iris_tiny.csv", NULL);
    s.label_count = 2;
    s.labels = L("petal_width", "species");
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.features, 3);
    assert_int_equal(f->d.targets, 2);
    ROW(&f->d, 4, V(6.3f, 3.3f, 6.0f), V(2.5f, 2));
}

static void test_data__quoted_fields(void **state)
{
    Fixture *f = *state;
    /* A text column with commas, a newline and "" escapes, left out by
     * features=; quoted and space-padded numbers parse. */
    LrDatasetSpec s = csv_spec(DIR "quoted.csv", L("y"));
    s.feature_count = 2;
    s.feature_names = L("x", "id");
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.n, 4);
    ROW(&f->d, 0, V(1.5f, 1), V(0));
    ROW(&f->d, 1, V(2.5f, 2), V(1));
    ROW(&f->d, 2, V(3.5f, 3), V(0));
    ROW(&f->d, 3, V(4.5f, 4), V(1));
}

static void test_data__crlf_and_trailing_blank_lines(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "crlf.csv", L("label"));
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.n, 3);
    ROW(&f->d, 0, V(1, 2), V(0));
    ROW(&f->d, 2, V(5, 6), V(0));
}

static void test_data__no_header_numbered_columns(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "noheader.csv", L("3"));
    s.header = false;
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.n, 3);
    assert_string_equal(f->d.feature_names[0], "1");
    assert_string_equal(f->d.feature_names[1], "2");
    ROW(&f->d, 0, V(1.5f, 10), V(0));
    ROW(&f->d, 2, V(3.5f, 30), V(2));
    data_free(&f->d);
    /* The label in the middle. */
    s.labels = L("2");
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_string_equal(f->d.feature_names[1], "3");
    ROW(&f->d, 1, V(2.5f, 1), V(20));
}

static void test_data__custom_delimiter(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "semicolon.csv", L("label"));
    s.delimiter = ';';
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    ROW(&f->d, 0, V(0.5f, -2000), V(1));
    ROW(&f->d, 1, V(7, 4.25f), V(0));
}

/* Loads path (label `label`) and expects status and the first error. */
static void expect_error(Fixture *f, const char *path, const char *label, LrOutcome status,
                         const char *first)
{
    LrDatasetSpec s = csv_spec(path, (const char *const[]){label});
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, status);
    assert_int_equal(f->diag.errors, 1);
    assert_string_equal(f->diag.first, first);
    /* Nothing is left allocated or half-filled. */
    assert_null(f->d.x);
    assert_null(f->d.y);
    assert_int_equal(f->d.n, 0);
}

static void test_data__non_numeric_value(void **state)
{
    expect_error(*state, DIR "nonnumeric.csv", "c", LR_LANGUAGE_ERROR,
                 "3:2: error: non-numeric value 'abc' in column 'b'");
}

static void test_data__decimal_comma_is_non_numeric(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "semicolon_bad.csv", L("label"));
    s.delimiter = ';';
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "2:1: error: non-numeric value '1,5' in column 'x'");
}

static void test_data__missing_value(void **state)
{
    expect_error(*state, DIR "missing.csv", "a", LR_LANGUAGE_ERROR,
                 "3:3: error: missing value in column 'c'");
}

static void test_data__ragged_row(void **state)
{
    expect_error(*state, DIR "ragged.csv", "e", LR_LANGUAGE_ERROR,
                 "3: error: row has 4 fields but the header has 5");
}

static void test_data__unterminated_quote(void **state)
{
    expect_error(*state, DIR "unterminated.csv", "a", LR_LANGUAGE_ERROR,
                 "3:2: error: unterminated quoted field (the quote opened here is never closed)");
}

static void test_data__line_numbers_count_quoted_newlines(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "multiline_bad.csv", L("id"));
    s.feature_count = 1;
    s.feature_names = L("x");
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "5:3: error: non-numeric value 'zz' in column 'x'");
}

static void test_data__no_data_rows(void **state)
{
    Fixture *f = *state;
    expect_error(f, DIR "header_only.csv", "a", LR_LANGUAGE_ERROR, "1: error: no data rows");
    diag_init(&f->diag, NULL);
    expect_error(f, DIR "empty.csv", "a", LR_LANGUAGE_ERROR, "1: error: no data rows");
}

static void test_data__missing_file(void **state)
{
    expect_error(*state, DIR "no_such.csv", "a", LR_RUN_FAILED,
                 "1:10: error: cannot read data file 'tests/data/no_such.csv': No such file or "
                 "directory");
}

static void test_data__message_shows_path_as_written(void **state)
{
    Fixture *f = *state;
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    assert_non_null(out);
    diag_init(&f->diag, out);
    LrDatasetSpec s = csv_spec("data/nonnumeric.csv", L("c"));
    s.resolved_path = DIR "nonnumeric.csv";
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    fclose(out);
    assert_string_equal(buf,
                        "data/nonnumeric.csv:3:2: error: non-numeric value 'abc' in column 'b'\n");
    free(buf);
}

static void test_data__non_finite_and_out_of_range(void **state)
{
    Fixture *f = *state;
    static const struct {
        const char *text, *first;
    } cases[] = {
        {"a,b\n1,nan\n", "2:2: error: non-finite value 'nan' in column 'b'"},
        {"a,b\n1, -inf\n", "2:2: error: non-finite value '-inf' in column 'b'"},
        {"a,b\n1e999,1\n", "2:1: error: value '1e999' in column 'a' is out of range for a float"},
        {"a,b\n1,-1e39\n", "2:2: error: value '-1e39' in column 'b' is out of range for a float"},
        {"a,b\n1,2x\n", "2:2: error: non-numeric value '2x' in column 'b'"},
        {"a,b\n1,\"  \"\n", "2:2: error: missing value in column 'b'"},
        {"a,b\n1,1 2\n", "2:2: error: non-numeric value '1 2' in column 'b'"},
        {"a,b\n1,0123456789012345678901234567890123456789x\n",
         "2:2: error: non-numeric value '0123456789012345678901234567890123456...' in column 'b'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_tmp(f, cases[i].text);
        diag_init(&f->diag, NULL);
        LrDatasetSpec s = csv_spec(f->tmp, L("a"));
        assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
        assert_string_equal(f->diag.first, cases[i].first);
    }
    /* Tiny values underflow quietly; spaces around a number are fine. */
    write_tmp(f, "a,b\n 1e-50 ,\t2.5e-3\n");
    diag_init(&f->diag, NULL);
    LrDatasetSpec s = csv_spec(f->tmp, L("a"));
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    ROW(&f->d, 0, V(2.5e-3f), V(0));
}

/* ---- column names in the .lr file (status 2) ---------------------------- */

static void test_data__unknown_label_did_you_mean(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "iris_tiny.csv", L("specis"));
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "1:29: error: unknown column 'specis'; did you mean 'species'?");
    assert_null(f->d.x);
}

static void test_data__unknown_feature_did_you_mean(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "iris_tiny.csv", L("species"));
    s.feature_count = 2;
    s.feature_names = L("sepal_widht", "petal_width");
    assert_int_equal(data_check_columns(&s, &f->src, &f->diag, NULL).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first,
                        "1:48: error: unknown column 'sepal_widht'; did you mean 'sepal_width'?");
    diag_init(&f->diag, NULL);
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first,
                        "1:48: error: unknown column 'sepal_widht'; did you mean 'sepal_width'?");
}

static void test_data__unknown_column_lists_columns(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "crlf.csv", L("zzz"));
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "1:29: error: unknown column 'zzz' (the columns of "
                                       "'tests/data/crlf.csv' are 'a', 'b', 'label')");
    diag_init(&f->diag, NULL);
    s = csv_spec(DIR "noheader.csv", L("4"));
    s.header = false;
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "1:29: error: unknown column '4' ('tests/data/noheader.csv' "
                                       "has no header: its columns are numbered 1 to 3)");
}

static void test_data__label_also_feature(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "iris_tiny.csv", L("species"));
    s.feature_count = 2;
    s.feature_names = L("sepal_length", "species");
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "1:48: error: column 'species' is both a label and a feature");
}

static void test_data__every_column_a_label(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "noheader.csv", NULL);
    s.header = false;
    s.label_count = 3;
    s.labels = L("1", "3", "2");
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "1:29: error: no feature columns: every column of "
                                       "'tests/data/noheader.csv' is a label");
}

static void test_data__check_columns_reads_only_the_header(void **state)
{
    Fixture *f = *state;
    /* Row 3 has a bad value, which only loading finds. */
    LrDatasetSpec s = csv_spec(DIR "nonnumeric.csv", L("c"));
    assert_int_equal(data_check_columns(&s, &f->src, &f->diag, NULL).outcome, LR_OK);
    assert_int_equal(f->diag.errors, 0);
    s = csv_spec(DIR "nonnumeric.csv", L("d"));
    assert_int_equal(data_check_columns(&s, &f->src, &f->diag, NULL).outcome, LR_LANGUAGE_ERROR);
    LrDatasetSpec gen = {.kind = DATA_MOONS, .n = 10};
    assert_int_equal(data_check_columns(&gen, &f->src, &f->diag, NULL).outcome, LR_OK);
}

/* The plan's memory check sizes the model by the header: 4 features and 1
 * label of 5 columns; 166 bytes hold at most 166 / (2 * 5) + 1 rows. */
static void test_data__check_columns_gives_the_shape(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "iris_tiny.csv", L("species"));
    LrDataShape shape;
    assert_int_equal(data_check_columns(&s, &f->src, &f->diag, &shape).outcome, LR_OK);
    assert_int_equal(shape.features, 4);
    assert_int_equal(shape.targets, 1);
    assert_int_equal(shape.rows_at_least, 1);
    assert_int_equal(shape.rows_at_most, 17);
    LrDatasetSpec blobs = {.kind = DATA_BLOBS, .n = 10, .features = 3, .classes = 4};
    assert_int_equal(data_check_columns(&blobs, &f->src, &f->diag, &shape).outcome, LR_OK);
    size_t x, y, centers;
    assert_true(data_bytes(&blobs, &shape, 10, &x, &y, &centers));
    assert_int_equal(x, 10 * 3 * sizeof(float));
    assert_int_equal(y, 10 * sizeof(float));
    assert_int_equal(centers, 4 * 3 * sizeof(double));
    blobs.features = blobs.classes = 16777216;
    assert_int_equal(data_check_columns(&blobs, &f->src, &f->diag, &shape).outcome, LR_OK);
    assert_true(data_bytes(&blobs, &shape, 10, &x, &y, &centers));
    assert_true(centers == (size_t)16777216 * 16777216 * sizeof(double));
}

/* ---- split --------------------------------------------------------------- */

enum { IDS = 103 };

/* ids.csv: id, x = (37 id mod 101) / 10, label = id mod 3. */
static LrDatasetSpec ids_spec(int validation_pct, int test_pct)
{
    static const char *const label[] = {"label"};
    LrDatasetSpec s = csv_spec(DIR "ids.csv", label);
    s.validation = validation_pct / 100.0;
    s.test = test_pct / 100.0;
    return s;
}

/* ceil(pct * n / 100) in integers. */
static int64_t ceil_pct(int pct, int64_t n)
{
    return (pct * n + 99) / 100;
}

static void test_data__split_sizes_permutation_and_order(void **state)
{
    Fixture *f = *state;
    static const int fractions[][2] = {{10, 20}, {25, 0}, {0, 50}, {7, 13}, {33, 33}, {1, 1},
                                       {0, 0},   {45, 53}};
    for (size_t k = 0; k < sizeof fractions / sizeof fractions[0]; k++) {
        LrDatasetSpec s = ids_spec(fractions[k][0], fractions[k][1]);
        assert_int_equal(data_load(&s, 0, 42, &f->src, &f->diag, &f->d).outcome, LR_OK);
        int64_t nv = ceil_pct(fractions[k][0], IDS), nt = ceil_pct(fractions[k][1], IDS);
        assert_int_equal(f->d.n, IDS);
        assert_int_equal(f->d.part_count[PART_TEST], nt);
        assert_int_equal(f->d.part_count[PART_VALIDATION], nv);
        assert_int_equal(f->d.part_count[PART_TRAIN], IDS - nv - nt);
        assert_int_equal(f->d.part_begin[PART_TRAIN], 0);
        assert_int_equal(f->d.part_begin[PART_VALIDATION], IDS - nv - nt);
        assert_int_equal(f->d.part_begin[PART_TEST], IDS - nt);
        int seen[IDS] = {0};
        for (int p = 0; p < 3; p++) {
            int64_t b = f->d.part_begin[p], c = f->d.part_count[p];
            for (int64_t i = b; i < b + c; i++) {
                int id = (int)f->d.x[2 * i];
                assert_true(id >= 0 && id < IDS);
                seen[id]++;
                /* Rows move whole. */
                assert_true(f->d.x[2 * i + 1] == (float)((37 * id % 101) / 10.0));
                assert_true(f->d.y[i] == (float)(id % 3));
                /* File order within each part. */
                if (i > b)
                    assert_true(f->d.x[2 * (i - 1)] < f->d.x[2 * i]);
            }
        }
        for (int id = 0; id < IDS; id++)
            assert_int_equal(seen[id], 1);
        data_free(&f->d);
    }
}

static void test_data__split_follows_documented_draws(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = ids_spec(10, 20);
    assert_int_equal(data_load(&s, 3, 7, &f->src, &f->diag, &f->d).outcome, LR_OK);
    /* Partial Fisher-Yates on stream RNG_STREAM_SPLIT of dataset 3: the
     * first 21 picks are test, the next 11 validation. */
    int perm[IDS], part[IDS];
    for (int i = 0; i < IDS; i++) {
        perm[i] = i;
        part[i] = PART_TRAIN;
    }
    LrRng r;
    rng_seed(&r, 7, RNG_STREAM_SPLIT + RNG_DATASET_STRIDE * 3);
    for (int i = 0; i < 32; i++) {
        int j = i + (int)rng_below(&r, (uint64_t)(IDS - i));
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        part[perm[i]] = i < 21 ? PART_TEST : PART_VALIDATION;
    }
    for (int p = 0; p < 3; p++) {
        int64_t i = f->d.part_begin[p];
        for (int id = 0; id < IDS; id++)
            if (part[id] == p)
                assert_int_equal((int)f->d.x[2 * i++], id);
        assert_int_equal(i, f->d.part_begin[p] + f->d.part_count[p]);
    }
}

/* stratify=true: data.h's draws, made here independently: per class in
 * increasing label order (ids.csv's labels are id mod 3: classes of 35,
 * 34 and 34 rows), a partial Fisher-Yates over the class's rows in file
 * order, one generator for all, test ceil(0.2 n_c) then validation
 * ceil(0.1 n_c) rows; row_part records each row's part in file order. */
static void test_data__stratified_split_follows_documented_draws(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = ids_spec(10, 20);
    s.stratify = true;
    assert_int_equal(data_load(&s, 3, 7, &f->src, &f->diag, &f->d).outcome, LR_OK);
    int part[IDS];
    for (int i = 0; i < IDS; i++)
        part[i] = PART_TRAIN;
    LrRng r;
    rng_seed(&r, 7, RNG_STREAM_SPLIT + RNG_DATASET_STRIDE * 3);
    int64_t tests = 0, vals = 0;
    for (int c = 0; c < 3; c++) {
        int rows[IDS], n = 0;
        for (int id = 0; id < IDS; id++)
            if (id % 3 == c)
                rows[n++] = id;
        int nt = (int)ceil_pct(20, n), nv = (int)ceil_pct(10, n);
        for (int i = 0; i < nt + nv; i++) {
            int j = i + (int)rng_below(&r, (uint64_t)(n - i));
            int t = rows[i];
            rows[i] = rows[j];
            rows[j] = t;
            part[rows[i]] = i < nt ? PART_TEST : PART_VALIDATION;
        }
        int held[3] = {0};
        for (int id = 0; id < IDS; id++)
            if (id % 3 == c)
                held[part[id]]++;
        /* The proportions: each class gives each part its own share. */
        assert_int_equal(held[PART_TEST], nt);
        assert_int_equal(held[PART_VALIDATION], nv);
        tests += nt;
        vals += nv;
    }
    assert_int_equal(tests, 7 + 7 + 7);
    assert_int_equal(vals, 4 + 4 + 4);
    assert_int_equal(f->d.part_count[PART_TEST], tests);
    assert_int_equal(f->d.part_count[PART_VALIDATION], vals);
    assert_non_null(f->d.row_part);
    for (int id = 0; id < IDS; id++)
        assert_int_equal(f->d.row_part[id], part[id]);
    for (int p = 0; p < 3; p++) {
        int64_t i = f->d.part_begin[p];
        for (int id = 0; id < IDS; id++)
            if (part[id] == p) {
                assert_int_equal((int)f->d.x[2 * i], id);
                assert_true(f->d.y[i++] == (float)(id % 3));
            }
        assert_int_equal(i, f->d.part_begin[p] + f->d.part_count[p]);
    }
}

/* Labels that are not whole numbers are not classes to stratify by. */
static void test_data__stratify_needs_class_labels(void **state)
{
    Fixture *f = *state;
    write_tmp(f, "x,y\n1,0\n2,1\n3,0.5\n4,1\n");
    LrDatasetSpec s = csv_spec(f->tmp, L("y"));
    s.test = 0.25;
    s.stratify = true;
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "1:10: error: stratify=true needs labels that are classes, "
                                       "but row 3 of dataset 'd' has the label 0.5");
    assert_null(f->d.x);
}

static void test_data__split_seeded_by_seed_and_dataset(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = ids_spec(20, 20);
    LrDataset a, b, c;
    assert_int_equal(data_load(&s, 1, 5, &f->src, &f->diag, &a).outcome, LR_OK);
    assert_int_equal(data_load(&s, 1, 5, &f->src, &f->diag, &b).outcome, LR_OK);
    assert_int_equal(data_load(&s, 2, 5, &f->src, &f->diag, &c).outcome, LR_OK);
    assert_memory_equal(a.x, b.x, IDS * 2 * sizeof(float));
    assert_memory_equal(a.y, b.y, IDS * sizeof(float));
    assert_memory_not_equal(a.x, c.x, IDS * 2 * sizeof(float));
    data_free(&b);
    assert_int_equal(data_load(&s, 1, 6, &f->src, &f->diag, &b).outcome, LR_OK);
    assert_memory_not_equal(a.x, b.x, IDS * 2 * sizeof(float));
    data_free(&a);
    data_free(&b);
    data_free(&c);
}

static void test_data__split_fraction_read_as_decimal(void **state)
{
    Fixture *f = *state;
    /* 0.07 * 100 is 7.000000000000001 in doubles: still 7 rows. */
    static const double w[1] = {1};
    LrDatasetSpec s = {.kind = DATA_LINEAR, .name = "g", .n = 100, .features = 1, .high = 1,
                       .weights = w, .test = 0.07, .validation = 0.29};
    assert_true(0.07 * 100 > 7.0);
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.part_count[PART_TEST], 7);
    assert_int_equal(f->d.part_count[PART_VALIDATION], 29);
    assert_int_equal(f->d.part_count[PART_TRAIN], 64);
}

static void test_data__no_rows_left_for_training(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = csv_spec(DIR "noheader.csv", L("3"));
    s.header = false;
    s.test = 0.5;       /* ceil(1.5) = 2 */
    s.validation = 0.1; /* ceil(0.3) = 1 */
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "1:10: error: dataset 'd' has no rows left for training "
                                       "(3 rows: 1 held out for validation, 2 for test)");
    assert_null(f->d.x);
}

/* ---- normalization ------------------------------------------------------- */

static void test_data__normalize_standard_from_training_rows(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = ids_spec(20, 10);
    assert_int_equal(data_load(&s, 0, 3, &f->src, &f->diag, &f->d).outcome, LR_OK);
    const int64_t b = f->d.part_begin[PART_TRAIN], c = f->d.part_count[PART_TRAIN];
    float off[2], sc[2];
    data_normalize_fit(&f->d, NORM_STANDARD, b, c, off, sc);
    double mean[2] = {0}, var[2] = {0};
    for (int j = 0; j < 2; j++) {
        for (int64_t i = b; i < b + c; i++)
            mean[j] += f->d.x[2 * i + j];
        mean[j] /= (double)c;
        for (int64_t i = b; i < b + c; i++)
            var[j] += (f->d.x[2 * i + j] - mean[j]) * (f->d.x[2 * i + j] - mean[j]);
        var[j] /= (double)c;
        assert_close_rel(off[j], mean[j], 1e-6, 0);
        assert_close_rel(sc[j], sqrt(var[j]), 1e-6, 0);
    }
    /* Not the statistics of the whole file: ids 0..102 have mean 51. */
    assert_true(fabs(off[0] - 51.0) > 1e-3);
    data_normalize_apply(&f->d, off, sc);
    for (int j = 0; j < 2; j++) {
        double m = 0, q = 0;
        for (int64_t i = b; i < b + c; i++)
            m += f->d.x[2 * i + j];
        m /= (double)c;
        for (int64_t i = b; i < b + c; i++)
            q += (f->d.x[2 * i + j] - m) * (f->d.x[2 * i + j] - m);
        assert_close(m, 0.0, 1e-6);
        assert_close(q / (double)c, 1.0, 1e-5);
    }
}

static void test_data__normalize_minmax(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = ids_spec(20, 10);
    assert_int_equal(data_load(&s, 0, 3, &f->src, &f->diag, &f->d).outcome, LR_OK);
    const int64_t b = f->d.part_begin[PART_TRAIN], c = f->d.part_count[PART_TRAIN];
    float off[2], sc[2];
    data_normalize_fit(&f->d, NORM_MINMAX, b, c, off, sc);
    for (int j = 0; j < 2; j++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int64_t i = b; i < b + c; i++) {
            lo = fmin(lo, f->d.x[2 * i + j]);
            hi = fmax(hi, f->d.x[2 * i + j]);
        }
        assert_true(off[j] == (float)lo);
        assert_true(sc[j] == (float)(hi - lo));
    }
    data_normalize_apply(&f->d, off, sc);
    for (int j = 0; j < 2; j++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int64_t i = b; i < b + c; i++) {
            lo = fmin(lo, f->d.x[2 * i + j]);
            hi = fmax(hi, f->d.x[2 * i + j]);
        }
        assert_close(lo, 0.0, 0.0);
        assert_close(hi, 1.0, 1e-6);
    }
}

static void test_data__normalize_constant_and_none(void **state)
{
    Fixture *f = *state;
    write_tmp(f, "a,b,y\n0.1,1,0\n0.1,2,0\n0.1,4,0\n");
    LrDatasetSpec s = csv_spec(f->tmp, L("y"));
    assert_int_equal(data_load(&s, 0, 3, &f->src, &f->diag, &f->d).outcome, LR_OK);
    float off[2], sc[2];
    for (int kind = NORM_STANDARD; kind <= NORM_MINMAX; kind++) {
        data_normalize_fit(&f->d, (LrNormalizeKind)kind, 0, 3, off, sc);
        assert_true(off[0] == 0.1f);
        assert_true(sc[0] == 1.0f);
    }
    data_normalize_fit(&f->d, NORM_NONE, 0, 3, off, sc);
    assert_true(off[0] == 0 && off[1] == 0 && sc[0] == 1 && sc[1] == 1);
    data_normalize_fit(&f->d, NORM_STANDARD, 0, 3, off, sc);
    /* b = 1, 2, 4: mean 7/3, population std sqrt(14/9). */
    assert_close(off[1], 7.0 / 3, 1e-6);
    assert_close(sc[1], sqrt(14.0 / 9), 1e-6);
    data_normalize_apply(&f->d, off, sc);
    for (int i = 0; i < 3; i++)
        assert_true(f->d.x[2 * i] == 0.0f);
    assert_close(f->d.x[5], (4 - 7.0 / 3) / sqrt(14.0 / 9), 1e-6);
}

/* ---- generators ---------------------------------------------------------- */

/* data_load of a generator equals the generator run on the dataset's
 * stream. */
static void test_data__generators_use_dataset_stream(void **state)
{
    Fixture *f = *state;
    static const double w[2] = {2, -1};
    const LrDatasetSpec specs[] = {
        {.kind = DATA_LINEAR, .n = 50, .features = 2, .high = 1, .weights = w, .noise = 0.1},
        {.kind = DATA_BLOBS, .n = 50, .features = 3, .classes = 4, .spread = 1},
        {.kind = DATA_MOONS, .n = 51, .noise = 0.1},
        {.kind = DATA_SPIRAL, .n = 50, .classes = 3, .noise = 0.2},
    };
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        const LrDatasetSpec *s = &specs[k];
        assert_int_equal(data_load(s, 2, 99, &f->src, &f->diag, &f->d).outcome, LR_OK);
        int nf = s->kind == DATA_MOONS || s->kind == DATA_SPIRAL ? 2 : s->features;
        assert_int_equal(f->d.n, s->n);
        assert_int_equal(f->d.features, nf);
        assert_int_equal(f->d.targets, 1);
        assert_string_equal(f->d.sha256, "");
        assert_null(f->d.feature_names);
        float x[200], y[60];
        double centers[12];
        LrRng r;
        rng_seed(&r, 99, RNG_STREAM_DATA + 2 * RNG_DATASET_STRIDE);
        switch (s->kind) {
        case DATA_LINEAR: synth_linear(s, &r, 0, s->n, x, y); break;
        case DATA_BLOBS: synth_blobs(s, &r, 0, s->n, x, y, centers); break;
        case DATA_MOONS: synth_moons(s, &r, 0, s->n, x, y); break;
        default: synth_spiral(s, &r, 0, s->n, x, y); break;
        }
        assert_memory_equal(f->d.x, x, (size_t)(s->n * nf) * sizeof(float));
        assert_memory_equal(f->d.y, y, (size_t)s->n * sizeof(float));
        data_free(&f->d);
        /* Another dataset index: other data. */
        assert_int_equal(data_load(s, 3, 99, &f->src, &f->diag, &f->d).outcome, LR_OK);
        assert_memory_not_equal(f->d.x, x, (size_t)(s->n * nf) * sizeof(float));
        data_free(&f->d);
    }
}

static void test_data__generated_split(void **state)
{
    Fixture *f = *state;
    LrDatasetSpec s = {.kind = DATA_BLOBS, .n = 1000, .features = 2, .classes = 5,
                       .spread = 0.1, .test = 0.2, .validation = 0.1};
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_OK);
    assert_int_equal(f->d.part_count[PART_TRAIN], 700);
    assert_int_equal(f->d.part_count[PART_VALIDATION], 100);
    assert_int_equal(f->d.part_count[PART_TEST], 200);
    int count[5] = {0};
    for (int64_t i = 0; i < 1000; i++)
        count[(int)f->d.y[i]]++;
    for (int c = 0; c < 5; c++)
        assert_int_equal(count[c], 200);
}

/* Every bad value and row is reported, not only the first; the reading
 * stops at the sink's cap of 20 errors. */
static void test_data__bad_rows_reported_up_to_the_cap(void **state)
{
    Fixture *f = *state;
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    assert_non_null(out);
    diag_init(&f->diag, out);
    write_tmp(f, "a,b\n1,2\nx,3\n4\n5,\n6,7\n");
    LrDatasetSpec s = csv_spec(f->tmp, L("b"));
    s.path = "t.csv";
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    fclose(out);
    assert_int_equal(f->diag.errors, 3);
    assert_string_equal(buf, "t.csv:3:1: error: non-numeric value 'x' in column 'a'\n"
                             "t.csv:4: error: row has 1 field but the header has 2\n"
                             "t.csv:5:2: error: missing value in column 'b'\n");
    free(buf);
    assert_null(f->d.x);

    diag_init(&f->diag, NULL);
    FILE *many = fopen(f->tmp, "wb");
    assert_non_null(many);
    fputs("a,b\n", many);
    for (int i = 0; i < 30; i++)
        fprintf(many, "%d,bad%d\n", i, i);
    assert_int_equal(fclose(many), 0);
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_int_equal(f->diag.errors, 20);
}

/* ---- text labels ---------------------------------------------------------- */

static const LrLabelRule learn_classes = {.want = LABEL_CLASS_INDEX, .outputs = 3,
                                          .text_classes = true};

/* Classes are the distinct values sorted by byte (uppercase before
 * lowercase, a prefix before its extensions), each row's target its
 * class's index; a numeric label met before the first text one is read
 * as text too. */
static void test_data__text_labels_are_sorted_classes(void **state)
{
    Fixture *f = *state;
    write_tmp(f, "x,kind\n1,beta\n2, alpha \n3,Zeta\n4,10\n5,alpha\n6,alphabet\n");
    LrDatasetSpec s = csv_spec(f->tmp, L("kind"));
    LrLabelRule rule = learn_classes;
    rule.outputs = 5;
    assert_int_equal(data_load_labels(&s, 0, 1, &f->src, &f->diag, &rule, &f->d).outcome, LR_OK);
    const char *const want[] = {"10", "Zeta", "alpha", "alphabet", "beta"};
    assert_int_equal(f->d.class_count, 5);
    for (int k = 0; k < 5; k++)
        assert_string_equal(f->d.class_names[k], want[k]);
    assert_null(f->d.class_names[5]);
    const float y[] = {4, 2, 1, 0, 2, 3};
    for (int i = 0; i < 6; i++)
        assert_true(f->d.y[i] == y[i]);
    assert_int_equal(f->d.features, 1);
    assert_true(f->d.x[5] == 6);
}

/* Numbers stay numbers when the rule does not ask for classes, and with a
 * rule that does when no label is text. */
static void test_data__numeric_labels_unchanged(void **state)
{
    Fixture *f = *state;
    write_tmp(f, "x,y\n1,2\n2,0\n3,1\n");
    LrDatasetSpec s = csv_spec(f->tmp, L("y"));
    assert_int_equal(data_load_labels(&s, 0, 1, &f->src, &f->diag, &learn_classes, &f->d).outcome,
                     LR_OK);
    assert_int_equal(f->d.class_count, 0);
    assert_null(f->d.class_names);
    assert_true(f->d.y[0] == 2 && f->d.y[1] == 0 && f->d.y[2] == 1);
    data_free(&f->d);
    write_tmp(f, "x,y\n1,2\n2,abc\n");
    assert_int_equal(data_load(&s, 0, 1, &f->src, &f->diag, &f->d).outcome, LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "3:2: error: non-numeric value 'abc' in column 'y'");
}

/* Another data set maps its labels through the training classes; one it
 * does not have is named at its row and column, with the classes. */
static void test_data__classes_map_through_training_names(void **state)
{
    Fixture *f = *state;
    const char *const names[] = {"setosa", "versicolor", "virginica", NULL};
    LrLabelRule rule = {.class_count = 3, .class_names = names};
    write_tmp(f, "a,species\n1,virginica\n2,setosa\n3,versicolor\n");
    LrDatasetSpec s = csv_spec(f->tmp, L("species"));
    assert_int_equal(data_load_labels(&s, 0, 1, &f->src, &f->diag, &rule, &f->d).outcome, LR_OK);
    assert_true(f->d.y[0] == 2 && f->d.y[1] == 0 && f->d.y[2] == 1);
    assert_int_equal(f->d.class_count, 3);
    assert_string_equal(f->d.class_names[2], "virginica");
    data_free(&f->d);
    write_tmp(f, "a,species\n1,virginica\n2,virginca\n");
    assert_int_equal(data_load_labels(&s, 0, 1, &f->src, &f->diag, &rule, &f->d).outcome,
                     LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first,
                        "3:2: error: class 'virginca' was not in the training data (classes: "
                        "setosa, versicolor, virginica); did you mean 'virginica'?");
    assert_null(f->d.x);
}

/* A numeric label that does not fit the model is named at its place. */
static void test_data__label_out_of_range_names_its_row(void **state)
{
    Fixture *f = *state;
    write_tmp(f, "x,y\n1,0\n2,1\n3,2.5\n");
    LrDatasetSpec s = csv_spec(f->tmp, L("y"));
    LrLabelRule rule = {.want = LABEL_CLASS_INDEX, .outputs = 3};
    assert_int_equal(data_load_labels(&s, 0, 1, &f->src, &f->diag, &rule, &f->d).outcome,
                     LR_LANGUAGE_ERROR);
    assert_string_equal(f->diag.first, "4:2: error: the label 2.5 in column 'y' is out of range: "
                                       "the model's 3 outputs are classes 0 to 2");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_data__label_in_middle_features_default),
        T(test_data__features_subset_in_given_order),
        T(test_data__several_labels),
        T(test_data__quoted_fields),
        T(test_data__crlf_and_trailing_blank_lines),
        T(test_data__no_header_numbered_columns),
        T(test_data__custom_delimiter),
        T(test_data__non_numeric_value),
        T(test_data__decimal_comma_is_non_numeric),
        T(test_data__missing_value),
        T(test_data__ragged_row),
        T(test_data__unterminated_quote),
        T(test_data__line_numbers_count_quoted_newlines),
        T(test_data__no_data_rows),
        T(test_data__missing_file),
        T(test_data__message_shows_path_as_written),
        T(test_data__non_finite_and_out_of_range),
        T(test_data__unknown_label_did_you_mean),
        T(test_data__unknown_feature_did_you_mean),
        T(test_data__unknown_column_lists_columns),
        T(test_data__label_also_feature),
        T(test_data__every_column_a_label),
        T(test_data__check_columns_reads_only_the_header),
        T(test_data__check_columns_gives_the_shape),
        T(test_data__split_sizes_permutation_and_order),
        T(test_data__split_follows_documented_draws),
        T(test_data__stratified_split_follows_documented_draws),
        T(test_data__stratify_needs_class_labels),
        T(test_data__split_seeded_by_seed_and_dataset),
        T(test_data__split_fraction_read_as_decimal),
        T(test_data__no_rows_left_for_training),
        T(test_data__normalize_standard_from_training_rows),
        T(test_data__normalize_minmax),
        T(test_data__normalize_constant_and_none),
        T(test_data__generators_use_dataset_stream),
        T(test_data__generated_split),
        T(test_data__bad_rows_reported_up_to_the_cap),
        T(test_data__text_labels_are_sorted_classes),
        T(test_data__numeric_labels_unchanged),
        T(test_data__classes_map_through_training_names),
        T(test_data__label_out_of_range_names_its_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
