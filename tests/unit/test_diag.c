/* test_diag.c — the diagnostic format (location, source line, caret) and
 * the did-you-mean search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"

/* Reports message at span of a source called name holding text, into d;
 * returns what was printed (free it). */
static char *report(LrDiag *d, const char *name, const char *text, LrSpan span,
                    const char *message)
{
    LrSource src;
    assert_int_equal(source_from_string(&src, name, text), 0);
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    assert_non_null(f);
    diag_init(d, f);
    diag_error(d, &src, span, "%s", message);
    fclose(f);
    source_free(&src);
    return out;
}

static void test_diag__format_with_caret(void **state)
{
    (void)state;
    LrDiag d;
    char *text = report(&d, "students.lr", "seed 1\n\toptimizer sdg lr=0.002\n", (LrSpan){18, 3},
                        "unknown optimizer 'sdg'");
    /* The tab is shown as one space so the caret lines up. */
    assert_string_equal(text, "students.lr:2:12: error: unknown optimizer 'sdg'\n"
                              "     optimizer sdg lr=0.002\n"
                              "               ^~~\n");
    assert_string_equal(d.first, "2:12: error: unknown optimizer 'sdg'");
    assert_int_equal(d.errors, 1);
    free(text);
}

static void test_diag__warning_is_shown_but_not_counted(void **state)
{
    (void)state;
    LrSource src;
    assert_int_equal(source_from_string(&src, "w.lr", "seed 1\noptimizer sgd lr=cosine(1, 10)\n"),
                     0);
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    assert_non_null(f);
    LrDiag d;
    diag_init(&d, f);
    diag_warning(&d, &src, (LrSpan){24, 13}, "cosine decays over %d steps", 10);
    fclose(f);
    source_free(&src);
    assert_string_equal(out, "w.lr:2:18: warning: cosine decays over 10 steps\n"
                             "    optimizer sgd lr=cosine(1, 10)\n"
                             "                     ^~~~~~~~~~~~~\n");
    assert_int_equal(d.errors, 0);
    assert_string_equal(d.first, "");
    free(out);
}

static void test_diag__caret_at_end_of_input(void **state)
{
    (void)state;
    LrDiag d;
    char *text = report(&d, "t.lr", "train (", (LrSpan){7, 0}, "x");
    assert_string_equal(text, "t.lr:1:8: error: x\n    train (\n           ^\n");
    free(text);
}

static void test_diag__edit_distance(void **state)
{
    (void)state;
    assert_int_equal(diag_edit_distance("sdg", 3, "sgd", 3), 1); /* transposition */
    assert_int_equal(diag_edit_distance("kitten", 6, "sitting", 7), 3);
    assert_int_equal(diag_edit_distance("", 0, "abc", 3), 3);
    assert_int_equal(diag_edit_distance("mse", 3, "mse", 3), 0);
}

static void test_diag__suggest(void **state)
{
    (void)state;
    static const char *const names[] = {"sgd", "adam", "adamw", "rmsprop", NULL};
    assert_string_equal(diag_suggest("sdg", 3, names), "sgd");
    assert_string_equal(diag_suggest("adma", 4, names), "adam");
    assert_string_equal(diag_suggest("rmsprp", 6, names), "rmsprop");
    assert_null(diag_suggest("xyz", 3, names));
    assert_null(diag_suggest("banana", 6, names));
}

static void test_diag__errors_past_the_cap_are_only_counted(void **state)
{
    (void)state;
    LrSource src;
    assert_int_equal(source_from_string(&src, "t.lr", "a\nb\nc\n"), 0);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    LrDiag d;
    diag_init(&d, out);
    d.max_errors = 2;
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(diag_showing(&d), i < 2);
        diag_error(&d, &src, (LrSpan){2 * i, 1}, "e%u", (unsigned)i);
        diag_note(&d, &src, (LrSpan){2 * i, 1}, "n%u", (unsigned)i);
    }
    assert_false(diag_showing(&d));
    fclose(out);
    assert_int_equal(d.errors, 3);
    assert_string_equal(d.first, "1:1: error: e0");
    assert_string_equal(text, "t.lr:1:1: error: e0\n    a\n    ^\nt.lr:1:1: note: n0\n    a\n    ^\n"
                              "t.lr:2:1: error: e1\n    b\n    ^\nt.lr:2:1: note: n1\n    b\n    ^\n"
                              "lrc: too many errors (only the first 2 are shown)\n");
    free(text);
    source_free(&src);
}

/* Held messages come out by place: the max_errors first in the file, each
 * with its notes, the same error reported twice once, and the count. */
static void test_diag__held_errors_are_written_in_source_order(void **state)
{
    (void)state;
    LrSource src;
    assert_int_equal(source_from_string(&src, "t.lr", "a\nb\nc\nd\n"), 0);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    LrDiag d;
    diag_init(&d, out);
    d.max_errors = 2;
    diag_hold(&d);
    diag_error(&d, &src, (LrSpan){4, 1}, "c");     /* line 3 */
    diag_error(&d, &src, (LrSpan){6, 1}, "d");     /* line 4: dropped for b */
    diag_error(&d, &src, (LrSpan){2, 1}, "b");     /* line 2 */
    diag_note(&d, &src, (LrSpan){0, 1}, "b's note");
    diag_error(&d, &src, (LrSpan){2, 1}, "b");     /* again: one error */
    diag_warning(&d, &src, (LrSpan){0, 1}, "w");   /* line 1 */
    assert_int_equal(d.errors, 3);
    assert_int_equal(fflush(out), 0);
    assert_int_equal(size, 0); /* nothing written before the release */
    diag_release(&d);
    fclose(out);
    assert_string_equal(text, "t.lr:1:1: warning: w\n    a\n    ^\n"
                              "t.lr:2:1: error: b\n    b\n    ^\nt.lr:1:1: note: b's note\n    a\n    ^\n"
                              "t.lr:3:1: error: c\n    c\n    ^\n"
                              "lrc: too many errors (3 in all; only the first 2 are shown)\n");
    free(text);
    source_free(&src);
}

static void check_escape(const char *text, size_t len, const char *want)
{
    char out[256];
    assert_int_equal(diag_escape(out, sizeof out, text, len), strlen(want));
    assert_string_equal(out, want);
}

/* The literal's length, so that an embedded NUL counts. */
#define CHECK_ESCAPE(literal, want) check_escape(literal, sizeof literal - 1, want)

static void test_diag__escape(void **state)
{
    (void)state;
    /* A terminal title and clear-screen attack, from a CSV value. */
    CHECK_ESCAPE("\x1b[2J\x1b]0;pwned\a", "\\x1b[2J\\x1b]0;pwned\\a");
    CHECK_ESCAPE("a\tb\nc\rd\x7f\x01", "a\\tb\\nc\\rd\\x7f\\x01");
    CHECK_ESCAPE("nul\0x", "nul\\x00x");
    /* Printable UTF-8 is kept: e acute, a CJK character, an emoji. */
    CHECK_ESCAPE("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80",
                 "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80");
    /* C1 control CSI (U+009B) and a right-to-left override (U+202E). */
    CHECK_ESCAPE("\xc2\x9b" "2J", "\\u009b2J");
    CHECK_ESCAPE("ab\xe2\x80\xae" "cd", "ab\\u202ecd");
    /* Not UTF-8: a stray byte, an overlong '/', a surrogate, a sequence cut
     * short by the end of the text, one past U+10FFFF. */
    CHECK_ESCAPE("\xff", "\\xff");
    CHECK_ESCAPE("\xc0\xaf", "\\xc0\\xaf");
    CHECK_ESCAPE("\xed\xa0\x80", "\\xed\\xa0\\x80");
    CHECK_ESCAPE("\xe2\x82", "\\xe2\\x82");
    CHECK_ESCAPE("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
    /* Output that does not fit stops before an escape, never inside one. */
    char small[6];
    assert_int_equal(diag_escape(small, sizeof small, "ab\x1b", 3), 2);
    assert_string_equal(small, "ab");
    assert_int_equal(diag_escape(small, 4, "a\xc3\xa9" "b", 4), 3);
    assert_string_equal(small, "a\xc3\xa9");
}

static void test_diag__messages_and_source_lines_are_escaped(void **state)
{
    (void)state;
    LrSource src;
    assert_int_equal(source_from_string(&src, "t\x1b.lr", "seed \"\x1b[2J\" + x\n"), 0);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    LrDiag d;
    diag_init(&d, out);
    diag_error(&d, &src, (LrSpan){5, 6}, "bad '%s'", "\x1b[2J");
    diag_error(&d, &src, (LrSpan){14, 1}, "x");
    diag_file_error(&d, "d\a.csv", 2, 3, "value '%s'", "\x1b]0;t\a");
    fclose(out);
    /* The caret and underline line up with the escaped text. */
    assert_string_equal(text, "t\\x1b.lr:1:6: error: bad '\\x1b[2J'\n"
                              "    seed \"\\x1b[2J\" + x\n"
                              "         ^~~~~~~~~\n"
                              "t\\x1b.lr:1:15: error: x\n"
                              "    seed \"\\x1b[2J\" + x\n"
                              "                     ^\n"
                              "d\\a.csv:2:3: error: value '\\x1b]0;t\\a'\n");
    assert_string_equal(d.first, "1:6: error: bad '\\x1b[2J'");
    free(text);
    source_free(&src);
}

/* Line and column by counting newlines from the segment's start: the
 * definition that source_position's line table must agree with. */
static void naive_position(const char *text, size_t seg_start, size_t offset, int *line, int *col)
{
    int l = 1;
    size_t start = seg_start;
    for (size_t i = seg_start; i < offset; i++) {
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *col = (int)(offset - start) + 1;
}

static void random_text(char *buf, size_t len, unsigned *seed)
{
    static const char alphabet[] = "ab \n\n\r\t";
    for (size_t i = 0; i < len; i++) {
        *seed = *seed * 1103515245u + 12345u;
        buf[i] = alphabet[(*seed >> 16) % (sizeof alphabet - 1)];
    }
    buf[len] = '\0';
}

static void test_diag__positions_match_a_naive_scan(void **state)
{
    (void)state;
    unsigned seed = 12345;
    char text[4001];
    random_text(text, 3000, &seed);
    LrSource src;
    assert_int_equal(source_from_string(&src, "t.lr", text), 0);
    /* Positions are asked for, then segments appended: the table must grow
     * with them, and lines restart at 1 in each segment. */
    int line, col;
    source_position(&src, 10, &line, &col);
    for (int s = 0; s < 3; s++) {
        random_text(text, 500 + 700 * (size_t)s, &seed);
        assert_true(source_append(&src, "m.lr", text, strlen(text)) >= 1);
    }
    assert_int_equal(source_append(&src, "empty.lr", "", 0), 4);
    for (int trial = 0; trial < 5000; trial++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t offset = trial < 10 ? (uint32_t)(src.length - (size_t)trial)
                                     : (seed >> 8) % (uint32_t)(src.length + 1);
        const LrSegment *seg = source_segment(&src, offset);
        assert_non_null(seg);
        assert_true(seg->offset <= offset && offset <= (size_t)seg->offset + seg->length);
        int want_line, want_col;
        naive_position(src.text, seg->offset, offset, &want_line, &want_col);
        source_position(&src, offset, &line, &col);
        assert_int_equal(line, want_line);
        assert_int_equal(col, want_col);
        size_t len;
        const char *start = source_line(&src, offset, &len);
        assert_int_equal((size_t)(src.text + offset - start), (size_t)want_col - 1);
    }
    source_free(&src);
}

static void test_diag__byte_order_mark_is_skipped(void **state)
{
    (void)state;
    /* A file saved with a UTF-8 byte order mark: columns of line 1 count
     * from after it, as an editor shows them, in the file and in a module. */
    LrSource src;
    assert_int_equal(source_from_string(&src, "t.lr", "\xef\xbb\xbf" "seed $\n"), 0);
    assert_string_equal(src.text, "seed $\n");
    int line, col;
    source_position(&src, 5, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 6);
    int seg = source_append(&src, "m.lr", "\xef\xbb\xbf" "x", 4);
    assert_int_equal(seg, 1);
    assert_int_equal(src.segments[1].length, 1);
    assert_int_equal(src.text[src.segments[1].offset], 'x');
    source_position(&src, src.segments[1].offset, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    source_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag__format_with_caret),
        cmocka_unit_test(test_diag__caret_at_end_of_input),
        cmocka_unit_test(test_diag__warning_is_shown_but_not_counted),
        cmocka_unit_test(test_diag__edit_distance),
        cmocka_unit_test(test_diag__suggest),
        cmocka_unit_test(test_diag__positions_match_a_naive_scan),
        cmocka_unit_test(test_diag__errors_past_the_cap_are_only_counted),
        cmocka_unit_test(test_diag__held_errors_are_written_in_source_order),
        cmocka_unit_test(test_diag__escape),
        cmocka_unit_test(test_diag__byte_order_mark_is_skipped),
        cmocka_unit_test(test_diag__messages_and_source_lines_are_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
