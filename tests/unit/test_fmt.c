/* test_fmt.c — fmt_text, as the language server calls it: the formatted
 * text appended to the buffer, exact layouts written out by hand, and a
 * text that does not parse reported with the parser's message and
 * position, the buffer untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fmt.h"

/* Formats text and checks the result is want, and that want formats to
 * itself. */
static void assert_formats(const char *text, size_t length, const char *want)
{
    LrDiag diag;
    diag_init(&diag, NULL);
    LrBuffer out = {0};
    assert_int_equal(fmt_text("t.lr", text, length, &out, &diag), 0);
    assert_int_equal(diag.errors, 0);
    assert_int_equal(out.length, strlen(want));
    assert_memory_equal(out.data ? out.data : "", want, out.length);
    LrBuffer again = {0};
    assert_int_equal(fmt_text("t.lr", want, strlen(want), &again, &diag), 0);
    assert_int_equal(again.length, out.length);
    assert_memory_equal(again.data ? again.data : "", want, again.length);
    buffer_free(&out);
    buffer_free(&again);
}

static void test_fmt__spacing(void **state)
{
    (void)state;
    const char *text = "seed 1\nlet  r=-0.1*2^ -1+ f( x,y=[ 1 ,2, ] )\n"
                       "train  epochs = 3 on=d . test\n";
    assert_formats(text, strlen(text),
                   "seed 1\nlet r = -0.1 * 2^-1 + f(x, y=[1, 2])\ntrain epochs=3 on=d.test\n");
}

static void test_fmt__statements_and_empty_lines(void **state)
{
    (void)state;
    const char *text = "\n\n# a\n\n\n\nseed 1;loss mse ;  # end\n\n\n";
    assert_formats(text, strlen(text), "# a\n\nseed 1\nloss mse  # end\n");
}

/* The man page's example, from one long line. */
static void test_fmt__long_chain(void **state)
{
    (void)state;
    const char *text = "model dense(64,activation=relu,init=he_normal)->dropout(0.1)->"
                       "dense(64,activation=relu,init=he_normal)->dense(3)->softmax\n";
    assert_formats(text, strlen(text),
                   "model dense(64, activation=relu, init=he_normal) -> dropout(0.1) ->\n"
                   "      dense(64, activation=relu, init=he_normal) -> dense(3) -> softmax\n");
}

static void test_fmt__appends_to_the_buffer(void **state)
{
    (void)state;
    LrDiag diag;
    diag_init(&diag, NULL);
    LrBuffer out = {0};
    buffer_append(&out, "x", 1);
    assert_int_equal(fmt_text("t.lr", "loss  mse", 9, &out, &diag), 0);
    assert_string_equal(out.data, "xloss mse\n");
    buffer_free(&out);
}

static void test_fmt__parse_error_reported_buffer_untouched(void **state)
{
    (void)state;
    LrDiag diag;
    diag_init(&diag, NULL);
    LrBuffer out = {0};
    const char *text = "seed 1\nmodel dense(4 -> dense(1)\n";
    assert_int_equal(fmt_text("t.lr", text, strlen(text), &out, &diag), -1);
    assert_int_equal(diag.errors, 1);
    assert_int_equal(diag.first_line, 3);
    assert_non_null(strstr(diag.first, "')' expected (to close '(' at line 2)"));
    assert_int_equal(out.length, 0);
    assert_null(out.data);
}

/* The length is the text's, NUL or not: a NUL is the lexer's error, not
 * the end of the text. */
static void test_fmt__nul_byte_is_an_error(void **state)
{
    (void)state;
    LrDiag diag;
    diag_init(&diag, NULL);
    LrBuffer out = {0};
    assert_int_equal(fmt_text("t.lr", "seed 1\n\0x", 9, &out, &diag), -1);
    assert_int_equal(diag.errors, 1);
    assert_non_null(strstr(diag.first, "unexpected byte 0x00"));
    assert_null(out.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt__spacing),
        cmocka_unit_test(test_fmt__statements_and_empty_lines),
        cmocka_unit_test(test_fmt__long_chain),
        cmocka_unit_test(test_fmt__appends_to_the_buffer),
        cmocka_unit_test(test_fmt__parse_error_reported_buffer_untouched),
        cmocka_unit_test(test_fmt__nul_byte_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
