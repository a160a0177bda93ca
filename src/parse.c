/* parse.c — the parser driver: pulls tokens from the lexer and pushes them
 * into the Lemon parser generated from grammar/lr.y, one at a time, until
 * the end of input or the first error (as SQLite's tokenize.c drives
 * parse.y). The parser object lives on the C stack. */
#include "parse.h"

#include <stddef.h>
#include <string.h>

#include "lr.h"

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
    for (;;) {
        LrToken tok;
        int kind = lex_next(&lx, &tok);
        if (kind == LEX_ERROR) {
            ps.error = 1;
            break;
        }
        ps.tok = tok;
        ps.open_kind = lx.depth ? lx.open_kind[lx.depth - 1] : 0;
        ps.open_at = lx.depth ? lx.open_at[lx.depth - 1] : 0;
        if (!lr_accepts(&engine, kind)) {
            lr_reject(&engine, kind, tok);
            ps.error = 1;
            break;
        }
        LrParse(&engine, kind, tok);
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
    return 0;
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
