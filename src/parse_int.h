/* parse_int.h — what the parser driver (src/parse.c) and the parser Lemon
 * generates from grammar/lr.y share; nothing else includes it. */
#ifndef LR_PARSE_INT_H
#define LR_PARSE_INT_H
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "lex.h"
#include "source.h"

/* Entries of the Lemon parser stack (%stack_size). 256 levels of the
 * deepest bracket nesting (`f(a, k=f(a, k=...`, 6 entries a level) fit, so
 * brackets hit the lexer's limit first; long operator chains such as
 * `- - - ... 1` can still overflow, which is reported, not a crash. */
#define LR_PARSE_STACK 2048
/* Bytes reserved in parse.c for the Lemon parser object, which lives on the
 * C stack; lr.y asserts at compile time that sizeof(yyParser) fits. */
#define LR_PARSE_BYTES (LR_PARSE_STACK * 32 + 256)
/* Terminal symbols of the grammar, TK_* codes 0..LR_TOKEN_COUNT-1 (lr.y
 * checks it at compile time). */
#define LR_TOKEN_COUNT 36

/* The parser's %extra_context: what grammar actions need. */
typedef struct LrParseState {
    const LrSource *src;
    LrArena *arena;
    LrDiag *diag;
    LrProgram *prog;
    LrToken tok;        /* the token being fed, for errors found by Lemon */
    int expr_mode;      /* parsing a lone expression: NEWLINE is its end */
    int error;          /* an error was reported in this statement */
    char open_kind;     /* innermost open '(' or '[' (0: none), so that a  */
    uint32_t open_at;   /* syntax error inside it can say where it opened */
    /* Stand-ins returned when the arena is exhausted, so that actions need
     * no NULL checks; the parse fails and nothing keeps pointers to them. */
    LrNode oom_node;
    LrStmt oom_stmt;
} LrParseState;

static inline LrSpan parse_span(LrToken t)
{
    LrSpan s = {t.offset, t.length};
    return s;
}

/* ---- for the grammar's actions (parse.c) ---- */

/* Reports the first error of a statement; later ones are consequences. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void parse_error(LrParseState *ps, LrSpan span, const char *fmt, ...);
/* Nodes from tokens, through the ast_* constructors (ast.h). When the
 * arena is exhausted, or an expression is deeper than AST_MAX_DEPTH, they
 * report it and return a stand-in, so that actions need no checks. */
LrNode *parse_leaf(LrParseState *ps, LrNodeKind kind, LrToken t);
/* A string node holds its text with the escapes decoded. */
LrNode *parse_string(LrParseState *ps, LrToken t);
LrNode *parse_unary(LrParseState *ps, LrToken op_token, int op, LrNode *operand);
LrNode *parse_binary(LrParseState *ps, LrNodeKind kind, int op, LrNode *lhs, LrNode *rhs);
LrNode *parse_member(LrParseState *ps, LrNode *lhs, LrToken name);
LrNode *parse_keyword(LrParseState *ps, LrToken key, LrNode *value);
LrNode *parse_call(LrParseState *ps, LrToken name, LrNodeList args, LrToken close);
LrNode *parse_list(LrParseState *ps, LrToken open, LrNodeList items, LrToken close);
LrStmt *parse_stmt(LrParseState *ps, LrStmtKind kind, LrToken keyword, LrSpan end);
/* Appends a statement to the program, refusing more than the limit. */
void parse_program_add(LrParseState *ps, LrStmt *stmt);
/* %syntax_error: reports tok (of kind major), which cannot come next, and
 * what could come instead. */
void parse_syntax_error(LrParseState *ps, const void *parser, int major, LrToken tok);

/* ---- generated from grammar/lr.y (%name LrParse) ---- */

void LrParseInit(void *parser, LrParseState *ps);
void LrParse(void *parser, int kind, LrToken tok);
void LrParseFinalize(void *parser);
/* Whether the parser, in its present state, would shift kind after the
 * reductions it calls for; nothing changes and no action runs. parse.c
 * asks before feeding each token, so that a syntax error is found before
 * any default reduction and the expected tokens are those of this place. */
bool lr_can_shift(const void *parser, int kind);
/* The symbol depth entries below the top of the parser's stack (0: the
 * top), and for a token its value in *tok; 0 when there is none. */
int lr_stack_symbol(const void *parser, int depth, LrToken *tok);

#endif
