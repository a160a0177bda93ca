/* fuzz_model.c — libFuzzer harness for the model description (model.c)
 * and the summary printed from it (summary.c): the input is written to a
 * temporary file and opened as a safetensors file; when it opens, it is
 * read as a model as `lrc summary MODEL` and predict read one
 * (model_open_file: the description, every field checked, then every
 * tensor it names, with its shapes), and a model that opens is run
 * forward on two rows and summarized, so that a description that passed
 * the checks but does not fit its tensors or buffers shows up under
 * AddressSanitizer. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "safetensors.h"
#include "summary.h"

enum { ROWS = 2 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/lrc-fuzz-model-XXXXXX";
    if (fuzz_temp_write(path, data, size) < 0)
        return 0;
    LrSafetensors st;
    char why[1024];
    if (safetensors_open(&st, path, why, sizeof why) == 0) {
        LrModel m;
        memset(&m, 0, sizeof m);
        /* BLAS is not loaded here: a model whose products need it is
         * read and summarized, not run. */
        if (model_open_file(&m, &st, ROWS, why, sizeof why) == 0) {
            if (!m.needs_blas) {
                static const float x[ROWS * 4] = {0.5f, -1, 2, 0, 1e3f, -1e-3f, 7, 3};
                float *rows = calloc((size_t)ROWS * (size_t)m.desc.features, sizeof *rows);
                if (rows) {
                    for (size_t i = 0; i < (size_t)ROWS * (size_t)m.desc.features; i++)
                        rows[i] = x[i % (sizeof x / sizeof *x)];
                    LrTensor out = model_forward(&m, rows, ROWS);
                    volatile float first = out.data[0];
                    (void)first;
                    free(rows);
                }
            }
            LrBuffer text = {0};
            summary_write(&m.desc, "# ", &text);
            buffer_free(&text);
            char chain[256];
            model_chain(m.desc.layers, m.desc.layer_count, chain, sizeof chain);
        }
        model_close(&m);
    }
    safetensors_close(&st);
    unlink(path);
    return 0;
}
