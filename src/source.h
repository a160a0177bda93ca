/* source.h — one .lr text, read once and NUL-terminated (re2c's sentinel).
 * Byte offsets become line and column only when a diagnostic needs them. */
#ifndef LR_SOURCE_H
#define LR_SOURCE_H
#include <stddef.h>
#include <stdint.h>

/* A byte range of a source text. */
typedef struct LrSpan {
    uint32_t offset, length;
} LrSpan;

/* One file's text within a source: modules (`use`) and --set values are
 * appended as segments, so that a span (a plain offset) still says which
 * file and line it came from. Segments are separated by a NUL byte, the
 * lexer's end sentinel. */
typedef struct LrSegment {
    uint32_t offset, length;
    char *name;       /* owned */
} LrSegment;

/* Where each line starts, built on the first position asked for (a file
 * without errors never pays for it) and extended after appends, so that a
 * position costs a binary search, not a scan from the start. */
typedef struct LrLineTable {
    uint32_t *starts; /* ascending; every segment's start is one */
    size_t count, capacity;
    int segments;     /* the segments whose lines are in the table */
} LrLineTable;

typedef struct LrSource {
    const char *name; /* the first segment's name: the path, or "<expr>" */
    char *text;       /* NUL-terminated, owned */
    size_t length;
    LrSegment *segments; /* owned; at least one */
    int segment_count;
    LrLineTable *lines;  /* owned; allocated with the source, filled lazily
                          * (a const source still caches its positions) */
} LrSource;

/* Files larger than this are refused before lexing. */
#define LR_SOURCE_MAX_BYTES (64u * 1024u * 1024u)

/* Reads path ("-": standard input, named "<stdin>"). On failure returns -1 and writes a one-line reason (from errno
 * or the size limit) to why. */
int source_read(LrSource *src, const char *path, char *why, size_t why_size);
/* Wraps a copy of text (for `lrc schedule EXPR` and tests). Returns -1 when
 * out of memory. */
int source_from_string(LrSource *src, const char *name, const char *text);
/* The same for length bytes of text, which may hold a NUL (the lexer
 * reports it) or go past the size limit (-1 too). */
int source_from_memory(LrSource *src, const char *name, const char *text, size_t length);
void source_free(LrSource *src);
/* Appends text as a new segment named name; returns its index, or -1 when
 * out of memory or over the size limit. Offsets of earlier segments do not
 * change (but src->text may move: keep offsets, not pointers). */
int source_append(LrSource *src, const char *name, const char *text, size_t length);
/* The segment holding offset (NULL for a source made without segments). */
const LrSegment *source_segment(const LrSource *src, uint32_t offset);
/* The name of the file offset belongs to. */
const char *source_name_at(const LrSource *src, uint32_t offset);

/* 1-based line and column (in bytes) of offset, within its segment. */
void source_position(const LrSource *src, uint32_t offset, int *line, int *col);
/* Start and length of the line holding offset, without its newline. */
const char *source_line(const LrSource *src, uint32_t offset, size_t *length);

#endif
