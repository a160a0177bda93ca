/* fuzz_file.c — see fuzz.h: temporary files for the harnesses of readers
 * that open a path (CSV, safetensors). */
#include "fuzz.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int fuzz_temp_write(char *template_path, const uint8_t *data, size_t size)
{
    int fd = mkstemp(template_path);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            unlink(template_path);
            return -1;
        }
        done += (size_t)n;
    }
    if (close(fd) < 0) {
        unlink(template_path);
        return -1;
    }
    return 0;
}
