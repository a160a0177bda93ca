/* arena.c — see arena.h. Blocks grow geometrically; large requests get a
 * block of their own. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct LrArenaBlock {
    LrArenaBlock *next;
    size_t size, used;
    max_align_t data[];
};

enum { ARENA_MIN_BLOCK = 64 * 1024 };

void *arena_alloc(LrArena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    LrArenaBlock *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t want = b ? b->size * 2 : ARENA_MIN_BLOCK;
        if (want < size)
            want = size;
        b = malloc(sizeof *b + want);
        if (!b)
            return NULL;
        b->size = want;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

void *arena_array(LrArena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return arena_alloc(a, count * size);
}

char *arena_strndup(LrArena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void arena_free(LrArena *a)
{
    LrArenaBlock *b = a->head;
    while (b) {
        LrArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
