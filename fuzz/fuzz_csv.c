/* fuzz_csv.c — libFuzzer harness for the CSV reader and the dataset loader
 * (csv.c, data.c): the input is written to a temporary file and loaded
 * twice, as
 *   csv("fuzz.csv", label="y")                       header, ','
 *   csv("fuzz.csv", label="1", header=false, delimiter=";",
 *       validation=0.25, normalize="standard")      no header, ';'
 * so that one input exercises both header handling and both delimiters,
 * the split and the normalization. Each load's dataset is freed. */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "data.h"
#include "diag.h"
#include "source.h"
#include "spec.h"

/* The statement the spans of column errors point into. */
static const char statement[] = "dataset d = csv(\"fuzz.csv\", label=\"y\")\n";

static void load(const char *path, const LrSource *src, const char *label, bool header,
                 char delimiter, double validation, LrNormalizeKind normalize)
{
    const char *labels[1] = {label};
    const char *at = strstr(statement, "\"y\"");
    LrDatasetSpec spec;
    memset(&spec, 0, sizeof spec);
    spec.kind = DATA_CSV;
    spec.span = (LrSpan){0, (uint32_t)strlen(statement) - 1};
    spec.name = "d";
    spec.path = "fuzz.csv";
    spec.resolved_path = path;
    spec.label_count = 1;
    spec.labels = labels;
    spec.label_span = (LrSpan){(uint32_t)(at - statement), 3};
    spec.header = header;
    spec.delimiter = delimiter;
    spec.validation = validation;
    spec.normalize = normalize;

    LrDiag diag;
    diag_init(&diag, NULL);
    if (!status_ok(data_check_columns(&spec, src, &diag, NULL)))
        return; /* data_load would report the same */
    LrDataset d;
    if (status_ok(data_load(&spec, 0, 42, src, &diag, &d))) {
        const int64_t begin = d.part_begin[PART_TRAIN], count = d.part_count[PART_TRAIN];
        float offset[64], scale[64];
        if (normalize != NORM_NONE && d.features <= 64) {
            data_normalize_fit(&d, normalize, begin, count, offset, scale);
            data_normalize_apply(&d, offset, scale);
        }
        data_free(&d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/lrc-fuzz-csv-XXXXXX";
    if (fuzz_temp_write(path, data, size) < 0)
        return 0;
    LrSource src;
    if (source_from_string(&src, "/nonexistent/fuzz.lr", statement) == 0) {
        load(path, &src, "y", true, ',', 0, NORM_NONE);
        load(path, &src, "1", false, ';', 0.25, NORM_STANDARD);
        source_free(&src);
    }
    unlink(path);
    return 0;
}
