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

static int add(char ***roots, int *count, const char *dir)
{
    char **grown = realloc(*roots, ((size_t)*count + 1) * sizeof **roots);
    if (!grown)
        return -1;
    *roots = grown;
    char real[PATH_MAX];
    if (!resolve(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    char *copy = malloc(strlen(real) + 1);
    if (!copy)
        return -1;
    strcpy(copy, real);
    grown[(*count)++] = copy;
    return 0;
}

int sandbox_allow_read(LrSandbox *s, const char *dir)
{
    return add(&s->read_roots, &s->read_count, dir);
}

int sandbox_allow_write(LrSandbox *s, const char *dir)
{
    return add(&s->write_roots, &s->write_count, dir);
}

void sandbox_free(LrSandbox *s)
{
    for (int i = 0; i < s->read_count; i++)
        free(s->read_roots[i]);
    for (int i = 0; i < s->write_count; i++)
        free(s->write_roots[i]);
    free(s->read_roots);
    free(s->write_roots);
    s->read_roots = s->write_roots = NULL;
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
    for (int i = 0; i < s->read_count; i++)
        if (under(real, s->read_roots[i]))
            return 0;
    for (int i = 0; i < s->write_count; i++)
        if (under(real, s->write_roots[i]))
            return 0; /* what a run may write, it may read back */
    char dir[PATH_MAX];
    suggest_dir(real, dir, sizeof dir);
    snprintf(why, why_size,
             "reading '%s' is not allowed: it is outside the experiment's directory and the "
             "module path (allow it with --allow-read %s)",
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
    for (int i = 0; i < s->write_count; i++)
        if (under(real, s->write_roots[i]))
            return 0;
    char dir[PATH_MAX];
    suggest_dir(real, dir, sizeof dir);
    snprintf(why, why_size, "writing '%s' is not allowed: it is outside %s (allow it with "
             "--allow-write %s)",
             path, s->write_place ? s->write_place : "the current directory", dir);
    return -1;
}
