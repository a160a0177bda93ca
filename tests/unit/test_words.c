/* test_words.c — the vocabulary (words.c): every word of every category
 * goes from code to name and back, names are unique in their category,
 * each enum's order is the language's (checked against the names man/lr.5
 * documents, written out here), and the reserved words are exactly the
 * statement keywords and from, true, false, each lexed to its token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "expr.h"
#include "lex.h"
#include "lr.h"
#include "spec.h"
#include "words.h"

typedef struct Category {
    const char *what;
    const LrWord *table;
} Category;

static const Category categories[] = {
    {"sources", words_sources},           {"normalizers", words_normalizers},
    {"layers", words_layers},             {"activations", words_activations},
    {"initializers", words_initializers}, {"losses", words_losses},
    {"metrics", words_metrics},           {"optimizers", words_optimizers},
    {"schedules", words_schedules},       {"functions", words_functions},
    {"constants", words_constants},
    {"statements", words_statements},     {"reserved", words_reserved},
};
enum { CATEGORY_COUNT = sizeof categories / sizeof categories[0] };

static void test_every_word_round_trips(void **state)
{
    (void)state;
    for (int c = 0; c < CATEGORY_COUNT; c++) {
        int rows = 0;
        for (const LrWord *w = categories[c].table; w->name; w++, rows++) {
            assert_int_equal(w->length, strlen(w->name));
            const LrWord *found = words_find(categories[c].table, w->name, w->length);
            assert_ptr_equal(found, w);
            if (w->supported)
                assert_string_equal(words_name(categories[c].table, w->code), w->name);
        }
        assert_true(rows > 0);
    }
}

static void test_names_are_unique_per_category(void **state)
{
    (void)state;
    for (int c = 0; c < CATEGORY_COUNT; c++)
        for (const LrWord *a = categories[c].table; a->name; a++)
            for (const LrWord *b = a + 1; b->name; b++) {
                if (strcmp(a->name, b->name) == 0)
                    print_error("%s: '%s' twice\n", categories[c].what, a->name);
                assert_string_not_equal(a->name, b->name);
                if (a->supported && b->supported)
                    assert_int_not_equal(a->code, b->code);
            }
}

/* The spelling of every enumerator, in enum order, as man/lr.5 writes it. */
static void assert_enum_names(const LrWord *table, int first, const char *const *names)
{
    int code = first;
    for (; *names; names++, code++)
        assert_string_equal(words_name(table, code), *names);
    assert_string_equal(words_name(table, code), "?"); /* one past the last */
}

static void test_enums_are_in_the_order_of_their_names(void **state)
{
    (void)state;
    assert_enum_names(words_sources, DATA_LINEAR,
                      (const char *const[]){"linear", "csv", "blobs", "moons", "spiral", "idx", NULL});
    assert_int_equal(DATA_SPIRAL, 4);
    assert_int_equal(DATA_IDX, 5);
    assert_enum_names(words_normalizers, NORM_NONE,
                      (const char *const[]){"none", "standard", "minmax", NULL});
    assert_enum_names(words_activations, ACT_LINEAR,
                      (const char *const[]){"linear", "relu", "sigmoid", "tanh", "softmax", "gelu",
                                            "leaky_relu", "elu", NULL});
    assert_int_equal(ACT_ELU, 7);
    assert_int_equal(ACT_COUNT, 8);
    assert_enum_names(words_initializers, INIT_ZEROS,
                      (const char *const[]){"zeros", "ones", "constant", "normal", "uniform",
                                            "glorot_uniform", "glorot_normal", "he_normal",
                                            "he_uniform", "lecun_normal", NULL});
    assert_int_equal(INIT_LECUN_NORMAL, 9);
    assert_enum_names(words_losses, LOSS_MSE,
                      (const char *const[]){"mse", "half_mse", "mae", "huber",
                                            "binary_crossentropy", "categorical_crossentropy",
                                            NULL});
    assert_enum_names(words_metrics, METRIC_ACCURACY,
                      (const char *const[]){"accuracy", "mse", "half_mse", "mae", "huber",
                                            "binary_crossentropy", "categorical_crossentropy",
                                            "precision", "recall", "f1", "auc", "r2", NULL});
    assert_enum_names(words_optimizers, OPT_SGD,
                      (const char *const[]){"sgd", "adam", "adamw", "rmsprop", "adagrad", NULL});
    assert_int_equal(SCHED_CONSTANT, 0);
    assert_enum_names(words_schedules, SCHED_EXP_DECAY,
                      (const char *const[]){"exp_decay", "piecewise", "polynomial",
                                            "inverse_time", "cosine", NULL});
    assert_enum_names(words_constants, CONST_PI, (const char *const[]){"pi", "e", NULL});
    assert_string_equal(words_constant_names[0], "pi");
    assert_string_equal(words_constant_names[1], "e");
    assert_null(words_constant_names[2]);
    /* A metric named like a loss is that loss. */
    assert_int_equal(METRIC_HUBER - METRIC_MSE, LOSS_HUBER - LOSS_MSE);
}

static void test_layer_words(void **state)
{
    (void)state;
    assert_int_equal(words_find(words_layers, "dense", 5)->code, LAYER_DENSE);
    assert_int_equal(words_find(words_layers, "dropout", 7)->code, LAYER_DROPOUT);
    /* An activation is a layer: its code says which. */
    for (const LrWord *a = words_activations; a->name; a++) {
        const LrWord *l = words_find(words_layers, a->name, a->length);
        assert_non_null(l);
        assert_int_equal(l->supported, a->supported);
        if (a->supported)
            assert_int_equal(l->code, LAYER_WORD_ACTIVATION + a->code);
    }
    assert_true((int)LAYER_WORD_ACTIVATION > (int)LAYER_ACTIVATION);
}

/* A function word's code is the expr.c operation that computes it (checked
 * against the C library at a point), and its arity is what lr(5) says. */
static void test_function_words(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int arity;
        double a, b, want;
    } functions[] = {
        {"sin", 1, 0.5, 0, 0.479425538604203},   {"cos", 1, 0.5, 0, 0.8775825618903728},
        {"tan", 1, 0.5, 0, 0.5463024898437905},  {"exp", 1, 0.5, 0, 1.6487212707001282},
        {"log", 1, 0.5, 0, -0.6931471805599453}, {"sqrt", 1, 0.5, 0, 0.7071067811865476},
        {"abs", 1, -0.5, 0, 0.5},                {"sinh", 1, 0.5, 0, 0.5210953054937474},
        {"cosh", 1, 0.5, 0, 1.1276259652063807}, {"tanh", 1, 0.5, 0, 0.46211715726000974},
        {"pow", 2, 2, 0.5, 1.4142135623730951},  {"min", -1, 2, 0.5, 0.5},
        {"max", -1, 2, 0.5, 2}};
    size_t count = sizeof functions / sizeof functions[0];
    for (size_t i = 0; i < count; i++) {
        const LrWord *w = words_find(words_functions, functions[i].name, strlen(functions[i].name));
        assert_non_null(w);
        assert_true(w->supported);
        assert_int_equal(w->arity, functions[i].arity);
        double got = expr_apply((LrExprOp)w->code, functions[i].a, functions[i].b);
        assert_true(fabs(got - functions[i].want) <= 1e-15 * fabs(functions[i].want));
    }
    size_t rows = 0;
    for (const LrWord *w = words_functions; w->name; w++)
        rows += w->supported;
    assert_int_equal(rows, count); /* and sweep, not supported */
}

static void test_unsupported_words(void **state)
{
    (void)state;
    static const char *const missing[] = {"selu", "silu", "swish", "softplus", "softsign", "mish"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        const LrWord *w = words_find(words_activations, missing[i], strlen(missing[i]));
        assert_non_null(w);
        assert_false(w->supported);
    }
    const LrWord *sweep = words_find(words_functions, "sweep", 5);
    assert_non_null(sweep);
    assert_false(sweep->supported);
    assert_null(words_find(words_activations, "rel", 3));   /* a prefix is not the word */
    assert_null(words_find(words_activations, "relux", 5)); /* nor a longer name */
    assert_null(words_find(words_functions, "sin", 2));
}

/* The reserved words and their tokens, as lr.y and man/lr.5 have them. */
static const struct {
    const char *word;
    int token;
    bool statement;
} reserved[] = {
    {"seed", TK_SEED, true},         {"use", TK_USE, true},
    {"let", TK_LET, true},           {"dataset", TK_DATASET, true},
    {"model", TK_MODEL, true},       {"loss", TK_LOSS, true},
    {"optimizer", TK_OPTIMIZER, true}, {"train", TK_TRAIN, true},
    {"evaluate", TK_EVALUATE, true}, {"save", TK_SAVE, true},
    {"load", TK_LOAD, true},         {"minimize", TK_MINIMIZE, true},
    {"predict", TK_PREDICT, true},
    {"from", TK_FROM, false},        {"true", TK_TRUE, false},
    {"false", TK_FALSE, false},
};
enum { RESERVED_COUNT = sizeof reserved / sizeof reserved[0] };

static int lex_one(const char *text)
{
    LrSource src;
    LrDiag diag;
    diag_init(&diag, NULL);
    assert_int_equal(source_from_string(&src, "<test>", text), 0);
    LrLexer lx;
    LrToken tok;
    lex_init(&lx, &src, &diag);
    int kind = lex_next(&lx, &tok);
    assert_int_equal(tok.length, strlen(text));
    source_free(&src);
    return kind;
}

static void test_reserved_words_are_the_keywords(void **state)
{
    (void)state;
    int rows = 0, statements = 0;
    for (const LrWord *w = words_reserved; w->name; w++, rows++) {
        assert_true(rows < RESERVED_COUNT);
        assert_string_equal(w->name, reserved[rows].word);
        assert_int_equal(w->code, reserved[rows].token);
    }
    assert_int_equal(rows, RESERVED_COUNT);
    for (const LrWord *w = words_statements; w->name; w++, statements++) {
        assert_true(reserved[statements].statement);
        assert_string_equal(w->name, reserved[statements].word);
        assert_string_equal(words_statement_names[statements], w->name);
    }
    assert_null(words_statement_names[statements]);
    assert_false(reserved[statements].statement);

    for (int i = 0; i < RESERVED_COUNT; i++) {
        assert_int_equal(lex_one(reserved[i].word), reserved[i].token);
        assert_int_equal(words_token(reserved[i].word, strlen(reserved[i].word)),
                         reserved[i].token);
    }
    /* Every token code: a keyword exactly when the list says so. */
    for (int t = 0; t <= TK_UMINUS; t++) { /* the last of lr.y's tokens */
        bool is_reserved = false, is_statement = false;
        for (int i = 0; i < RESERVED_COUNT; i++)
            if (reserved[i].token == t) {
                is_reserved = true;
                is_statement = reserved[i].statement;
            }
        assert_int_equal(words_is_reserved(t), is_reserved);
        assert_int_equal(words_is_statement(t), is_statement);
    }
}

static void test_near_keywords_are_names(void **state)
{
    (void)state;
    static const char *const names[] = {"seeds", "se",    "Seed",  "lossy", "los",  "_use",
                                        "from_", "truer", "fals",  "dense", "relu", "x",
                                        "optimizers", "minimiz", "evaluated", "TRUE"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_int_equal(lex_one(names[i]), TK_IDENT);
        assert_int_equal(words_token(names[i], strlen(names[i])), TK_IDENT);
    }
    /* Only the identifier's own bytes count, not what follows it. */
    assert_int_equal(words_token("seedling", 4), TK_SEED);
    assert_int_equal(words_token("seed", 3), TK_IDENT);
}

/* The language server's hover has a line for every word lrc supports
 * (words_doc.c), and none for a word it lacks. */
static void test_every_supported_word_is_described(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof categories / sizeof categories[0]; c++)
        for (const LrWord *w = categories[c].table; w->name; w++) {
            if (categories[c].table == words_reserved && !words_is_statement(w->code))
                continue; /* from, true, false: read as part of what they are in */
            const char *doc = words_doc(categories[c].table, w->code);
            if (w->supported && (!doc || !doc[0]))
                fail_msg("%s: '%s' has no description", categories[c].what, w->name);
            if (!w->supported && doc)
                fail_msg("%s: '%s' is not supported but described", categories[c].what, w->name);
        }
    for (const LrWord *w = words_statements; w->name; w++)
        assert_non_null(words_doc(words_statements, w->code));
    assert_string_equal(words_doc(words_optimizers, OPT_ADAM),
                        "Adam: adaptive moment estimation (Kingma and Ba)");
    assert_null(words_doc(words_optimizers, OPT_ADAGRAD + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_word_round_trips),
        cmocka_unit_test(test_names_are_unique_per_category),
        cmocka_unit_test(test_enums_are_in_the_order_of_their_names),
        cmocka_unit_test(test_layer_words),
        cmocka_unit_test(test_function_words),
        cmocka_unit_test(test_unsupported_words),
        cmocka_unit_test(test_reserved_words_are_the_keywords),
        cmocka_unit_test(test_near_keywords_are_names),
        cmocka_unit_test(test_every_supported_word_is_described),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
