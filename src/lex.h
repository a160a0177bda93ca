/* lex.h — the lexer (src/lex.re, through re2c). Tokens are slices of the
 * source and own nothing. Token codes are Lemon's TK_* (build/gen/lr.h). */
#ifndef LR_LEX_H
#define LR_LEX_H
#include <stdint.h>

#include "diag.h"
#include "source.h"

/* Brackets nested deeper than this are an error, not a stack overflow. */
#define LEX_MAX_DEPTH 256

/* lex_next returns this after reporting a lexical error. */
#define LEX_ERROR (-1)
/* lex_next returns this (Lemon's end-of-input code) at the end. */
#define LEX_END 0

typedef struct LrToken {
    int kind;
    uint32_t offset, length;
    double number; /* TK_NUMBER: its value */
} LrToken;

typedef struct LrLexer {
    const LrSource *src;
    LrDiag *diag;
    const char *cursor;
    int depth;                         /* open ( and [ */
    char open_kind[LEX_MAX_DEPTH];     /* '(' or '[' per level */
    uint32_t open_at[LEX_MAX_DEPTH];   /* offset of each opener */
    int last_kind;                     /* previous token, for newline rules */
    uint32_t end;                      /* offset of the NUL that ends this text */
    int done;
    bool quiet;                        /* errors are not reported (the parser is
                                        * skipping a statement that has one) */
} LrLexer;

void lex_init(LrLexer *lx, const LrSource *src, LrDiag *diag);
/* Lexes only [begin, end) of src (one segment; text[end] is its NUL). */
void lex_init_range(LrLexer *lx, const LrSource *src, uint32_t begin, uint32_t end,
                    LrDiag *diag);
/* Next token into tok; returns its kind, LEX_END at the end, or LEX_ERROR
 * after reporting to diag. Newlines and ';' come as TK_NEWLINE only at depth
 * 0 and never twice in a row; the end of input is preceded by a TK_NEWLINE
 * when the last statement lacked one. A newline right after '->' continues
 * the statement. */
int lex_next(LrLexer *lx, LrToken *tok);

/* Decodes the escapes of a string token's body (between the quotes) into
 * out (at least length+1 bytes). Returns the decoded length. */
size_t lex_unescape(const char *body, size_t length, char *out);

#endif
