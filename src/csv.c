/* csv.c — see csv.h. A byte-at-a-time state machine over a private
 * buffer: one pass, no look-behind, the record's fields gathered into one
 * growing text buffer. */
#include "csv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

#include "sandbox.h"

enum { CSV_EOF = -1, CSV_FAIL = -2 };

int csv_line_int(int64_t line)
{
    return line > INT_MAX ? INT_MAX : (int)line;
}

int csv_open(LrCsvReader *r, const char *path, const char *name, char delimiter,
             LrSha256 *hash, LrDiag *diag, char *why, size_t why_size)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->delimiter = delimiter;
    r->hash = hash;
    r->diag = diag;
    r->line = 1;
    int fd = file_open_regular(path, why, why_size);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
    if (!f) {
        if (fd >= 0) {
            snprintf(why, why_size, "%s", strerror(errno));
            close(fd);
        }
        return -1;
    }
    struct stat st = {0};
    if (fstat(fileno(f), &st) == 0 && (int64_t)st.st_size > CSV_MAX_BYTES) {
        snprintf(why, why_size, "file is larger than 2 GiB (limit is %lld bytes)",
                 (long long)CSV_MAX_BYTES);
        fclose(f);
        return -1;
    }
    r->file = f;
    r->size = (int64_t)st.st_size;
    return 0;
}

void csv_close(LrCsvReader *r)
{
    if (r->file)
        fclose(r->file);
    free(r->text);
    free(r->offset);
    free(r->length);
    free(r->field_line);
    memset(r, 0, sizeof *r);
}

/* ---- bytes ---------------------------------------------------------------- */

static int fill(LrCsvReader *r)
{
    if (r->at_eof)
        return CSV_EOF;
    r->pos = 0;
    r->len = fread(r->buf, 1, sizeof r->buf, r->file);
    if (r->len == 0) {
        if (ferror(r->file)) {
            diag_file_error(r->diag, r->name, csv_line_int(r->line), 0, "cannot read: %s",
                            strerror(errno ? errno : EIO));
            return CSV_FAIL;
        }
        r->at_eof = true;
        return CSV_EOF;
    }
    r->bytes += (int64_t)r->len;
    /* A file that grows while read was not all measured by csv_open. */
    if (r->bytes > CSV_MAX_BYTES) {
        diag_file_error(r->diag, r->name, csv_line_int(r->line), 0,
                        "file is larger than 2 GiB (limit is %lld bytes)",
                        (long long)CSV_MAX_BYTES);
        return CSV_FAIL;
    }
    if (r->hash)
        sha256_update(r->hash, r->buf, r->len);
    /* A UTF-8 byte order mark (spreadsheets write one) is no part of the
     * first column's name; it is hashed with the file but not counted in
     * line 1's bytes. The first read holds the whole mark when the file
     * does: fread fills the buffer unless the file ends. */
    if (r->bytes == (int64_t)r->len && r->len >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0)
        r->pos = 3;
    return 0;
}

static int peek(LrCsvReader *r)
{
    if (r->pos == r->len) {
        int rc = fill(r);
        if (rc < 0)
            return rc;
    }
    return r->buf[r->pos];
}

/* Consumes the byte peek() returned, keeping the line count. */
static int advance(LrCsvReader *r)
{
    int c = r->buf[r->pos++];
    if (c == '\n') {
        r->line++;
        r->line_bytes = 0;
    } else if (++r->line_bytes > CSV_MAX_LINE) {
        diag_file_error(r->diag, r->name, csv_line_int(r->line), 0,
                        "line is longer than 1 MiB (limit is %lld bytes)",
                        (long long)CSV_MAX_LINE);
        return CSV_FAIL;
    }
    return c;
}

/* ---- the record being built ------------------------------------------------ */

static int out_of_memory(LrCsvReader *r)
{
    diag_file_error(r->diag, r->name, csv_line_int(r->line), 0, "out of memory");
    return CSV_FAIL;
}

/* Appends n bytes to the record's text, keeping room for a NUL. */
static int append(LrCsvReader *r, const unsigned char *p, size_t n)
{
    if (r->text_len + n + 1 > r->text_cap) {
        size_t cap = r->text_cap ? r->text_cap : 256;
        while (cap < r->text_len + n + 1)
            cap *= 2;
        char *t = realloc(r->text, cap);
        if (!t)
            return out_of_memory(r);
        r->text = t;
        r->text_cap = cap;
    }
    memcpy(r->text + r->text_len, p, n);
    r->text_len += n;
    return 0;
}

static int put(LrCsvReader *r, int c)
{
    unsigned char b = (unsigned char)c;
    return append(r, &b, 1);
}

static int begin_field(LrCsvReader *r)
{
    if (r->field_count == r->field_cap) {
        int cap = r->field_cap ? 2 * r->field_cap : 16;
        size_t *o = realloc(r->offset, (size_t)cap * sizeof *o);
        if (o)
            r->offset = o;
        size_t *l = realloc(r->length, (size_t)cap * sizeof *l);
        if (l)
            r->length = l;
        int64_t *ln = realloc(r->field_line, (size_t)cap * sizeof *ln);
        if (ln)
            r->field_line = ln;
        if (!o || !l || !ln)
            return out_of_memory(r);
        r->field_cap = cap;
    }
    r->offset[r->field_count] = r->text_len;
    r->field_line[r->field_count] = r->line;
    r->field_count++;
    return 0;
}

static int end_field(LrCsvReader *r)
{
    int i = r->field_count - 1;
    r->length[i] = r->text_len - r->offset[i];
    return put(r, '\0');
}

/* A NUL byte is the next unread one: the file is not text (and the field
 * would end early as a C string: a value '1\0' would read as '1'). */
static int nul_byte(LrCsvReader *r)
{
    diag_file_error(r->diag, r->name, csv_line_int(r->line), r->field_count,
                    "NUL byte at byte %lld of the line (a CSV file is text)",
                    (long long)r->line_bytes + 1);
    return CSV_FAIL;
}

/* After a closing quote: spaces, then a delimiter or the end of the record.
 * Returns the byte that ends the field (not consumed), or CSV_FAIL. */
static int after_quote(LrCsvReader *r)
{
    for (;;) {
        int c = peek(r);
        if (c == CSV_FAIL)
            return CSV_FAIL;
        if (c == ' ' || c == '\t') {
            if (c == r->delimiter)
                return c;
            if (advance(r) < 0)
                return CSV_FAIL;
            continue;
        }
        if (c == CSV_EOF || c == r->delimiter || c == '\n' || c == '\r')
            return c;
        diag_file_error(r->diag, r->name, csv_line_int(r->line), r->field_count,
                        "unexpected '%c' after a closing quote (a quote inside a quoted "
                        "field is written \"\")", c);
        return CSV_FAIL;
    }
}

/* Reads a quoted field after its opening quote. Returns the byte that ends
 * the field (not consumed), or CSV_FAIL. */
static int quoted(LrCsvReader *r)
{
    int64_t opened = r->line;
    for (;;) {
        int c = peek(r);
        if (c == CSV_FAIL)
            return CSV_FAIL;
        if (c == '\0')
            return nul_byte(r);
        if (c == CSV_EOF) {
            diag_file_error(r->diag, r->name, csv_line_int(opened), r->field_count,
                            "unterminated quoted field (the quote opened here is never "
                            "closed)");
            return CSV_FAIL;
        }
        if (advance(r) < 0)
            return CSV_FAIL;
        if (c == '"') {
            int n = peek(r);
            if (n == CSV_FAIL)
                return CSV_FAIL;
            if (n != '"')
                return after_quote(r);
            if (advance(r) < 0)
                return CSV_FAIL;
        }
        if (put(r, c) < 0)
            return CSV_FAIL;
    }
}

/* Reads an unquoted field (or a quoted one after leading spaces). Returns
 * the byte that ends the field (not consumed), or CSV_FAIL. */
static int field(LrCsvReader *r)
{
    bool blank = true; /* only spaces so far: a quote still opens */
    for (;;) {
        /* The common case: a run of ordinary bytes straight from the
         * buffer (no newline among them, so only the line length moves). */
        size_t start = r->pos;
        while (r->pos < r->len) {
            int b = r->buf[r->pos];
            if (b == r->delimiter || b == '\n' || b == '\r' || b == '\0' || (b == '"' && blank))
                break;
            if (b != ' ' && b != '\t')
                blank = false;
            r->pos++;
        }
        if (r->pos > start) {
            r->line_bytes += (int64_t)(r->pos - start);
            if (r->line_bytes > CSV_MAX_LINE) {
                diag_file_error(r->diag, r->name, csv_line_int(r->line), 0,
                                "line is longer than 1 MiB (limit is %lld bytes)",
                                (long long)CSV_MAX_LINE);
                return CSV_FAIL;
            }
            if (append(r, r->buf + start, r->pos - start) < 0)
                return CSV_FAIL;
        }
        int c = peek(r);
        if (c == CSV_FAIL)
            return CSV_FAIL;
        if (c == CSV_EOF || c == r->delimiter || c == '\n')
            return c;
        if (c == '\0')
            return nul_byte(r);
        if (c == '\r') {
            /* CR ends the record only as part of CRLF. */
            if (advance(r) < 0)
                return CSV_FAIL;
            int n = peek(r);
            if (n == CSV_FAIL)
                return CSV_FAIL;
            if (n == '\n')
                return '\n';
            if (put(r, '\r') < 0)
                return CSV_FAIL;
            blank = false;
            continue;
        }
        if (c == '"' && blank) {
            if (advance(r) < 0)
                return CSV_FAIL;
            r->field_line[r->field_count - 1] = r->line;
            r->text_len = r->offset[r->field_count - 1];
            return quoted(r);
        }
        /* Anything else: the buffer was empty and has just been refilled. */
    }
}

int csv_next(LrCsvReader *r)
{
    r->field_count = 0;
    r->text_len = 0;
    /* Empty lines are skipped, CRLF ones too. */
    bool lone_cr = false;
    for (;;) {
        int c = peek(r);
        if (c == CSV_FAIL)
            return -1;
        if (c == CSV_EOF)
            return 0;
        if (c == '\n') {
            advance(r);
            continue;
        }
        if (c == '\r') {
            if (advance(r) < 0)
                return -1;
            int n = peek(r);
            if (n == CSV_FAIL)
                return -1;
            if (n == '\n') {
                advance(r);
                continue;
            }
            lone_cr = true; /* an ordinary byte of the first field */
        }
        break;
    }
    r->record_line = r->line;
    for (;;) {
        if (begin_field(r) < 0)
            return -1;
        if (lone_cr && put(r, '\r') < 0)
            return -1;
        lone_cr = false;
        int end = field(r);
        if (end == CSV_FAIL || end_field(r) < 0)
            return -1;
        if (end == CSV_EOF)
            return 1;
        if (advance(r) < 0) /* the delimiter or the newline */
            return -1;
        if (end == '\n' || end == '\r')
            return 1;
    }
}

const char *csv_field(const LrCsvReader *r, int i, size_t *length)
{
    *length = r->length[i];
    return r->text + r->offset[i];
}
