/* fileio.c — whole-file input and output for the reports and weights:
 * atomic writes (temporary file, fsync, rename, fsync of the directory),
 * mkdir -p, bounded whole-file reads, and the growable buffer the writers
 * build their contents in. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "sandbox.h"

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void fileio_why(char *why, size_t why_size, const char *fmt, ...)
{
    if (!why || why_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_size, fmt, ap);
    va_end(ap);
}

/* ======================================================================
 * Buffer
 * ====================================================================== */

/* Makes room for extra more bytes plus a NUL; 0 or -1 (failed set). */
static int buffer_reserve(LrBuffer *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra >= (size_t)-1 - b->length) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->length + extra + 1;
    if (need <= b->capacity)
        return 0;
    size_t cap = b->capacity ? b->capacity : 256;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->capacity = cap;
    return 0;
}

void buffer_append(LrBuffer *b, const void *data, size_t size)
{
    if (buffer_reserve(b, size) != 0)
        return;
    if (size > 0)
        memcpy(b->data + b->length, data, size);
    b->length += size;
    b->data[b->length] = '\0';
}

void buffer_printf(LrBuffer *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    /* Format into the spare room first; only if it did not fit, grow to
     * the exact size vsnprintf reported and format again. */
    size_t room = b->capacity > b->length ? b->capacity - b->length : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room ? b->data + b->length : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n >= room) {
        if (buffer_reserve(b, (size_t)n) != 0)
            return;
        va_start(ap, fmt);
        vsnprintf(b->data + b->length, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->length += (size_t)n;
}

void buffer_shell_word(LrBuffer *b, const char *text)
{
    const char *plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@%";
    if (*text && text[strspn(text, plain)] == '\0') {
        buffer_append(b, text, strlen(text));
        return;
    }
    buffer_append(b, "'", 1);
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            buffer_append(b, "'\\''", 4); /* close, an escaped quote, reopen */
        else
            buffer_append(b, p, 1);
    }
    buffer_append(b, "'", 1);
}

void buffer_free(LrBuffer *b)
{
    free(b->data);
    b->data = NULL;
    b->length = b->capacity = 0;
    b->failed = 0;
}

/* ======================================================================
 * Atomic write
 * ====================================================================== */

/* Writes all of data, retrying short writes and interruptions. */
static int write_all(int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) { /* not expected from a regular file; avoid spinning */
            errno = EIO;
            return -1;
        }
        data += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Makes the rename itself durable. Some file systems refuse fsync on a
 * directory (EINVAL); the file's own bytes are already on disk by then and
 * the target has been replaced, so this cannot fail the write. */
static void fsync_directory(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    while (fsync(fd) != 0 && errno == EINTR)
        ;
    close(fd);
}

void file_stream_abort(LrFileStream *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        unlink(f->tmp);
    }
    free(f->tmp);
    free(f->dir);
    f->tmp = f->dir = NULL;
    f->fd = -1;
}

int file_stream_open(LrFileStream *f, const char *path, char *why, size_t why_size)
{
    f->fd = -1;
    f->path = path;
    f->tmp = f->dir = NULL;
    /* The temporary file must be in the target's directory: rename is
     * atomic only within one file system. */
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0; /* keeps the '/' */
    const char *base = path + dir_len;
    if (*base == '\0') {
        fileio_why(why, why_size, "cannot write '%s': %s", path, strerror(EISDIR));
        return -1;
    }
    size_t tmp_size = strlen(path) + 32;
    f->tmp = malloc(tmp_size);
    f->dir = malloc(dir_len + 2);
    if (!f->tmp || !f->dir) {
        file_stream_abort(f);
        fileio_why(why, why_size, "cannot write '%s': %s", path, strerror(ENOMEM));
        return -1;
    }
    snprintf(f->tmp, tmp_size, "%.*s.%s.tmp.%ld", (int)dir_len, path, base, (long)getpid());
    if (dir_len == 0)
        strcpy(f->dir, ".");
    else if (dir_len == 1)
        strcpy(f->dir, "/");
    else
        snprintf(f->dir, dir_len, "%.*s", (int)(dir_len - 1), path);

    /* O_EXCL: never write through a symlink or into someone else's file.
     * A leftover with our pid can only come from an earlier process that
     * died mid-write, so it is removed and the open retried once. */
    f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (f->fd < 0 && errno == EEXIST && unlink(f->tmp) == 0)
        f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (f->fd < 0) {
        fileio_why(why, why_size, "cannot write '%s': %s", path,
                   sandbox_strerror(f->tmp, errno, true));
        file_stream_abort(f);
        return -1;
    }
    return 0;
}

int file_stream_write(LrFileStream *f, const void *data, size_t size, char *why,
                      size_t why_size)
{
    if (write_all(f->fd, data, size) == 0)
        return 0;
    fileio_why(why, why_size, "cannot write '%s': %s", f->path, strerror(errno));
    file_stream_abort(f);
    return -1;
}

/* The end of an atomic write, flushed to disk (durable) or not. */
static int stream_commit(LrFileStream *f, int durable, char *why, size_t why_size)
{
    int failed = 0;
    if (durable) {
        int r;
        while ((r = fsync(f->fd)) != 0 && errno == EINTR)
            ;
        failed = r != 0;
    }
    int saved = errno;
    /* close can report a deferred write error (NFS), so it is checked. */
    if (close(f->fd) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    f->fd = -1;
    if (!failed && rename(f->tmp, f->path) != 0) {
        failed = 1;
        saved = errno;
    }
    if (failed) {
        unlink(f->tmp);
        fileio_why(why, why_size, "cannot write '%s': %s", f->path, strerror(saved));
    } else if (durable) {
        fsync_directory(f->dir);
    }
    file_stream_abort(f);
    return failed ? -1 : 0;
}

int file_stream_commit(LrFileStream *f, char *why, size_t why_size)
{
    return stream_commit(f, 1, why, why_size);
}

/* The atomic write, flushed to disk (durable) or not. */
static int write_atomic(const char *path, const void *data, size_t size, int durable, char *why,
                        size_t why_size)
{
    LrFileStream f;
    if (file_stream_open(&f, path, why, why_size) < 0 ||
        file_stream_write(&f, data, size, why, why_size) < 0)
        return -1;
    return stream_commit(&f, durable, why, why_size);
}

int file_write_atomic(const char *path, const void *data, size_t size, char *why, size_t why_size)
{
    return write_atomic(path, data, size, 1, why, why_size);
}

int file_write_unsynced(const char *path, const void *data, size_t size, char *why,
                        size_t why_size)
{
    return write_atomic(path, data, size, 0, why, why_size);
}

/* ======================================================================
 * A file written a piece at a time (metrics.csv)
 * ====================================================================== */

int file_open_append(const char *path, char *why, size_t why_size)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        fileio_why(why, why_size, "cannot write '%s': %s", path,
                   sandbox_strerror(path, errno, true));
    return fd;
}

int file_append(int fd, const void *data, size_t size, char *why, size_t why_size)
{
    if (write_all(fd, data, size) == 0)
        return 0;
    fileio_why(why, why_size, "%s", strerror(errno));
    return -1;
}

int file_sync(int fd, char *why, size_t why_size)
{
    int r;
    while ((r = fsync(fd)) != 0 && errno == EINTR)
        ;
    if (r != 0)
        fileio_why(why, why_size, "%s", strerror(errno));
    return r != 0 ? -1 : 0;
}

/* ======================================================================
 * Directories and reading
 * ====================================================================== */

int file_make_dirs(const char *path, char *why, size_t why_size)
{
    size_t len = strlen(path);
    char *p = malloc(len + 1);
    if (!p) {
        fileio_why(why, why_size, "cannot create directory '%s': %s", path, strerror(ENOMEM));
        return -1;
    }
    memcpy(p, path, len + 1);
    /* Each prefix ending before a '/' in turn, then the whole path; an
     * existing prefix is fine as long as it is a directory. */
    for (size_t i = 1; i <= len; i++) {
        if (i < len && p[i] != '/')
            continue;
        if (i < len && p[i - 1] == '/') /* "a//b" */
            continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0) {
            int err = errno;
            struct stat st;
            if (err == EEXIST && stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                p[i] = saved;
                continue;
            }
            /* Something is there: say what, a symlink's target too (a
             * dangling one made mkdir say EEXIST and stat ENOENT). */
            char target[PATH_MAX];
            ssize_t n = err == EEXIST ? readlink(p, target, sizeof target - 1) : -1;
            if (n >= 0) {
                target[n] = '\0';
                fileio_why(why, why_size,
                           "cannot create directory '%s': it is a symbolic link to '%s', %s", p,
                           target, stat(p, &st) != 0 ? "which does not exist" : "not a directory");
            } else {
                fileio_why(why, why_size, "cannot create directory '%s': %s", p,
                           err == EEXIST ? "it exists and is not a directory" : strerror(err));
            }
            free(p);
            return -1;
        }
        p[i] = saved;
    }
    free(p);
    return 0;
}

static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode)    ? "a directory"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a plain file";
}

int file_open_regular(const char *path, char *why, size_t why_size)
{
    /* O_NONBLOCK: opening a FIFO with no writer would wait for one. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        /* Names a refusal by the kernel's sandbox as such (sandbox.h). */
        fileio_why(why, why_size, "%s", sandbox_strerror(path, errno, false));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        fileio_why(why, why_size, "%s", strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        fileio_why(why, why_size, "it is %s, not a regular file", file_kind(st.st_mode));
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        fileio_why(why, why_size, "%s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

char *file_read_all(const char *path, size_t max, size_t *size, char *why, size_t why_size)
{
    if (max > (size_t)-1 - 2)
        max = (size_t)-1 - 2; /* room for the NUL, and no overflow below */
    char reason[256];
    int fd = file_open_regular(path, reason, sizeof reason);
    if (fd < 0) {
        fileio_why(why, why_size, "cannot read '%s': %s", path, reason);
        return NULL;
    }
    /* A regular file's size is known up front, so a file over the limit is
     * refused before any memory is spent on it (it may still grow while
     * read: the loop checks again). */
    struct stat st;
    size_t cap = max < 65536 ? max + 1 : 65536;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if ((uintmax_t)st.st_size > max) {
            fileio_why(why, why_size, "'%s' is too large (%jd bytes, limit %zu)", path,
                       (intmax_t)st.st_size, max);
            close(fd);
            return NULL;
        }
        cap = (size_t)st.st_size + 1;
    }
    char *buf = malloc(cap);
    size_t len = 0;
    int err = buf ? 0 : ENOMEM, too_large = 0;
    while (!err) {
        ssize_t n;
        if (len == cap - 1) {
            /* Full: probe for the end first, so that a regular file of the
             * size fstat reported is not copied into a bigger buffer. */
            char c;
            n = read(fd, &c, 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                err = n < 0 ? errno : 0;
                break;
            }
            if (len >= max) {
                too_large = 1;
                break;
            }
            size_t next = cap - 1 > max / 2 ? max + 1 : cap * 2;
            char *p = realloc(buf, next);
            if (!p) {
                err = ENOMEM;
                break;
            }
            buf = p;
            cap = next;
            buf[len++] = c;
            continue;
        }
        n = read(fd, buf + len, cap - 1 - len);
        if (n < 0) {
            if (errno != EINTR)
                err = errno;
            continue;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (err || too_large) {
        if (too_large)
            fileio_why(why, why_size, "'%s' is too large (more than %zu bytes)", path, max);
        else
            fileio_why(why, why_size, "cannot read '%s': %s", path, strerror(err));
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    if (size)
        *size = len;
    return buf;
}
