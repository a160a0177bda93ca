/* lex.re — the lexer, compiled by re2c into build/gen/lex.c. It cuts the
 * source into tokens (slices owning nothing), decides which newlines end a
 * statement, tracks open brackets so that an unclosed one is named with the
 * line it opened on, and turns any other byte into a positioned error. */
#include "lex.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lr.h"
#include "words.h"

void lex_init_range(LrLexer *lx, const LrSource *src, uint32_t begin, uint32_t end,
                    LrDiag *diag)
{
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->diag = diag;
    lx->cursor = src->text + begin;
    lx->end = end;
    lx->last_kind = LEX_END; /* nothing yet: no statement to end */
}

void lex_init(LrLexer *lx, const LrSource *src, LrDiag *diag)
{
    lex_init_range(lx, src, 0, (uint32_t)src->length, diag);
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int lex_fail(LrLexer *lx, uint32_t offset, uint32_t length, const char *fmt, ...)
{
    LrSpan span = {offset, length};
    if (lx->quiet)
        return LEX_ERROR;
    va_list ap;
    va_start(ap, fmt);
    diag_verror(lx->diag, lx->src, span, fmt, ap);
    va_end(ap);
    return LEX_ERROR;
}

static int lex_emit(LrLexer *lx, LrToken *tok, int kind, uint32_t offset, uint32_t length)
{
    tok->kind = kind;
    tok->offset = offset;
    tok->length = length;
    tok->number = 0;
    lx->last_kind = kind;
    return kind;
}

/* The closer that matches an opener. */
static char lex_closer(char open)
{
    return open == '(' ? ')' : ']';
}

static int lex_line_of(const LrLexer *lx, uint32_t offset)
{
    int line, col;
    source_position(lx->src, offset, &line, &col);
    return line;
}

static int lex_open(LrLexer *lx, LrToken *tok, int kind, uint32_t offset)
{
    if (lx->depth >= LEX_MAX_DEPTH)
        return lex_fail(lx, offset, 1, "nesting too deep (limit is %d)", LEX_MAX_DEPTH);
    lx->open_kind[lx->depth] = lx->src->text[offset];
    lx->open_at[lx->depth] = offset;
    lx->depth++;
    return lex_emit(lx, tok, kind, offset, 1);
}

static int lex_close(LrLexer *lx, LrToken *tok, int kind, uint32_t offset)
{
    char c = lx->src->text[offset];
    if (lx->depth == 0)
        return lex_fail(lx, offset, 1, "unexpected '%c'", c);
    char open = lx->open_kind[lx->depth - 1];
    uint32_t open_at = lx->open_at[lx->depth - 1];
    /* Closed anyway, so that the parse resumes at this line's end. */
    lx->depth--;
    if (lex_closer(open) != c)
        return lex_fail(lx, offset, 1, "'%c' expected (to close '%c' at line %d)",
                        lex_closer(open), open, lex_line_of(lx, open_at));
    return lex_emit(lx, tok, kind, offset, 1);
}

/* Converts a number the rules have already validated. */
static int lex_number(LrLexer *lx, LrToken *tok, uint32_t offset, uint32_t length)
{
    const char *start = lx->src->text + offset;
    char *end;
    double v = strtod(start, &end);
    if (end != start + length)
        return lex_fail(lx, offset, length, "malformed number '%.*s'", (int)length, start);
    if (isinf(v))
        return lex_fail(lx, offset, length, "number '%.*s' is out of range", (int)length, start);
    lex_emit(lx, tok, TK_NUMBER, offset, length);
    tok->number = v;
    return TK_NUMBER;
}

/* A string's escapes were matched loosely (backslash, any byte); only
 * \" \\ \n \t are valid. */
static int lex_string(LrLexer *lx, LrToken *tok, uint32_t offset, uint32_t length)
{
    const char *s = lx->src->text + offset;
    for (uint32_t i = 1; i + 1 < length; i++) {
        if (s[i] != '\\')
            continue;
        char e = s[i + 1];
        if (!strchr("\"\\nt", e)) {
            unsigned char u = (unsigned char)e;
            if (u >= 0x20 && u < 0x7f)
                return lex_fail(lx, offset + i, 2, "unknown escape '\\%c' in string", e);
            return lex_fail(lx, offset + i, 2, "unknown escape '\\' + byte 0x%02x in string", u);
        }
        i++;
    }
    return lex_emit(lx, tok, TK_STRING, offset, length);
}

static int lex_end(LrLexer *lx, LrToken *tok)
{
    uint32_t at = lx->end;
    if (lx->depth > 0) {
        char open = lx->open_kind[lx->depth - 1];
        int line = lex_line_of(lx, lx->open_at[lx->depth - 1]);
        lx->depth = 0; /* reported once */
        return lex_fail(lx, at, 0, "'%c' expected (to close '%c' at line %d)", lex_closer(open),
                        open, line);
    }
    /* The last statement ends here when no newline ended it. */
    if (lx->last_kind != LEX_END && lx->last_kind != TK_NEWLINE)
        return lex_emit(lx, tok, TK_NEWLINE, at, 0);
    lx->done = 1;
    return lex_emit(lx, tok, LEX_END, at, 0);
}

int lex_next(LrLexer *lx, LrToken *tok)
{
    const char *base = lx->src->text;
    const unsigned char *cur = (const unsigned char *)lx->cursor;
    const unsigned char *lim = (const unsigned char *)base + lx->end;
    const unsigned char *mar = cur;
    int kind;

    for (;;) {
        const unsigned char *start = cur;
        uint32_t offset = (uint32_t)((const char *)start - base);
#define LEX_LENGTH ((uint32_t)(cur - start))
#define LEX_TOKEN(k) do { kind = lex_emit(lx, tok, (k), offset, LEX_LENGTH); goto done; } while (0)
#define LEX_RESULT(call) do { kind = (call); goto done; } while (0)
        /*!re2c
            re2c:api:style = free-form;
            re2c:define:YYCTYPE = "unsigned char";
            re2c:define:YYCURSOR = cur;
            re2c:define:YYMARKER = mar;
            re2c:define:YYLIMIT = lim;
            re2c:yyfill:enable = 0;
            re2c:eof = 0;

            digits = [0-9]+;
            mantissa = digits ("." [0-9]*)? | "." digits;
            exponent = [eE] [+-]? digits;
            ident = [A-Za-z_][A-Za-z0-9_]*;
            strchar = [^"\\\n\x00] | "\\" [^\n\x00];

            $ { LEX_RESULT(lex_end(lx, tok)); }

            [ \t\r]+ { continue; }
            "#" [^\n\x00]* { continue; }

            // A newline ends a statement unless inside brackets, after
            // '->' (the chain goes on), or when nothing needs ending.
            "\n" {
                if (lx->depth > 0 || lx->last_kind == LEX_END || lx->last_kind == TK_NEWLINE ||
                    lx->last_kind == TK_ARROW)
                    continue;
                LEX_TOKEN(TK_NEWLINE);
            }
            // ';' is an explicit end: only a redundant one is dropped, so
            // that one inside brackets or after '->' is a syntax error.
            ";" {
                if (lx->last_kind == LEX_END || lx->last_kind == TK_NEWLINE)
                    continue;
                LEX_TOKEN(TK_NEWLINE);
            }

            mantissa exponent? { LEX_RESULT(lex_number(lx, tok, offset, LEX_LENGTH)); }
            // An exponent without digits, or letters glued to a number.
            mantissa [eE] [+-]? | mantissa exponent? [A-Za-z_] [A-Za-z0-9_]* {
                LEX_RESULT(lex_fail(lx, offset, LEX_LENGTH, "malformed number '%.*s'",
                                    (int)LEX_LENGTH, (const char *)start));
            }

            ["] strchar* ["] { LEX_RESULT(lex_string(lx, tok, offset, LEX_LENGTH)); }
            ["] strchar* "\\"? {
                if (cur < lim && *cur == 0)
                    LEX_RESULT(lex_fail(lx, (uint32_t)((const char *)cur - base), 1,
                                        "unexpected byte 0x00"));
                LEX_RESULT(lex_fail(lx, offset, LEX_LENGTH, "unterminated string"));
            }

            // Reserved words are identifiers that words.c knows.
            ident { LEX_TOKEN(words_token((const char *)start, LEX_LENGTH)); }

            "(" { LEX_RESULT(lex_open(lx, tok, TK_LPAREN, offset)); }
            "[" { LEX_RESULT(lex_open(lx, tok, TK_LBRACKET, offset)); }
            ")" { LEX_RESULT(lex_close(lx, tok, TK_RPAREN, offset)); }
            "]" { LEX_RESULT(lex_close(lx, tok, TK_RBRACKET, offset)); }
            "," { LEX_TOKEN(TK_COMMA); }
            "=" { LEX_TOKEN(TK_EQ); }
            "+" { LEX_TOKEN(TK_PLUS); }
            "->" { LEX_TOKEN(TK_ARROW); }
            "-" { LEX_TOKEN(TK_MINUS); }
            "*" { LEX_TOKEN(TK_STAR); }
            "/" { LEX_TOKEN(TK_SLASH); }
            "^" { LEX_TOKEN(TK_CARET); }
            "." { LEX_TOKEN(TK_DOT); }

            * {
                if (*start >= 0x20 && *start < 0x7f)
                    LEX_RESULT(lex_fail(lx, offset, 1, "unexpected character '%c'", *start));
                LEX_RESULT(lex_fail(lx, offset, 1, "unexpected byte 0x%02x", *start));
            }
        */
#undef LEX_LENGTH
#undef LEX_TOKEN
#undef LEX_RESULT
    }
done:
    (void)mar;
    lx->cursor = (const char *)cur;
    return kind;
}

size_t lex_unescape(const char *body, size_t length, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < length; i++) {
        char c = body[i];
        if (c == '\\' && i + 1 < length) {
            char e = body[++i];
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        out[n++] = c;
    }
    out[n] = 0;
    return n;
}
