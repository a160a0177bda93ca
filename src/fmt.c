/* fmt.c — `lrc fmt`'s layout of an .lr text (lrc(1), FORMATTING).
 *
 * The text is parsed first, only to refuse one that does not parse; the
 * layout then comes from the lexer's tokens alone. The lexer skips
 * comments, so they are recovered from the source between one token's end
 * and the next token's start: only blanks, newlines, ';' and comments can
 * lie there. (A lexer mode that returned comments would change the token
 * stream the parser and its error messages rely on, for nothing the gaps
 * do not already say.)
 *
 * Layout: a statement per line; spacing by the kinds of neighbouring
 * tokens; a line whose code would pass FMT_WIDTH columns is broken at the
 * outermost place that helps, where the language allows a newline inside
 * a statement: after ',' inside brackets (continuing one column after the
 * bracket) or after '->' (continuing under the chain's first layer).
 * Comments stay after the token they followed, own-line ones on their own
 * line; end-of-line comments on consecutive lines are aligned. */
#include "fmt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "lex.h"
#include "lr.h"
#include "parse.h"
#include "words.h"

/* Code longer than this is broken where the language allows. */
#define FMT_WIDTH 80
/* A forced break where no context gives a column (cannot happen in a
 * text that parses; a safe fallback). */
#define FMT_INDENT 4

/* A token or a comment, in source order. */
typedef struct FmtItem {
    int kind;            /* a TK_ code, LEX_END, or FMT_COMMENT */
    uint32_t offset, length;
    bool trailing;       /* a comment after code on its line */
    bool blank_before;   /* first on its line, after an empty line */
} FmtItem;
#define FMT_COMMENT (-2)

/* A line of output: its code in Fmt.code, and its end-of-line comment. */
typedef struct FmtLine {
    size_t start, length;
    int width;
    bool has_comment;
    uint32_t comment, comment_length;
} FmtLine;

typedef struct Fmt {
    const LrSource *src;
    FmtItem *items;
    size_t count, capacity;
    uint32_t previous_end; /* where the last item (but a ';') ended */
    LrBuffer code;
    FmtLine *lines;
    size_t line_count, line_capacity;
    size_t line_start; /* where the current line's code starts in code */
    int col;
    bool has_comment;  /* the current line's end-of-line comment, */
    uint32_t comment, comment_length;
    bool failed;
} Fmt;

/* ---- recovering comments ---------------------------------------------- */

static void add_item(Fmt *f, int kind, uint32_t offset, uint32_t length)
{
    if (f->count == f->capacity) {
        size_t capacity = f->capacity ? 2 * f->capacity : 256;
        FmtItem *bigger = realloc(f->items, capacity * sizeof *bigger);
        if (!bigger) {
            f->failed = true;
            return;
        }
        f->items = bigger;
        f->capacity = capacity;
    }
    /* Only blanks, ';' and newlines lie between the previous item and
     * this one: a newline there puts it first on its line, two an empty
     * line before it. (Counted in the gap, not by scanning back along the
     * line, so that a long line costs no more than its length.) */
    const char *text = f->src->text;
    int newlines = 0;
    for (uint32_t i = f->previous_end; i < offset && newlines < 2; i++)
        newlines += text[i] == '\n';
    bool first = newlines > 0 || f->count == 0;
    f->items[f->count++] = (FmtItem){kind, offset, length, kind == FMT_COMMENT && !first,
                                     newlines > 1};
    /* A newline token's '\n' belongs to the gap after it; ';' to none. */
    if (kind == TK_NEWLINE)
        f->previous_end = length && text[offset] == '\n' ? offset : f->previous_end;
    else
        f->previous_end = offset + length;
}

/* The comments in [from, to), a gap between tokens. */
static void add_comments(Fmt *f, uint32_t from, uint32_t to)
{
    const char *text = f->src->text;
    for (uint32_t i = from; i < to; i++) {
        if (text[i] != '#')
            continue;
        uint32_t end = i;
        while (end < to && text[end] != '\n')
            end++;
        uint32_t last = end;
        while (last > i && (text[last - 1] == ' ' || text[last - 1] == '\t' ||
                            text[last - 1] == '\r'))
            last--;
        add_item(f, FMT_COMMENT, i, last - i);
        i = end;
    }
}

/* The whole text as tokens and comments; the text has parsed. */
static void collect_items(Fmt *f)
{
    LrDiag quiet;
    diag_init(&quiet, NULL);
    LrLexer lx;
    lex_init(&lx, f->src, &quiet);
    uint32_t end = 0;
    for (;;) {
        LrToken tok;
        int kind = lex_next(&lx, &tok);
        if (kind == LEX_ERROR) { /* cannot happen after a parse */
            f->failed = true;
            return;
        }
        add_comments(f, end, tok.offset);
        add_item(f, kind, tok.offset, tok.length);
        if (tok.offset + tok.length > end)
            end = tok.offset + tok.length;
        if (kind == LEX_END)
            return;
    }
}

/* ---- output lines ------------------------------------------------------ */

/* Columns of UTF-8 text: its characters (bytes other than continuations). */
static int text_width(const char *s, size_t length)
{
    int w = 0;
    for (size_t i = 0; i < length; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

static void put(Fmt *f, const char *s, size_t length)
{
    buffer_append(&f->code, s, length);
    f->col += text_width(s, length);
}

static void put_spaces(Fmt *f, int n)
{
    for (int i = 0; i < n; i++)
        put(f, " ", 1);
}

static void end_line(Fmt *f)
{
    if (f->line_count == f->line_capacity) {
        size_t capacity = f->line_capacity ? 2 * f->line_capacity : 256;
        FmtLine *bigger = realloc(f->lines, capacity * sizeof *bigger);
        if (!bigger) {
            f->failed = true;
            return;
        }
        f->lines = bigger;
        f->line_capacity = capacity;
    }
    size_t length = f->code.length - f->line_start;
    while (length > 0 && f->code.data[f->line_start + length - 1] == ' ')
        length--;
    f->code.length = f->line_start + length;
    f->lines[f->line_count++] =
        (FmtLine){f->line_start, length, f->code.data ? text_width(f->code.data + f->line_start,
                                                                  length)
                                                      : 0,
                  f->has_comment, f->comment, f->comment_length};
    f->line_start = f->code.length;
    f->col = 0;
    f->has_comment = false;
}

static void set_comment(Fmt *f, const FmtItem *c)
{
    f->has_comment = true;
    f->comment = c->offset;
    f->comment_length = c->length;
}

/* Writes the lines; end-of-line comments of consecutive lines line up two
 * columns after the widest code among them. */
static void write_lines(const Fmt *f, LrBuffer *out)
{
    const char *text = f->src->text;
    for (size_t i = 0; i < f->line_count;) {
        size_t run = i;
        int widest = 0;
        while (run < f->line_count && f->lines[run].has_comment) {
            if (f->lines[run].width > widest)
                widest = f->lines[run].width;
            run++;
        }
        if (run == i)
            run = i + 1;
        for (size_t j = i; j < run; j++) {
            const FmtLine *l = &f->lines[j];
            if (l->length)
                buffer_append(out, f->code.data + l->start, l->length);
            if (l->has_comment) {
                int pad = l->length ? widest - l->width + 2 : 0;
                for (int k = 0; k < pad; k++)
                    buffer_append(out, " ", 1);
                buffer_append(out, text + l->comment, l->comment_length);
            }
            buffer_append(out, "\n", 1);
        }
        i = run;
    }
}

/* ---- one statement ----------------------------------------------------- */

/* A token of the statement being laid out, with what its neighbours say. */
typedef struct FmtTok {
    const FmtItem *item;
    int depth;        /* brackets around it ('(' counts from after itself) */
    int space;        /* columns before it on the same line: 0 or 1 */
    int width;
    int level;        /* before it, a break of this level (0: none) */
    bool forced;      /* a comment before it: it starts a line */
} FmtTok;

static bool is_operand_end(int kind)
{
    return kind == TK_NUMBER || kind == TK_STRING || kind == TK_IDENT || kind == TK_TRUE ||
           kind == TK_FALSE || kind == TK_RPAREN || kind == TK_RBRACKET;
}

/* Columns between tokens a and b on one line. spaced_eq: this '=' is a
 * definition's (`let x = 1`), not an option's (`lr=0.1`). */
static int spacing(const FmtTok *a, const FmtTok *b, bool a_unary, bool eq_spaced)
{
    int ak = a->item->kind, bk = b->item->kind;
    if (bk == TK_COMMA || bk == TK_RPAREN || bk == TK_RBRACKET)
        return 0;
    if (bk == TK_DOT)
        return ak == TK_NUMBER; /* `1 .x`: glued, `1.` would be the number */
    if (ak == TK_DOT || ak == TK_LPAREN || ak == TK_LBRACKET)
        return 0;
    if (ak == TK_EQ || bk == TK_EQ)
        return eq_spaced;
    if (bk == TK_LPAREN && ak == TK_IDENT)
        return 0; /* a call, or a function's parameters */
    if (ak == TK_CARET || bk == TK_CARET)
        return 0;
    if (ak == TK_MINUS && a_unary)
        return 0;
    return 1;
}

/* The index of the definition's '=' among toks: `let x =`, `let f(x) =`,
 * `dataset x =`, `model x =`; or -1. `model input=[28, 28, 1] -> ...`
 * gives the input's shape, an option, written as one. */
static int definition_eq(const FmtTok *toks, int n, const char *text)
{
    int kw = toks[0].item->kind;
    if (kw == TK_LET) {
        for (int k = 1; k < n; k++)
            if (toks[k].item->kind == TK_EQ && toks[k].depth == 0)
                return k;
    } else if ((kw == TK_DATASET || kw == TK_MODEL) && n > 2 &&
               toks[1].item->kind == TK_IDENT && toks[2].item->kind == TK_EQ) {
        const FmtItem *name = toks[1].item;
        bool input = kw == TK_MODEL && name->length == 5 &&
                     memcmp(text + name->offset, "input", 5) == 0;
        return input ? -1 : 2;
    }
    return -1;
}

/* The columns from toks[k] (without its space) to the next break of level
 * at most level, or a comment, or the statement's end. */
static int chunk_width(const FmtTok *toks, int n, int k, int level)
{
    int w = toks[k].width;
    for (int j = k + 1; j < n; j++) {
        if (toks[j].forced || (toks[j].level && toks[j].level <= level))
            break;
        w += toks[j].space + toks[j].width;
    }
    return w;
}

/* Lays out the statement items[first, end) (end: its newline). */
static void format_statement(Fmt *f, size_t first, size_t end)
{
    int n = 0;
    for (size_t i = first; i < end; i++)
        n += f->items[i].kind != FMT_COMMENT;
    FmtTok *toks = calloc((size_t)n + 1, sizeof *toks);
    /* Columns per bracket depth: after the opening bracket, and where the
     * chain (or expression) at that depth started. */
    int *group_col = calloc(LEX_MAX_DEPTH + 2, sizeof *group_col);
    int *chain_col = calloc(LEX_MAX_DEPTH + 2, sizeof *chain_col);
    bool *chain_pending = calloc(LEX_MAX_DEPTH + 2, sizeof *chain_pending);
    if (!toks || !group_col || !chain_col || !chain_pending) {
        f->failed = true;
        goto done;
    }

    /* The tokens, without a trailing comma (`[a, b,]` is `[a, b]`); a
     * comment makes the token after it start a line (a comment around a
     * dropped comma now comes before the bracket). */
    int m = 0, depth = 0;
    for (size_t i = first; i < end; i++) {
        const FmtItem *it = &f->items[i];
        if (it->kind == FMT_COMMENT) {
            toks[m].forced = true;
            continue;
        }
        if (it->kind == TK_COMMA) {
            size_t next = i + 1;
            while (next < end && f->items[next].kind == FMT_COMMENT)
                next++;
            if (next < end &&
                (f->items[next].kind == TK_RPAREN || f->items[next].kind == TK_RBRACKET))
                continue;
        }
        if (it->kind == TK_RPAREN || it->kind == TK_RBRACKET)
            depth--;
        toks[m].item = it;
        toks[m].depth = depth < 0 ? 0 : depth;
        toks[m].width = text_width(f->src->text + it->offset, it->length);
        if (it->kind == TK_LPAREN || it->kind == TK_LBRACKET)
            depth++;
        m++;
    }
    n = m;
    /* The comments after the last token were forced onto toks[n]: they are
     * end-of-line comments of the statement's last line (set below). */
    int eq = definition_eq(toks, n, f->src->text);
    bool prev_unary = false;
    for (int k = 1; k < n; k++) {
        int pk = toks[k - 1].item->kind;
        toks[k].space = spacing(&toks[k - 1], &toks[k], prev_unary, k - 1 == eq || k == eq);
        prev_unary = toks[k].item->kind == TK_MINUS && !is_operand_end(pk);
        if (pk == TK_COMMA && toks[k - 1].depth > 0)
            toks[k].level = 2 * toks[k - 1].depth;
        else if (pk == TK_ARROW)
            toks[k].level = 2 * toks[k - 1].depth + 1;
    }

    size_t ci = first; /* the next comment to place, in source order */
    for (int k = 0; k < n; k++) {
        const FmtTok *t = &toks[k];
        int d = t->depth;
        int pk = k ? toks[k - 1].item->kind : LEX_END;
        int cont = pk == TK_ARROW ? chain_col[d] : d > 0 ? group_col[d] : FMT_INDENT;
        bool at_start = false;
        if (t->forced) {
            /* Each comment before this token, on the line it belongs to. */
            for (; ci < end && f->items[ci].offset < t->item->offset; ci++) {
                const FmtItem *c = &f->items[ci];
                if (c->kind != FMT_COMMENT)
                    continue;
                if (c->trailing) {
                    set_comment(f, c);
                    end_line(f);
                } else {
                    if (f->col > 0)
                        end_line(f);
                    put_spaces(f, cont);
                    put(f, f->src->text + c->offset, c->length);
                    end_line(f);
                }
            }
            if (f->col > 0)
                end_line(f);
            put_spaces(f, cont);
            at_start = true;
        } else if (t->level && f->col > cont &&
                   f->col + t->space + chunk_width(toks, n, k, t->level) > FMT_WIDTH) {
            end_line(f);
            put_spaces(f, cont);
            at_start = true;
        }
        if (!at_start && k > 0)
            put_spaces(f, t->space);
        if (chain_pending[d]) {
            chain_col[d] = f->col;
            chain_pending[d] = false;
        }
        int kind = t->item->kind;
        put(f, f->src->text + t->item->offset, t->item->length);
        if (kind == TK_LPAREN || kind == TK_LBRACKET) {
            group_col[d + 1] = f->col;
            chain_pending[d + 1] = true;
        } else if (k == 0 || kind == TK_EQ || kind == TK_COMMA || kind == TK_FROM) {
            chain_pending[d] = true;
        }
    }
    /* Comments after the last token: the statement line's end-of-line one
     * (own-line ones cannot come there: the newline before them would
     * have ended the statement). */
    for (; ci < end; ci++)
        if (f->items[ci].kind == FMT_COMMENT && f->items[ci].offset > toks[n - 1].item->offset)
            set_comment(f, &f->items[ci]);
done:
    free(toks);
    free(group_col);
    free(chain_col);
    free(chain_pending);
}

/* ---- the text ---------------------------------------------------------- */

static void format_items(Fmt *f)
{
    size_t i = 0;
    while (i < f->count && f->items[i].kind != LEX_END && !f->failed) {
        const FmtItem *it = &f->items[i];
        if (it->blank_before && f->line_count > 0)
            end_line(f); /* the one empty line kept */
        if (it->kind == FMT_COMMENT) {
            put(f, f->src->text + it->offset, it->length);
            end_line(f);
            i++;
            continue;
        }
        if (it->kind == TK_NEWLINE) { /* cannot start a statement; skipped */
            i++;
            continue;
        }
        size_t end = i;
        while (end < f->count && f->items[end].kind != TK_NEWLINE && f->items[end].kind != LEX_END)
            end++;
        format_statement(f, i, end);
        i = end < f->count && f->items[end].kind == TK_NEWLINE ? end + 1 : end;
        /* `seed 1;  # note`: the comment after ';' ends this line too. */
        if (i < f->count && f->items[i].kind == FMT_COMMENT && f->items[i].trailing)
            set_comment(f, &f->items[i++]);
        end_line(f);
    }
}

int fmt_text(const char *name, const char *text, size_t length, LrBuffer *out, LrDiag *diag)
{
    LrSource src;
    if (source_from_memory(&src, name, text, length) < 0) {
        if (length > LR_SOURCE_MAX_BYTES)
            diag_error(diag, NULL, (LrSpan){0, 0}, "'%s' is larger than the limit of %u bytes",
                       name, LR_SOURCE_MAX_BYTES);
        else
            diag_error(diag, NULL, (LrSpan){0, 0}, "'%s': out of memory", name);
        return -1;
    }
    LrArena arena = {0};
    LrProgram prog;
    int parsed = parse_program(&src, &arena, diag, &prog);
    arena_free(&arena);
    if (parsed < 0) {
        source_free(&src);
        return -1;
    }
    Fmt f = {0};
    f.src = &src;
    collect_items(&f);
    if (!f.failed)
        format_items(&f);
    LrBuffer result = {0};
    if (!f.failed && !f.code.failed)
        write_lines(&f, &result);
    int status = 0;
    if (f.failed || f.code.failed || result.failed) {
        diag_error(diag, NULL, (LrSpan){0, 0}, "'%s': out of memory", name);
        status = -1;
    } else if (result.length) {
        buffer_append(out, result.data, result.length);
    }
    buffer_free(&result);
    buffer_free(&f.code);
    free(f.items);
    free(f.lines);
    source_free(&src);
    return status;
}
