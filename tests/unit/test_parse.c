/* test_parse.c — the parser (grammar/lr.y driven by src/parse.c): tree
 * shapes through ast_format, spans, and syntax errors with their exact
 * messages and positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ast.h"
#include "parse.h"

/* One parse: the source, the arena the tree lives in, the diagnostics. */
typedef struct Parsed {
    LrSource src;
    LrArena arena;
    LrDiag diag;
    LrProgram prog;
    int status;
    char text[4096]; /* statements formatted one per line, or the expression */
} Parsed;

static int setup(void **state)
{
    Parsed *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    Parsed *p = *state;
    arena_free(&p->arena);
    source_free(&p->src);
    free(p);
    return 0;
}

/* Parses text (a program, or an expression when expr is set) into p,
 * releasing what a previous call in the same test held. */
static int parse_text(Parsed *p, const char *text, int expr)
{
    arena_free(&p->arena);
    source_free(&p->src);
    memset(p, 0, sizeof *p);
    assert_int_equal(source_from_string(&p->src, "<test>", text), 0);
    diag_init(&p->diag, NULL);
    p->status = expr ? parse_expression(&p->src, &p->arena, &p->diag, &p->prog)
                     : parse_program(&p->src, &p->arena, &p->diag, &p->prog);
    if (p->status == 0 && expr) {
        ast_format(&p->src, p->prog.expr, p->text, sizeof p->text);
    } else if (p->status == 0) {
        int used = 0;
        for (const LrStmt *s = p->prog.first; s; s = s->next) {
            if (used)
                p->text[used++] = '\n';
            used += ast_format_stmt(&p->src, s, p->text + used, (int)sizeof p->text - used);
            assert_true(used < (int)sizeof p->text);
        }
    }
    return p->status;
}

/* Asserts that text parses and formats as want. */
static void assert_parses(Parsed *p, const char *text, int expr, const char *want)
{
    if (parse_text(p, text, expr) != 0)
        print_error("%s\n", p->diag.first);
    assert_int_equal(p->status, 0);
    assert_int_equal(p->diag.errors, 0);
    assert_string_equal(p->text, want);
}

static void assert_program(Parsed *p, const char *text, const char *want)
{
    assert_parses(p, text, 0, want);
}

static void assert_expr(Parsed *p, const char *text, const char *want)
{
    assert_parses(p, text, 1, want);
}

/* Asserts that text fails with exactly one error whose headline is want. */
static void assert_syntax_error(Parsed *p, const char *text, int expr, const char *want)
{
    assert_int_equal(parse_text(p, text, expr), -1);
    assert_int_equal(p->diag.errors, 1);
    assert_string_equal(p->diag.first, want);
    assert_null(p->prog.first);
    assert_null(p->prog.expr);
    assert_int_equal(p->prog.count, 0);
}

static void assert_span(const LrSource *src, LrSpan span, const char *want)
{
    char got[256];
    snprintf(got, sizeof got, "%.*s", (int)span.length, AST_TEXT(src, span));
    assert_string_equal(got, want);
}

/* ---- shapes ------------------------------------------------------------ */

static const char STUDENTS[] =
    "# students.lr — predict a final grade from three partial grades.\n"
    "# y = 0.3*x1 + 0.3*x2 + 0.4*x3 + noise, 10000 students, grades in [0, 5].\n"
    "seed 42\n"
    "\n"
    "dataset grades = linear(n=10000, features=3, low=0, high=5,\n"
    "                        weights=[0.3, 0.3, 0.4], bias=0, noise=0.2)\n"
    "\n"
    "model dense(1, init=normal(stddev=0.01))\n"
    "loss mse\n"
    "optimizer sgd lr=0.002\n"
    "train epochs=4 batch=8 shuffle=true\n";

static void test_parse__students_example(void **state)
{
    Parsed *p = *state;
    assert_program(p, STUDENTS,
                   "(seed 42)\n"
                   "(dataset grades (call linear (kw n 10000) (kw features 3) (kw low 0) "
                   "(kw high 5) (kw weights (list 0.3 0.3 0.4)) (kw bias 0) (kw noise 0.2)))\n"
                   "(model (call dense 1 (kw init (call normal (kw stddev 0.01)))))\n"
                   "(loss mse)\n"
                   "(optimizer sgd (kw lr 0.002))\n"
                   "(train (kw epochs 4) (kw batch 8) (kw shuffle true))");
    assert_int_equal(p->prog.count, 6);
    const LrStmt *s = p->prog.first;
    assert_int_equal(s->kind, STMT_SEED);
    s = s->next;
    assert_int_equal(s->kind, STMT_DATASET);
    assert_span(&p->src, s->keyword, "dataset");
    assert_span(&p->src, s->name, "grades");
    assert_int_equal(s->value->kind, AST_CALL);
    assert_int_equal(s->value->count, 7);
    assert_span(&p->src, s->value->name, "linear");
    assert_int_equal(s->span.offset, s->keyword.offset);
    assert_int_equal(s->span.offset + s->span.length, s->value->span.offset + s->value->span.length);
    assert_int_equal(p->src.text[s->span.offset + s->span.length - 1], ')');
    s = s->next->next->next->next;
    assert_int_equal(s->kind, STMT_TRAIN);
    assert_null(s->value);
    assert_span(&p->src, s->span, "train epochs=4 batch=8 shuffle=true");
    assert_int_equal(s->options->kind, AST_KEYWORD);
    assert_span(&p->src, s->options->name, "epochs");
    assert_span(&p->src, s->options->span, "epochs=4");
    assert_int_equal(s->options->lhs->number, 4);
}

static void test_parse__layer_chain(void **state)
{
    Parsed *p = *state;
    assert_program(p,
                   "model dense(64, activation=relu, init=he_normal) -> "
                   "dense(64, activation=relu) ->\n"
                   "      dense(10, activation=softmax)",
                   "(model (-> (-> (call dense 64 (kw activation relu) (kw init he_normal)) "
                   "(call dense 64 (kw activation relu))) "
                   "(call dense 10 (kw activation softmax))))");
    const LrNode *chain = p->prog.first->value;
    assert_int_equal(chain->kind, AST_CHAIN);
    assert_int_equal(chain->span.offset, 6);
    assert_int_equal(chain->span.offset + chain->span.length, p->src.length);
    assert_span(&p->src, chain->lhs->rhs->span, "dense(64, activation=relu)");
}

static void test_parse__named_model_and_dataset_options(void **state)
{
    Parsed *p = *state;
    assert_program(p,
                   "model net = dense(2) -> relu\n"
                   "dataset csv(\"data/iris.csv\", label=\"species\") validation=0.2 "
                   "normalize=standard",
                   "(model net (-> (call dense 2) relu))\n"
                   "(dataset (call csv \"data/iris.csv\" (kw label \"species\")) "
                   "(kw validation 0.2) (kw normalize standard))");
    assert_span(&p->src, p->prog.last->span,
                "dataset csv(\"data/iris.csv\", label=\"species\") validation=0.2 "
                "normalize=standard");
}

static void test_parse__precedence(void **state)
{
    Parsed *p = *state;
    assert_expr(p, "1+2*3", "(+ 1 (* 2 3))");
    assert_expr(p, "-2^2", "(neg (^ 2 2))");
    assert_expr(p, "2^3^2", "(^ 2 (^ 3 2))");
    assert_expr(p, "(1+2)*3", "(* (+ 1 2) 3)");
    assert_expr(p, "1-2-3", "(- (- 1 2) 3)");
    assert_expr(p, "8/4/2", "(/ (/ 8 4) 2)");
    assert_expr(p, "2^-1", "(^ 2 (neg 1))");
    assert_expr(p, "--x", "(neg (neg x))");
    assert_expr(p, "-a.b^2", "(neg (^ (. a b) 2))");
    assert_expr(p, "a -> b -> c", "(-> (-> a b) c)");
    assert_expr(p, "a -> b * 2 + 1", "(-> a (+ (* b 2) 1))");
    assert_expr(p, "pi * x / 4", "(/ (* pi x) 4)");

    /* Parentheses widen the inner span to cover them. */
    assert_expr(p, "(1+2)*3", "(* (+ 1 2) 3)");
    assert_int_equal(p->prog.expr->span.offset, 0);
    assert_int_equal(p->prog.expr->span.length, 7);
    assert_span(&p->src, p->prog.expr->lhs->span, "(1+2)");
}

static void test_parse__member_access(void **state)
{
    Parsed *p = *state;
    assert_program(p,
                   "evaluate on=grades.test metrics=[accuracy, mse]\n"
                   "train on=grades epochs=2 validation=grades.validation",
                   "(evaluate (kw on (. grades test)) (kw metrics (list accuracy mse)))\n"
                   "(train (kw on grades) (kw epochs 2) (kw validation (. grades validation)))");
    const LrNode *m = p->prog.first->options->lhs;
    assert_int_equal(m->kind, AST_MEMBER);
    assert_span(&p->src, m->span, "grades.test");
    assert_span(&p->src, m->name, "test");
}

static void test_parse__calls_and_lists(void **state)
{
    Parsed *p = *state;
    assert_expr(p, "f()", "(call f)");
    assert_expr(p, "f(1, k=\"s\\\"q\", [], [1,],)", "(call f 1 (kw k \"s\\\"q\") (list) (list 1))");
    assert_expr(p, "g(\n  x,\n  y = -1,\n)", "(call g x (kw y (neg 1)))");
    assert_int_equal(p->prog.expr->count, 2);
    assert_span(&p->src, p->prog.expr->span, "g(\n  x,\n  y = -1,\n)");
    assert_expr(p, "f(loss=mse, optimizer=adam)", "(call f (kw loss mse) (kw optimizer adam))");
    assert_expr(p, "[true, false, \"a\\tb\"]", "(list true false \"a\\tb\")");
    assert_int_equal(p->prog.expr->items->kind, AST_BOOL);
    assert_int_equal(p->prog.expr->items->next->next->kind, AST_STRING);
    assert_string_equal(p->prog.expr->items->next->next->text, "a\tb");
}

static void test_parse__let_and_use(void **state)
{
    Parsed *p = *state;
    assert_program(p,
                   "use \"std/schedules.lr\"; use mnist\n"
                   "let rate = sweep(0.1, 0.01, 0.001)\n"
                   "let f(x) = cosh(pi * x / 4)\n"
                   "let g(x, y) = x^2 + y^2\n"
                   "let h() = 1\n",
                   "(use \"std/schedules.lr\")\n"
                   "(use mnist)\n"
                   "(let rate (call sweep 0.1 0.01 0.001))\n"
                   "(let f (params x) (call cosh (/ (* pi x) 4)))\n"
                   "(let g (params x y) (+ (^ x 2) (^ y 2)))\n"
                   "(let h (params) 1)");
    const LrStmt *s = p->prog.first;
    assert_int_equal(s->value->kind, AST_STRING);
    assert_string_equal(s->value->text, "std/schedules.lr");
    assert_int_equal(s->next->value->kind, AST_NAME);
    s = s->next->next->next->next;
    assert_true(s->is_function);
    assert_int_equal(s->param_count, 2);
    assert_span(&p->src, s->params->next->name, "y");
    assert_false(p->prog.first->next->next->is_function);
    assert_true(p->prog.last->is_function);
    assert_int_equal(p->prog.last->param_count, 0);
}

static void test_parse__minimize(void **state)
{
    Parsed *p = *state;
    assert_program(p,
                   "minimize f(x, y) from x=1, y=-2 steps=20 lr=piecewise(boundaries=[0], "
                   "values=[0.05, 0.5]) optimizer=adam trace=true\n"
                   "minimize x^2 from x=3",
                   "(minimize (call f x y) (from (kw x 1) (kw y (neg 2))) (kw steps 20) "
                   "(kw lr (call piecewise (kw boundaries (list 0)) (kw values (list 0.05 0.5)))) "
                   "(kw optimizer adam) (kw trace true))\n"
                   "(minimize (^ x 2) (from (kw x 3)))");
    assert_span(&p->src, p->prog.last->span, "minimize x^2 from x=3");
    assert_null(p->prog.last->options);
}

static void test_parse__save_load_and_empty_statements(void **state)
{
    Parsed *p = *state;
    assert_program(p, ";;\nsave \"w.safetensors\";;; load \"w.safetensors\"\n\n;",
                   "(save \"w.safetensors\")\n(load \"w.safetensors\")");
    assert_program(p, "", "");
    assert_program(p, "# nothing\n", "");
}

static void test_parse__expression_mode(void **state)
{
    Parsed *p = *state;
    assert_expr(p, "exp_decay(0.05, steps=20000, rate=0.9, staircase=true)",
                "(call exp_decay 0.05 (kw steps 20000) (kw rate 0.9) (kw staircase true))");
    assert_null(p->prog.first);
    assert_span(&p->src, p->prog.expr->span,
                "exp_decay(0.05, steps=20000, rate=0.9, staircase=true)");
    assert_syntax_error(p, "", 1, "1:1: error: unexpected end of input; expected an expression");
    assert_syntax_error(p, "1 2", 1, "1:3: error: unexpected '2'; expected end of input");
    assert_syntax_error(p, "seed 1", 1,
                        "1:1: error: 'seed' is a reserved word and cannot be a name");
}

/* 256 levels of the deepest-stacking bracket form fit in the parser. */
static void test_parse__deepest_allowed_nesting(void **state)
{
    Parsed *p = *state;
    enum { LEVELS = 256 };
    static const char open[] = "f(a, k=";
    size_t n = LEVELS * (sizeof open - 1) + 1 + LEVELS + 1;
    char *text = malloc(n);
    assert_non_null(text);
    char *t = text;
    for (int i = 0; i < LEVELS; i++) {
        memcpy(t, open, sizeof open - 1);
        t += sizeof open - 1;
    }
    *t++ = '1';
    memset(t, ')', LEVELS);
    t[LEVELS] = 0;
    int status = parse_text(p, text, 1);
    free(text);
    if (status != 0)
        print_error("%s\n", p->diag.first);
    assert_int_equal(status, 0);
}

/* ---- syntax errors ----------------------------------------------------- */

static void test_parse__unknown_statement(void **state)
{
    Parsed *p = *state;
    assert_syntax_error(p, "seed 1\noptimzer sgd lr=0.1", 0,
                        "2:1: error: unknown statement 'optimzer'; did you mean 'optimizer'?");
    assert_syntax_error(p, "  trian epochs=1", 0,
                        "1:3: error: unknown statement 'trian'; did you mean 'train'?");
    assert_syntax_error(p, "foo 1", 0,
                        "1:1: error: unknown statement 'foo'; expected one of seed, use, let, "
                        "dataset, model, loss, optimizer, train, evaluate, save, load, minimize, predict");
    assert_syntax_error(p, "42", 0, "1:1: error: unexpected '42'; expected a statement");
}

/* A value missing at the end of a line is tests/errors/missing_value. */
static void test_parse__missing_value_after_equals(void **state)
{
    Parsed *p = *state;
    assert_syntax_error(p, "optimizer sgd lr=", 0,
                        "1:18: error: unexpected end of input; expected a value after '='");
    assert_syntax_error(p, "train epochs= batch=2", 0,
                        "1:20: error: unexpected '='; expected an option NAME=VALUE or end of "
                        "statement");
    assert_syntax_error(p, "let x = ;", 0,
                        "1:9: error: unexpected ';'; expected a value after '='");
}

static void test_parse__unexpected_closer(void **state)
{
    Parsed *p = *state;
    assert_syntax_error(p, "seed ()", 0, "1:7: error: unexpected ')'; expected an expression");
    assert_syntax_error(p, "model dense(1 +)", 0,
                        "1:16: error: unexpected ')'; expected an expression");
    assert_syntax_error(p, "loss f(,)", 0,
                        "1:8: error: unexpected ','; expected an expression or ')'");
    assert_syntax_error(p, "model dense(1))", 0, "1:15: error: unexpected ')'");
    assert_syntax_error(p, "model dense(1]", 0,
                        "1:14: error: ')' expected (to close '(' at line 1)");
    assert_syntax_error(p, "dataset d = linear(n=1,\n\n", 0,
                        "3:1: error: ')' expected (to close '(' at line 1)");
}

static void test_parse__reserved_word_as_name(void **state)
{
    Parsed *p = *state;
    assert_syntax_error(p, "let loss = 1", 0,
                        "1:5: error: 'loss' is a reserved word and cannot be a name");
    assert_syntax_error(p, "let f(x, from) = x", 0,
                        "1:10: error: 'from' is a reserved word and cannot be a name");
    assert_syntax_error(p, "model x -> dense(loss)", 0,
                        "1:18: error: 'loss' is a reserved word and cannot be a name");
    assert_syntax_error(p, "train epochs=1 model", 0,
                        "1:16: error: 'model' is a reserved word and cannot be a name");
    assert_syntax_error(p, "evaluate on=d.model", 0,
                        "1:15: error: 'model' is a reserved word and cannot be a name");
    assert_syntax_error(p, "minimize f(x) from seed=1", 0,
                        "1:20: error: 'seed' is a reserved word and cannot be a name");
}

static void test_parse__context_messages(void **state)
{
    Parsed *p = *state;
    assert_syntax_error(p, "train epochs lr=1", 0,
                        "1:14: error: unexpected 'lr'; expected '=' after option name");
    assert_syntax_error(p, "train epochs=4, batch=8", 0,
                        "1:15: error: unexpected ','; options are separated by spaces, not "
                        "commas");
    assert_syntax_error(p, "seed 1 2", 0, "1:8: error: unexpected '2'; expected end of statement");
    assert_syntax_error(p, "optimizer sgd 0.1", 0,
                        "1:15: error: unexpected '0.1'; expected an option NAME=VALUE or end of "
                        "statement");
    assert_syntax_error(p, "loss f(1 2)", 0, "1:10: error: unexpected '2'; expected ',' or ')'");
    assert_syntax_error(p, "let w = [1 2]", 0, "1:12: error: unexpected '2'; expected ',' or ']'");
    assert_syntax_error(p, "minimize f(x) x=1", 0,
                        "1:15: error: unexpected 'x'; expected 'from'");
    assert_syntax_error(p, "minimize f(x) from x 1", 0,
                        "1:22: error: unexpected '1'; expected '=' after variable name");
    assert_syntax_error(p, "let 3 = x", 0, "1:5: error: unexpected '3'; expected a name");
    assert_syntax_error(p, "let f 3", 0, "1:7: error: unexpected '3'; expected '=' or '('");
    assert_syntax_error(p, "model a.", 0,
                        "1:9: error: unexpected end of input; expected a member name after '.'");
    assert_syntax_error(p, "model a ->", 0,
                        "1:11: error: unexpected end of input; expected an expression");
    assert_syntax_error(p, "train\n  epochs=1", 0,
                        "2:3: error: unknown statement 'epochs'; expected one of seed, use, let, "
                        "dataset, model, loss, optimizer, train, evaluate, save, load, minimize, predict");
    assert_syntax_error(p, "use 1", 0, "1:5: error: unexpected '1'; expected a name or a string");
    assert_syntax_error(p, "loss \"a very long string that goes on and on and on\" x", 0,
                        "1:54: error: unexpected 'x'; expected end of statement");
    assert_syntax_error(p, "seed 1 \"a very long string that goes on and on and on\"", 0,
                        "1:8: error: unexpected '\"a very long string that goes on...'; "
                        "expected end of statement");
}

static void test_parse__lexical_error_drops_its_statement(void **state)
{
    Parsed *p = *state;
    assert_syntax_error(p, "loss @mse", 0, "1:6: error: unexpected character '@'");
    assert_syntax_error(p, "seed 1e", 0, "1:6: error: malformed number '1e'");
}

/* After an error the parse resumes at the next statement: each statement's
 * first error is reported (not what follows it in the same statement),
 * the statements that parse are kept, and the names that dropped let and
 * dataset statements bind are recorded. */
static void test_parse__resumes_at_the_next_statement(void **state)
{
    Parsed *p = *state;
    assert_int_equal(parse_text(p,
                                "seed 1\nloss @mse @\nfoo\nlet a = (1 +\n 2 2)\n"
                                "dataset d = csv(\"x\" \"y\")\nmodel dense(1]\nseed 2",
                                0),
                     -1);
    assert_int_equal(p->diag.errors, 5);
    assert_string_equal(p->diag.first, "2:6: error: unexpected character '@'");
    assert_int_equal(p->prog.count, 2);
    assert_int_equal(p->prog.first->kind, STMT_SEED);
    assert_int_equal(p->prog.first->value->number, 1);
    assert_int_equal(p->prog.last->kind, STMT_SEED);
    assert_int_equal(p->prog.last->value->number, 2);
    assert_int_equal(p->prog.dropped, 5);
    assert_int_equal(p->prog.dropped_name_count, 2);
    assert_memory_equal(p->src.text + p->prog.dropped_names[0].offset, "a", 1);
    assert_memory_equal(p->src.text + p->prog.dropped_names[1].offset, "d", 1);
}

static void test_parse__deep_nesting_is_an_error_not_a_crash(void **state)
{
    Parsed *p = *state;
    enum { N = 10000 };
    char *text = malloc(N + 8);
    assert_non_null(text);

    memcpy(text, "seed ", 5);
    memset(text + 5, '(', N);
    strcpy(text + 5 + N, "1");
    /* The lexer's bracket limit stops it; the message and its cut-down
     * source line are tests/errors/nesting_too_deep. */
    assert_int_equal(parse_text(p, text, 0), -1);
    assert_int_equal(p->diag.errors, 1);
    assert_non_null(strstr(p->diag.first, "error: nesting too deep (limit is 256)"));

    memset(text + 5, '-', N);
    assert_int_equal(parse_text(p, text, 0), -1);
    assert_int_equal(p->diag.errors, 1);
    assert_non_null(strstr(p->diag.first, "error: nesting too deep (limit is 2048)"));

    memset(text, '-', N);
    strcpy(text + N, "1");
    assert_int_equal(parse_text(p, text, 1), -1);
    assert_non_null(strstr(p->diag.first, "error: nesting too deep (limit is 2048)"));

    /* Right-associative powers stack up the same way. */
    for (int i = 0; i < N / 2; i++)
        memcpy(text + 2 * i, "2^", 2);
    strcpy(text + N, "2");
    assert_int_equal(parse_text(p, text, 1), -1);
    assert_non_null(strstr(p->diag.first, "error: nesting too deep (limit is 2048)"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse__students_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__layer_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__named_model_and_dataset_options, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_parse__precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__member_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__calls_and_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__let_and_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__minimize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__save_load_and_empty_statements, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_parse__expression_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__deepest_allowed_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__unknown_statement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__missing_value_after_equals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__unexpected_closer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__reserved_word_as_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__context_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse__lexical_error_drops_its_statement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_parse__resumes_at_the_next_statement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_parse__deep_nesting_is_an_error_not_a_crash, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
