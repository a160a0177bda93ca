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

typedef struct LrSource {
    const char *name; /* as shown in diagnostics: the path, or "<expr>" */
    char *text;       /* NUL-terminated, owned */
    size_t length;
} LrSource;

/* Files larger than this are refused before lexing. */
#define LR_SOURCE_MAX_BYTES (64u * 1024u * 1024u)

/* Reads path. On failure returns -1 and writes a one-line reason (from errno
 * or the size limit) to why. */
int source_read(LrSource *src, const char *path, char *why, size_t why_size);
/* Wraps a copy of text (for `lrc schedule EXPR` and tests). Returns -1 when
 * out of memory. */
int source_from_string(LrSource *src, const char *name, const char *text);
void source_free(LrSource *src);

/* 1-based line and column (in bytes) of offset. */
void source_position(const LrSource *src, uint32_t offset, int *line, int *col);
/* Start and length of the line holding offset, without its newline. */
const char *source_line(const LrSource *src, uint32_t offset, size_t *length);

#endif
