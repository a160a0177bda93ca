/* test_model.c — the model description written to safetensors metadata and
 * read back field by field; a described model run forward against the
 * same network computed here in double from its definition; files without
 * a description, and damaged ones, refused with their reason. */
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

#include "model.h"
#include "summary.h"

/* A 2-3-2 classifier: inputs a, b standardized; dense(3, relu) then
 * dense(2, softmax); classes "no" and "yes". */
static const char *const features[] = {"a", "b"};
static const char *const targets[] = {"label"};
static const char *const classes[] = {"no", "yes"};
static const float offset[] = {1.5f, -2.0f}, scale[] = {0.5f, 4.0f};
static const float k1[] = {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f}; /* [2, 3] */
static const float b1[] = {0.01f, 0.02f, -0.03f};
static const float k2[] = {0.7f, -0.8f, 0.9f, 1.0f, -1.1f, 1.2f}; /* [3, 2] */
static const float b2[] = {0.05f, -0.05f};

static LrModelDesc example_desc(LrModelLayer *layers)
{
#define ROW(n) {1, {n, 0, 0}}
    layers[0] = (LrModelLayer){.kind = LAYER_DENSE, .in = 2, .out = 3, .activation = ACT_RELU,
                               .name = "dense",
                               .spec = {.kind = LAYER_DENSE, .units = 3, .activation = ACT_RELU},
                               .in_shape = ROW(2), .out_shape = ROW(3)};
    layers[1] = (LrModelLayer){.kind = LAYER_DROPOUT, .in = 3, .out = 3,
                               .activation = ACT_LINEAR, .rate = 0.25, .name = "dropout",
                               .spec = {.kind = LAYER_DROPOUT, .rate = 0.25},
                               .in_shape = ROW(3), .out_shape = ROW(3)};
    layers[2] = (LrModelLayer){.kind = LAYER_DENSE, .in = 3, .out = 2,
                               .activation = ACT_SOFTMAX, .name = "dense_1",
                               .spec = {.kind = LAYER_DENSE, .units = 2, .activation = ACT_SOFTMAX},
                               .in_shape = ROW(3), .out_shape = ROW(2)};
    LrModelDesc d = {0};
    d.features = 2;
    d.input_shape = (LrShape)ROW(2);
    d.feature_names = features;
    d.normalize = NORM_STANDARD;
    d.norm_offset = offset;
    d.norm_scale = scale;
    d.layer_count = 3;
    d.layers = layers;
    d.outputs = 2;
    d.output = OUTPUT_CLASSES;
    d.target_count = 1;
    d.target_names = targets;
    d.class_count = 2;
    d.class_names = classes;
    d.named_classes = true;
    d.loss = (LrLossSpec){LOSS_CATEGORICAL_CROSSENTROPY, 1.0};
    d.version = "9.9.9";
    d.experiment_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    return d;
}

/* Writes the example model, with the metadata rows meta (NULL: the
 * example's description). */
static void write_model(const char *path, const LrMeta *meta, int meta_count)
{
    LrModelLayer layers[3];
    LrModelDesc d = example_desc(layers);
    LrArena arena = {0};
    LrMeta rows[MODEL_META_ROWS];
    if (!meta) {
        meta_count = model_to_meta(&d, &arena, rows);
        assert_true(meta_count > 0);
        meta = rows;
    }
    const LrNamedTensor t[] = {
        {"dense/kernel", DTYPE_F32, 2, {2, 3}, k1},   {"dense/bias", DTYPE_F32, 1, {3}, b1},
        {"dense_1/kernel", DTYPE_F32, 2, {3, 2}, k2}, {"dense_1/bias", DTYPE_F32, 1, {2}, b2},
        {"normalize/offset", DTYPE_F32, 1, {2}, offset},
        {"normalize/scale", DTYPE_F32, 1, {2}, scale},
    };
    char why[512];
    assert_int_equal(safetensors_write(path, t, 6, meta, meta_count, why, sizeof why), 0);
    arena_free(&arena);
}

static void temp_path(char *path, size_t size)
{
    snprintf(path, size, "/tmp/test_model_%ld.safetensors", (long)getpid());
}

static void test_model__description_reads_back_field_by_field(void **state)
{
    (void)state;
    char path[128], why[512];
    temp_path(path, sizeof path);
    write_model(path, NULL, 0);
    LrSafetensors st;
    assert_int_equal(safetensors_open(&st, path, why, sizeof why), 0);
    LrArena arena = {0};
    LrModelDesc d;
    assert_int_equal(model_read_description(&st, &arena, &d, why, sizeof why), 0);
    assert_int_equal(d.features, 2);
    assert_string_equal(d.feature_names[1], "b");
    assert_int_equal(d.normalize, NORM_STANDARD);
    assert_true(d.norm_offset[0] == 1.5f && d.norm_scale[1] == 4.0f);
    assert_int_equal(d.layer_count, 3);
    assert_int_equal(d.layers[1].kind, LAYER_DROPOUT);
    assert_close(d.layers[1].rate, 0.25, 0);
    assert_int_equal(d.layers[2].in, 3);
    assert_int_equal(d.layers[2].activation, ACT_SOFTMAX);
    assert_string_equal(d.layers[2].name, "dense_1");
    assert_int_equal(d.outputs, 2);
    assert_int_equal(d.output, OUTPUT_CLASSES);
    assert_string_equal(d.class_names[1], "yes");
    assert_true(d.named_classes);
    assert_string_equal(d.target_names[0], "label");
    assert_int_equal(d.loss.kind, LOSS_CATEGORICAL_CROSSENTROPY);
    assert_string_equal(d.version, "9.9.9");
    assert_string_equal(safetensors_meta(&st, "output"), "classes");
    arena_free(&arena);
    safetensors_close(&st);
    unlink(path);
}

static void test_model__forward_equals_the_network_in_double(void **state)
{
    (void)state;
    char path[128], why[512];
    temp_path(path, sizeof path);
    write_model(path, NULL, 0);
    LrModel m;
    assert_int_equal(model_open(&m, path, 4, why, sizeof why), 0);
    const float x[3][2] = {{1.5f, -2.0f}, {2.0f, 6.0f}, {-3.0f, 1.0f}};
    LrTensor y = model_forward(&m, &x[0][0], 3);
    assert_int_equal(y.rows, 3);
    assert_int_equal(y.cols, 2);
    for (int r = 0; r < 3; r++) {
        double in[2], h[3], z[2];
        for (int j = 0; j < 2; j++)
            in[j] = (x[r][j] - offset[j]) / scale[j];
        for (int k = 0; k < 3; k++) {
            h[k] = b1[k] + in[0] * k1[0 * 3 + k] + in[1] * k1[1 * 3 + k];
            h[k] = h[k] > 0 ? h[k] : 0;
        }
        for (int k = 0; k < 2; k++)
            z[k] = b2[k] + h[0] * k2[0 * 2 + k] + h[1] * k2[1 * 2 + k] + h[2] * k2[2 * 2 + k];
        double top = fmax(z[0], z[1]), sum = exp(z[0] - top) + exp(z[1] - top);
        for (int k = 0; k < 2; k++)
            assert_close(TENSOR_AT(y, r, k), exp(z[k] - top) / sum, 1e-6);
    }
    model_close(&m);
    unlink(path);
}

static void test_model__a_file_without_description_says_so(void **state)
{
    (void)state;
    char path[128], why[512];
    temp_path(path, sizeof path);
    const LrMeta old[] = {{"format", "lrc-model"}, {"lrc_version", "0.2.0"}};
    write_model(path, old, 2);
    LrModel m;
    assert_int_equal(model_open(&m, path, 4, why, sizeof why), MODEL_UNDESCRIBED);
    assert_non_null(strstr(why, "has no model description"));
    model_close(&m);
    unlink(path);
}

/* The example's rows with one value replaced. */
static void write_with(const char *path, const char *key, const char *value)
{
    LrModelLayer layers[3];
    LrModelDesc d = example_desc(layers);
    LrArena arena = {0};
    LrMeta rows[MODEL_META_ROWS];
    int n = model_to_meta(&d, &arena, rows);
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].key, key) == 0)
            rows[i].value = value;
    write_model(path, rows, n);
    arena_free(&arena);
}

static void test_model__damaged_descriptions_are_refused_by_key(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value, *why;
    } cases[] = {
        {"layers", "[{\"name\":\"dense\",\"kind\":\"dense\",\"units\":0,\"activation\":\"relu\"}]",
         "'layers[0]' needs \"units\" between 1"},
        {"layers", "[{\"name\":\"dense\",\"kind\":\"conv9\",\"units\":3}]",
         "has the unknown kind 'conv9'"},
        {"layers", "[{\"name\":\"dense\",\"kind\":\"dropout\",\"units\":3,\"rate\":0.5}]",
         "has 3 units but its input has 2"},
        {"layers", "not json", "'layers' is not JSON"},
        {"inputs", "[\"a\",\"a\"]", "names 'a' twice"},
        {"normalize", "{\"kind\":\"standard\",\"offset\":[0,0],\"scale\":[1,0]}",
         "entry 2 that is not a positive number"},
        {"classes", "[\"no\"]", "has 1 names where 2 are needed"},
        {"output", "binary", "is binary but the model has 2 outputs"},
        {"classes", "[\"yes\",\"no\"]", "are not sorted by byte ('yes' comes before 'no')"},
        {"loss", "{\"kind\":\"hinge\"}", "unknown kind 'hinge'"},
        {"lrc_model", "7", "this lrc reads version 1"},
        {"experiment_sha256", "AB", "neither empty nor 64 lowercase hex digits"},
        {"targets", "[\"a\",\"b\",\"c\"]", "has 3 names, which does not fit a classes output of 2"},
        /* past float's range: refused, never converted */
        {"normalize", "{\"kind\":\"standard\",\"offset\":[1e300,0],\"scale\":[1,1]}",
         "\"offset\" entry 1 that is not a finite number"},
        /* more weights than the file's bytes: said before allocating them */
        {"layers", "[{\"name\":\"dense\",\"kind\":\"dense\",\"units\":16777216,"
                   "\"activation\":\"relu\"},{\"name\":\"dense_1\",\"kind\":\"dense\","
                   "\"units\":2,\"activation\":\"softmax\"}]",
         "the model description's layers need 83886082 weights, more than the 84 bytes"},
    };
    char path[128], why[512];
    temp_path(path, sizeof path);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        write_with(path, cases[i].key, cases[i].value);
        LrModel m;
        int status = model_open(&m, path, 4, why, sizeof why);
        if (status != -1 || !strstr(why, cases[i].why) ||
            (!strstr(why, "damaged") && !strstr(why, "weights, more than")))
            fail_msg("case %zu (%s = %s): status %d, why '%s'", i, cases[i].key, cases[i].value,
                     status, why);
        model_close(&m);
    }
    unlink(path);
}

/* Keras's forms: counts grouped by three, sizes in 1024s with two decimals. */
static void test_model__summary_numbers_as_keras_prints_them(void **state)
{
    (void)state;
    char out[64];
    static const struct { size_t n; const char *want; } counts[] = {
        {0, "0"}, {999, "999"}, {1000, "1,000"}, {4810, "4,810"}, {1234567, "1,234,567"}};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        summary_count(out, sizeof out, counts[i].n);
        assert_string_equal(out, counts[i].want);
    }
    static const struct { double bytes; const char *want; } sizes[] = {
        {60, "60.00 B"}, {1023, "1023.00 B"}, {1024, "1.00 KB"}, {19240, "18.79 KB"},
        {1.5 * 1048576, "1.50 MB"}, {3.0 * 1073741824.0, "3.00 GB"}};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        summary_size(out, sizeof out, sizes[i].bytes);
        assert_string_equal(out, sizes[i].want);
    }
}

/* The example's table and chain, every number worked out by hand:
 * dense 2x3 + 3 = 9, dense_1 3x2 + 2 = 8, 17 params of 4 bytes. */
static void test_model__summary_table_of_the_example(void **state)
{
    (void)state;
    LrModelLayer layers[3];
    LrModelDesc d = example_desc(layers);
    LrBuffer b = {0};
    summary_write(&d, "# ", &b);
    assert_non_null(b.data);
    assert_string_equal(b.data,
                        "# Layer (type)       Output Shape  Activation  Param #\n"
                        "# dense (Dense)      (None, 3)     relu              9\n"
                        "# dropout (Dropout)  (None, 3)     rate=0.25         0\n"
                        "# dense_1 (Dense)    (None, 2)     softmax           8\n"
                        "# Total params: 17 (68.00 B)\n"
                        "# Input: 2 features (a, b), normalize=standard\n"
                        "# Output: classes (no, yes)\n");
    buffer_free(&b);
    char chain[128];
    model_chain(layers, 3, chain, sizeof chain);
    assert_string_equal(chain, "dense(3, activation=relu) -> dropout(0.25) -> dense(2, activation=softmax)");
    model_chain(layers, 3, chain, 40);
    assert_string_equal(chain, "dense(3, activation=relu) -> ...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model__description_reads_back_field_by_field),
        cmocka_unit_test(test_model__forward_equals_the_network_in_double),
        cmocka_unit_test(test_model__a_file_without_description_says_so),
        cmocka_unit_test(test_model__damaged_descriptions_are_refused_by_key),
        cmocka_unit_test(test_model__summary_numbers_as_keras_prints_them),
        cmocka_unit_test(test_model__summary_table_of_the_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
