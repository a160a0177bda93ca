/* run.h — one experiment from a checked Spec to its results: builds the
 * Plan, trains (or resumes a checkpointed run), evaluates, saves, and
 * writes the run directory (metrics.csv, run.json, model.safetensors,
 * checkpoint.safetensors), every file atomically. */
#ifndef LR_RUN_H
#define LR_RUN_H
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "spec.h"

typedef struct LrRunOptions {
    const char *out_dir;  /* the run directory, or NULL for no files */
    bool resume;          /* continue the checkpoint in out_dir */
    int threads;          /* BLAS threads (already applied), for run.json */
    bool quiet;           /* nothing on stderr but errors */
    int64_t halt_after;   /* behave as if interrupted after this many updates */
    const char *const *sets; /* the --set NAME=VALUE that made this experiment, */
    int set_count;           /* recorded in checkpoints so that --resume repeats them */
} LrRunOptions;

/* Runs spec (from src). Returns the exit status: 0 success, 1 the run
 * failed, 2 a language error found while loading (e.g. an unknown CSV
 * column), 128 + N when signal N interrupted it (after checkpointing). */
int run_experiment(const LrSource *src, const LrSpec *spec, const LrRunOptions *options,
                   LrDiag *diag);

#endif
