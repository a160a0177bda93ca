/* run.h — one experiment from a checked Spec to its results: builds the
 * Plan, trains (or resumes a checkpointed run), evaluates, saves, and
 * writes the run directory: run.json, model.safetensors and
 * checkpoint.safetensors atomically; metrics.csv a row per epoch, made
 * durable with each checkpoint. */
#ifndef LR_RUN_H
#define LR_RUN_H
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "plot.h"
#include "spec.h"
#include "status.h"

/* How often a run writes its checkpoint, besides at the end and on
 * SIGINT/SIGTERM: every `epochs` epochs when that is set, else once
 * `seconds` of training have passed since the last one. Each costs a few
 * flushes to disk, which dominate a short run's time. */
typedef struct LrCheckpointEvery {
    int64_t epochs;
    double seconds;
} LrCheckpointEvery;
#define LR_CHECKPOINT_DEFAULT_SECONDS 60

typedef struct LrRunOptions {
    const char *out_dir;  /* the run directory, or NULL for no files */
    bool resume;          /* continue the checkpoint in out_dir */
    int threads;          /* BLAS threads (already applied), for run.json */
    bool quiet;           /* nothing on stderr but errors */
    int64_t halt_after;   /* behave as if interrupted after this many updates */
    const char *const *sets; /* the --set NAME=VALUE that made this experiment, */
    int set_count;           /* recorded in checkpoints so that --resume repeats them */
    LrCheckpointEvery checkpoint_every;
} LrRunOptions;

/* Runs spec (from src). With a run directory, the confusion matrix of
 * evaluate N (from 1) with confusion=true goes to confusion-N.csv. Returns LR_OK; LR_RUN_FAILED; LR_LANGUAGE_ERROR
 * for what plan_build finds wrong with the data before anything runs;
 * LR_INTERRUPTED with the signal, after checkpointing. Errors go to diag. */
LrStatus run_experiment(const LrSource *src, const LrSpec *spec, const LrRunOptions *options,
                        LrDiag *diag);

/* A file that loads a described model and does not train it: its
 * evaluate statements (with the model's own loss, without l2 penalties)
 * and predict statements, on data sets whose features are matched to the
 * model's inputs by name. Nothing is written but the predict files.
 * LR_OK; LR_LANGUAGE_ERROR (a model without a description, data that do
 * not fit it); LR_RUN_FAILED (a damaged model, a file not written). */
LrStatus run_inference(const LrSource *src, const LrSpec *spec, LrDiag *diag);

/* What a run would find wrong before training in the files a checked
 * experiment reads (`lrc check`, and the language server): the size of
 * what it trains, predict's columns, the headers and first rows of its
 * CSV files, the model it loads. Nothing is run or written. LR_OK, or the
 * status of the first failing check after reporting to diag. */
LrStatus run_check_inputs(const LrSpec *spec, const LrSource *src, LrDiag *diag);

/* What run_check_inputs finds in the data sets alone, for an experiment
 * with errors in other statements: the headers and first rows of the data
 * sets that checked (those in spec), each whatever another's errors, and
 * predict's columns; not what needs the whole experiment (its size, the
 * model it loads). LR_OK, or the first failing check's status. */
LrStatus run_check_data(const LrSpec *spec, const LrSource *src, LrDiag *diag);

/* Runs spec's minimize statements in file order, each after the previous
 * succeeded. With a run directory, each one's trace (every point, in full
 * precision) goes to trace-N.csv, N from 1 in file order, and a file that
 * trains nothing gets a run.json: the experiment, its SHA-256 and each
 * minimize's last point. LR_OK or LR_RUN_FAILED (reported). */
LrStatus run_minimizes(const LrSource *src, const LrSpec *spec, const LrRunOptions *options,
                       LrDiag *diag, LrPlotHelper *plots);

#endif
