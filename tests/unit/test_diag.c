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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag__format_with_caret),
        cmocka_unit_test(test_diag__caret_at_end_of_input),
        cmocka_unit_test(test_diag__edit_distance),
        cmocka_unit_test(test_diag__suggest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
