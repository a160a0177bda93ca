/* fileio.h — files written whole and atomically: the bytes go to a
 * temporary file in the same directory, which is flushed to disk and then
 * renamed over the target. A crash or a full disk never leaves a
 * half-written file and never damages the previous version. */
#ifndef LR_FILEIO_H
#define LR_FILEIO_H
#include <stddef.h>

/* A growable byte buffer for building a file's contents (run.json,
 * metrics.csv, safetensors). Start from {0}. Functions set failed on out of
 * memory and then do nothing; the write reports it. While not failed, data
 * (once allocated) has a NUL after its length bytes. */
typedef struct LrBuffer {
    char *data;
    size_t length, capacity;
    int failed;
} LrBuffer;

void buffer_append(LrBuffer *b, const void *data, size_t size);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void buffer_printf(LrBuffer *b, const char *fmt, ...);
void buffer_free(LrBuffer *b);
/* Appends text as one POSIX shell word: as it is when it is made of
 * characters no shell treats specially, else in single quotes. */
void buffer_shell_word(LrBuffer *b, const char *text);

/* Writes size bytes to path atomically. Returns 0, or -1 with a one-line
 * reason in why (e.g. "cannot write 'out/run.json': No space left on
 * device"); the target is then untouched and no temporary file remains. */
int file_write_atomic(const char *path, const void *data, size_t size, char *why, size_t why_size);

/* As file_write_atomic (a reader sees the old or the new file whole),
 * without flushing to disk: after a crash the file may be empty or the
 * old one. For a file that a later flush (file_sync) makes durable. */
int file_write_unsynced(const char *path, const void *data, size_t size, char *why,
                        size_t why_size);

/* An atomic write of a file too large to build in memory (predict's
 * output): the pieces go to the temporary file as they come; commit
 * flushes and renames it over path, abort removes it. open, write and
 * commit return 0, or -1 with a one-line reason, the temporary file
 * removed. path must outlive the stream. */
typedef struct LrFileStream {
    int fd; /* -1 once committed or aborted */
    const char *path;
    char *tmp, *dir;
} LrFileStream;
int file_stream_open(LrFileStream *f, const char *path, char *why, size_t why_size);
int file_stream_write(LrFileStream *f, const void *data, size_t size, char *why,
                      size_t why_size);
int file_stream_commit(LrFileStream *f, char *why, size_t why_size);
/* Safe after any of the above, and more than once. */
void file_stream_abort(LrFileStream *f);

/* A file that grows a piece at a time: opened for appending (never
 * through a symlink), appended to without a flush, flushed by file_sync
 * when what it holds must survive a crash. -1 with the reason alone in
 * why (file_open_append: the whole message). */
int file_open_append(const char *path, char *why, size_t why_size);
int file_append(int fd, const void *data, size_t size, char *why, size_t why_size);
int file_sync(int fd, char *why, size_t why_size);

/* Creates directory path (and missing parents) with mode 0777 & ~umask.
 * Returns 0 if it exists afterwards, else -1 with a reason. */
int file_make_dirs(const char *path, char *why, size_t why_size);

/* Opens path for reading only if it is a regular file: a FIFO would block
 * the open or the reads, a device (/dev/zero) never ends, a directory has
 * no bytes. Every input lrc reads by name (data, modules, weights,
 * checkpoints) goes through here. Returns a blocking descriptor, or -1
 * with the reason alone in why ("No such file or directory", "it is a
 * FIFO, not a regular file"). */
int file_open_regular(const char *path, char *why, size_t why_size);

/* Reads a whole regular file (at most max bytes) into a malloc'd buffer with a NUL
 * after the data. Returns NULL with a reason on failure. */
char *file_read_all(const char *path, size_t max, size_t *size, char *why, size_t why_size);

#endif
