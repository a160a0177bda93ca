/* verify.h — `lrc verify RUN_DIR`: runs the experiment a run directory
 * recorded again, from its run.json alone, and says whether the result is
 * the same: every row of metrics.csv (and of each trace-N.csv) but the
 * wall-clock seconds, and the SHA-256 of model.safetensors. */
#ifndef LR_VERIFY_H
#define LR_VERIFY_H

#include "status.h"

typedef struct LrVerifyOptions {
    const char *run_dir;
    const char *data_dir; /* --data: where the data paths start; NULL: the
                             experiment file's directory when that file
                             still exists, else the current directory */
    long long threads;    /* --threads for the re-run; 0: its default */
} LrVerifyOptions;

/* Checks the recorded data files' SHA-256, re-runs the experiment in a
 * fresh directory under $TMPDIR (or /tmp) that is removed afterwards
 * (also on SIGINT/SIGTERM, which reach the re-run), and compares. Prints
 * "reproduced: SHA256" on stdout (the weights', or for a file that only
 * minimizes, the experiment's) and returns LR_OK; LR_RUN_FAILED after
 * naming the first difference or when the re-run fails; LR_LANGUAGE_ERROR
 * when there is nothing to re-run (no finished run, a sweep, a failed
 * run) or a data file is missing or not the one recorded; LR_INTERRUPTED
 * with the signal. */
LrStatus verify_run(const LrVerifyOptions *options);

#endif
