/* fuzz_check.c — libFuzzer harness for the front end: lexer, parser and
 * checker on arbitrary bytes, as `lrc check FILE` runs them, then the same
 * bytes as a schedule expression, as `lrc schedule EXPR` runs them.
 *
 * The input becomes the source text as is (embedded NULs included: the
 * lexer stops at the length, not at the first NUL, and reports a NUL as a
 * byte it does not expect). The source is named "/nonexistent/fuzz.lr" and
 * the checker gets no module search path and no --set, so that `use "x.lr"`
 * and `use name` find nothing. An absolute `use "/..."` can still open a
 * file: inputs naming /dev, /proc or /sys are skipped, so that a run can
 * neither block on a device nor depend on the machine's state. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "parse.h"
#include "schedule.h"
#include "source.h"

/* Builds a source of exactly size bytes (NUL-terminated after them) named
 * name, without source_from_string, which would stop at an embedded NUL. */
static int source_from_bytes(LrSource *src, const char *name, const uint8_t *data, size_t size)
{
    memset(src, 0, sizeof *src);
    src->text = malloc(size + 1);
    src->segments = calloc(1, sizeof *src->segments);
    char *copy = malloc(strlen(name) + 1);
    if (!src->text || !src->segments || !copy) {
        free(copy);
        source_free(src); /* segment_count is still 0 */
        return -1;
    }
    if (size > 0)
        memcpy(src->text, data, size);
    src->text[size] = '\0';
    src->length = size;
    strcpy(copy, name);
    src->segments[0] = (LrSegment){0, (uint32_t)size, copy};
    src->segment_count = 1;
    src->name = copy;
    return 0;
}

static int mentions(const uint8_t *data, size_t size, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(data + i, word, n) == 0)
            return 1;
    return 0;
}

/* `lrc check FILE`: parse_program, then check_program_with. */
static void fuzz_program(const uint8_t *data, size_t size)
{
    LrSource src;
    if (source_from_bytes(&src, "/nonexistent/fuzz.lr", data, size) < 0)
        return;
    LrDiag diag;
    diag_init(&diag, NULL);
    LrArena arena = {0};
    LrProgram prog;
    LrSpec spec;
    LrCheckOptions options; /* no search path, no --set, no sandbox */
    memset(&options, 0, sizeof options);
    if (parse_program(&src, &arena, &diag, &prog) == 0)
        check_program_with(&prog, &src, &options, &arena, &diag, &spec);
    arena_free(&arena);
    source_free(&src);
}

/* `lrc schedule EXPR`: parse_expression, check_schedule, then the
 * learning rate at a few steps (what `--steps N` prints). */
static void fuzz_schedule(const uint8_t *data, size_t size)
{
    LrSource src;
    if (source_from_bytes(&src, "<expr>", data, size) < 0)
        return;
    LrDiag diag;
    diag_init(&diag, NULL);
    LrArena arena = {0};
    LrProgram prog;
    LrScheduleSpec sched;
    if (parse_expression(&src, &arena, &diag, &prog) == 0 &&
        check_schedule(&prog, &arena, &diag, &sched) == 0) {
        static const int64_t steps[] = {0, 1, 2, 3, 10, 99, 100, 101, 1000, 123456789,
                                        (int64_t)1 << 40};
        volatile double sink = 0;
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
            sink += schedule_lr(&sched, steps[i]);
        (void)sink;
    }
    arena_free(&arena);
    source_free(&src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > LR_SOURCE_MAX_BYTES || mentions(data, size, "/dev/") ||
        mentions(data, size, "/proc/") || mentions(data, size, "/sys/"))
        return 0;
    fuzz_program(data, size);
    fuzz_schedule(data, size);
    return 0;
}
