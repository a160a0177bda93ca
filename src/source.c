/* source.c — see source.h. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int source_read(LrSource *src, const char *path, char *why, size_t why_size)
{
    memset(src, 0, sizeof *src);
    FILE *f = fopen(path, "rb");
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
    buf[len] = '\0';
    src->name = path;
    src->text = buf;
    src->length = len;
    return 0;
}

int source_from_string(LrSource *src, const char *name, const char *text)
{
    memset(src, 0, sizeof *src);
    size_t len = strlen(text);
    src->text = malloc(len + 1);
    if (!src->text)
        return -1;
    memcpy(src->text, text, len + 1);
    src->name = name;
    src->length = len;
    return 0;
}

void source_free(LrSource *src)
{
    free(src->text);
    src->text = NULL;
    src->length = 0;
}

void source_position(const LrSource *src, uint32_t offset, int *line, int *col)
{
    if (offset > src->length)
        offset = (uint32_t)src->length;
    int l = 1;
    size_t start = 0;
    for (size_t i = 0; i < offset; i++) {
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
    size_t start = offset;
    while (start > 0 && src->text[start - 1] != '\n')
        start--;
    size_t end = offset;
    while (end < src->length && src->text[end] != '\n' && src->text[end] != '\r')
        end++;
    *length = end - start;
    return src->text + start;
}
