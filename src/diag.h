/* diag.h — the diagnostics sink: the only writer to stderr (report.c is
 * the only one to stdout). A stage reports here and returns an LrStatus
 * (status.h); it neither prints nor exits.
 *
 * Format (GNU style):
 *   file:line:col: error: message
 *       the source line
 *       ^~~~
 * Every error is counted; the first headline is kept (without "file:") so
 * that tests can assert the exact message and position. Past the cap of
 * max_errors only the count is kept, and one line says how many there
 * were. Between diag_hold and diag_release the messages are kept and then
 * written in source order (a parse error found after a checker error of an
 * earlier line still comes first). */
#ifndef LR_DIAG_H
#define LR_DIAG_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "source.h"

/* Where a diagnostic goes besides out, already formatted and escaped: kind
 * is "error", "warning" or "note"; src is NULL for a data file's error
 * (file, line, col then say where) and for one with no place. The language
 * server collects them so (out NULL): nothing reaches stderr. */
typedef void (*LrDiagSink)(void *ctx, const char *kind, const LrSource *src, LrSpan span,
                           const char *file, int line, int col, const char *message);
/* A message held by diag_hold: where it is, in what order it came, and its
 * lines as written (with the notes that follow it). */
typedef struct LrDiagHeld {
    size_t place;      /* offset in the source; SIZE_MAX when it has none */
    unsigned long order;
    bool is_error;
    char *text;
    size_t length;
} LrDiagHeld;

typedef struct LrDiag {
    FILE *out;         /* stderr, or NULL to only record (tests) */
    LrDiagSink sink;   /* NULL: none */
    void *sink_ctx;
    int errors;
    int max_errors;    /* stop reporting (but keep counting) beyond this; 0 = 20 */
    char first[1100];  /* "line:col: error: message" of the first error */
    int first_line, first_col;
    bool holding;      /* between diag_hold and diag_release */
    LrDiagHeld *held;  /* the first max_errors errors by place, and warnings */
    int held_count, held_capacity;
    int held_errors;
    int last_held;     /* where a note goes: its error's entry, or -1 */
    unsigned long held_order;
} LrDiag;

void diag_init(LrDiag *d, FILE *out);
/* Marks every message that follows as rank `rank`'s of an MPI job
 * ("[rank 2] "); rank 0's stay unmarked. */
void diag_set_rank(int rank);

/* Keeps what is reported from now on, so that diag_release writes it in
 * source order: the max_errors errors that come first in the source (a
 * file's own text, then the modules it uses, then --set values, in the
 * order they were appended to the source), with their notes and the
 * warnings among them. */
void diag_hold(LrDiag *d);
/* Writes what diag_hold kept, in order of place (then of report), and
 * "too many errors" when more than max_errors were counted; frees it. */
void diag_release(LrDiag *d);

/* Reports an error at span of src (src may be NULL for errors with no place,
 * e.g. command-line usage: then "lrc: error: message"). */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void diag_error(LrDiag *d, const LrSource *src, LrSpan span, const char *fmt, ...);
void diag_verror(LrDiag *d, const LrSource *src, LrSpan span, const char *fmt, va_list ap);

/* An error in a data file, which has no source text to show:
 * "file:line:col: error: message" (col 0: "file:line: error: ..."). */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
void diag_file_error(LrDiag *d, const char *file, int line, int col, const char *fmt, ...);

/* An error that is not about a place in a file (command-line usage, a
 * run directory, memory), on stderr as one line: "lrc: error: " and the
 * formatted text, escaped as by diag_escape. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void diag_plain(const char *fmt, ...);

/* Any other line for the user on stderr (a note, an interruption, the
 * timings): "lrc: " and the formatted text, escaped as by diag_escape. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void diag_info(const char *fmt, ...);

/* lrc's own fixed text (the usage summary) on stderr, as it is. */
void diag_text(const char *text);

/* Something that is allowed but probably not meant
 * ("file:line:col: warning: ...", the line and a caret): not counted as
 * an error, so the exit status does not change. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void diag_warning(LrDiag *d, const LrSource *src, LrSpan span, const char *fmt, ...);

/* Whether stderr is a terminal: the progress line is drawn only there. */
bool diag_stderr_is_terminal(void);
/* Draws text (lrc's own, one line) as the progress line on stderr, over
 * the one before: a carriage return, the text, then erase to the end of
 * the line; no newline. */
void diag_progress(const char *text);
/* Erases the progress line, so that what comes next starts on a clean line:
 * a carriage return, then ANSI erase in line (also written by run.c's
 * signal handler, which may not call stdio). */
#define DIAG_PROGRESS_ERASE "\r\033[K"
void diag_progress_clear(void);

/* A note attached to the previous error ("file:line:col: note: ..."). */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void diag_note(LrDiag *d, const LrSource *src, LrSpan span, const char *fmt, ...);

/* Copies len bytes of text to dst (size bytes, NUL-terminated) with what
 * must not reach a terminal raw escaped: control characters as C escapes
 * or \xNN, bytes that are not UTF-8 as \xNN, C1 controls and bidirectional
 * overrides as \uNNNN. Valid printable UTF-8 is kept. Stops before an
 * escape or character that would not fit; returns the length written.
 * Every diagnostic's message and file name pass through it; a message
 * written without the sink must quote user text through it too. */
size_t diag_escape(char *dst, size_t size, const char *text, size_t len);

/* Whether the next error will be shown (or recorded as the first): past the
 * cap only the count is kept, so a caller need not build suggestions or
 * lists for a message nobody reads. */
int diag_showing(const LrDiag *d);

/* The closest of candidates (NULL-terminated) to word by edit distance
 * (transpositions count as one edit), or NULL when none is close enough to
 * be a plausible typo. */
const char *diag_suggest(const char *word, size_t word_len, const char *const *candidates);

/* Optimal-string-alignment edit distance, exposed for tests. */
int diag_edit_distance(const char *a, size_t alen, const char *b, size_t blen);

#endif
