/* diag.c — see diag.h. */
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void diag_init(LrDiag *d, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->out = out;
    d->max_errors = 20;
    d->last_held = -1;
}

/* Reads the character at s (n > 0 bytes available). Returns how many bytes
 * it takes and writes to escape how it must be shown when it may not reach
 * a terminal raw: C0 and C1 controls and DEL (escape sequences, bells),
 * bidirectional overrides (text that reads differently from what it is),
 * and bytes that are not UTF-8. escape is "" for text shown as is. */
static size_t char_form(const unsigned char *s, size_t n, char escape[8])
{
    static const char c_escapes[] = "\a\b\t\n\v\f\r";
    static const char c_letters[] = "abtnvfr";
    escape[0] = '\0';
    if (s[0] >= 0x20 && s[0] < 0x7f)
        return 1;
    if (s[0] < 0x80) {
        const char *e = s[0] ? strchr(c_escapes, s[0]) : NULL;
        if (e)
            snprintf(escape, 8, "\\%c", c_letters[e - c_escapes]);
        else
            snprintf(escape, 8, "\\x%02x", s[0]);
        return 1;
    }
    /* UTF-8, strictly: no overlong forms, surrogates or values past U+10FFFF. */
    size_t len = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    uint32_t code = len == 2 ? s[0] & 0x1fu : len == 3 ? s[0] & 0x0fu : s[0] & 0x07u;
    for (size_t i = 1; i < len; i++) {
        if (i >= n || (s[i] & 0xc0) != 0x80) {
            len = 0;
            break;
        }
        code = code << 6 | (s[i] & 0x3fu);
    }
    if (len == 0 || (len == 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) ||
        (len == 4 && (code < 0x10000 || code > 0x10ffff))) {
        snprintf(escape, 8, "\\x%02x", s[0]);
        return 1;
    }
    if (code <= 0x9f || code == 0x61c || code == 0x200e || code == 0x200f ||
        (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069))
        snprintf(escape, 8, "\\u%04x", (unsigned)code);
    return len;
}

size_t diag_escape(char *dst, size_t size, const char *text, size_t len)
{
    size_t used = 0;
    if (size == 0)
        return 0;
    for (size_t i = 0; i < len;) {
        char escape[8];
        size_t n = char_form((const unsigned char *)text + i, len - i, escape);
        const char *form = escape[0] ? escape : text + i;
        size_t form_len = escape[0] ? strlen(escape) : n;
        if (used + form_len >= size)
            break; /* never half an escape or half a character */
        memcpy(dst + used, form, form_len);
        used += form_len;
        i += n;
    }
    dst[used] = '\0';
    return used;
}

/* Writes text as diag_escape would, without a length limit. */
static void put_escaped(FILE *out, const char *text, size_t len)
{
    for (size_t i = 0; i < len;) {
        char escape[8];
        size_t n = char_form((const unsigned char *)text + i, len - i, escape);
        if (escape[0])
            fputs(escape, out);
        else
            fwrite(text + i, 1, n, out);
        i += n;
    }
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
        /* The window holds whole characters. */
        while (first > 0 && ((unsigned char)line[first] & 0xc0) == 0x80)
            first--;
        while (last < line_len && ((unsigned char)line[last] & 0xc0) == 0x80)
            last++;
    }
    /* The caret and underline are as wide as what is shown above them: an
     * escape takes its length, a character one column, a tab one space. */
    size_t pad = 0, under = 0;
    size_t span_end = col + span.length;
    fprintf(out, "    %s", first ? "..." : "");
    for (size_t i = first; i < last;) {
        char escape[8];
        size_t n = char_form((const unsigned char *)line + i, last - i, escape);
        size_t width = 1;
        if (line[i] == '\t')
            fputc(' ', out);
        else if (escape[0])
            width = (size_t)fprintf(out, "%s", escape);
        else
            fwrite(line + i, 1, n, out);
        if (i < col)
            pad += width;
        else if (i < span_end)
            under += width;
        i += n;
    }
    fprintf(out, "%s\n    %s", last < line_len ? "..." : "", first ? "   " : "");
    for (size_t i = 0; i < pad; i++)
        fputc(' ', out);
    fputc('^', out);
    /* The span is underlined up to the end of what is shown of its line. */
    for (size_t i = 1; i < under; i++)
        fputc('~', out);
    fputc('\n', out);
}

/* Counts an error (when is_error) and says whether the message must be
 * formatted at all: past the cap only the count is kept, except that the
 * first error is always recorded. While holding, every message is
 * formatted: which come first in the source is known only at the end. */
static int wanted(LrDiag *d, int is_error)
{
    if (is_error)
        d->errors++;
    if (d->holding)
        return 1;
    if (is_error && d->errors == d->max_errors + 1 && d->out)
        fprintf(d->out, "lrc: too many errors (only the first %d are shown)\n", d->max_errors);
    return d->errors <= d->max_errors || (is_error && d->errors == 1);
}

int diag_showing(const LrDiag *d)
{
    return d->holding || d->errors < d->max_errors || d->errors == 0;
}

/* ---- holding messages to write them in source order ------------------- */

/* Warnings kept beside the errors while holding; more are dropped. */
enum { HELD_WARNINGS = 100 };

static bool held_before(const LrDiagHeld *a, const LrDiagHeld *b)
{
    return a->place < b->place || (a->place == b->place && a->order < b->order);
}

static int held_compare(const void *a, const void *b)
{
    return held_before(a, b) ? -1 : held_before(b, a) ? 1 : 0;
}

void diag_hold(LrDiag *d)
{
    d->holding = true;
    d->last_held = -1;
}

/* Keeps a formatted message (text, malloc'd, taken over): a note joins the
 * message before it; past max_errors an error replaces the last one by
 * place when it comes before it, else it is dropped. */
static void hold_message(LrDiag *d, const char *kind, size_t place, char *text, size_t length)
{
    bool is_error = strcmp(kind, "error") == 0;
    if (strcmp(kind, "note") == 0) {
        LrDiagHeld *h = d->last_held >= 0 ? &d->held[d->last_held] : NULL;
        char *joined = h ? realloc(h->text, h->length + length + 1) : NULL;
        if (joined) {
            memcpy(joined + h->length, text, length + 1);
            h->text = joined;
            h->length += length;
        }
        free(text);
        return;
    }
    LrDiagHeld entry = {place, d->held_order++, is_error, text, length};
    d->last_held = -1;
    /* The same message at the same place is one error, however many ways
     * lead to it (a let's bad value, through each of its uses). */
    for (int i = 0; i < d->held_count; i++) {
        if (d->held[i].place == place && d->held[i].is_error == is_error &&
            d->held[i].length >= length && memcmp(d->held[i].text, text, length) == 0 &&
            (d->held[i].length == length || is_error)) {
            d->errors -= is_error;
            free(text);
            return;
        }
    }
    if (is_error && d->held_errors >= d->max_errors) {
        int last = -1;
        for (int i = 0; i < d->held_count; i++)
            if (d->held[i].is_error && (last < 0 || held_before(&d->held[last], &d->held[i])))
                last = i;
        if (last < 0 || held_before(&d->held[last], &entry)) {
            free(text);
            return;
        }
        free(d->held[last].text);
        d->held[last] = entry;
        d->last_held = last;
        return;
    }
    if (!is_error && d->held_count - d->held_errors >= HELD_WARNINGS) {
        free(text);
        return;
    }
    if (d->held_count == d->held_capacity) {
        int bigger = d->held_capacity ? 2 * d->held_capacity : 32;
        LrDiagHeld *grown = realloc(d->held, (size_t)bigger * sizeof *grown);
        if (!grown) { /* written now, out of order, rather than lost */
            fwrite(text, 1, length, d->out);
            free(text);
            return;
        }
        d->held = grown;
        d->held_capacity = bigger;
    }
    d->held_errors += is_error;
    d->last_held = d->held_count;
    d->held[d->held_count++] = entry;
}

void diag_release(LrDiag *d)
{
    if (!d->holding)
        return;
    d->holding = false;
    if (d->held_count)
        qsort(d->held, (size_t)d->held_count, sizeof *d->held, held_compare);
    for (int i = 0; i < d->held_count; i++) {
        fwrite(d->held[i].text, 1, d->held[i].length, d->out);
        free(d->held[i].text);
    }
    free(d->held);
    d->held = NULL;
    d->held_count = d->held_capacity = d->held_errors = 0;
    d->last_held = -1;
    if (d->out && d->errors > d->max_errors)
        fprintf(d->out, "lrc: too many errors (%d in all; only the first %d are shown)\n",
                d->errors, d->max_errors);
}

/* Every message quotes user text (names, values, paths): it is escaped
 * here, once, for all of them. */
static void format_escaped(char *msg, size_t size, const char *fmt, va_list ap)
{
    char raw[1024];
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof raw ? (size_t)n : sizeof raw - 1;
    diag_escape(msg, size, raw, len);
}

/* Where a message is written: d->out, or while holding a buffer that
 * finish_message hands to hold_message. */
typedef struct Sink {
    FILE *out;
    char *text;
    size_t length;
    bool held;
} Sink;

/* "[rank 2] " before each message of an MPI rank but the first (dist.h),
 * whose messages are the job's own. */
static char tag[32];

void diag_set_rank(int rank)
{
    if (rank > 0)
        snprintf(tag, sizeof tag, "[rank %d] ", rank);
    else
        tag[0] = '\0';
}

static FILE *start_message(LrDiag *d, Sink *sink)
{
    memset(sink, 0, sizeof *sink);
    sink->out = d->out;
    if (d->holding) {
        FILE *memory = open_memstream(&sink->text, &sink->length);
        if (memory) { /* else written now, out of order, rather than lost */
            sink->out = memory;
            sink->held = true;
        }
    }
    fputs(tag, sink->out);
    return sink->out;
}

static void finish_message(LrDiag *d, Sink *sink, const char *kind, size_t place)
{
    if (!sink->held)
        return;
    if (fclose(sink->out) != 0 || !sink->text) {
        free(sink->text);
        return;
    }
    hold_message(d, kind, place, sink->text, sink->length);
}

/* Whether an error at place would only be dropped: max_errors are held
 * and all of them come before it (so a file full of errors costs a count
 * per error past the first max_errors, not a formatted message). */
static bool held_past_cap(const LrDiag *d, size_t place)
{
    if (!d->holding || d->held_errors < d->max_errors)
        return false;
    for (int i = 0; i < d->held_count; i++)
        if (d->held[i].is_error && d->held[i].place >= place)
            return false;
    return true;
}

static void report(LrDiag *d, const char *kind, const LrSource *src, LrSpan span,
                   const char *fmt, va_list ap)
{
    int is_error = strcmp(kind, "error") == 0;
    if (is_error && d->out && held_past_cap(d, src ? span.offset : SIZE_MAX)) {
        d->errors++;
        d->last_held = -1; /* its notes go with it */
        return;
    }
    if (!wanted(d, is_error))
        return;
    char msg[1024];
    format_escaped(msg, sizeof msg, fmt, ap);
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
    if (d->sink && d->errors <= d->max_errors)
        d->sink(d->sink_ctx, kind, src, span, NULL, line, col, msg);
    if (!d->out || (!d->holding && d->errors > d->max_errors))
        return;
    Sink sink;
    FILE *out = start_message(d, &sink);
    if (src) {
        const char *name = source_name_at(src, span.offset);
        put_escaped(out, name, strlen(name));
        fprintf(out, ":%d:%d: %s: %s\n", line, col, kind, msg);
        print_caret(out, src, span);
    } else {
        fprintf(out, "lrc: %s: %s\n", kind, msg);
    }
    finish_message(d, &sink, kind, src ? span.offset : SIZE_MAX);
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
    format_escaped(msg, sizeof msg, fmt, ap);
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
    if (d->sink && d->errors <= d->max_errors)
        d->sink(d->sink_ctx, "error", NULL, (LrSpan){0, 0}, file, line, col, msg);
    if (d->out && (d->holding || d->errors <= d->max_errors)) {
        Sink sink;
        FILE *out = start_message(d, &sink);
        put_escaped(out, file, strlen(file));
        fprintf(out, ":%s: error: %s\n", where, msg);
        finish_message(d, &sink, "error", SIZE_MAX);
    }
}

/* Writes prefix, then the formatted text escaped, then a newline. */
static void plain_line(const char *prefix, const char *fmt, va_list ap)
{
    char text[8192];
    int n = vsnprintf(text, sizeof text, fmt, ap);
    if (n < 0)
        return;
    fputs(tag, stderr);
    fputs(prefix, stderr);
    put_escaped(stderr, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
    fputc('\n', stderr);
}

void diag_plain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    plain_line("lrc: error: ", fmt, ap);
    va_end(ap);
}

void diag_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    plain_line("lrc: ", fmt, ap);
    va_end(ap);
}

void diag_text(const char *text)
{
    fputs(text, stderr);
}

void diag_warning(LrDiag *d, const LrSource *src, LrSpan span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(d, "warning", src, span, fmt, ap);
    va_end(ap);
}

bool diag_stderr_is_terminal(void)
{
    return isatty(STDERR_FILENO) == 1;
}

/* "\r" returns to the line's start, "\033[K" (ANSI erase in line) clears
 * what a longer line before left to the right. */
void diag_progress(const char *text)
{
    fprintf(stderr, "\r%s\033[K", text);
}

void diag_progress_clear(void)
{
    fputs(DIAG_PROGRESS_ERASE, stderr);
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
