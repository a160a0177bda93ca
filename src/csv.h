/* csv.h — a streaming reader of delimited text (RFC 4180 and the usual
 * liberties), one record at a time. It knows nothing of numbers or column
 * names: data.c turns records into a dataset.
 *
 * Accepted: fields separated by one delimiter byte; a field may be quoted
 * with '"' (spaces before the opening quote and after the closing one are
 * dropped), and then holds delimiters, newlines and '""' for one quote;
 * records end with LF or CRLF, and the last one may end at the end of the
 * file; empty lines (anywhere, so also trailing ones) are skipped. A '"'
 * inside an unquoted field is an ordinary byte.
 *
 * A NUL byte anywhere is an error: the file is not text.
 *
 * Limits, each reported with its value: a file larger than CSV_MAX_BYTES,
 * a physical line longer than CSV_MAX_LINE. */
#ifndef LR_CSV_H
#define LR_CSV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "sha256.h"

#define CSV_MAX_BYTES ((int64_t)2 * 1024 * 1024 * 1024) /* 2 GiB */
#define CSV_MAX_LINE ((int64_t)1024 * 1024)             /* 1 MiB */

typedef struct LrCsvReader {
    FILE *file;
    const char *name;    /* as shown in diagnostics */
    char delimiter;
    LrDiag *diag;
    LrSha256 *hash;      /* when not NULL, every byte read is hashed */
    unsigned char buf[65536];
    size_t pos, len;     /* unread bytes of buf: [pos, len) */
    bool at_eof;
    int64_t bytes;       /* read so far */
    int64_t size;        /* the file's size, as csv_open found it */
    int64_t line;        /* 1-based line of the next unread byte */
    int64_t line_bytes;  /* bytes of that line read so far */
    /* The current record: field i is the NUL-terminated text + offset[i],
     * length[i] bytes long (it holds no NUL of its own), beginning on
     * line field_line[i]. */
    int64_t record_line;
    int field_count;
    char *text;
    size_t text_len, text_cap;
    size_t *offset, *length;
    int64_t *field_line;
    int field_cap;
} LrCsvReader;

/* Opens path for reading; name is what diagnostics call it. hash, when not
 * NULL, must be initialized (sha256_init) and receives the file's bytes as
 * they are read. Returns 0, or -1 with a one-line reason in why (from errno,
 * or the size limit); nothing is reported and nothing needs closing. */
int csv_open(LrCsvReader *r, const char *path, const char *name, char delimiter,
             LrSha256 *hash, LrDiag *diag, char *why, size_t why_size);
/* Reads the next record: 1 when one was read, 0 at the end of the file, -1
 * on an error, reported with diag_file_error (an unterminated quoted field,
 * text after a closing quote, a NUL byte, an overlong line, a read error, out of
 * memory). */
int csv_next(LrCsvReader *r);
/* Field i (0-based) of the current record, NUL-terminated. */
const char *csv_field(const LrCsvReader *r, int i, size_t *length);
/* Releases everything; safe on a reader that csv_open failed to open. */
void csv_close(LrCsvReader *r);

/* The offset in the file of the next byte csv_next reads: taken before
 * it, where the record it reads begins (with the empty lines before it). */
static inline int64_t csv_offset(const LrCsvReader *r)
{
    return r->bytes - (int64_t)(r->len - r->pos);
}

/* Clamps a line number for diag_file_error (which takes an int). */
int csv_line_int(int64_t line);

#endif
