/* sandbox.h — what an experiment file may touch. An .lr file is something
 * people download and run, so by default it may read only below its own
 * directory and the module directories (the stdlib, LRC_PATH), and write
 * only inside the run directory (--out) or, without one, below its own
 * directory; what it may write it may read back. Paths are compared after resolving symlinks and `..`, so
 * neither escapes. --allow-read DIR and --allow-write DIR widen it.
 * /dev, /proc and /sys are reachable only through a root the user named
 * (--allow-read, --allow-write, --out), never through the file's own
 * directory: an experiment read from /dev/stdin must not open /dev. */
#ifndef LR_SANDBOX_H
#define LR_SANDBOX_H
#include <stdbool.h>
#include <stddef.h>

#define SANDBOX_MAX_ROOTS 64

typedef struct LrSandbox {
    char *read_roots[SANDBOX_MAX_ROOTS];  /* real paths, owned */
    bool read_named[SANDBOX_MAX_ROOTS];   /* named by the user (reaches /dev, /proc, /sys) */
    int read_count;
    char *write_roots[SANDBOX_MAX_ROOTS];
    bool write_named[SANDBOX_MAX_ROOTS];
    int write_count;
    const char *write_place; /* "the run directory" or "the current directory", for messages */
} LrSandbox;

/* Adds a directory (resolved to its real path; a directory that does not
 * exist yet is resolved through its nearest existing ancestor); named: the
 * user gave it on the command line. Returns 0, or -1 when out of room or
 * memory. */
int sandbox_allow_read(LrSandbox *s, const char *dir, bool named);
int sandbox_allow_write(LrSandbox *s, const char *dir, bool named);
void sandbox_free(LrSandbox *s);

/* 0 when path may be read (written); otherwise -1 and a one-line reason
 * that names the flag allowing it. */
int sandbox_check_read(const LrSandbox *s, const char *path, char *why, size_t why_size);
int sandbox_check_write(const LrSandbox *s, const char *path, char *why, size_t why_size);

#endif
