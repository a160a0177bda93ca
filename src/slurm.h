/* slurm.h — a sweep as a Slurm job array: the batch script that runs each
 * run as `lrc FILE --run-index $SLURM_ARRAY_TASK_ID ... --out DIR`, its
 * submission with sbatch, and a job after it that runs `lrc collect DIR`.
 * lrc trains nothing here: Slurm runs the tasks, sweep.c each run. */
#ifndef LR_SLURM_H
#define LR_SLURM_H

#include <stddef.h>

#include "status.h"

typedef struct LrSlurmOptions {
    const char *exe;               /* absolute path of the lrc binary the tasks run */
    const char *file;              /* absolute path of the experiment */
    const char *out_dir;           /* absolute path of the sweep's directory (it exists) */
    const char *const *task_args;  /* each task's options besides --run-index and --out, NULL-terminated */
    const char *const *slurm_opts; /* each --slurm-opt, sbatch options separated by blanks */
    int slurm_opt_count;
    int run_count;                 /* tasks 0 .. run_count-1 */
} LrSlurmOptions;

/* Checks that each --slurm-opt is one line of sbatch options (each word
 * after the first begins with '-' or continues the option before it).
 * Returns 0, or -1 with why. */
int slurm_check_opts(const char *const *opts, int count, char *why, size_t why_size);

/* Writes OUT/sweep.sbatch (atomically) and submits it with
 * `sbatch --parsable`, then `lrc collect OUT` with
 * --dependency=afterany:JOBID, its stdout to OUT/collect.out and stderr
 * to OUT/collect.err; prints both job ids on stdout. The --slurm-opt
 * options are #SBATCH lines of the script and options of the collect job.
 * Returns LR_OK; LR_LANGUAGE_ERROR when sbatch is not on PATH (the
 * message says how to submit the script written) or refuses the array;
 * LR_RUN_FAILED when the script cannot be written or the array was
 * submitted but the collect job was not (the message says how to collect). */
LrStatus slurm_submit(const LrSlurmOptions *o);

#endif
