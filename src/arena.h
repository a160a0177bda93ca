/* arena.h — bump allocator for the compile arena (AST, Spec, strings) and the
 * run arena (every buffer the Plan sizes). Objects are never freed one by one;
 * arena_free releases everything at once. */
#ifndef LR_ARENA_H
#define LR_ARENA_H
#include <stddef.h>

typedef struct LrArenaBlock LrArenaBlock;
typedef struct LrArena {
    LrArenaBlock *head;
    size_t total; /* bytes handed out, for resource reports */
} LrArena;

/* Returns zeroed memory aligned for any type, or NULL when the system is out
 * of memory or size overflows; callers report the failure. */
void *arena_alloc(LrArena *a, size_t size);
/* arena_alloc for count elements of size bytes, with overflow checking. */
void *arena_array(LrArena *a, size_t count, size_t size);
/* Copies len bytes of s into the arena and NUL-terminates them. */
char *arena_strndup(LrArena *a, const char *s, size_t len);
void arena_free(LrArena *a);

#endif
