/* diag.c — see diag.h. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void diag_init(LrDiag *d, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->out = out;
    d->max_errors = 20;
}

/* Long lines are shown as a window around the column, so that a caret
 * line stays readable (and a huge line does not flood the terminal). */
enum { CARET_WINDOW = 120 };

static void print_caret(FILE *out, const LrSource *src, LrSpan span)
{
    size_t line_len;
    const char *line = source_line(src, span.offset, &line_len);
    size_t col = (size_t)(src->text + (span.offset > src->length ? src->length : span.offset) - line);
    size_t first = 0, last = line_len;
    if (line_len > CARET_WINDOW) {
        first = col > CARET_WINDOW / 2 ? col - CARET_WINDOW / 2 : 0;
        last = first + CARET_WINDOW < line_len ? first + CARET_WINDOW : line_len;
    }
    fprintf(out, "    %s", first ? "..." : "");
    for (size_t i = first; i < last; i++)
        fputc(line[i] == '\t' ? ' ' : line[i], out);
    fprintf(out, "%s\n    %s", last < line_len ? "..." : "", first ? "   " : "");
    for (size_t i = first; i < col; i++)
        fputc(' ', out);
    fputc('^', out);
    /* The span is underlined up to the end of what is shown of its line. */
    size_t len = span.length;
    if (col + len > last)
        len = last > col ? last - col : 1;
    for (size_t i = 1; i < len; i++)
        fputc('~', out);
    fputc('\n', out);
}

/* Counts an error (when is_error) and says whether the message must be
 * formatted at all: past the cap only the count is kept, except that the
 * first error is always recorded. */
static int wanted(LrDiag *d, int is_error)
{
    if (is_error)
        d->errors++;
    return d->errors <= d->max_errors || (is_error && d->errors == 1);
}

int diag_showing(const LrDiag *d)
{
    return d->errors < d->max_errors || d->errors == 0;
}

static void report(LrDiag *d, const char *kind, const LrSource *src, LrSpan span,
                   const char *fmt, va_list ap)
{
    int is_error = strcmp(kind, "error") == 0;
    if (!wanted(d, is_error))
        return;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    int line = 0, col = 0;
    if (src)
        source_position(src, span.offset, &line, &col);
    if (is_error && d->errors == 1) {
        if (src)
            snprintf(d->first, sizeof d->first, "%d:%d: error: %s", line, col, msg);
        else
            snprintf(d->first, sizeof d->first, "error: %s", msg);
        d->first_line = line;
        d->first_col = col;
    }
    if (!d->out || d->errors > d->max_errors)
        return;
    if (src) {
        fprintf(d->out, "%s:%d:%d: %s: %s\n", source_name_at(src, span.offset), line, col,
                kind, msg);
        print_caret(d->out, src, span);
    } else {
        fprintf(d->out, "lrc: %s: %s\n", kind, msg);
    }
}

void diag_verror(LrDiag *d, const LrSource *src, LrSpan span, const char *fmt, va_list ap)
{
    report(d, "error", src, span, fmt, ap);
}

void diag_error(LrDiag *d, const LrSource *src, LrSpan span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(d, "error", src, span, fmt, ap);
    va_end(ap);
}

void diag_file_error(LrDiag *d, const char *file, int line, int col, const char *fmt, ...)
{
    if (!wanted(d, 1))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char where[64];
    if (col > 0)
        snprintf(where, sizeof where, "%d:%d", line, col);
    else
        snprintf(where, sizeof where, "%d", line);
    if (d->errors == 1) {
        snprintf(d->first, sizeof d->first, "%s: error: %s", where, msg);
        d->first_line = line;
        d->first_col = col;
    }
    if (d->out && d->errors <= d->max_errors)
        fprintf(d->out, "%s:%s: error: %s\n", file, where, msg);
}

void diag_note(LrDiag *d, const LrSource *src, LrSpan span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(d, "note", src, span, fmt, ap);
    va_end(ap);
}

int diag_edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    enum { MAXLEN = 64 };
    if (alen > MAXLEN || blen > MAXLEN)
        return MAXLEN;
    int dist[MAXLEN + 1][MAXLEN + 1];
    for (size_t i = 0; i <= alen; i++)
        dist[i][0] = (int)i;
    for (size_t j = 0; j <= blen; j++)
        dist[0][j] = (int)j;
    for (size_t i = 1; i <= alen; i++) {
        for (size_t j = 1; j <= blen; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = dist[i - 1][j] + 1;
            if (dist[i][j - 1] + 1 < best)
                best = dist[i][j - 1] + 1;
            if (dist[i - 1][j - 1] + cost < best)
                best = dist[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                dist[i - 2][j - 2] + 1 < best)
                best = dist[i - 2][j - 2] + 1;
            dist[i][j] = best;
        }
    }
    return dist[alen][blen];
}

const char *diag_suggest(const char *word, size_t word_len, const char *const *candidates)
{
    const char *best = NULL;
    int best_dist = 0;
    /* A typo is at most a third of the word (and at least one edit) away,
     * and never the whole word: 'e' is no typo of 'd'. */
    int limit = (int)(word_len + 2) / 3;
    if (limit < 1)
        limit = 1;
    if (limit >= (int)word_len)
        limit = (int)word_len - 1;
    for (size_t i = 0; candidates[i]; i++) {
        int d = diag_edit_distance(word, word_len, candidates[i], strlen(candidates[i]));
        if (d <= limit && (!best || d < best_dist)) {
            best = candidates[i];
            best_dist = d;
        }
    }
    return best;
}
