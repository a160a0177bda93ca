/* lr.y — the grammar of .lr files, for the Lemon parser generator.
 *
 * This file holds only structure: each action builds a node through a
 * parse_* helper (src/parse.c, over the ast_* constructors of src/ast.c)
 * and fills LrStmt fields. src/parse.c drives the parser one token at a
 * time and words the syntax errors; the lexer (src/lex.re) has already
 * turned newlines into statement ends. man/lr.5 (GRAMMAR) keeps a BNF copy
 * of these rules.
 */

/* ------------------------------------------------------------------------
 * Directives
 * ---------------------------------------------------------------------- */

/* Token codes come out as TK_SEED, TK_IDENT, ... in build/gen/lr.h. */
%token_prefix TK_

/* Functions are LrParseInit, LrParse, LrParseFinalize (see parse_int.h). */
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
    parse_error(ps, parse_span(ps->tok), "nesting too deep (limit is %d)", LR_PARSE_STACK);
}

/* parse.c asks lr_can_shift before feeding each token and reports a token
 * that cannot be shifted while the stack is still unreduced, so that the
 * message lists everything that could come there; this handler is the
 * fallback. The grammar has no `error` symbol: parse.c recovers by itself,
 * dropping the rest of the statement and starting a fresh parser at the
 * next one (a statement is appended to the program as its NEWLINE is
 * shifted, so nothing parsed is lost). */
%syntax_error {
    parse_syntax_error(ps, yypParser, yymajor, TOKEN);
}

%parse_failure {
    if (!ps->error)
        parse_error(ps, parse_span(ps->tok), "syntax error");
}

/* Nodes and statements live in the compile arena and are freed with it, so
 * no symbol needs a %destructor, even when a syntax error abandons them. */

%include {
#include <stdbool.h>
#include <string.h>

#include "parse_int.h"
}

/* ------------------------------------------------------------------------
 * Tokens, in the order of their TK_ codes. EXPR_MODE is never produced by
 * the lexer: parse_expression feeds it first to select the expression rule.
 * The keywords' spellings are src/words.h's LR_STATEMENTS and
 * LR_RESERVED_VALUES (the lexer finds them there).
 * ---------------------------------------------------------------------- */
%token EXPR_MODE NEWLINE.
%token SEED USE LET DATASET MODEL LOSS OPTIMIZER TRAIN EVALUATE SAVE LOAD MINIMIZE PREDICT.
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
lines ::= lines stmt(S) NEWLINE.        { parse_program_add(ps, S); }

/* ------------------------------------------------------------------------
 * seed, use, let
 * ---------------------------------------------------------------------- */
stmt(S) ::= SEED(K) expr(E). {
    S = parse_stmt(ps, STMT_SEED, K, E->span);
    S->value = E;
}
stmt(S) ::= USE(K) STRING(T). {
    S = parse_stmt(ps, STMT_USE, K, parse_span(T));
    S->value = parse_string(ps, T);
}
stmt(S) ::= USE(K) IDENT(N). {
    S = parse_stmt(ps, STMT_USE, K, parse_span(N));
    S->value = parse_leaf(ps, AST_NAME, N);
}
stmt(S) ::= LET(K) IDENT(N) EQ expr(E). {
    S = parse_stmt(ps, STMT_LET, K, E->span);
    S->name = parse_span(N);
    S->value = E;
}
stmt(S) ::= LET(K) IDENT(N) LPAREN params(P) RPAREN EQ expr(E). {
    S = parse_stmt(ps, STMT_LET, K, E->span);
    S->name = parse_span(N);
    S->is_function = true;
    S->params = P.first;
    S->param_count = P.count;
    S->value = E;
}

params(A) ::= .                         { memset(&A, 0, sizeof A); }
params(A) ::= names(B).                 { A = B; }
names(A) ::= IDENT(N). {
    memset(&A, 0, sizeof A);
    ast_list_add(&A, parse_leaf(ps, AST_NAME, N));
}
names(A) ::= names(B) COMMA IDENT(N).   { A = B; ast_list_add(&A, parse_leaf(ps, AST_NAME, N)); }

/* ------------------------------------------------------------------------
 * dataset, model, loss, optimizer. `dataset x = ...` binds a name; after
 * `dataset x` the next token ('=' or not) tells the two forms apart.
 * ---------------------------------------------------------------------- */
stmt(S) ::= DATASET(K) expr(E) options(O). {
    S = parse_stmt(ps, STMT_DATASET, K, ast_list_end(O, E->span));
    S->value = E;
    S->options = O.first;
}
stmt(S) ::= DATASET(K) IDENT(N) EQ expr(E) options(O). {
    S = parse_stmt(ps, STMT_DATASET, K, ast_list_end(O, E->span));
    S->name = parse_span(N);
    S->value = E;
    S->options = O.first;
}
stmt(S) ::= MODEL(K) expr(E). {
    S = parse_stmt(ps, STMT_MODEL, K, E->span);
    S->value = E;
}
stmt(S) ::= MODEL(K) IDENT(N) EQ expr(E). {
    S = parse_stmt(ps, STMT_MODEL, K, E->span);
    S->name = parse_span(N);
    S->value = E;
}
stmt(S) ::= LOSS(K) expr(E). {
    S = parse_stmt(ps, STMT_LOSS, K, E->span);
    S->value = E;
}
stmt(S) ::= OPTIMIZER(K) expr(E) options(O). {
    S = parse_stmt(ps, STMT_OPTIMIZER, K, ast_list_end(O, E->span));
    S->value = E;
    S->options = O.first;
}

/* ------------------------------------------------------------------------
 * train, evaluate, save, load, predict
 * ---------------------------------------------------------------------- */
stmt(S) ::= PREDICT(K) options(O). {
    S = parse_stmt(ps, STMT_PREDICT, K, ast_list_end(O, parse_span(K)));
    S->options = O.first;
}
stmt(S) ::= TRAIN(K) options(O). {
    S = parse_stmt(ps, STMT_TRAIN, K, ast_list_end(O, parse_span(K)));
    S->options = O.first;
}
stmt(S) ::= EVALUATE(K) options(O). {
    S = parse_stmt(ps, STMT_EVALUATE, K, ast_list_end(O, parse_span(K)));
    S->options = O.first;
}
stmt(S) ::= SAVE(K) expr(E). {
    S = parse_stmt(ps, STMT_SAVE, K, E->span);
    S->value = E;
}
stmt(S) ::= LOAD(K) expr(E). {
    S = parse_stmt(ps, STMT_LOAD, K, E->span);
    S->value = E;
}

/* ------------------------------------------------------------------------
 * minimize EXPR from VAR=VALUE {, VAR=VALUE} {OPTION}
 * ---------------------------------------------------------------------- */
stmt(S) ::= MINIMIZE(K) expr(E) FROM assigns(F) options(O). {
    S = parse_stmt(ps, STMT_MINIMIZE, K, ast_list_end(O, F.last->span));
    S->value = E;
    S->from = F.first;
    S->options = O.first;
}
assigns(A) ::= assign(X).                   { memset(&A, 0, sizeof A); ast_list_add(&A, X); }
assigns(A) ::= assigns(B) COMMA assign(X).  { A = B; ast_list_add(&A, X); }
assign(A) ::= IDENT(N) EQ expr(E).          { A = parse_keyword(ps, N, E); }

/* ------------------------------------------------------------------------
 * Options: NAME=VALUE, space separated. Statement keywords may be option
 * and argument names (`minimize ... optimizer=adam`): there they cannot be
 * mistaken for the start of a statement.
 * ---------------------------------------------------------------------- */
options(A) ::= .                            { memset(&A, 0, sizeof A); }
options(A) ::= options(B) option(X).        { A = B; ast_list_add(&A, X); }
option(A) ::= key(N) EQ expr(E).            { A = parse_keyword(ps, N, E); }

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
key(A) ::= PREDICT(A).

/* ------------------------------------------------------------------------
 * Expressions
 * ---------------------------------------------------------------------- */
expr(A) ::= NUMBER(T).                  { A = parse_leaf(ps, AST_NUMBER, T); }
expr(A) ::= STRING(T).                  { A = parse_string(ps, T); }
expr(A) ::= TRUE(T).                    { A = parse_leaf(ps, AST_BOOL, T); A->number = 1; }
expr(A) ::= FALSE(T).                   { A = parse_leaf(ps, AST_BOOL, T); A->number = 0; }
expr(A) ::= IDENT(T).                   { A = parse_leaf(ps, AST_NAME, T); }

/* Parentheses only group; the inner node's span grows to cover them so
 * that every enclosing span covers its full text. */
expr(A) ::= LPAREN(L) expr(E) RPAREN(R). {
    A = E;
    A->span = ast_span_join(parse_span(L), parse_span(R));
}

/* Lists: [], [a, b], [a, b,] */
expr(A) ::= LBRACKET(L) RBRACKET(R). {
    LrNodeList none = {0};
    A = parse_list(ps, L, none, R);
}
expr(A) ::= LBRACKET(L) items(I) RBRACKET(R).       { A = parse_list(ps, L, I, R); }
expr(A) ::= LBRACKET(L) items(I) COMMA RBRACKET(R). { A = parse_list(ps, L, I, R); }
items(A) ::= expr(E).                   { memset(&A, 0, sizeof A); ast_list_add(&A, E); }
items(A) ::= items(B) COMMA expr(E).    { A = B; ast_list_add(&A, E); }

/* Calls: name(), name(a, k=v), name(a, k=v,) */
expr(A) ::= IDENT(N) LPAREN RPAREN(R). {
    LrNodeList none = {0};
    A = parse_call(ps, N, none, R);
}
expr(A) ::= IDENT(N) LPAREN args(X) RPAREN(R).       { A = parse_call(ps, N, X, R); }
expr(A) ::= IDENT(N) LPAREN args(X) COMMA RPAREN(R). { A = parse_call(ps, N, X, R); }
args(A) ::= arg(X).                     { memset(&A, 0, sizeof A); ast_list_add(&A, X); }
args(A) ::= args(B) COMMA arg(X).       { A = B; ast_list_add(&A, X); }
arg(A) ::= expr(E).                     { A = E; }
arg(A) ::= key(N) EQ expr(E).           { A = parse_keyword(ps, N, E); }

/* Operators */
expr(A) ::= expr(B) PLUS expr(C).       { A = parse_binary(ps, AST_BINARY, '+', B, C); }
expr(A) ::= expr(B) MINUS expr(C).      { A = parse_binary(ps, AST_BINARY, '-', B, C); }
expr(A) ::= expr(B) STAR expr(C).       { A = parse_binary(ps, AST_BINARY, '*', B, C); }
expr(A) ::= expr(B) SLASH expr(C).      { A = parse_binary(ps, AST_BINARY, '/', B, C); }
expr(A) ::= expr(B) CARET expr(C).      { A = parse_binary(ps, AST_BINARY, '^', B, C); }
expr(A) ::= expr(B) ARROW expr(C).      { A = parse_binary(ps, AST_CHAIN, 0, B, C); }
expr(A) ::= MINUS(M) expr(E). [UMINUS] { A = parse_unary(ps, M, '-', E); }
expr(A) ::= expr(B) DOT IDENT(N).       { A = parse_member(ps, B, N); }

/* ------------------------------------------------------------------------
 * What only the generated parser can see: its tables and its stack. These
 * two queries are all that src/parse.c needs of them to word a syntax
 * error.
 * ---------------------------------------------------------------------- */
%code {
/* The parser object lives in parse.c's buffer of LR_PARSE_BYTES. */
_Static_assert(sizeof(yyParser) <= LR_PARSE_BYTES, "LR_PARSE_BYTES is too small for yyParser");
_Static_assert(YYSTACKDEPTH == LR_PARSE_STACK, "%stack_size and LR_PARSE_STACK differ");
_Static_assert(YYNTOKEN == LR_TOKEN_COUNT, "LR_TOKEN_COUNT differs from the grammar's tokens");

/* The reductions are replayed on state numbers only: entries popped from
 * the real stack are read in place, pushed ones go to an overlay, so
 * nothing is copied and no action runs. */
bool lr_can_shift(const void *parser, int token)
{
    const yyParser *p = parser;
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

int lr_stack_symbol(const void *parser, int depth, LrToken *tok)
{
    const yyParser *p = parser;
    if (p->yytos - p->yystack <= depth)
        return 0; /* the stack's bottom entry holds no symbol */
    const yyStackEntry *e = p->yytos - depth;
    if (tok && e->major < YYNTOKEN)
        *tok = e->minor.yy0;
    return e->major;
}
}
