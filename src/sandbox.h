/* sandbox.h — what an experiment file may touch. An .lr file is something
 * people download and run, so by default it may read only below its own
 * directory and the module directories (the stdlib, LRC_PATH), and write
 * only inside the run directory (--out) or, without one, below the current
 * directory. Paths are compared after resolving symlinks and `..`, so
 * neither escapes. --allow-read DIR and --allow-write DIR widen it. */
#ifndef LR_SANDBOX_H
#define LR_SANDBOX_H
#include <stddef.h>

typedef struct LrSandbox {
    char **read_roots;  /* real paths; the array and its strings owned */
    int read_count;
    char **write_roots;
    int write_count;
    const char *write_place; /* "the run directory" or "the current directory", for messages */
} LrSandbox;

/* Adds a directory (resolved to its real path; a directory that does not
 * exist yet is resolved through its nearest existing ancestor). Returns 0,
 * or -1 when out of memory. */
int sandbox_allow_read(LrSandbox *s, const char *dir);
int sandbox_allow_write(LrSandbox *s, const char *dir);
void sandbox_free(LrSandbox *s);

/* 0 when path may be read (written); otherwise -1 and a one-line reason
 * that names the flag allowing it. */
int sandbox_check_read(const LrSandbox *s, const char *path, char *why, size_t why_size);
int sandbox_check_write(const LrSandbox *s, const char *path, char *why, size_t why_size);

#endif
