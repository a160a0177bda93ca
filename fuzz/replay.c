/* replay.c — runs a harness without libFuzzer: LLVMFuzzerTestOneInput on
 * each file named on the command line and on every file (recursively, in
 * name order, dot files skipped) of each directory named, so that the
 * regression inputs in tests/fuzz/ replay under any compiler, with or
 * without sanitizers, in `make check`.
 *
 * Usage: replay_NAME PATH...   Prints "replayed N inputs" on stderr; exits
 * 0, or 1 when a path cannot be read (a crash is the harness's own). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int failed = !buf || ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return -1;
    }
    /* An exact-size copy, as libFuzzer passes, so that reading past the
     * input is caught by AddressSanitizer. */
    uint8_t *input = malloc(len ? len : 1);
    if (input) {
        if (len > 0)
            memcpy(input, buf, len);
        LLVMFuzzerTestOneInput(input, len);
    }
    free(input);
    free(buf);
    return input ? 0 : -1;
}

static int skip_dots(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Replays path (a file, or a directory's files); adds to *count. */
static int replay_path(const char *path, int *count)
{
    struct stat sb;
    if (stat(path, &sb) < 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        if (replay_file(path) < 0)
            return -1;
        (*count)++;
        return 0;
    }
    struct dirent **names;
    int n = scandir(path, &names, skip_dots, alphasort);
    if (n < 0) {
        perror(path);
        return -1;
    }
    int status = 0;
    for (int i = 0; i < n; i++) {
        size_t size = strlen(path) + strlen(names[i]->d_name) + 2;
        char *child = malloc(size);
        if (child) {
            snprintf(child, size, "%s/%s", path, names[i]->d_name);
            if (replay_path(child, count) < 0)
                status = -1;
        } else {
            status = -1;
        }
        free(child);
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv)
{
    int count = 0, status = 0;
    for (int i = 1; i < argc; i++)
        if (replay_path(argv[i], &count) < 0)
            status = 1;
    fprintf(stderr, "replayed %d input%s\n", count, count == 1 ? "" : "s");
    return status;
}
