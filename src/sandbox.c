/* sandbox.c — see sandbox.h. The path checks happen when the file is
 * checked, before anything runs; they cannot see a symlink swapped in
 * between the check and the open. That is the kernel's part: once checked,
 * the run restricts itself with Landlock to the same roots. */
#define _GNU_SOURCE /* realpath, syscall, dl_iterate_phdr */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__linux__) && defined(SYS_landlock_create_ruleset)
#include <linux/landlock.h>
#define HAVE_LANDLOCK 1
#endif

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
        /* The rest, as written but without "." and empty components (so
         * that r/./run.json is r/run.json); what does not exist yet must
         * not climb back out when created. */
        size_t used = (size_t)snprintf(out, PATH_MAX, "%s", strcmp(head, "/") ? head : "");
        for (const char *p = full + (slash - buf) + 1; *p;) {
            size_t n = strcspn(p, "/");
            if (n == 2 && p[0] == '.' && p[1] == '.')
                return false;
            if (n > 0 && !(n == 1 && p[0] == '.')) {
                if (used + 1 + n >= PATH_MAX)
                    return false;
                out[used++] = '/';
                memcpy(out + used, p, n);
                used += n;
                out[used] = '\0';
            }
            p += n + (p[n] == '/');
        }
        if (used == 0)
            strcpy(out, "/");
        return true;
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

static int add(char ***roots, bool **named, int *count, const char *dir, bool by_user)
{
    char **grown = realloc(*roots, ((size_t)*count + 1) * sizeof **roots);
    if (!grown)
        return -1;
    *roots = grown;
    bool *grown_named = realloc(*named, ((size_t)*count + 1) * sizeof **named);
    if (!grown_named)
        return -1;
    *named = grown_named;
    char real[PATH_MAX];
    if (!resolve(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    char *copy = malloc(strlen(real) + 1);
    if (!copy)
        return -1;
    strcpy(copy, real);
    grown_named[*count] = by_user;
    grown[(*count)++] = copy;
    return 0;
}

int sandbox_allow_read(LrSandbox *s, const char *dir, bool named)
{
    return add(&s->read_roots, &s->read_named, &s->read_count, dir, named);
}

int sandbox_allow_write(LrSandbox *s, const char *dir, bool named)
{
    return add(&s->write_roots, &s->write_named, &s->write_count, dir, named);
}

/* The kernel's and the devices' files: what a root the user did not name
 * never reaches, whatever it is (the directory of /dev/stdin is /dev). */
bool sandbox_system_path(const char *real)
{
    return under(real, "/dev") || under(real, "/proc") || under(real, "/sys");
}

/* Whether real lies under one of roots (a system path: under a named one). */
static bool covered(const char *real, char *const *roots, const bool *named, int count)
{
    bool system = sandbox_system_path(real);
    for (int i = 0; i < count; i++)
        if ((named[i] || !system) && under(real, roots[i]))
            return true;
    return false;
}

int sandbox_set_run_dir(LrSandbox *s, const char *dir)
{
    char real[PATH_MAX];
    if (!resolve(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    free(s->run_dir);
    s->run_dir = malloc(strlen(real) + 1);
    if (!s->run_dir)
        return -1;
    strcpy(s->run_dir, real);
    return 0;
}

/* Whether rel, a path inside the run directory, names what lrc writes
 * there: a run file, a sweep's file or run, or a temporary of one
 * (".NAME.tmp.PID", fileio.c). Returns the name, or NULL. */
static const char *run_file(const char *rel)
{
    static const char *const owned[] = {"checkpoint.safetensors", "model.safetensors",
                                        "metrics.csv", "run.json", "sweep.csv", "stdout.txt",
                                        "stderr.txt", NULL};
    size_t first = strcspn(rel, "/");
    for (int i = 0; owned[i]; i++) {
        size_t n = strlen(owned[i]);
        if (first == n && strncmp(rel, owned[i], n) == 0)
            return owned[i];
        if (rel[0] == '.' && strncmp(rel + 1, owned[i], n) == 0 &&
            strncmp(rel + 1 + n, ".tmp.", 5) == 0)
            return owned[i];
    }
    if (strncmp(rel, "run-", 4) == 0 && first > 4 && strspn(rel + 4, "0123456789") == first - 4)
        return "run-NNN";
    return NULL;
}

void sandbox_free(LrSandbox *s)
{
    free(s->run_dir);
    s->run_dir = NULL;
    for (int i = 0; i < s->read_count; i++)
        free(s->read_roots[i]);
    for (int i = 0; i < s->write_count; i++)
        free(s->write_roots[i]);
    free(s->read_roots);
    free(s->write_roots);
    free(s->read_named);
    free(s->write_named);
    s->read_roots = s->write_roots = NULL;
    s->read_named = s->write_named = NULL;
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

/* The path as written, and where it really leads when symlinks or `..`
 * take it elsewhere (/proc/self/cwd/../etc is not /etc), so that the
 * directory the message suggests is plainly that place's. */
static void show_path(const char *path, const char *real, char *out, size_t size)
{
    char cwd[PATH_MAX], plain[2 * PATH_MAX + 2];
    if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
        snprintf(plain, sizeof plain, "%s", path);
    else
        snprintf(plain, sizeof plain, "%s/%s", cwd, path);
    if (strcmp(plain, real) == 0)
        snprintf(out, size, "'%s'", path);
    else
        snprintf(out, size, "'%s' (which is '%s')", path, real);
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
    char dir[PATH_MAX], shown[2 * PATH_MAX + 32];
    suggest_dir(real, dir, sizeof dir);
    show_path(path, real, shown, sizeof shown);
    if (sandbox_system_path(real))
        snprintf(why, why_size,
                 "reading %s is not allowed: /dev, /proc and /sys only with --allow-read "
                 "(allow it with --allow-read %s)",
                 shown, dir);
    else
        snprintf(why, why_size,
                 "reading %s is not allowed: it is outside the experiment's directory, the "
                 "module path and where it may write (allow it with --allow-read %s)",
                 shown, dir);
    return -1;
}

int sandbox_check_write(const LrSandbox *s, const char *path, char *why, size_t why_size)
{
    char real[PATH_MAX];
    if (!resolve(path, real)) {
        snprintf(why, why_size, "writing '%s' is not allowed: its place cannot be resolved", path);
        return -1;
    }
    char dir[PATH_MAX], shown[2 * PATH_MAX + 32];
    size_t run_len = s->run_dir ? strlen(s->run_dir) : 0;
    const char *owned = s->run_dir && strcmp(s->run_dir, "/") != 0 &&
                                under(real, s->run_dir) && real[run_len] == '/'
                            ? run_file(real + run_len + 1)
                            : NULL;
    if (owned) {
        show_path(path, real, shown, sizeof shown);
        snprintf(why, why_size,
                 "writing %s is not allowed: %s in the run directory is lrc's own; save under "
                 "another name",
                 shown, owned);
        return -1;
    }
    if (covered(real, s->write_roots, s->write_named, s->write_count))
        return 0;
    suggest_dir(real, dir, sizeof dir);
    show_path(path, real, shown, sizeof shown);
    snprintf(why, why_size, "writing %s is not allowed: it is outside %s (allow it with "
             "--allow-write %s)",
             shown, s->write_place ? s->write_place : "the experiment's directory", dir);
    return -1;
}

/* ======================================================================
 * The kernel's enforcement: Landlock
 * ====================================================================== */

/* Set once this process has restricted itself (messages say so). */
static const LrSandbox *enforced;

static int check_either(const LrSandbox *s, const char *path, bool write, char *why,
                        size_t why_size)
{
    return write ? sandbox_check_write(s, path, why, why_size)
                 : sandbox_check_read(s, path, why, why_size);
}

const char *sandbox_strerror(const char *path, int err, bool write)
{
    static char text[2 * PATH_MAX + 300];
    char why[2 * PATH_MAX + 200];
    if (!enforced || err != EACCES ||
        check_either(enforced, path, write, why, sizeof why) == 0)
        return strerror(err);
    /* Allowed when checked, refused now: the path was changed meanwhile. */
    snprintf(text, sizeof text, "refused by the kernel (Landlock): %s", why);
    return text;
}

#ifndef LRC_BLAS_LIBDIR
#define LRC_BLAS_LIBDIR "/usr/lib" /* builds that load no BLAS (the fuzzers) */
#endif

#ifdef HAVE_LANDLOCK
/* Access rights newer than the oldest <linux/landlock.h> (ABI 1 and 2). */
#define FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define NET_BIND_TCP (1ULL << 0)  /* ABI 4 */
#define NET_CONNECT_TCP (1ULL << 1)
#define SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define SCOPE_SIGNAL (1ULL << 1)

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE                                                                               \
    (FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_FILE |                \
     LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | \
     FS_TRUNCATE)
/* The rights that apply to a file, not only to a directory. */
#define FS_FILE_RIGHTS                                                                         \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
     FS_TRUNCATE | FS_IOCTL_DEV)

/* struct landlock_ruleset_attr as of ABI 6; older kernels get a prefix. */
typedef struct RulesetAttr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
} RulesetAttr;

typedef struct Rules {
    int fd;
    uint64_t handled; /* the file-system rights this kernel knows */
    int error;        /* errno of the first rule that failed, or 0 */
} Rules;

/* Allows access below path (on path itself, if it is a file). A path that
 * does not exist allows nothing and is no error: nothing can be there. */
static void allow(Rules *r, const char *path, uint64_t access)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        access &= FS_FILE_RIGHTS;
    struct landlock_path_beneath_attr rule = {.allowed_access = access & r->handled,
                                              .parent_fd = fd};
    if (rule.allowed_access &&
        syscall(SYS_landlock_add_rule, r->fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0 &&
        !r->error)
        r->error = errno;
    close(fd);
}

/* What the process itself needs after restriction: its binary and shared
 * libraries (and their directories, where dlopen finds OpenBLAS's
 * dependencies), executable so that a sweep can start runs. */
static int allow_loaded(struct dl_phdr_info *info, size_t size, void *ctx)
{
    (void)size;
    Rules *r = ctx;
    char real[PATH_MAX];
    if (!info->dlpi_name || !info->dlpi_name[0] || !realpath(info->dlpi_name, real))
        return 0;
    allow(r, real, LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_EXECUTE);
    char *slash = strrchr(real, '/');
    if (slash && slash != real) {
        *slash = '\0';
        allow(r, real, LANDLOCK_ACCESS_FS_READ_FILE);
    }
    return 0;
}

static void allow_process(Rules *r)
{
    char exe[PATH_MAX];
    if (realpath("/proc/self/exe", exe))
        allow(r, exe, LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_EXECUTE);
    dl_iterate_phdr(allow_loaded, r);
    /* OpenBLAS is loaded when the plan finds a product for it, after this. */
    allow(r, LRC_BLAS_LIBDIR, LANDLOCK_ACCESS_FS_READ_FILE);
    char blas[PATH_MAX];
    if (realpath(LRC_BLAS_LIBDIR "/libopenblas.so.0", blas)) {
        char *slash = strrchr(blas, '/');
        *slash = '\0';
        allow(r, blas, LANDLOCK_ACCESS_FS_READ_FILE);
    }
    allow(r, "/etc/ld.so.cache", LANDLOCK_ACCESS_FS_READ_FILE);
    allow(r, "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE);
    /* The number of cores (sysconf, OpenBLAS) comes from here. */
    allow(r, "/sys/devices/system/cpu", FS_READ);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LRC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LRC_SANITIZED 1
#endif
#endif
#ifdef LRC_SANITIZED
    /* The sanitizers read /proc/self (maps, threads) to report. */
    allow(r, "/proc", FS_READ);
#endif
}

int sandbox_ruleset(const LrSandbox *s, const char *extra_write, char *why, size_t why_size)
{
    why[0] = '\0';
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1)
        return -1; /* ENOSYS, EOPNOTSUPP: this kernel has none, or it is off */
    RulesetAttr attr = {0};
    size_t attr_size = sizeof attr.handled_access_fs;
    attr.handled_access_fs = (1ULL << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
    if (abi >= 2)
        attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        attr.handled_access_fs |= FS_TRUNCATE;
    if (abi >= 4) {
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP; /* no network at all */
        attr_size = 2 * sizeof(uint64_t);
    }
    if (abi >= 5)
        attr.handled_access_fs |= FS_IOCTL_DEV;
    if (abi >= 6) {
        attr.scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
        attr_size = sizeof attr;
    }
    Rules r = {(int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0),
               attr.handled_access_fs, 0};
    if (r.fd < 0) {
        snprintf(why, why_size, "cannot create a Landlock ruleset: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < s->read_count; i++)
        allow(&r, s->read_roots[i], FS_READ);
    for (int i = 0; i < s->write_count; i++)
        allow(&r, s->write_roots[i], FS_WRITE);
    if (extra_write)
        allow(&r, extra_write, FS_WRITE);
    allow_process(&r);
    if (r.error) {
        snprintf(why, why_size, "cannot add a Landlock rule: %s", strerror(r.error));
        close(r.fd);
        return -1;
    }
    return r.fd;
}

int sandbox_restrict(int ruleset)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
        return -1;
    return 0;
}
#else
int sandbox_ruleset(const LrSandbox *s, const char *extra_write, char *why, size_t why_size)
{
    (void)s;
    (void)extra_write;
    why[0] = '\0';
    return -1;
}

int sandbox_restrict(int ruleset)
{
    (void)ruleset;
    errno = ENOSYS;
    return -1;
}
#endif

int sandbox_enforce(const LrSandbox *s, char *why, size_t why_size)
{
    int ruleset = sandbox_ruleset(s, NULL, why, why_size);
    if (ruleset < 0)
        return why[0] ? -1 : 0;
    int failed = sandbox_restrict(ruleset);
    int saved = errno;
    close(ruleset);
    if (failed) {
        snprintf(why, why_size, "cannot restrict the process with Landlock: %s", strerror(saved));
        return -1;
    }
    enforced = s;
    return 1;
}
