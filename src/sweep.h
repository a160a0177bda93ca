/* sweep.h — the sweep driver: runs one experiment once per combination of
 * its `let NAME = sweep(...)` values, each run a separate lrc process with
 * `--set NAME=VALUE ... --out RUNDIR --quiet`, at most N at a time, and
 * ends with a table of the runs, best first.
 *
 * The checker finds the sweeps; this module knows nothing of the language:
 * a value is passed to the child as the text it was written as, so the
 * child checks and folds it exactly as if the user had typed --set. */
#ifndef LR_SWEEP_H
#define LR_SWEEP_H

#include <stdbool.h>

#include "sandbox.h"
#include "status.h"

/* One swept name and its values, in the order written. */
typedef struct LrSweepAxis {
    const char *name;          /* the let name */
    int count;                 /* values, >= 1 */
    const char *const *values; /* each value's source text */
} LrSweepAxis;

typedef struct LrSweepOptions {
    const char *exe;           /* path of the lrc binary to run (e.g. /proc/self/exe resolved) */
    const char *file;          /* the .lr file */
    const char *const *extra;  /* extra arguments for every child (e.g. "--threads", "1"), NULL-terminated */
    int jobs;                  /* at most this many children at once (>= 1) */
    const char *out_dir;       /* run directories go here as OUT/run-001, run-002, ... ; NULL: a temporary directory (mkdtemp under $TMPDIR or /tmp) removed at the end */
    const LrSandbox *sandbox;  /* what the runs may touch, besides the sweep's directory: each child is held to it by the kernel (sandbox_restrict) before it execs; NULL: not confined */
    bool quiet;                /* no line on stderr per finished run */
    int only_run;              /* >= 0: run only this run (0-based; --run-index), no table; -1: every run */
    bool force;                /* only_run: replace a sweep.json that records another sweep */
    int rank, ranks;           /* ranks > 1: this is rank `rank` of an MPI job of `ranks` (dist.h), which runs the runs rank, rank + ranks, ...; out_dir is required and shared by the ranks (only_run: -1) */
} LrSweepOptions;

/* What a sweep with out_dir writes besides the run directories:
 * OUT/sweep.json, the sweep itself (sweep_record), and in each run
 * directory exit.txt, how its process ended ("exit N" or "signal N"),
 * written when it ended. From these and each run's run.json,
 * sweep_collect builds the table again. */
#define SWEEP_RECORD_FILE "sweep.json"
#define SWEEP_EXIT_FILE "exit.txt"

/* Runs every combination (the last axis varying fastest; run numbers from 1
 * in that order), then prints the table to stdout (report.h). Returns
 * LR_OK when every run succeeded, LR_RUN_FAILED when any failed (their
 * rows say so), LR_LANGUAGE_ERROR when none could start (e.g. out_dir
 * cannot be created).
 *
 * Each child runs as
 *   EXE FILE --set NAME1=VALUE1 ... [extra...] --out RUNDIR --quiet
 * with stdin from /dev/null and stdout/stderr in RUNDIR/stdout.txt and
 * RUNDIR/stderr.txt, created anew (never through a link left there; a
 * RUNDIR that is a symlink fails the run). The table comes from each RUNDIR/run.json's "final"
 * object (the numbers of the model the run ended with) and its "evaluate"
 * results: columns run, the swept names, loss, val_loss (when present), the
 * other final metrics in run.json's order, then each evaluate's as ON:NAME;
 * rows sorted by val_loss when
 * every successful run has one, else by loss (ties: run number), failed
 * runs last as "failed (exit N)" with the first line of their stderr
 * repeated on this process's stderr. With out_dir, OUT/sweep.csv holds the
 * same data in run order (full-precision numbers and a status column).
 *
 * With only_run, only that run is started, as it would be in the whole
 * sweep (same directory, arguments and files), and nothing is reported
 * but its line on stderr; the result is that run's: LR_OK, LR_RUN_FAILED
 * (its first stderr line repeated) or LR_INTERRUPTED. out_dir is then
 * shared by the sweep's runs: only sweep.json and the run's directory
 * are written.
 *
 * Unless quiet, each run that ends gets a line on stderr (its values, its
 * val_loss or loss or how it failed, its time, how many runs are left).
 * SIGINT/SIGTERM received meanwhile are forwarded to the running children
 * (which checkpoint themselves); no further run starts, the table shows the
 * runs that ended, stderr lists the commands that continue the others
 * (with out_dir), and the result is LR_INTERRUPTED with the signal.
 * Not reentrant: while it runs it owns SIGINT, SIGTERM and SIGCHLD.
 *
 * Under mpirun (ranks > 1) every rank calls it: each runs its share of
 * the runs, then the ranks meet (waiting without spinning); rank 0 reads
 * the others' runs from out_dir as sweep_collect does and prints the
 * table and writes sweep.csv that the whole sweep would, and every rank
 * returns the same status. The children never see mpirun's environment
 * (dist_launcher_variable): each run is a world of one. */
LrStatus sweep_run(const LrSweepAxis *axes, int axis_count, const LrSweepOptions *options);

/* The number of runs (combinations), or -1 with a message when a sweep
 * has no values or they make too many runs. */
int sweep_run_count(const LrSweepAxis *axes, int axis_count);

/* Writes dir/sweep.json for the sweep of file (recorded by its real path)
 * atomically: replacing any there when replace, else only when there is
 * none (several runs of one sweep started at once write the same bytes;
 * one that records another sweep is an error). Returns 0, or -1 with a
 * message. */
int sweep_record(const LrSweepAxis *axes, int axis_count, const char *file, const char *dir,
                 bool replace);

/* `lrc collect DIR`: the table and DIR/sweep.csv of the sweep DIR holds,
 * as sweep_run would have printed and written them, from DIR/sweep.json
 * and each run directory's exit.txt and run.json. A run without exit.txt
 * is listed as failed ("missing"). Returns LR_OK when every run
 * succeeded, LR_RUN_FAILED when one failed or is missing (a line on
 * stderr each) or sweep.csv could not be written, LR_LANGUAGE_ERROR when
 * DIR holds no readable sweep.json. */
LrStatus sweep_collect(const char *dir);

#endif
