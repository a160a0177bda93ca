/* fuzz.h — what the fuzzing harnesses share: libFuzzer's entry point (each
 * harness defines it; replay.c calls it without libFuzzer) and a helper for
 * readers that take a path rather than bytes. */
#ifndef LR_FUZZ_H
#define LR_FUZZ_H
#include <stddef.h>
#include <stdint.h>

/* Runs one input. Always returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes data to a new file made from template (mkstemp: it must end in
 * "XXXXXX" and is rewritten with the file's name). Returns 0, or -1 when the
 * file cannot be made or written (nothing is left behind). The caller
 * unlinks the file. */
int fuzz_temp_write(char *template_path, const uint8_t *data, size_t size);

#endif
