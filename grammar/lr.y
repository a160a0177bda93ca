/* lr.y — the grammar of .lr files, for the Lemon parser generator.
 *
 * This file holds only structure: each action calls an ast_* constructor
 * (through the small lr_* helpers at the end) and fills LrStmt fields.
 * src/parse.c drives the parser one token at a time; the lexer (src/lex.re)
 * has already turned newlines into statement ends. man/lr.5 (GRAMMAR) keeps
 * a BNF copy of these rules.
 */

/* ------------------------------------------------------------------------
 * Directives
 * ---------------------------------------------------------------------- */

/* Token codes come out as TK_SEED, TK_IDENT, ... in build/gen/lr.h. */
%token_prefix TK_

/* Functions are LrParseInit, LrParse, LrParseFinalize (see parse.h). */
%name LrParse

/* Every token carries its slice of the source and, for numbers, the value. */
%token_type {LrToken}

/* Actions reach the arena, the diagnostics and the program being built
 * through one state struct owned by parse.c; no globals. */
%extra_context {LrParseState *ps}

/* A fixed stack, so that the parser object can live on the C stack and a
 * pathological input is an error instead of unbounded growth. */
%stack_size 2048

%stack_overflow {
    lr_error(ps, lr_span(ps->tok), "nesting too deep (limit is %d)", LR_PARSE_STACK);
}

/* parse.c asks lr_accepts before feeding each token and reports a token
 * that cannot be shifted while the stack is still unreduced, so that the
 * message lists everything that could come there; this handler is the
 * fallback. Only the first error is reported: parse.c stops after it. */
%syntax_error {
    lr_syntax_error(yypParser, yymajor, TOKEN);
}

%parse_failure {
    if (!ps->error)
        lr_error(ps, lr_span(ps->tok), "syntax error");
}

/* Nodes and statements live in the compile arena and are freed with it, so
 * no symbol needs a %destructor, even when a syntax error abandons them. */

%include {
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "lex.h"
#include "parse.h"

/* A list under construction: O(1) append, first node kept for the AST. */
typedef struct LrNodeList {
    LrNode *first, *last;
    int count;
} LrNodeList;

/* Helpers defined in the %code section at the end of this file. */
struct yyParser;
static LrSpan lr_span(LrToken t);
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void lr_error(LrParseState *ps, LrSpan span, const char *fmt, ...);
static void lr_syntax_error(struct yyParser *p, int major, LrToken tok);
static LrNode *lr_node(LrParseState *ps, LrNodeKind kind, LrSpan span);
static LrNode *lr_leaf(LrParseState *ps, LrNodeKind kind, LrToken t);
static LrNode *lr_string(LrParseState *ps, LrToken t);
static LrNode *lr_binary(LrParseState *ps, LrNodeKind kind, int op, LrNode *a, LrNode *b);
static void lr_depth(LrParseState *ps, LrNode *n, int child_depth);
static LrNode *lr_keyword(LrParseState *ps, LrToken key, LrNode *value);
static LrNode *lr_call(LrParseState *ps, LrToken name, LrNodeList args, LrToken close);
static LrNode *lr_list(LrParseState *ps, LrToken open, LrNodeList items, LrToken close);
static LrStmt *lr_stmt(LrParseState *ps, LrStmtKind kind, LrToken keyword, LrSpan end);
static void lr_list_add(LrNodeList *list, LrNode *node);
static LrSpan lr_list_end(LrNodeList list, LrSpan otherwise);
static void lr_program_add(LrParseState *ps, LrStmt *stmt);
}

/* ------------------------------------------------------------------------
 * Tokens, in the order of their TK_ codes. EXPR_MODE is never produced by
 * the lexer: parse_expression feeds it first to select the expression rule.
 * ---------------------------------------------------------------------- */
%token EXPR_MODE NEWLINE.
%token SEED USE LET DATASET MODEL LOSS OPTIMIZER TRAIN EVALUATE SAVE LOAD MINIMIZE.
%token FROM TRUE FALSE.
%token IDENT NUMBER STRING.
%token LPAREN RPAREN LBRACKET RBRACKET COMMA EQ.
%token PLUS MINUS STAR SLASH CARET DOT ARROW.

/* ------------------------------------------------------------------------
 * Precedence, lowest first. `->` chains layers and binds loosest; `^` is
 * right-associative and binds tighter than unary minus (-2^2 = -(2^2));
 * member access binds tightest (-a.b = -(a.b)).
 * ---------------------------------------------------------------------- */
%left ARROW.
%left PLUS MINUS.
%left STAR SLASH.
%right UMINUS.
%right CARET.
%left DOT.

%type expr {LrNode *}
%type arg {LrNode *}
%type option {LrNode *}
%type assign {LrNode *}
%type items {LrNodeList}
%type args {LrNodeList}
%type params {LrNodeList}
%type names {LrNodeList}
%type options {LrNodeList}
%type assigns {LrNodeList}
%type stmt {LrStmt *}
%type key {LrToken}

/* ------------------------------------------------------------------------
 * Program: statements ended by NEWLINE (a newline or ';'); or, after the
 * EXPR_MODE marker, a single expression.
 * ---------------------------------------------------------------------- */
input ::= EXPR_MODE expr(E) NEWLINE.    { ps->prog->expr = E; }
input ::= lines.

lines ::= .
lines ::= lines NEWLINE.
lines ::= lines stmt(S) NEWLINE.        { lr_program_add(ps, S); }

/* ------------------------------------------------------------------------
 * seed, use, let
 * ---------------------------------------------------------------------- */
stmt(S) ::= SEED(K) expr(E). {
    S = lr_stmt(ps, STMT_SEED, K, E->span);
    S->value = E;
}
stmt(S) ::= USE(K) STRING(T). {
    S = lr_stmt(ps, STMT_USE, K, lr_span(T));
    S->value = lr_string(ps, T);
}
stmt(S) ::= USE(K) IDENT(N). {
    S = lr_stmt(ps, STMT_USE, K, lr_span(N));
    S->value = lr_leaf(ps, AST_NAME, N);
}
stmt(S) ::= LET(K) IDENT(N) EQ expr(E). {
    S = lr_stmt(ps, STMT_LET, K, E->span);
    S->name = lr_span(N);
    S->value = E;
}
stmt(S) ::= LET(K) IDENT(N) LPAREN params(P) RPAREN EQ expr(E). {
    S = lr_stmt(ps, STMT_LET, K, E->span);
    S->name = lr_span(N);
    S->is_function = true;
    S->params = P.first;
    S->param_count = P.count;
    S->value = E;
}

params(A) ::= .                         { memset(&A, 0, sizeof A); }
params(A) ::= names(B).                 { A = B; }
names(A) ::= IDENT(N).                  { memset(&A, 0, sizeof A); lr_list_add(&A, lr_leaf(ps, AST_NAME, N)); }
names(A) ::= names(B) COMMA IDENT(N).   { A = B; lr_list_add(&A, lr_leaf(ps, AST_NAME, N)); }

/* ------------------------------------------------------------------------
 * dataset, model, loss, optimizer. `dataset x = ...` binds a name; after
 * `dataset x` the next token ('=' or not) tells the two forms apart.
 * ---------------------------------------------------------------------- */
stmt(S) ::= DATASET(K) expr(E) options(O). {
    S = lr_stmt(ps, STMT_DATASET, K, lr_list_end(O, E->span));
    S->value = E;
    S->options = O.first;
}
stmt(S) ::= DATASET(K) IDENT(N) EQ expr(E) options(O). {
    S = lr_stmt(ps, STMT_DATASET, K, lr_list_end(O, E->span));
    S->name = lr_span(N);
    S->value = E;
    S->options = O.first;
}
stmt(S) ::= MODEL(K) expr(E). {
    S = lr_stmt(ps, STMT_MODEL, K, E->span);
    S->value = E;
}
stmt(S) ::= MODEL(K) IDENT(N) EQ expr(E). {
    S = lr_stmt(ps, STMT_MODEL, K, E->span);
    S->name = lr_span(N);
    S->value = E;
}
stmt(S) ::= LOSS(K) expr(E). {
    S = lr_stmt(ps, STMT_LOSS, K, E->span);
    S->value = E;
}
stmt(S) ::= OPTIMIZER(K) expr(E) options(O). {
    S = lr_stmt(ps, STMT_OPTIMIZER, K, lr_list_end(O, E->span));
    S->value = E;
    S->options = O.first;
}

/* ------------------------------------------------------------------------
 * train, evaluate, save, load
 * ---------------------------------------------------------------------- */
stmt(S) ::= TRAIN(K) options(O). {
    S = lr_stmt(ps, STMT_TRAIN, K, lr_list_end(O, lr_span(K)));
    S->options = O.first;
}
stmt(S) ::= EVALUATE(K) options(O). {
    S = lr_stmt(ps, STMT_EVALUATE, K, lr_list_end(O, lr_span(K)));
    S->options = O.first;
}
stmt(S) ::= SAVE(K) expr(E). {
    S = lr_stmt(ps, STMT_SAVE, K, E->span);
    S->value = E;
}
stmt(S) ::= LOAD(K) expr(E). {
    S = lr_stmt(ps, STMT_LOAD, K, E->span);
    S->value = E;
}

/* ------------------------------------------------------------------------
 * minimize EXPR from VAR=VALUE {, VAR=VALUE} {OPTION}
 * ---------------------------------------------------------------------- */
stmt(S) ::= MINIMIZE(K) expr(E) FROM assigns(F) options(O). {
    S = lr_stmt(ps, STMT_MINIMIZE, K, lr_list_end(O, F.last->span));
    S->value = E;
    S->from = F.first;
    S->options = O.first;
}
assigns(A) ::= assign(X).                   { memset(&A, 0, sizeof A); lr_list_add(&A, X); }
assigns(A) ::= assigns(B) COMMA assign(X).  { A = B; lr_list_add(&A, X); }
assign(A) ::= IDENT(N) EQ expr(E).          { A = lr_keyword(ps, N, E); }

/* ------------------------------------------------------------------------
 * Options: NAME=VALUE, space separated. Statement keywords may be option
 * and argument names (`minimize ... optimizer=adam`): there they cannot be
 * mistaken for the start of a statement.
 * ---------------------------------------------------------------------- */
options(A) ::= .                            { memset(&A, 0, sizeof A); }
options(A) ::= options(B) option(X).        { A = B; lr_list_add(&A, X); }
option(A) ::= key(N) EQ expr(E).            { A = lr_keyword(ps, N, E); }

key(A) ::= IDENT(A).
key(A) ::= SEED(A).
key(A) ::= USE(A).
key(A) ::= LET(A).
key(A) ::= DATASET(A).
key(A) ::= MODEL(A).
key(A) ::= LOSS(A).
key(A) ::= OPTIMIZER(A).
key(A) ::= TRAIN(A).
key(A) ::= EVALUATE(A).
key(A) ::= SAVE(A).
key(A) ::= LOAD(A).
key(A) ::= MINIMIZE(A).

/* ------------------------------------------------------------------------
 * Expressions
 * ---------------------------------------------------------------------- */
expr(A) ::= NUMBER(T).                  { A = lr_leaf(ps, AST_NUMBER, T); }
expr(A) ::= STRING(T).                  { A = lr_string(ps, T); }
expr(A) ::= TRUE(T).                    { A = lr_leaf(ps, AST_BOOL, T); A->number = 1; }
expr(A) ::= FALSE(T).                   { A = lr_leaf(ps, AST_BOOL, T); A->number = 0; }
expr(A) ::= IDENT(T).                   { A = lr_leaf(ps, AST_NAME, T); }

/* Parentheses only group; the inner node's span grows to cover them so
 * that every enclosing span covers its full text. */
expr(A) ::= LPAREN(L) expr(E) RPAREN(R). {
    A = E;
    A->span = ast_span_join(lr_span(L), lr_span(R));
}

/* Lists: [], [a, b], [a, b,] */
expr(A) ::= LBRACKET(L) RBRACKET(R). {
    LrNodeList none = {0};
    A = lr_list(ps, L, none, R);
}
expr(A) ::= LBRACKET(L) items(I) RBRACKET(R).       { A = lr_list(ps, L, I, R); }
expr(A) ::= LBRACKET(L) items(I) COMMA RBRACKET(R). { A = lr_list(ps, L, I, R); }
items(A) ::= expr(E).                   { memset(&A, 0, sizeof A); lr_list_add(&A, E); }
items(A) ::= items(B) COMMA expr(E).    { A = B; lr_list_add(&A, E); }

/* Calls: name(), name(a, k=v), name(a, k=v,) */
expr(A) ::= IDENT(N) LPAREN RPAREN(R). {
    LrNodeList none = {0};
    A = lr_call(ps, N, none, R);
}
expr(A) ::= IDENT(N) LPAREN args(X) RPAREN(R).       { A = lr_call(ps, N, X, R); }
expr(A) ::= IDENT(N) LPAREN args(X) COMMA RPAREN(R). { A = lr_call(ps, N, X, R); }
args(A) ::= arg(X).                     { memset(&A, 0, sizeof A); lr_list_add(&A, X); }
args(A) ::= args(B) COMMA arg(X).       { A = B; lr_list_add(&A, X); }
arg(A) ::= expr(E).                     { A = E; }
arg(A) ::= key(N) EQ expr(E).           { A = lr_keyword(ps, N, E); }

/* Operators */
expr(A) ::= expr(B) PLUS expr(C).       { A = lr_binary(ps, AST_BINARY, '+', B, C); }
expr(A) ::= expr(B) MINUS expr(C).      { A = lr_binary(ps, AST_BINARY, '-', B, C); }
expr(A) ::= expr(B) STAR expr(C).       { A = lr_binary(ps, AST_BINARY, '*', B, C); }
expr(A) ::= expr(B) SLASH expr(C).      { A = lr_binary(ps, AST_BINARY, '/', B, C); }
expr(A) ::= expr(B) CARET expr(C).      { A = lr_binary(ps, AST_BINARY, '^', B, C); }
expr(A) ::= expr(B) ARROW expr(C).      { A = lr_binary(ps, AST_CHAIN, 0, B, C); }
expr(A) ::= MINUS(M) expr(E). [UMINUS] {
    A = lr_node(ps, AST_UNARY, ast_span_join(lr_span(M), E->span));
    A->op = '-';
    A->lhs = E;
    lr_depth(ps, A, E->depth);
}
expr(A) ::= expr(B) DOT IDENT(N). {
    A = lr_node(ps, AST_MEMBER, ast_span_join(B->span, lr_span(N)));
    A->name = lr_span(N);
    A->lhs = B;
    lr_depth(ps, A, B->depth);
}

/* ------------------------------------------------------------------------
 * Helpers for the actions, and syntax error messages
 * ---------------------------------------------------------------------- */
%code {
/* The parser object lives in parse.c's buffer of LR_PARSE_BYTES. */
_Static_assert(sizeof(yyParser) <= LR_PARSE_BYTES, "LR_PARSE_BYTES is too small for yyParser");
_Static_assert(YYSTACKDEPTH == LR_PARSE_STACK, "%stack_size and LR_PARSE_STACK differ");

static LrSpan lr_span(LrToken t)
{
    LrSpan s = {t.offset, t.length};
    return s;
}

/* Reports the first error of the parse; later ones are consequences. */
static void lr_error(LrParseState *ps, LrSpan span, const char *fmt, ...)
{
    if (ps->error)
        return;
    ps->error = 1;
    va_list ap;
    va_start(ap, fmt);
    diag_verror(ps->diag, ps->src, span, fmt, ap);
    va_end(ap);
}

static LrNode *lr_node(LrParseState *ps, LrNodeKind kind, LrSpan span)
{
    LrNode *n = ast_new_node(ps->arena, kind, span);
    if (!n) {
        lr_error(ps, span, "out of memory");
        memset(&ps->oom_node, 0, sizeof ps->oom_node);
        n = &ps->oom_node;
    }
    return n;
}

static LrNode *lr_leaf(LrParseState *ps, LrNodeKind kind, LrToken t)
{
    LrNode *n = lr_node(ps, kind, lr_span(t));
    n->name = lr_span(t);
    n->number = t.number;
    return n;
}

/* A string node holds its text with the escapes decoded. */
static LrNode *lr_string(LrParseState *ps, LrToken t)
{
    LrNode *n = lr_node(ps, AST_STRING, lr_span(t));
    size_t body = t.length >= 2 ? t.length - 2 : 0;
    char *text = arena_alloc(ps->arena, body + 1);
    if (!text) {
        lr_error(ps, lr_span(t), "out of memory");
        n->text = "";
        return n;
    }
    lex_unescape(ps->src->text + t.offset + 1, body, text);
    n->text = text;
    return n;
}

/* Sets n's depth from its children, refusing trees too deep to walk. */
static void lr_depth(LrParseState *ps, LrNode *n, int child_depth)
{
    n->depth = child_depth + 1;
    if (n->depth == AST_MAX_DEPTH + 1)
        lr_error(ps, n->span, "expression is too deep (limit is %d levels)", AST_MAX_DEPTH);
}

static int lr_items_depth(const LrNode *items)
{
    int d = 0;
    for (const LrNode *i = items; i; i = i->next)
        d = i->depth > d ? i->depth : d;
    return d;
}

static LrNode *lr_binary(LrParseState *ps, LrNodeKind kind, int op, LrNode *a, LrNode *b)
{
    LrNode *n = lr_node(ps, kind, ast_span_join(a->span, b->span));
    n->op = op;
    n->lhs = a;
    n->rhs = b;
    lr_depth(ps, n, a->depth > b->depth ? a->depth : b->depth);
    return n;
}

static LrNode *lr_keyword(LrParseState *ps, LrToken key, LrNode *value)
{
    LrNode *n = lr_node(ps, AST_KEYWORD, ast_span_join(lr_span(key), value->span));
    n->name = lr_span(key);
    n->lhs = value;
    lr_depth(ps, n, value->depth);
    return n;
}

static LrNode *lr_call(LrParseState *ps, LrToken name, LrNodeList args, LrToken close)
{
    LrNode *n = lr_node(ps, AST_CALL, ast_span_join(lr_span(name), lr_span(close)));
    n->name = lr_span(name);
    n->items = args.first;
    n->count = args.count;
    lr_depth(ps, n, lr_items_depth(args.first));
    return n;
}

static LrNode *lr_list(LrParseState *ps, LrToken open, LrNodeList items, LrToken close)
{
    LrNode *n = lr_node(ps, AST_LIST, ast_span_join(lr_span(open), lr_span(close)));
    n->items = items.first;
    n->count = items.count;
    lr_depth(ps, n, lr_items_depth(items.first));
    return n;
}

static LrStmt *lr_stmt(LrParseState *ps, LrStmtKind kind, LrToken keyword, LrSpan end)
{
    LrStmt *s = ast_new_stmt(ps->arena, kind, lr_span(keyword));
    if (!s) {
        lr_error(ps, lr_span(keyword), "out of memory");
        memset(&ps->oom_stmt, 0, sizeof ps->oom_stmt);
        s = &ps->oom_stmt;
    }
    s->span = ast_span_join(lr_span(keyword), end);
    return s;
}

static void lr_list_add(LrNodeList *list, LrNode *node)
{
    node->next = NULL;
    if (list->last)
        list->last->next = node;
    else
        list->first = node;
    list->last = node;
    list->count++;
}

/* Where a statement ends: its last option, or otherwise. */
static LrSpan lr_list_end(LrNodeList list, LrSpan otherwise)
{
    return list.last ? list.last->span : otherwise;
}

static void lr_program_add(LrParseState *ps, LrStmt *stmt)
{
    if (ps->error)
        return; /* stmt may be the out-of-memory stand-in */
    LrProgram *prog = ps->prog;
    if (prog->count == LR_MAX_STATEMENTS) {
        lr_error(ps, stmt->keyword, "too many statements (limit is %d)", LR_MAX_STATEMENTS);
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

static const char *const lr_statement_names[] = {
    "seed", "use", "let", "dataset", "model", "loss", "optimizer",
    "train", "evaluate", "save", "load", "minimize", NULL,
};

/* How a token that may be expected is named in messages. */
static const char *const lr_token_text[YYNTOKEN] = {
    [TK_LPAREN] = "'('", [TK_RPAREN] = "')'",   [TK_LBRACKET] = "'['",
    [TK_RBRACKET] = "']'", [TK_COMMA] = "','",  [TK_EQ] = "'='",
    [TK_FROM] = "'from'",
};

static bool lr_is_keyword(int major)
{
    return (major >= TK_SEED && major <= TK_MINIMIZE) || major == TK_FROM ||
           major == TK_TRUE || major == TK_FALSE;
}

/* Whether the parser, in its current state, would shift token after the
 * reductions it calls for. The reductions are replayed on state numbers
 * only: entries popped from the real stack are read in place, pushed ones
 * go to an overlay, so nothing is copied and no action runs. */
static bool lr_can_shift(const yyParser *p, int token)
{
    YYACTIONTYPE pushed[64];
    int real = (int)(p->yytos - p->yystack); /* real entries still in use: 0..real */
    int extra = 0;                           /* overlay entries above them */
    YYACTIONTYPE act = p->yytos->stateno;
    for (;;) {
        act = yy_find_shift_action((YYCODETYPE)token, act);
        if (act < YY_MIN_REDUCE)
            return act <= YY_MAX_SHIFTREDUCE || act == YY_ACCEPT_ACTION;
        unsigned rule = act - YY_MIN_REDUCE;
        int base = real + extra + yyRuleInfoNRhs[rule]; /* entry below the popped ones */
        if (base < 0)
            return false;
        if (base <= real) {
            real = base;
            extra = 0;
        } else {
            extra = base - real;
        }
        YYACTIONTYPE below = extra ? pushed[extra - 1] : p->yystack[real].stateno;
        act = yy_find_reduce_action(below, (YYCODETYPE)yyRuleInfoLhs[rule]);
        if (extra == (int)(sizeof pushed / sizeof pushed[0]))
            return true; /* cannot tell; do not claim it is wrong */
        pushed[extra++] = act;
    }
}

int lr_accepts(void *parser, int kind)
{
    return lr_can_shift(parser, kind);
}

void lr_reject(void *parser, int kind, LrToken tok)
{
    lr_syntax_error(parser, kind, tok);
}

/* Appends "a", "a or b", "a, b or c" as parts are added. */
typedef struct LrExpectList {
    const char *part[8];
    int count;
} LrExpectList;

static void lr_expect(LrExpectList *l, const char *text)
{
    if (l->count < 8)
        l->part[l->count++] = text;
}

static void lr_expect_join(const LrExpectList *l, char *out, size_t size)
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
static void lr_describe_expected(const yyParser *p, const bool *ok, char *out, size_t size)
{
    const LrParseState *ps = p->ps;
    int prev = p->yytos > p->yystack ? p->yytos->major : -1;
    int before = p->yytos - 1 >= p->yystack ? p->yytos[-1].major : -1;
    bool done[YYNTOKEN] = {false};
    LrExpectList l = {{0}, 0};

    if (ok[TK_SEED] && !ok[TK_IDENT]) {
        lr_expect(&l, "a statement");
        for (int t = TK_SEED; t <= TK_MINIMIZE; t++)
            done[t] = true;
        done[TK_NEWLINE] = done[0] = true;
    }
    if (ok[TK_NUMBER]) {
        lr_expect(&l, prev == TK_EQ ? "a value after '='" : "an expression");
        static const int starters[] = {TK_NUMBER, TK_STRING, TK_TRUE, TK_FALSE, TK_IDENT,
                                       TK_LPAREN, TK_LBRACKET, TK_MINUS};
        for (size_t i = 0; i < sizeof starters / sizeof starters[0]; i++)
            done[starters[i]] = true;
        for (int t = TK_SEED; t <= TK_MINIMIZE; t++)
            done[t] = true; /* keyword argument names */
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
    for (int t = 0; t < YYNTOKEN; t++) {
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
    for (int t = 0; t < YYNTOKEN; t++)
        only_eq &= !ok[t] || t == TK_EQ;
    if (only_eq) {
        /* After `from x`, `f(a, loss` or an option's name. */
        if (prev == TK_IDENT && (before == TK_FROM || before == TK_COMMA))
            lr_expect(&l, "'=' after variable name");
        else if (prev != TK_IDENT && (before == TK_LPAREN || before == TK_COMMA))
            lr_expect(&l, "'=' after argument name");
        else
            lr_expect(&l, "'=' after option name");
        done[TK_EQ] = true;
    }
    if (ok[TK_IDENT] && !done[TK_IDENT]) {
        if (ok[TK_NEWLINE])
            lr_expect(&l, "an option NAME=VALUE");
        else if (prev == TK_DOT)
            lr_expect(&l, "a member name after '.'");
        else
            lr_expect(&l, "a name");
        done[TK_IDENT] = true;
        for (int t = TK_SEED; t <= TK_MINIMIZE; t++)
            done[t] = true;
    }
    if (ok[TK_STRING] && !done[TK_STRING])
        lr_expect(&l, "a string");
    static const int punctuation[] = {TK_COMMA, TK_RPAREN, TK_RBRACKET, TK_FROM, TK_EQ,
                                      TK_LPAREN, TK_LBRACKET};
    for (size_t i = 0; i < sizeof punctuation / sizeof punctuation[0]; i++) {
        int t = punctuation[i];
        if (ok[t] && !done[t]) {
            lr_expect(&l, lr_token_text[t]);
            done[t] = true;
        }
    }
    if ((ok[TK_NEWLINE] && !done[TK_NEWLINE]) || (ok[0] && !done[0]))
        lr_expect(&l, ps->expr_mode ? "end of input" : "end of statement");
    if (l.count == 0 && any_operator)
        lr_expect(&l, "an operator");
    lr_expect_join(&l, out, size);
}

/* "unexpected 'x'", "unexpected end of line", "unexpected end of input". */
static void lr_describe_token(const LrParseState *ps, int major, LrToken tok, char *out,
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

static void lr_syntax_error(struct yyParser *p, int major, LrToken tok)
{
    LrParseState *ps = p->ps;
    if (ps->error)
        return;
    const char *text = ps->src->text + tok.offset;
    int len = (int)tok.length;
    LrSpan span = lr_span(tok);

    bool ok[YYNTOKEN] = {false};
    for (int t = 0; t < YYNTOKEN; t++)
        ok[t] = t != TK_EXPR_MODE && t != TK_UMINUS && lr_can_shift(p, t);

    if (lr_is_keyword(major) && ok[TK_IDENT]) {
        lr_error(ps, span, "'%.*s' is a reserved word and cannot be a name", len, text);
        return;
    }
    /* `f(loss)`: a keyword was taken as an argument or option name, but no
     * '=' follows, so it was most likely meant as a value. */
    int prev = p->yytos > p->yystack ? p->yytos->major : -1;
    if (prev >= TK_SEED && prev <= TK_MINIMIZE && ok[TK_EQ] && !ok[TK_NUMBER]) {
        LrToken kw = p->yytos->minor.yy0;
        lr_error(ps, lr_span(kw), "'%.*s' is a reserved word and cannot be a name",
                 (int)kw.length, ps->src->text + kw.offset);
        return;
    }
    if (major == TK_IDENT && ok[TK_SEED] && !ok[TK_IDENT]) {
        const char *guess = diag_suggest(text, tok.length, lr_statement_names);
        if (guess) {
            lr_error(ps, span, "unknown statement '%.*s'; did you mean '%s'?", len, text, guess);
            return;
        }
        char all[128] = "";
        for (int i = 0; lr_statement_names[i]; i++) {
            if (i)
                strcat(all, ", ");
            strcat(all, lr_statement_names[i]);
        }
        lr_error(ps, span, "unknown statement '%.*s'; expected one of %s", len, text, all);
        return;
    }
    if (major == TK_COMMA && ok[TK_IDENT] && ok[TK_NEWLINE]) {
        lr_error(ps, span, "unexpected ','; options are separated by spaces, not commas");
        return;
    }
    char what[64], expected[256];
    lr_describe_token(ps, major, tok, what, sizeof what);
    lr_describe_expected(p, ok, expected, sizeof expected);
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
        lr_error(ps, span, "%s; expected %s%s", what, expected, closing);
    else
        lr_error(ps, span, "%s", what);
}
}
