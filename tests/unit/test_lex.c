/* test_lex.c — the lexer: token kinds and slices, the newline rules that
 * decide where statements end, number values, string escapes, and every
 * lexical error with its exact message and position. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "lex.h"
#include "lr.h"


enum { MAX_TOKENS = 64 };

/* What lexing one text produced: tokens up to and including LEX_END or
 * LEX_ERROR, and the diagnostics. */
typedef struct Lexed {
    LrSource src;
    LrDiag diag;
    LrToken tok[MAX_TOKENS];
    int kind[MAX_TOKENS];
    int count;
} Lexed;

static void lex_source(Lexed *r)
{
    diag_init(&r->diag, NULL);
    LrLexer lx;
    lex_init(&lx, &r->src, &r->diag);
    /* Past MAX_TOKENS the last slot is reused, so that it ends up holding
     * the final LEX_END or LEX_ERROR. */
    r->count = 0;
    for (;;) {
        int i = r->count < MAX_TOKENS ? r->count++ : MAX_TOKENS - 1;
        int k = lex_next(&lx, &r->tok[i]);
        r->kind[i] = k;
        if (k == LEX_END || k == LEX_ERROR)
            break;
    }
}

static void lex_text(Lexed *r, const char *text)
{
    assert_int_equal(source_from_string(&r->src, "<test>", text), 0);
    lex_source(r);
}

static void lexed_free(Lexed *r)
{
    source_free(&r->src);
}

/* Asserts the kinds, in order, ending with LEX_END. */
static void assert_kinds(const Lexed *r, const int *want, int n)
{
    assert_int_equal(r->diag.errors, 0);
    for (int i = 0; i < n && i < r->count; i++) {
        if (r->kind[i] != want[i])
            print_error("token %d: kind %d, want %d\n", i, r->kind[i], want[i]);
        assert_int_equal(r->kind[i], want[i]);
    }
    assert_int_equal(r->count, n);
}

#define KINDS(r, ...)                                                                      \
    do {                                                                                   \
        static const int want_[] = {__VA_ARGS__};                                          \
        assert_kinds((r), want_, (int)(sizeof want_ / sizeof want_[0]));                   \
    } while (0)

/* Lexes text to its first error and checks the recorded headline. */
static void assert_lex_error(const char *text, const char *want)
{
    Lexed r;
    lex_text(&r, text);
    assert_int_equal(r.kind[r.count - 1], LEX_ERROR);
    assert_int_equal(r.diag.errors, 1);
    assert_string_equal(r.diag.first, want);
    lexed_free(&r);
}

/* ---- tokens ------------------------------------------------------------ */

static void test_lex__sample_line_kinds_offsets_lengths(void **state)
{
    (void)state;
    Lexed r;
    /*               0         1         2         3         4
     *               0123456789012345678901234567890123456789012345 */
    lex_text(&r, "dataset grades = linear(n=1e4, w=[.5, \"a\"]) -> x.y");
    static const struct {
        int kind;
        uint32_t offset, length;
    } want[] = {
        {TK_DATASET, 0, 7},   {TK_IDENT, 8, 6},   {TK_EQ, 15, 1},     {TK_IDENT, 17, 6},
        {TK_LPAREN, 23, 1},   {TK_IDENT, 24, 1},  {TK_EQ, 25, 1},     {TK_NUMBER, 26, 3},
        {TK_COMMA, 29, 1},    {TK_IDENT, 31, 1},  {TK_EQ, 32, 1},     {TK_LBRACKET, 33, 1},
        {TK_NUMBER, 34, 2},   {TK_COMMA, 36, 1},  {TK_STRING, 38, 3}, {TK_RBRACKET, 41, 1},
        {TK_RPAREN, 42, 1},   {TK_ARROW, 44, 2},  {TK_IDENT, 47, 1},  {TK_DOT, 48, 1},
        {TK_IDENT, 49, 1},    {TK_NEWLINE, 50, 0}, {LEX_END, 50, 0},
    };
    int n = (int)(sizeof want / sizeof want[0]);
    assert_int_equal(r.diag.errors, 0);
    assert_int_equal(r.count, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(r.kind[i], want[i].kind);
        assert_int_equal(r.tok[i].kind, want[i].kind);
        assert_int_equal(r.tok[i].offset, want[i].offset);
        assert_int_equal(r.tok[i].length, want[i].length);
    }
    assert_close(r.tok[7].number, 1e4, 0);
    assert_close(r.tok[12].number, 0.5, 0);
    lexed_free(&r);
}

static void test_lex__keywords_are_whole_words(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, "seed use let dataset model loss optimizer train evaluate save load "
                 "minimize from true false seeds _x trainer Loss");
    KINDS(&r, TK_SEED, TK_USE, TK_LET, TK_DATASET, TK_MODEL, TK_LOSS, TK_OPTIMIZER, TK_TRAIN,
          TK_EVALUATE, TK_SAVE, TK_LOAD, TK_MINIMIZE, TK_FROM, TK_TRUE, TK_FALSE, TK_IDENT,
          TK_IDENT, TK_IDENT, TK_IDENT, TK_NEWLINE, LEX_END);
    lexed_free(&r);
}

static void test_lex__punctuation(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, "( ) [ ] , = + - * / ^ . -> --> -");
    KINDS(&r, TK_LPAREN, TK_RPAREN, TK_LBRACKET, TK_RBRACKET, TK_COMMA, TK_EQ, TK_PLUS,
          TK_MINUS, TK_STAR, TK_SLASH, TK_CARET, TK_DOT, TK_ARROW, TK_MINUS, TK_ARROW, TK_MINUS,
          TK_NEWLINE, LEX_END);
    lexed_free(&r);
}

/* ---- where statements end ---------------------------------------------- */

static void test_lex__newline_inside_brackets_is_not_an_end(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, "f(a,\n  b) [1,\n2]\nx\n");
    KINDS(&r, TK_IDENT, TK_LPAREN, TK_IDENT, TK_COMMA, TK_IDENT, TK_RPAREN, TK_LBRACKET,
          TK_NUMBER, TK_COMMA, TK_NUMBER, TK_RBRACKET, TK_NEWLINE, TK_IDENT, TK_NEWLINE,
          LEX_END);
    lexed_free(&r);
}

static void test_lex__newline_after_arrow_continues(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, "model a ->\n\n  # comment\n  b\n");
    KINDS(&r, TK_MODEL, TK_IDENT, TK_ARROW, TK_IDENT, TK_NEWLINE, LEX_END);
    lexed_free(&r);
}

static void test_lex__semicolon_ends_a_statement(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, ";loss mse; train;;\nseed 1;");
    KINDS(&r, TK_LOSS, TK_IDENT, TK_NEWLINE, TK_TRAIN, TK_NEWLINE, TK_SEED, TK_NUMBER,
          TK_NEWLINE, LEX_END);
    assert_int_equal(r.tok[2].offset, 9);
    assert_int_equal(r.tok[2].length, 1);
    lexed_free(&r);
}

static void test_lex__semicolon_in_brackets_is_kept_for_the_parser(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, "f(1;2)");
    KINDS(&r, TK_IDENT, TK_LPAREN, TK_NUMBER, TK_NEWLINE, TK_NUMBER, TK_RPAREN, TK_NEWLINE,
          LEX_END);
    lexed_free(&r);
}

static void test_lex__blank_lines_and_comments_collapse(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, "\n\n# head\n  \r\nseed 1 # trailing\n\n\n\t\nloss mse\r\n\n");
    KINDS(&r, TK_SEED, TK_NUMBER, TK_NEWLINE, TK_LOSS, TK_IDENT, TK_NEWLINE, LEX_END);
    assert_int_equal(r.tok[2].offset, 30); /* the newline after the comment */
    lexed_free(&r);
}

static void test_lex__final_newline_is_supplied_once(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, "train");
    KINDS(&r, TK_TRAIN, TK_NEWLINE, LEX_END);
    assert_int_equal(r.tok[1].offset, 5);
    assert_int_equal(r.tok[1].length, 0);
    lexed_free(&r);

    lex_text(&r, "train\n");
    KINDS(&r, TK_TRAIN, TK_NEWLINE, LEX_END);
    assert_int_equal(r.tok[1].offset, 5);
    assert_int_equal(r.tok[1].length, 1);
    lexed_free(&r);

    lex_text(&r, "  # only a comment\n\n");
    KINDS(&r, LEX_END);
    lexed_free(&r);

    lex_text(&r, "");
    KINDS(&r, LEX_END);
    lexed_free(&r);
}

static void test_lex__end_repeats(void **state)
{
    (void)state;
    LrSource src;
    LrDiag d;
    diag_init(&d, NULL);
    assert_int_equal(source_from_string(&src, "<test>", "x"), 0);
    LrLexer lx;
    lex_init(&lx, &src, &d);
    LrToken t;
    assert_int_equal(lex_next(&lx, &t), TK_IDENT);
    assert_int_equal(lex_next(&lx, &t), TK_NEWLINE);
    assert_int_equal(lex_next(&lx, &t), LEX_END);
    assert_int_equal(lex_next(&lx, &t), LEX_END);
    source_free(&src);
}

/* ---- values ------------------------------------------------------------ */

static void test_lex__number_values(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double value;
    } cases[] = {
        {"42", 42},     {"0.05", 0.05}, {"1e-3", 1e-3},     {".5", 0.5},   {"2.", 2},
        {"1E+5", 1e5},  {"007", 7},     {"1.5e2", 150},     {"1e-400", 0}, /* underflow */
        {"0", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Lexed r;
        lex_text(&r, cases[i].text);
        KINDS(&r, TK_NUMBER, TK_NEWLINE, LEX_END);
        assert_int_equal(r.tok[0].length, strlen(cases[i].text));
        assert_close(r.tok[0].number, cases[i].value, 0);
        lexed_free(&r);
    }
}

static void test_lex__string_unescape(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, "\"a\\\"b\\\\c\\nd\\te\" \"\"");
    KINDS(&r, TK_STRING, TK_STRING, TK_NEWLINE, LEX_END);
    assert_int_equal(r.tok[0].offset, 0);
    assert_int_equal(r.tok[0].length, 15);
    char out[32];
    size_t n = lex_unescape(r.src.text + 1, r.tok[0].length - 2, out);
    assert_int_equal(n, 9);
    assert_string_equal(out, "a\"b\\c\nd\te");
    n = lex_unescape(r.src.text + r.tok[1].offset + 1, 0, out);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");
    lexed_free(&r);
}

static void test_lex__string_may_hold_utf8_and_hash(void **state)
{
    (void)state;
    Lexed r;
    lex_text(&r, "use \"caf\xc3\xa9 # not a comment\"");
    KINDS(&r, TK_USE, TK_STRING, TK_NEWLINE, LEX_END);
    assert_int_equal(r.tok[1].length, 23);
    lexed_free(&r);
}

/* ---- errors ------------------------------------------------------------ */

static void test_lex__malformed_numbers(void **state)
{
    (void)state;
    assert_lex_error("seed 1e", "1:6: error: malformed number '1e'");
    assert_lex_error("x=1e+\n", "1:3: error: malformed number '1e+'");
    assert_lex_error("lr=3x", "1:4: error: malformed number '3x'");
    assert_lex_error("1.5e3_b", "1:1: error: malformed number '1.5e3_b'");
    assert_lex_error(".5E-", "1:1: error: malformed number '.5E-'");
}

static void test_lex__number_out_of_range(void **state)
{
    (void)state;
    assert_lex_error("seed 1\nlr=1e999", "2:4: error: number '1e999' is out of range");
}

/* A string cut by a newline and an unknown escape, with their carets, are
 * tests/errors/unterminated_string and unknown_escape. */
static void test_lex__unterminated_string_at_end_of_input(void **state)
{
    (void)state;
    assert_lex_error("use \"abc", "1:5: error: unterminated string");
    assert_lex_error("use \"abc\\", "1:5: error: unterminated string");
}

static void test_lex__unexpected_characters(void **state)
{
    (void)state;
    assert_lex_error("seed 1\nloss @mse", "2:6: error: unexpected character '@'");
    assert_lex_error("x = 'a'", "1:5: error: unexpected character '''");
    assert_lex_error("caf\xc3\xa9", "1:4: error: unexpected byte 0xc3");
    assert_lex_error("a\x01", "1:2: error: unexpected byte 0x01");
}

static void test_lex__embedded_nul(void **state)
{
    (void)state;
    static const char cases[][8] = {"ab\0cd", "#x\0cd", "\"x\0\"  "};
    static const char *const want[] = {"1:3: error: unexpected byte 0x00",
                                       "1:3: error: unexpected byte 0x00",
                                       "1:3: error: unexpected byte 0x00"};
    for (int i = 0; i < 3; i++) {
        char text[8];
        memcpy(text, cases[i], sizeof text);
        Lexed r;
        r.src.name = "<test>";
        r.src.text = text;
        r.src.length = 5;
        text[5] = 0;
        lex_source(&r);
        assert_int_equal(r.kind[r.count - 1], LEX_ERROR);
        assert_string_equal(r.diag.first, want[i]);
    }
}

static void test_lex__bracket_errors(void **state)
{
    (void)state;
    assert_lex_error("f(1))", "1:5: error: unexpected ')'");
    assert_lex_error("x]", "1:2: error: unexpected ']'");
    assert_lex_error("f(\n[1,\n2)", "3:2: error: ']' expected (to close '[' at line 2)");
    assert_lex_error("a = f(1,\n\n  2", "3:4: error: ')' expected (to close '(' at line 1)");
    assert_lex_error("a = [\n", "2:1: error: ']' expected (to close '[' at line 1)");
}

static void test_lex__nesting_limit(void **state)
{
    (void)state;
    char text[2 * LEX_MAX_DEPTH + 1];
    /* Exactly the limit is fine. */
    memset(text, '(', LEX_MAX_DEPTH);
    memset(text + LEX_MAX_DEPTH, ')', LEX_MAX_DEPTH);
    text[2 * LEX_MAX_DEPTH] = 0;
    Lexed r;
    lex_text(&r, text);
    assert_int_equal(r.diag.errors, 0);
    lexed_free(&r);

    memset(text, '[', LEX_MAX_DEPTH + 1);
    text[LEX_MAX_DEPTH + 1] = 0;
    assert_lex_error(text, "1:257: error: nesting too deep (limit is 256)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lex__sample_line_kinds_offsets_lengths),
        cmocka_unit_test(test_lex__keywords_are_whole_words),
        cmocka_unit_test(test_lex__punctuation),
        cmocka_unit_test(test_lex__newline_inside_brackets_is_not_an_end),
        cmocka_unit_test(test_lex__newline_after_arrow_continues),
        cmocka_unit_test(test_lex__semicolon_ends_a_statement),
        cmocka_unit_test(test_lex__semicolon_in_brackets_is_kept_for_the_parser),
        cmocka_unit_test(test_lex__blank_lines_and_comments_collapse),
        cmocka_unit_test(test_lex__final_newline_is_supplied_once),
        cmocka_unit_test(test_lex__end_repeats),
        cmocka_unit_test(test_lex__number_values),
        cmocka_unit_test(test_lex__string_unescape),
        cmocka_unit_test(test_lex__string_may_hold_utf8_and_hash),
        cmocka_unit_test(test_lex__malformed_numbers),
        cmocka_unit_test(test_lex__number_out_of_range),
        cmocka_unit_test(test_lex__unterminated_string_at_end_of_input),
        cmocka_unit_test(test_lex__unexpected_characters),
        cmocka_unit_test(test_lex__embedded_nul),
        cmocka_unit_test(test_lex__bracket_errors),
        cmocka_unit_test(test_lex__nesting_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
