/* fuzz_idx.c — libFuzzer harness for the IDX reader and idx data sets
 * (idx.c, data.c): the input is written to a temporary file as it is and,
 * gzip-compressed through zlib, to another, and each is read
 *   - by idx_open and idx_read, every value in pieces of a fixed buffer;
 *   - as idx(images, labels=) with the same file for both, through
 *     data_check_columns and, when its sizes hold at most 2^20 values
 *     (so that a header claiming gigabytes of a tiny compressed file does
 *     not trip libFuzzer's malloc limit), data_load with a test split.
 * Each load's dataset is freed. */
#include "fuzz.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "data.h"
#include "diag.h"
#include "idx.h"
#include "source.h"
#include "spec.h"

static const char statement[] = "dataset d = idx(\"i\", labels=\"l\", scale=255) test=0.5\n";

static void read_all(const char *path)
{
    LrIdx f;
    char why[512];
    if (idx_open(&f, path, why, sizeof why) != 0)
        return;
    static float values[4096];
    while (f.done < f.count) {
        int64_t n = f.count - f.done < 4096 ? f.count - f.done : 4096;
        if (idx_read(&f, values, n, 3.0, why, sizeof why) < 0)
            break;
    }
    idx_close(&f);
}

static void load(const char *path, const LrSource *src)
{
    LrDatasetSpec spec;
    memset(&spec, 0, sizeof spec);
    spec.kind = DATA_IDX;
    spec.span = (LrSpan){0, (uint32_t)strlen(statement) - 1};
    spec.name = "d";
    spec.path = spec.resolved_path = path;
    spec.labels_path = spec.labels_resolved = path;
    spec.path_span = (LrSpan){16, 3};
    spec.label_span = (LrSpan){29, 3};
    spec.scale = 255;
    spec.test = 0.5;
    LrDiag diag;
    diag_init(&diag, NULL);
    LrDataShape shape;
    if (!status_ok(data_check_columns(&spec, src, &diag, &shape)))
        return;
    if ((int64_t)shape.features * shape.rows_at_most > (1 << 20))
        return;
    LrLabelRule rule = {.want = LABEL_CLASS_INDEX, .outputs = 10};
    LrDataset d;
    if (status_ok(data_load_labels(&spec, 0, 42, src, &diag, &rule, &d)))
        data_free(&d);
}

/* Writes data gzip-compressed to a new file made from template. */
static int temp_write_gzip(char *template_path, const uint8_t *data, size_t size)
{
    int fd = mkstemp(template_path);
    if (fd < 0)
        return -1;
    gzFile gz = gzdopen(fd, "wb");
    if (!gz) {
        close(fd);
        unlink(template_path);
        return -1;
    }
    int ok = size == 0 || gzwrite(gz, data, (unsigned)size) == (int)size;
    if (gzclose(gz) != Z_OK || !ok) {
        unlink(template_path);
        return -1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char plain[] = "/tmp/lrc-fuzz-idx-XXXXXX", packed[] = "/tmp/lrc-fuzz-idx-gz-XXXXXX";
    LrSource src;
    if (source_from_string(&src, "/nonexistent/fuzz.lr", statement) < 0)
        return 0;
    if (fuzz_temp_write(plain, data, size) == 0) {
        read_all(plain);
        load(plain, &src);
        unlink(plain);
    }
    if (size < (1u << 20) && temp_write_gzip(packed, data, size) == 0) {
        read_all(packed);
        load(packed, &src);
        unlink(packed);
    }
    source_free(&src);
    return 0;
}
