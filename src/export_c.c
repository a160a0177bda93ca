/* export_c.c — a described model as one C99 file that needs only libm:
 * the weights as float arrays, the normalization, and NAME_predict, which
 * computes what model_forward does in the order lrc's plain loop does
 * (blas_gemm_loop, activation.c), so that on a machine whose float
 * arithmetic is float (FLT_EVAL_METHOD 0) the outputs are lrc's bit for
 * bit wherever lrc takes that loop; lrc(1) says where it does not.
 *
 * Numbers are written in decimal, the shortest text that reads back as the
 * same float (decimal_shortest_float), with an f suffix: a C compiler
 * converts a decimal floating constant to the nearest float as strtof
 * does (gcc and clang round correctly), and unlike hex floats (%a) a
 * person can read the weights. tests/golden/export.sh checks that the
 * compiled arrays hold the safetensors' bits. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "export.h"
#include "version.h"
#include "words.h"

bool export_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > EXPORT_NAME_MAX || !isalpha((unsigned char)name[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            return false;
    return true;
}

/* s as the inside of a C string literal: printable ASCII as itself but
 * for \ " and ? (a ?? would start a trigraph under -std=c99), every other
 * byte as a three-digit octal escape (so a following digit cannot join
 * it). In a comment, a '/' after '*' is written \/ so that the comment
 * does not end there. */
static void c_escaped(LrBuffer *b, const char *s, bool in_comment)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\' || *p == '"' || *p == '?')
            buffer_printf(b, "\\%c", *p);
        else if (in_comment && *p == '/' && p > (const unsigned char *)s && p[-1] == '*')
            buffer_append(b, "\\/", 2);
        else if (*p >= 0x20 && *p < 0x7f)
            buffer_append(b, p, 1);
        else
            buffer_printf(b, "\\%03o", *p);
    }
}

/* A float constant: the shortest decimal that reads back, made a floating
 * constant (a '.' or an exponent) with the f suffix. */
static void c_float(LrBuffer *b, float v)
{
    char text[DECIMAL_SHORTEST_SIZE];
    size_t len = decimal_shortest_float(v, text);
    buffer_append(b, text, len);
    if (!strpbrk(text, ".e"))
        buffer_append(b, ".0", 2);
    buffer_append(b, "f", 1);
}

/* count floats, ten to a line, each line of a kernel one of its rows when
 * the row is short (row: the values per row, 0 for none). */
static void c_floats(LrBuffer *b, const float *v, size_t count, size_t row)
{
    size_t on_line = 0;
    for (size_t i = 0; i < count; i++) {
        bool new_row = row > 0 && i % row == 0;
        if (i == 0 || on_line == 10 || new_row) {
            buffer_append(b, i == 0 ? "    " : ",\n    ", i == 0 ? 4 : 6);
            on_line = 0;
        } else {
            buffer_append(b, ", ", 2);
        }
        c_float(b, v[i]);
        on_line++;
    }
    buffer_append(b, "\n", 1);
}

/* Names as "a", "b", ... in a comment, wrapped under an indent. */
static void comment_names(LrBuffer *b, const char *const *names, int count)
{
    size_t line = 0;
    for (int i = 0; i < count; i++) {
        size_t before = b->length;
        if (line > 60) {
            buffer_append(b, "\n *     ", 8);
            line = 0;
        }
        buffer_append(b, "\"", 1);
        c_escaped(b, names[i], true);
        buffer_append(b, i + 1 < count ? "\", " : "\"", i + 1 < count ? 3 : 1);
        line += b->length - before;
    }
}

static void c_names(LrBuffer *b, const char *name, const char *what,
                    const char *const *names, int count)
{
    buffer_printf(b, "const char *const %s_%s[%d] = {\n", name, what, count);
    for (int i = 0; i < count; i++) {
        buffer_append(b, "    \"", 5);
        c_escaped(b, names[i], false);
        buffer_append(b, "\",\n", 3);
    }
    buffer_append(b, "};\n", 3);
}

enum { ACTIVATION_KINDS = ACT_COUNT };

static const char *activation_name(LrActivation a)
{
    return words_name(words_activations, a);
}

/* The helpers NAME_predict calls, only those the model uses (-Wall
 * -Werror refuses an unused static function). Each is activation.c's
 * computation. */
static void c_helpers(LrBuffer *b, const char *name, bool dense,
                      const bool used[ACTIVATION_KINDS])
{
    if (dense)
        buffer_printf(b,
                  "/* y = x . kernel + bias, kernel [in][out] row-major; each sum in input\n"
                  " * order, in float, as lrc's loop for small layers. */\n"
                  "static void %s_dense(const float *x, int in, const float *kernel,\n"
                  "    const float *bias, int out, float *y)\n"
                  "{\n"
                  "    int i, j;\n"
                  "    for (j = 0; j < out; j++) {\n"
                  "        float sum = 0.0f;\n"
                  "        for (i = 0; i < in; i++)\n"
                  "            sum += x[i] * kernel[i * out + j];\n"
                  "        y[j] = sum + bias[j];\n"
                  "    }\n"
                  "}\n\n",
                  name);
    if (used[ACT_RELU])
        buffer_printf(b,
                      "static void %s_relu(float *v, int n)\n"
                      "{\n"
                      "    int j;\n"
                      "    for (j = 0; j < n; j++)\n"
                      "        v[j] = v[j] > 0 ? v[j] : 0.0f;\n"
                      "}\n\n",
                      name);
    if (used[ACT_SIGMOID])
        buffer_printf(b,
                      "/* exp of a non-positive argument only: no overflow. */\n"
                      "static void %s_sigmoid(float *v, int n)\n"
                      "{\n"
                      "    int j;\n"
                      "    for (j = 0; j < n; j++) {\n"
                      "        float z = expf(v[j] >= 0 ? -v[j] : v[j]);\n"
                      "        v[j] = v[j] >= 0 ? 1.0f / (1.0f + z) : z / (1.0f + z);\n"
                      "    }\n"
                      "}\n\n",
                      name);
    if (used[ACT_TANH])
        buffer_printf(b,
                      "static void %s_tanh(float *v, int n)\n"
                      "{\n"
                      "    int j;\n"
                      "    for (j = 0; j < n; j++)\n"
                      "        v[j] = tanhf(v[j]);\n"
                      "}\n\n",
                      name);
    if (used[ACT_GELU])
        buffer_printf(b,
                      "/* x Phi(x) through erfc (exact), or the tanh form (approximate). */\n"
                      "static void %s_gelu(float *v, int n, int approximate)\n"
                      "{\n"
                      "    int j;\n"
                      "    for (j = 0; j < n; j++) {\n"
                      "        float x = v[j];\n"
                      "        v[j] = approximate\n"
                      "            ? 0.5f * x * (1.0f + tanhf(0.7978845608028654f *\n"
                      "                                       (x + 0.044715f * x * x * x)))\n"
                      "            : 0.5f * x * erfcf(-x * 0.7071067811865476f);\n"
                      "    }\n"
                      "}\n\n",
                      name);
    if (used[ACT_LEAKY_RELU])
        buffer_printf(b,
                      "static void %s_leaky_relu(float *v, int n, float alpha)\n"
                      "{\n"
                      "    int j;\n"
                      "    for (j = 0; j < n; j++)\n"
                      "        v[j] = v[j] > 0 ? v[j] : alpha * v[j];\n"
                      "}\n\n",
                      name);
    if (used[ACT_ELU])
        buffer_printf(b,
                      "static void %s_elu(float *v, int n, float alpha)\n"
                      "{\n"
                      "    int j;\n"
                      "    for (j = 0; j < n; j++)\n"
                      "        v[j] = v[j] > 0 ? v[j] : alpha * expm1f(v[j]);\n"
                      "}\n\n",
                      name);
    if (used[ACT_SOFTMAX])
        buffer_printf(b,
                      "/* The maximum subtracted first (no overflow); the sum in double. */\n"
                      "static void %s_softmax(float *v, int n)\n"
                      "{\n"
                      "    float top = v[0];\n"
                      "    double sum = 0.0;\n"
                      "    int j;\n"
                      "    for (j = 1; j < n; j++)\n"
                      "        if (v[j] > top)\n"
                      "            top = v[j];\n"
                      "    for (j = 0; j < n; j++) {\n"
                      "        v[j] = expf(v[j] - top);\n"
                      "        sum += v[j];\n"
                      "    }\n"
                      "    for (j = 0; j < n; j++)\n"
                      "        v[j] = (float)(v[j] / sum);\n"
                      "}\n\n",
                      name);
}

static void c_header(LrBuffer *b, const LrModel *m, const char *name, const char *upper)
{
    const LrModelDesc *d = &m->desc;
    buffer_printf(b,
                  "/* A model trained by lrc, exported by lrc %s (lrc export) for use without\n"
                  " * lrc: C99 and libm only. Generated: edit the model, not this file.\n"
                  " *\n"
                  " *   experiment SHA-256  %s\n"
                  " *   model file          \"",
                  LRC_VERSION, d->experiment_sha256[0] ? d->experiment_sha256 : "unknown");
    c_escaped(b, m->path, true);
    buffer_printf(b,
                  "\"\n"
                  " *   model SHA-256       %s\n"
                  " *   model saved by      lrc %s\n"
                  " *   inputs (%d, in this order):\n"
                  " *     ",
                  m->sha256, d->version, d->features);
    comment_names(b, d->feature_names, d->features);
    buffer_append(b, "\n", 1);
    if (d->normalize == NORM_NONE)
        buffer_printf(b, " *   normalization       none\n");
    else
        buffer_printf(b,
                      " *   normalization       %s: x' = (x - %s_offset) / %s_scale, applied\n"
                      " *                       by %s_predict to the raw features\n",
                      words_name(words_normalizers, d->normalize), name, name, name);
    buffer_printf(b, " *   layers:\n");
    for (int i = 0; i < d->layer_count; i++) {
        const LrModelLayer *l = &d->layers[i];
        buffer_printf(b, " *     %d. ", i);
        if (l->kind == LAYER_DENSE)
            buffer_printf(b, "dense %d -> %d, %s\n", l->in, l->out, activation_name(l->activation));
        else if (l->kind == LAYER_DROPOUT)
            buffer_printf(b, "dropout %g (the identity in inference)\n", l->rate);
        else {
            char text[96];
            model_activation_text(l, text, sizeof text);
            buffer_printf(b, "%s\n", text);
        }
    }
    buffer_printf(b, " *   outputs (%d): ", d->outputs);
    if (d->output == OUTPUT_CLASSES) {
        buffer_printf(b, "the probability of each class (%s_class_names):\n *     ", name);
        comment_names(b, d->class_names, d->class_count);
    } else if (d->output == OUTPUT_BINARY) {
        buffer_printf(b, "the probability of class \"");
        c_escaped(b, d->class_names[1], true);
        buffer_printf(b, "\" (else \"");
        c_escaped(b, d->class_names[0], true);
        buffer_printf(b, "\")");
    } else {
        buffer_printf(b, "the predicted values of\n *     ");
        comment_names(b, d->target_names, d->target_count);
    }
    buffer_printf(b,
                  "\n *\n"
                  " * int %s_predict(const float *features, float *out) reads %s_FEATURES\n"
                  " * raw features, as in the data, and writes %s_OUTPUTS numbers to out,\n"
                  " * those `lrc predict` prints; it returns 0. Build: cc -std=c99 -O2 -c\n"
                  " * FILE.c, link with -lm (or #include this file). Each dot product is\n"
                  " * summed in input order in float, as lrc sums small layers; lrc(1),\n"
                  " * under export, says how close the outputs are to lrc's and why.\n"
                  " * Compile without -ffast-math to keep that order. The stack holds\n"
                  " * two arrays of the widest layer's width.\n"
                  " */\n"
                  "#include <math.h>\n\n",
                  name, upper, upper);
}

void export_c(const LrModel *m, const char *name, LrBuffer *b)
{
    const LrModelDesc *d = &m->desc;
    char upper[EXPORT_NAME_MAX + 1];
    if (!export_name_valid(name)) { /* main.c checked it: a caller's mistake */
        b->failed = 1;
        return;
    }
    size_t n = strlen(name);
    for (size_t i = 0; i <= n; i++)
        upper[i] = (char)toupper((unsigned char)name[i]);
    c_header(b, m, name, upper);

    int widest = d->features;
    bool used[ACTIVATION_KINDS] = {false};
    bool dense = false;
    for (int i = 0; i < d->layer_count; i++) {
        widest = d->layers[i].out > widest ? d->layers[i].out : widest;
        if (d->layers[i].kind != LAYER_DROPOUT)
            used[d->layers[i].activation] = true;
        dense |= d->layers[i].kind == LAYER_DENSE;
    }
    buffer_printf(b, "#define %s_FEATURES %d\n#define %s_OUTPUTS %d\n", upper, d->features,
                  upper, d->outputs);
    if (d->output != OUTPUT_REGRESSION)
        buffer_printf(b, "#define %s_CLASSES %d\n", upper, d->class_count);
    buffer_append(b, "\n", 1);

    c_names(b, name, "feature_names", d->feature_names, d->features);
    if (d->output == OUTPUT_BINARY)
        buffer_printf(b, "/* out[0] is the probability of the second */\n");
    if (d->output != OUTPUT_REGRESSION)
        c_names(b, name, "class_names", d->class_names, d->class_count);
    else
        c_names(b, name, "target_names", d->target_names, d->target_count);
    buffer_append(b, "\n", 1);

    if (d->normalize != NORM_NONE) {
        buffer_printf(b, "static const float %s_offset[%s_FEATURES] = {\n", name, upper);
        c_floats(b, d->norm_offset, (size_t)d->features, 0);
        buffer_printf(b, "};\nstatic const float %s_scale[%s_FEATURES] = {\n", name, upper);
        c_floats(b, d->norm_scale, (size_t)d->features, 0);
        buffer_append(b, "};\n\n", 4);
    }
    for (int i = 0; i < d->layer_count; i++) {
        const LrModelLayer *l = &d->layers[i];
        const LrLayer *layer = &m->layers[i];
        if (l->kind != LAYER_DENSE)
            continue;
        buffer_printf(b, "/* \"");
        c_escaped(b, l->name, true);
        buffer_printf(b, "/kernel\", [%d][%d] row-major, and its bias */\n", l->in, l->out);
        buffer_printf(b, "static const float %s_layer%d_kernel[%zu] = {\n", name, i,
                      (size_t)l->in * (size_t)l->out);
        c_floats(b, layer->weight.data, (size_t)l->in * (size_t)l->out,
                 l->out <= 10 ? (size_t)l->out : 0);
        buffer_printf(b, "};\nstatic const float %s_layer%d_bias[%d] = {\n", name, i, l->out);
        c_floats(b, layer->bias.data, (size_t)l->out, 0);
        buffer_append(b, "};\n\n", 4);
    }

    c_helpers(b, name, dense, used);
    buffer_printf(b,
                  "int %s_predict(const float *features, float *out)\n"
                  "{\n"
                  "    float h0[%d];\n"
                  "    float *x = h0;\n",
                  name, widest);
    /* The layers' outputs alternate between h0 and h1. */
    if (dense)
        buffer_printf(b, "    float h1[%d];\n    float *y = h1, *t;\n", widest);
    buffer_printf(b, "    int j;\n    for (j = 0; j < %s_FEATURES; j++)\n", upper);
    if (d->normalize == NORM_NONE)
        buffer_printf(b, "        x[j] = features[j];\n");
    else
        buffer_printf(b, "        x[j] = (features[j] - %s_offset[j]) / %s_scale[j];\n", name,
                      name);
    for (int i = 0; i < d->layer_count; i++) {
        const LrModelLayer *l = &d->layers[i];
        if (l->kind == LAYER_DROPOUT)
            continue;
        if (l->kind == LAYER_DENSE)
            buffer_printf(b,
                          "    %s_dense(x, %d, %s_layer%d_kernel, %s_layer%d_bias, %d, y);\n"
                          "    t = x, x = y, y = t;\n",
                          name, l->in, name, i, name, i, l->out);
        if (l->activation == ACT_LINEAR)
            continue;
        buffer_printf(b, "    %s_%s(x, %d", name, activation_name(l->activation), l->out);
        if (activation_has_alpha(l->activation)) {
            buffer_append(b, ", ", 2);
            c_float(b, (float)l->alpha);
        } else if (l->activation == ACT_GELU) {
            buffer_printf(b, ", %d", l->approximate);
        }
        buffer_printf(b, ");\n");
    }
    buffer_printf(b,
                  "    for (j = 0; j < %s_OUTPUTS; j++)\n"
                  "        out[j] = x[j];\n"
                  "    return 0;\n"
                  "}\n",
                  upper);
}
