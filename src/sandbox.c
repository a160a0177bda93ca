/* sandbox.c — see sandbox.h. Checks happen when the file is checked,
 * before anything runs; a file swapped for a symlink between the check and
 * the open is outside what this guards against (the user's own files). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "sandbox.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The real path of path, which may not exist yet: its nearest existing
 * ancestor resolved, the rest appended as written (without `..`, which
 * could climb back out once created). Returns false when that fails. */
static bool resolve(const char *path, char *out)
{
    char full[PATH_MAX], buf[PATH_MAX];
    if (path[0] == '/') {
        if (snprintf(full, sizeof full, "%s", path) >= (int)sizeof full)
            return false;
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) ||
            snprintf(full, sizeof full, "%s/%s", cwd, path) >= (int)sizeof full)
            return false;
    }
    if (realpath(full, out))
        return true;
    strcpy(buf, full);
    for (char *slash = strrchr(buf, '/'); slash && slash > buf; slash = strrchr(buf, '/')) {
        *slash = '\0';
        char head[PATH_MAX];
        if (!realpath(buf, head))
            continue;
        const char *rest = full + (slash - buf) + 1;
        /* What does not exist yet must not climb back out when created. */
        for (const char *p = rest; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p))
            if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
                return false;
        return snprintf(out, PATH_MAX, "%s/%s", strcmp(head, "/") ? head : "", rest) < PATH_MAX;
    }
    return false;
}

/* path under root (or equal), on a component boundary. */
static bool under(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (strcmp(root, "/") == 0)
        return true;
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int add(char **roots, bool *named, int *count, const char *dir, bool by_user)
{
    if (*count == SANDBOX_MAX_ROOTS)
        return -1;
    char real[PATH_MAX];
    if (!resolve(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    char *copy = malloc(strlen(real) + 1);
    if (!copy)
        return -1;
    strcpy(copy, real);
    named[*count] = by_user;
    roots[(*count)++] = copy;
    return 0;
}

int sandbox_allow_read(LrSandbox *s, const char *dir, bool named)
{
    return add(s->read_roots, s->read_named, &s->read_count, dir, named);
}

int sandbox_allow_write(LrSandbox *s, const char *dir, bool named)
{
    return add(s->write_roots, s->write_named, &s->write_count, dir, named);
}

/* The kernel's and the devices' files: what a root the user did not name
 * never reaches, whatever it is (the directory of /dev/stdin is /dev). */
static bool system_path(const char *real)
{
    return under(real, "/dev") || under(real, "/proc") || under(real, "/sys");
}

/* Whether real lies under one of roots (a system path: under a named one). */
static bool covered(const char *real, char *const *roots, const bool *named, int count)
{
    bool system = system_path(real);
    for (int i = 0; i < count; i++)
        if ((named[i] || !system) && under(real, roots[i]))
            return true;
    return false;
}

void sandbox_free(LrSandbox *s)
{
    for (int i = 0; i < s->read_count; i++)
        free(s->read_roots[i]);
    for (int i = 0; i < s->write_count; i++)
        free(s->write_roots[i]);
    s->read_count = s->write_count = 0;
}

/* The directory to name in the flag: the file's own directory. */
static void suggest_dir(const char *real, char *out, size_t size)
{
    const char *slash = strrchr(real, '/');
    if (!slash || slash == real)
        snprintf(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - real), real);
}

int sandbox_check_read(const LrSandbox *s, const char *path, char *why, size_t why_size)
{
    char real[PATH_MAX];
    if (!resolve(path, real)) {
        snprintf(why, why_size, "reading '%s' is not allowed: its place cannot be resolved", path);
        return -1;
    }
    if (covered(real, s->read_roots, s->read_named, s->read_count) ||
        covered(real, s->write_roots, s->write_named, s->write_count))
        return 0; /* what a run may write, it may read back */
    char dir[PATH_MAX];
    suggest_dir(real, dir, sizeof dir);
    if (system_path(real))
        snprintf(why, why_size,
                 "reading '%s' is not allowed: /dev, /proc and /sys only with --allow-read "
                 "(allow it with --allow-read %s)",
                 path, dir);
    else
        snprintf(why, why_size,
                 "reading '%s' is not allowed: it is outside the experiment's directory, the "
                 "module path and where it may write (allow it with --allow-read %s)",
                 path, dir);
    return -1;
}

int sandbox_check_write(const LrSandbox *s, const char *path, char *why, size_t why_size)
{
    char real[PATH_MAX];
    if (!resolve(path, real)) {
        snprintf(why, why_size, "writing '%s' is not allowed: its place cannot be resolved", path);
        return -1;
    }
    if (covered(real, s->write_roots, s->write_named, s->write_count))
        return 0;
    char dir[PATH_MAX];
    suggest_dir(real, dir, sizeof dir);
    snprintf(why, why_size, "writing '%s' is not allowed: it is outside %s (allow it with "
             "--allow-write %s)",
             path, s->write_place ? s->write_place : "the current directory", dir);
    return -1;
}
