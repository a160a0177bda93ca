/* parse.c — the parser driver: pulls tokens from the lexer and pushes them
 * into the Lemon parser generated from grammar/lr.y, one at a time, until
 * the end of input (as SQLite's tokenize.c drives parse.y), resuming at
 * the next statement after an error. The parser object lives on the C
 * stack. Also what the grammar's actions call to build the tree, and the
 * wording of syntax errors. */
#include "parse.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lex.h"
#include "lr.h"
#include "parse_int.h"
#include "words.h"

/* A file with more statements than this is refused (it bounds the
 * checker's work and memory, whatever the file's size). */
#define LR_MAX_STATEMENTS 1000000
/* A line longer than this is refused: no real experiment needs one, and
 * it keeps diagnostics (which print the line) bounded. */
#define LR_MAX_LINE 65536

/* ---- the driver ------------------------------------------------------- */

static int check_line_lengths(const LrSource *src, const LrSegment *seg, LrDiag *diag)
{
    uint32_t start = seg->offset, end = seg->offset + seg->length;
    for (uint32_t i = start; i <= end; i++) {
        if (i == end || src->text[i] == '\n') {
            if (i - start > LR_MAX_LINE) {
                diag_error(diag, src, (LrSpan){start + LR_MAX_LINE, 1},
                           "line is longer than the limit of %d bytes", LR_MAX_LINE);
                return -1;
            }
            start = i + 1;
        }
    }
    return 0;
}

/* Records the name a statement dropped by a syntax error would have bound
 * (`let NAME`, `dataset NAME`), so that its uses are not reported again. */
static void note_dropped(LrParseState *ps, int first, LrToken second)
{
    LrProgram *prog = ps->prog;
    prog->dropped++;
    if ((first != TK_LET && first != TK_DATASET) || second.kind != TK_IDENT)
        return;
    if (prog->dropped_name_count == prog->dropped_name_capacity) {
        int bigger = prog->dropped_name_capacity ? 2 * prog->dropped_name_capacity : 8;
        LrSpan *names = arena_array(ps->arena, (size_t)bigger, sizeof *names);
        if (!names)
            return; /* the name's uses are reported: more messages, no harm */
        if (prog->dropped_name_count)
            memcpy(names, prog->dropped_names, (size_t)prog->dropped_name_count * sizeof *names);
        prog->dropped_names = names;
        prog->dropped_name_capacity = bigger;
    }
    prog->dropped_names[prog->dropped_name_count++] = parse_span(second);
}

static int parse_run(const LrSource *src, int segment, LrArena *arena, LrDiag *diag,
                     LrProgram *prog, int expr_mode)
{
    memset(prog, 0, sizeof *prog);
    prog->src = src;

    LrParseState ps;
    memset(&ps, 0, sizeof ps);
    ps.src = src;
    ps.arena = arena;
    ps.diag = diag;
    ps.prog = prog;
    ps.expr_mode = expr_mode;

    /* Storage for Lemon's yyParser, whose type only lr.c sees; lr.y checks
     * at compile time that it fits. */
    union {
        max_align_t align;
        unsigned char bytes[LR_PARSE_BYTES];
    } engine;
    LrParseInit(&engine, &ps);

    LrLexer lx;
    /* A source made by hand (tests) may have no segments: all of it. */
    LrSegment whole = {0, (uint32_t)src->length, NULL};
    const LrSegment *seg = src->segment_count ? &src->segments[segment] : &whole;
    if (check_line_lengths(src, seg, diag) < 0) {
        LrParseFinalize(&engine);
        return -1;
    }
    lex_init_range(&lx, src, seg->offset, seg->offset + seg->length, diag);
    if (expr_mode) {
        /* Selects `input ::= EXPR_MODE expr NEWLINE` in the grammar. */
        LrToken mode = {TK_EXPR_MODE, 0, 0, 0};
        ps.tok = mode;
        LrParse(&engine, TK_EXPR_MODE, mode);
    }
    /* After a lexical or syntax error in a statement, its remaining tokens
     * are dropped up to its end (a NEWLINE, which the lexer does not make
     * inside brackets) and a fresh parser starts at the next statement, so
     * that every independent error is reported. The statements parsed
     * before stay in prog: grammar actions append each one as its NEWLINE
     * is shifted. A lone expression has nothing to resume at. */
    bool failed = false, skipping = false;
    int first = 0;             /* the statement's first token */
    LrToken second = {0};      /* and its second */
    int tokens = 0;            /* tokens of the statement so far */
    for (;;) {
        LrToken tok;
        int kind = lex_next(&lx, &tok);
        if (kind != LEX_ERROR && !skipping && kind != TK_NEWLINE) {
            if (tokens == 0) {
                first = kind;
                second = (LrToken){0};
            } else if (tokens == 1) {
                second = tok;
            }
            tokens++;
        }
        bool error = kind == LEX_ERROR;
        if (!error && !skipping) {
            ps.tok = tok;
            ps.open_kind = lx.depth ? lx.open_kind[lx.depth - 1] : 0;
            ps.open_at = lx.depth ? lx.open_at[lx.depth - 1] : 0;
            if (!lr_can_shift(&engine, kind)) {
                parse_syntax_error(&ps, &engine, kind, tok);
                ps.error = 0; /* reported; ps.error is left for errors in actions */
                error = true;
            }
        }
        if (error) {
            failed = true;
            if (expr_mode)
                break;
            if (!skipping)
                note_dropped(&ps, first, second);
            skipping = true;
        }
        lx.quiet = skipping;
        if (skipping) {
            if (kind == LEX_END)
                break;
            if (kind == TK_NEWLINE) {
                LrParseFinalize(&engine);
                LrParseInit(&engine, &ps);
                skipping = false;
                lx.quiet = false;
                tokens = 0;
            }
            continue;
        }
        if (kind == TK_NEWLINE)
            tokens = 0;
        LrParse(&engine, kind, tok);
        /* An error in an action (out of memory, too deep, too many
         * statements) ends the parse. */
        if (ps.error || kind == LEX_END)
            break;
    }
    LrParseFinalize(&engine);

    if (ps.error) {
        /* Nothing half-built (or pointing into ps) escapes a failed parse. */
        memset(prog, 0, sizeof *prog);
        prog->src = src;
        return -1;
    }
    return failed ? -1 : 0;
}

int parse_program(const LrSource *src, LrArena *arena, LrDiag *diag, LrProgram *prog)
{
    return parse_run(src, 0, arena, diag, prog, 0);
}

int parse_segment(const LrSource *src, int segment, LrArena *arena, LrDiag *diag,
                  LrProgram *prog)
{
    return parse_run(src, segment, arena, diag, prog, 0);
}

int parse_expression(const LrSource *src, LrArena *arena, LrDiag *diag, LrProgram *prog)
{
    return parse_run(src, 0, arena, diag, prog, 1);
}

int parse_expression_segment(const LrSource *src, int segment, LrArena *arena, LrDiag *diag,
                             LrProgram *prog)
{
    return parse_run(src, segment, arena, diag, prog, 1);
}

/* ---- building the tree (for the grammar's actions) -------------------- */

void parse_error(LrParseState *ps, LrSpan span, const char *fmt, ...)
{
    if (ps->error)
        return;
    ps->error = 1;
    va_list ap;
    va_start(ap, fmt);
    diag_verror(ps->diag, ps->src, span, fmt, ap);
    va_end(ap);
}

/* made, or the stand-in after reporting why not. where: made's span. */
static LrNode *parse_node(LrParseState *ps, LrNode *made, LrSpan where)
{
    if (!made) {
        parse_error(ps, where, "out of memory");
        memset(&ps->oom_node, 0, sizeof ps->oom_node);
        return &ps->oom_node;
    }
    if (made->depth > AST_MAX_DEPTH)
        parse_error(ps, made->span, "expression is too deep (limit is %d levels)", AST_MAX_DEPTH);
    return made;
}

LrNode *parse_leaf(LrParseState *ps, LrNodeKind kind, LrToken t)
{
    LrSpan span = parse_span(t);
    return parse_node(ps, ast_new_leaf(ps->arena, kind, span, t.number), span);
}

LrNode *parse_string(LrParseState *ps, LrToken t)
{
    LrSpan span = parse_span(t);
    LrNode *n = parse_node(ps, ast_new_node(ps->arena, AST_STRING, span), span);
    size_t body = t.length >= 2 ? t.length - 2 : 0;
    char *text = arena_alloc(ps->arena, body + 1);
    if (!text) {
        parse_error(ps, span, "out of memory");
        n->text = "";
        return n;
    }
    lex_unescape(ps->src->text + t.offset + 1, body, text);
    n->text = text;
    return n;
}

LrNode *parse_unary(LrParseState *ps, LrToken op_token, int op, LrNode *operand)
{
    LrSpan op_span = parse_span(op_token);
    return parse_node(ps, ast_new_unary(ps->arena, op_span, op, operand),
                      ast_span_join(op_span, operand->span));
}

LrNode *parse_binary(LrParseState *ps, LrNodeKind kind, int op, LrNode *lhs, LrNode *rhs)
{
    return parse_node(ps, ast_new_binary(ps->arena, kind, op, lhs, rhs),
                      ast_span_join(lhs->span, rhs->span));
}

LrNode *parse_member(LrParseState *ps, LrNode *lhs, LrToken name)
{
    return parse_node(ps, ast_new_member(ps->arena, lhs, parse_span(name)),
                      ast_span_join(lhs->span, parse_span(name)));
}

LrNode *parse_keyword(LrParseState *ps, LrToken key, LrNode *value)
{
    return parse_node(ps, ast_new_keyword(ps->arena, parse_span(key), value),
                      ast_span_join(parse_span(key), value->span));
}

LrNode *parse_call(LrParseState *ps, LrToken name, LrNodeList args, LrToken close)
{
    LrSpan span = ast_span_join(parse_span(name), parse_span(close));
    return parse_node(ps, ast_new_call(ps->arena, parse_span(name), args, parse_span(close)),
                      span);
}

LrNode *parse_list(LrParseState *ps, LrToken open, LrNodeList items, LrToken close)
{
    LrSpan span = ast_span_join(parse_span(open), parse_span(close));
    return parse_node(ps, ast_new_list(ps->arena, parse_span(open), items, parse_span(close)),
                      span);
}

LrStmt *parse_stmt(LrParseState *ps, LrStmtKind kind, LrToken keyword, LrSpan end)
{
    LrStmt *s = ast_new_stmt(ps->arena, kind, parse_span(keyword), end);
    if (!s) {
        parse_error(ps, parse_span(keyword), "out of memory");
        memset(&ps->oom_stmt, 0, sizeof ps->oom_stmt);
        s = &ps->oom_stmt;
        s->span = ast_span_join(parse_span(keyword), end);
    }
    return s;
}

void parse_program_add(LrParseState *ps, LrStmt *stmt)
{
    if (ps->error)
        return; /* stmt may be the out-of-memory stand-in */
    LrProgram *prog = ps->prog;
    if (prog->count == LR_MAX_STATEMENTS) {
        parse_error(ps, stmt->keyword, "too many statements (limit is %d)", LR_MAX_STATEMENTS);
        return;
    }
    stmt->next = NULL;
    if (prog->last)
        prog->last->next = stmt;
    else
        prog->first = stmt;
    prog->last = stmt;
    prog->count++;
}

/* ---- syntax errors ---------------------------------------------------- */

/* How a token that may be expected is named in messages. */
static const char *const token_text[LR_TOKEN_COUNT] = {
    [TK_LPAREN] = "'('", [TK_RPAREN] = "')'",   [TK_LBRACKET] = "'['",
    [TK_RBRACKET] = "']'", [TK_COMMA] = "','",  [TK_EQ] = "'='",
    [TK_FROM] = "'from'",
};

/* Appends "a", "a or b", "a, b or c" as parts are added. */
typedef struct ExpectList {
    const char *part[8];
    int count;
} ExpectList;

static void expect(ExpectList *l, const char *text)
{
    if (l->count < 8)
        l->part[l->count++] = text;
}

static void expect_join(const ExpectList *l, char *out, size_t size)
{
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < l->count && used < size; i++) {
        const char *sep = i == 0 ? "" : i == l->count - 1 ? " or " : ", ";
        int n = snprintf(out + used, size - used, "%s%s", sep, l->part[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* Summarizes the acceptable tokens as what a user would write there. */
static void describe_expected(const LrParseState *ps, const void *parser, const bool *ok,
                              char *out, size_t size)
{
    int prev = lr_stack_symbol(parser, 0, NULL);
    int before = lr_stack_symbol(parser, 1, NULL);
    bool done[LR_TOKEN_COUNT] = {false};
    ExpectList l = {{0}, 0};

    if (ok[TK_SEED] && !ok[TK_IDENT]) {
        expect(&l, "a statement");
        for (const LrWord *w = words_statements; w->name; w++)
            done[w->code] = true;
        done[TK_NEWLINE] = done[0] = true;
    }
    if (ok[TK_NUMBER]) {
        expect(&l, prev == TK_EQ ? "a value after '='" : "an expression");
        static const int starters[] = {TK_NUMBER, TK_STRING, TK_TRUE, TK_FALSE, TK_IDENT,
                                       TK_LPAREN, TK_LBRACKET, TK_MINUS};
        for (size_t i = 0; i < sizeof starters / sizeof starters[0]; i++)
            done[starters[i]] = true;
        for (const LrWord *w = words_statements; w->name; w++)
            done[w->code] = true; /* keyword argument names */
    }
    /* After a complete expression, operators could always continue it; name
     * them only when nothing else could come. */
    static const int operators[] = {TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_CARET, TK_DOT,
                                    TK_ARROW};
    if (ok[TK_PLUS])
        done[TK_LPAREN] = true; /* after a name, '(' would make a call: noise */
    bool any_operator = false, any_other = false;
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++)
        any_operator |= ok[operators[i]] && !done[operators[i]];
    for (int t = 0; t < LR_TOKEN_COUNT; t++) {
        bool is_operator = false;
        for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++)
            is_operator |= operators[i] == t;
        any_other |= ok[t] && !done[t] && !is_operator;
    }
    if (any_operator && any_other) {
        for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++)
            done[operators[i]] = true;
    }

    bool only_eq = ok[TK_EQ];
    for (int t = 0; t < LR_TOKEN_COUNT; t++)
        only_eq &= !ok[t] || t == TK_EQ;
    if (only_eq) {
        /* After `from x`, `f(a, loss` or an option's name. */
        if (prev == TK_IDENT && (before == TK_FROM || before == TK_COMMA))
            expect(&l, "'=' after variable name");
        else if (prev != TK_IDENT && (before == TK_LPAREN || before == TK_COMMA))
            expect(&l, "'=' after argument name");
        else
            expect(&l, "'=' after option name");
        done[TK_EQ] = true;
    }
    if (ok[TK_IDENT] && !done[TK_IDENT]) {
        if (ok[TK_NEWLINE])
            expect(&l, "an option NAME=VALUE");
        else if (prev == TK_DOT)
            expect(&l, "a member name after '.'");
        else
            expect(&l, "a name");
        done[TK_IDENT] = true;
        for (const LrWord *w = words_statements; w->name; w++)
            done[w->code] = true;
    }
    if (ok[TK_STRING] && !done[TK_STRING])
        expect(&l, "a string");
    static const int punctuation[] = {TK_COMMA, TK_RPAREN, TK_RBRACKET, TK_FROM, TK_EQ,
                                      TK_LPAREN, TK_LBRACKET};
    for (size_t i = 0; i < sizeof punctuation / sizeof punctuation[0]; i++) {
        int t = punctuation[i];
        if (ok[t] && !done[t]) {
            expect(&l, token_text[t]);
            done[t] = true;
        }
    }
    if ((ok[TK_NEWLINE] && !done[TK_NEWLINE]) || (ok[0] && !done[0]))
        expect(&l, ps->expr_mode ? "end of input" : "end of statement");
    if (l.count == 0 && any_operator)
        expect(&l, "an operator");
    expect_join(&l, out, size);
}

/* "unexpected 'x'", "unexpected end of line", "unexpected end of input". */
static void describe_token(const LrParseState *ps, int major, LrToken tok, char *out,
                              size_t size)
{
    const char *text = ps->src->text + tok.offset;
    if (major == 0 || (major == TK_NEWLINE && tok.length == 0))
        snprintf(out, size, "unexpected end of input");
    else if (major == TK_NEWLINE && text[0] == '\n')
        snprintf(out, size, "unexpected end of line");
    else if (tok.length > 40)
        snprintf(out, size, "unexpected '%.32s...'", text);
    else
        snprintf(out, size, "unexpected '%.*s'", (int)tok.length, text);
}

void parse_syntax_error(LrParseState *ps, const void *parser, int major, LrToken tok)
{
    if (ps->error)
        return;
    const char *text = ps->src->text + tok.offset;
    int len = (int)tok.length;
    LrSpan span = parse_span(tok);

    bool ok[LR_TOKEN_COUNT] = {false};
    for (int t = 0; t < LR_TOKEN_COUNT; t++)
        ok[t] = t != TK_EXPR_MODE && t != TK_UMINUS && lr_can_shift(parser, t);

    if (words_is_reserved(major) && ok[TK_IDENT]) {
        parse_error(ps, span, "'%.*s' is a reserved word and cannot be a name", len, text);
        return;
    }
    /* `f(loss)`: a keyword was taken as an argument or option name, but no
     * '=' follows, so it was most likely meant as a value. */
    LrToken kw = {0};
    int prev = lr_stack_symbol(parser, 0, &kw);
    if (words_is_statement(prev) && ok[TK_EQ] && !ok[TK_NUMBER]) {
        parse_error(ps, parse_span(kw), "'%.*s' is a reserved word and cannot be a name",
                 (int)kw.length, ps->src->text + kw.offset);
        return;
    }
    if (major == TK_IDENT && ok[TK_SEED] && !ok[TK_IDENT]) {
        const char *guess = diag_suggest(text, tok.length, words_statement_names);
        if (guess) {
            parse_error(ps, span, "unknown statement '%.*s'; did you mean '%s'?", len, text, guess);
            return;
        }
        char all[128] = "";
        for (int i = 0; words_statement_names[i]; i++) {
            if (i)
                strcat(all, ", ");
            strcat(all, words_statement_names[i]);
        }
        parse_error(ps, span, "unknown statement '%.*s'; expected one of %s", len, text, all);
        return;
    }
    if (major == TK_COMMA && ok[TK_IDENT] && ok[TK_NEWLINE]) {
        parse_error(ps, span, "unexpected ','; options are separated by spaces, not commas");
        return;
    }
    char what[64], expected[256];
    describe_token(ps, major, tok, what, sizeof what);
    describe_expected(ps, parser, ok, expected, sizeof expected);
    /* Inside brackets opened on an earlier line, the likeliest mistake is a
     * missing closer: say where it opened. */
    char closing[64] = "";
    if (ps->open_kind && ok[ps->open_kind == '(' ? TK_RPAREN : TK_RBRACKET]) {
        int line, col, here;
        source_position(ps->src, tok.offset, &here, &col);
        source_position(ps->src, ps->open_at, &line, &col);
        if (line != here)
            snprintf(closing, sizeof closing, " (to close '%c' at line %d)", ps->open_kind,
                     line);
    }
    if (expected[0])
        parse_error(ps, span, "%s; expected %s%s", what, expected, closing);
    else
        parse_error(ps, span, "%s", what);
}
