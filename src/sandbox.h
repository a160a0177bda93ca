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

typedef struct LrSandbox {
    char **read_roots;  /* real paths; the array and its strings owned */
    bool *read_named;   /* named by the user (reaches /dev, /proc, /sys) */
    int read_count;
    char **write_roots;
    bool *write_named;
    int write_count;
    const char *write_place; /* "the run directory" or "the current directory", for messages */
    char *run_dir;           /* real path of --out/--resume DIR, owned; NULL without one */
} LrSandbox;

/* Adds a directory (resolved to its real path; a directory that does not
 * exist yet is resolved through its nearest existing ancestor); named: the
 * user gave it on the command line. Returns 0, or -1 when out of
 * memory. */
int sandbox_allow_read(LrSandbox *s, const char *dir, bool named);
int sandbox_allow_write(LrSandbox *s, const char *dir, bool named);
/* Names dir as the run directory: its files (checkpoint.safetensors,
 * model.safetensors, metrics.csv, run.json, a sweep's sweep.csv, run-NNN/,
 * stdout.txt, stderr.txt, and their temporary names) are lrc's, never a
 * `save` target. Returns 0, or -1 when out of memory. */
int sandbox_set_run_dir(LrSandbox *s, const char *dir);
void sandbox_free(LrSandbox *s);
/* Whether real (a resolved path) lies under /dev, /proc or /sys: the
 * kernel's and the devices' files, reached only through a named root. */
bool sandbox_system_path(const char *real);

/* 0 when path may be read (written); otherwise -1 and a one-line reason
 * that names the flag allowing it. */
int sandbox_check_read(const LrSandbox *s, const char *path, char *why, size_t why_size);
int sandbox_check_write(const LrSandbox *s, const char *path, char *why, size_t why_size);

/* The kernel's enforcement, Linux's Landlock (its ABI found at run time):
 * after the checks, the run restricts itself to reading below the read
 * roots, reading and writing below the write roots, and what the process
 * needs itself (its binary and libraries, executable; OpenBLAS's
 * directory; /dev/null; /sys/devices/system/cpu); no TCP, no signals or
 * abstract sockets out of the process's domain. Child processes inherit
 * it. Roots must exist by then: one that does not allows nothing. */

/* A ruleset fd for s (plus extra_write, may be NULL), or -1: with why
 * empty when the kernel has no Landlock, else why says what failed. */
int sandbox_ruleset(const LrSandbox *s, const char *extra_write, char *why, size_t why_size);
/* Restricts the calling process with a ruleset (no_new_privs first).
 * Async-signal-safe: a forked child may call it before exec. 0 or -1. */
int sandbox_restrict(int ruleset);
/* Both, for this process: 1 when restricted, 0 when Landlock is missing,
 * -1 (why says) when it failed. Afterwards sandbox_strerror knows. */
int sandbox_enforce(const LrSandbox *s, char *why, size_t why_size);
/* strerror(err) for an open of path that failed, unless the kernel refused
 * it because path no longer resolves inside the sandbox (a symlink swapped
 * after the check): then that, with the check's reason. Static text. */
const char *sandbox_strerror(const char *path, int err, bool write);

#endif
