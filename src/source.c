/* source.c — see source.h. */
#include "source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of a UTF-8 byte order mark at the start of text (0 or 3):
 * editors on Windows write one, and it is no part of the program. Columns
 * on the first line are counted after it. */
static size_t bom_length(const char *text, size_t length)
{
    return length >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

static int add_first_segment(LrSource *src, const char *name)
{
    src->segments = calloc(1, sizeof *src->segments);
    src->lines = calloc(1, sizeof *src->lines);
    if (!src->segments || !src->lines)
        return -1;
    src->segments[0].name = malloc(strlen(name) + 1);
    if (!src->segments[0].name)
        return -1;
    strcpy(src->segments[0].name, name);
    src->segments[0].offset = 0;
    src->segments[0].length = (uint32_t)src->length;
    src->segment_count = 1;
    src->name = src->segments[0].name;
    return 0;
}

int source_read(LrSource *src, const char *path, char *why, size_t why_size)
{
    memset(src, 0, sizeof *src);
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "%s", strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            if (cap > LR_SOURCE_MAX_BYTES) {
                snprintf(why, why_size, "file is larger than the limit of %u bytes",
                         LR_SOURCE_MAX_BYTES);
                free(buf);
                if (!is_stdin)
                    fclose(f);
                return -1;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    int failed = !buf || ferror(f);
    int saved = errno;
    if (!is_stdin)
        fclose(f);
    if (failed) {
        snprintf(why, why_size, "%s", buf ? strerror(saved) : "out of memory");
        free(buf);
        return -1;
    }
    if (len > LR_SOURCE_MAX_BYTES) {
        snprintf(why, why_size, "file is larger than the limit of %u bytes", LR_SOURCE_MAX_BYTES);
        free(buf);
        return -1;
    }
    size_t bom = bom_length(buf, len);
    memmove(buf, buf + bom, len - bom);
    len -= bom;
    buf[len] = '\0';
    src->text = buf;
    src->length = len;
    if (add_first_segment(src, is_stdin ? "<stdin>" : path) < 0) {
        snprintf(why, why_size, "out of memory");
        source_free(src);
        return -1;
    }
    return 0;
}

int source_from_string(LrSource *src, const char *name, const char *text)
{
    return source_from_memory(src, name, text, strlen(text));
}

int source_from_memory(LrSource *src, const char *name, const char *text, size_t len)
{
    memset(src, 0, sizeof *src);
    if (len > LR_SOURCE_MAX_BYTES)
        return -1;
    size_t bom = bom_length(text, len);
    text += bom;
    len -= bom;
    src->text = malloc(len + 1);
    if (!src->text)
        return -1;
    memcpy(src->text, text, len);
    src->text[len] = '\0';
    src->length = len;
    if (add_first_segment(src, name) < 0) {
        source_free(src);
        return -1;
    }
    return 0;
}

void source_free(LrSource *src)
{
    for (int i = 0; i < src->segment_count; i++)
        free(src->segments[i].name);
    free(src->segments);
    if (src->lines)
        free(src->lines->starts);
    free(src->lines);
    free(src->text);
    memset(src, 0, sizeof *src);
}

int source_append(LrSource *src, const char *name, const char *text, size_t length)
{
    size_t bom = bom_length(text, length);
    text += bom;
    length -= bom;
    size_t offset = src->length + 1; /* after the previous segment's NUL */
    if (length > LR_SOURCE_MAX_BYTES || offset + length > LR_SOURCE_MAX_BYTES)
        return -1;
    char *bigger = realloc(src->text, offset + length + 1);
    if (!bigger)
        return -1;
    src->text = bigger;
    LrSegment *segs = realloc(src->segments, ((size_t)src->segment_count + 1) * sizeof *segs);
    if (!segs)
        return -1;
    src->segments = segs;
    char *copy = malloc(strlen(name) + 1);
    if (!copy)
        return -1;
    strcpy(copy, name);
    memcpy(src->text + offset, text, length);
    src->text[offset + length] = '\0';
    src->length = offset + length;
    LrSegment *seg = &src->segments[src->segment_count++];
    seg->offset = (uint32_t)offset;
    seg->length = (uint32_t)length;
    seg->name = copy;
    src->name = src->segments[0].name;
    return src->segment_count - 1;
}

const LrSegment *source_segment(const LrSource *src, uint32_t offset)
{
    if (src->segment_count == 0)
        return NULL;
    /* The last segment starting at or before offset. */
    int lo = 0, hi = src->segment_count;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (src->segments[mid].offset <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return &src->segments[lo];
}

/* Start and end of the text around offset: its segment, or everything for
 * a source built by hand without segments. */
static void segment_bounds(const LrSource *src, uint32_t offset, size_t *start, size_t *end)
{
    const LrSegment *seg = source_segment(src, offset);
    *start = seg ? seg->offset : 0;
    *end = seg ? (size_t)seg->offset + seg->length : src->length;
}

const char *source_name_at(const LrSource *src, uint32_t offset)
{
    const LrSegment *seg = source_segment(src, offset);
    return seg ? seg->name : src->name;
}

/* Adds the line starts of the segments appended since the last call.
 * Returns -1 when there is no table (out of memory). */
static int lines_extend(const LrSource *src)
{
    LrLineTable *t = src->lines;
    if (!t || src->segment_count == 0)
        return -1;
    for (; t->segments < src->segment_count; t->segments++) {
        const LrSegment *seg = &src->segments[t->segments];
        const char *begin = src->text + seg->offset, *end = begin + seg->length;
        size_t needed = t->count + 1;
        for (const char *p = begin; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
            needed++;
        if (needed > t->capacity) {
            uint32_t *bigger = realloc(t->starts, needed * sizeof *bigger);
            if (!bigger)
                return -1;
            t->starts = bigger;
            t->capacity = needed;
        }
        t->starts[t->count++] = seg->offset;
        for (const char *p = begin; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
            t->starts[t->count++] = (uint32_t)(p + 1 - src->text);
    }
    return 0;
}

/* Index in the table of the line holding offset (the last start <= offset). */
static size_t line_index(const LrLineTable *t, uint32_t offset)
{
    size_t lo = 0, hi = t->count;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void source_position(const LrSource *src, uint32_t offset, int *line, int *col)
{
    if (offset > src->length)
        offset = (uint32_t)src->length;
    size_t start, limit;
    segment_bounds(src, offset, &start, &limit);
    if (lines_extend(src) == 0) {
        size_t here = line_index(src->lines, offset);
        *line = (int)(here - line_index(src->lines, (uint32_t)start)) + 1;
        *col = (int)(offset - src->lines->starts[here]) + 1;
        return;
    }
    /* Without memory for the table: count from the segment's start. */
    int l = 1;
    for (size_t i = start; i < offset; i++) {
        if (src->text[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *col = (int)(offset - start) + 1;
}

const char *source_line(const LrSource *src, uint32_t offset, size_t *length)
{
    if (offset > src->length)
        offset = (uint32_t)src->length;
    size_t first, limit;
    segment_bounds(src, offset, &first, &limit);
    size_t start = offset;
    if (lines_extend(src) == 0)
        start = src->lines->starts[line_index(src->lines, offset)];
    while (start > first && src->text[start - 1] != '\n')
        start--;
    size_t end = offset;
    while (end < limit && src->text[end] != '\n' && src->text[end] != '\r')
        end++;
    *length = end - start;
    return src->text + start;
}
