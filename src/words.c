/* words.c — the tables of words.h, made from its lists. */
#include "words.h"

#include <assert.h>
#include <string.h>

#include "lr.h"

#define WORD_ROW(code, name) {name, sizeof name - 1, code, true, 0},
#define WORD_LAYER_ACTIVATION_ROW(code, name)                                              \
    {name, sizeof name - 1, LAYER_WORD_ACTIVATION + code, true, 0},
#define WORD_FUNCTION_ROW(op, name, arity) {name, sizeof name - 1, op, true, arity},
#define WORD_MISSING_ROW(name) {name, sizeof name - 1, -1, false, 0},
#define WORD_END {NULL, 0, 0, false, 0}

const LrWord words_sources[] = {LR_SOURCES(WORD_ROW) WORD_END};
const LrWord words_normalizers[] = {LR_NORMALIZERS(WORD_ROW) WORD_END};
const LrWord words_layers[] = {LR_LAYERS(WORD_ROW) LR_ACTIVATIONS(WORD_LAYER_ACTIVATION_ROW)
                                   LR_MISSING_ACTIVATIONS(WORD_MISSING_ROW) WORD_END};
const LrWord words_activations[] = {LR_ACTIVATIONS(WORD_ROW)
                                        LR_MISSING_ACTIVATIONS(WORD_MISSING_ROW) WORD_END};
const LrWord words_paddings[] = {LR_PADDINGS(WORD_ROW) WORD_END};
const LrWord words_flip_modes[] = {LR_FLIP_MODES(WORD_ROW) WORD_END};
const LrWord words_initializers[] = {LR_INITIALIZERS(WORD_ROW) WORD_END};
const LrWord words_losses[] = {LR_LOSSES(WORD_ROW) WORD_END};
const LrWord words_metrics[] = {LR_METRICS(WORD_ROW) WORD_END};
const LrWord words_optimizers[] = {LR_OPTIMIZERS(WORD_ROW) WORD_END};
const LrWord words_schedules[] = {LR_SCHEDULES(WORD_ROW) WORD_END};
const LrWord words_functions[] = {LR_FUNCTIONS(WORD_FUNCTION_ROW) WORD_MISSING_ROW(LR_SWEEP_WORD) WORD_END};
const LrWord words_constants[] = {LR_CONSTANTS(WORD_ROW) WORD_END};
const LrWord words_statements[] = {LR_STATEMENTS(WORD_ROW) WORD_END};
const LrWord words_reserved[] = {LR_STATEMENTS(WORD_ROW) LR_RESERVED_VALUES(WORD_ROW) WORD_END};

#define WORD_NAME(code, name) name,
const char *const words_statement_names[] = {LR_STATEMENTS(WORD_NAME) NULL};
const char *const words_constant_names[] = {LR_CONSTANTS(WORD_NAME) NULL};

/* Each table has a row per enumerator (and the missing words after them):
 * the enums are made from the same lists, and these catch an enum written
 * out by hand again. The statements are checked against lr.y's tokens. */
#define ROWS(table) (sizeof table / sizeof table[0] - 1)
#define MISSING_PLUS_ONE(name) +1
#define FUNCTION_PLUS_ONE(op, name, arity) +1
enum { MISSING_ACTIVATIONS = 0 LR_MISSING_ACTIVATIONS(MISSING_PLUS_ONE) };
enum { FUNCTIONS = 0 LR_FUNCTIONS(FUNCTION_PLUS_ONE) };
static_assert(ROWS(words_sources) == DATA_IDX + 1, "sources");
static_assert(ROWS(words_normalizers) == NORM_MINMAX + 1, "normalizers");
static_assert(ROWS(words_layers) == LAYER_ACTIVATION + ACT_COUNT + MISSING_ACTIVATIONS,
              "layers");
static_assert(ROWS(words_activations) == ACT_COUNT + MISSING_ACTIVATIONS, "activations");
static_assert(ROWS(words_paddings) == PAD_SAME + 1, "paddings");
static_assert(ROWS(words_flip_modes) == FLIP_VERTICAL + 1, "flip modes");
static_assert(ROWS(words_initializers) == INIT_LECUN_NORMAL + 1, "initializers");
static_assert(ROWS(words_losses) == LOSS_CATEGORICAL_CROSSENTROPY + 1, "losses");
static_assert(ROWS(words_metrics) == METRIC_R2 + 1, "metrics");
static_assert(ROWS(words_optimizers) == OPT_ADAGRAD + 1, "optimizers");
static_assert(ROWS(words_schedules) == SCHED_COSINE, "schedules, after SCHED_CONSTANT");
static_assert(ROWS(words_functions) == FUNCTIONS + 1, "functions and sweep");
static_assert(ROWS(words_constants) == CONST_E + 1, "constants");
static_assert(ROWS(words_statements) == TK_PREDICT - TK_SEED + 1,
              "statement keywords: lr.y's tokens SEED ... PREDICT");
static_assert(ROWS(words_reserved) == TK_FALSE - TK_SEED + 1,
              "reserved words: lr.y's tokens SEED ... FALSE");

const LrWord *words_find(const LrWord *table, const char *text, size_t length)
{
    for (const LrWord *w = table; w->name; w++)
        if (w->length == length && memcmp(w->name, text, length) == 0)
            return w;
    return NULL;
}

const char *words_name(const LrWord *table, int code)
{
    for (const LrWord *w = table; w->name; w++)
        if (w->code == code)
            return w->name;
    return "?";
}

int words_token(const char *text, size_t length)
{
    /* The lengths are constants, so each test is a compare and, for the
     * few words of that length, an inlined memcmp. */
#define WORD_TOKEN_TEST(code, name)                                                        \
    if (length == sizeof name - 1 && memcmp(text, name, sizeof name - 1) == 0)             \
        return code;
    LR_STATEMENTS(WORD_TOKEN_TEST)
    LR_RESERVED_VALUES(WORD_TOKEN_TEST)
    return TK_IDENT;
}

#define WORD_CASE(code, name) case code:
bool words_is_statement(int token)
{
    switch (token) {
    LR_STATEMENTS(WORD_CASE)
        return true;
    default:
        return false;
    }
}

bool words_is_reserved(int token)
{
    switch (token) {
    LR_STATEMENTS(WORD_CASE)
    LR_RESERVED_VALUES(WORD_CASE)
        return true;
    default:
        return false;
    }
}
