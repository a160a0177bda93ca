/* status.h — the one outcome type. Every stage that can fail (data
 * loading, plan building, loading weights, training, the run, minimize,
 * the sweep) reports its error through diag.h and returns an LrStatus;
 * main.c alone turns it into an exit status (main_exit_code).
 *
 * A struct rather than an int: a bare 0, 1 or -1 returned where an
 * outcome is due does not compile (which is how exit codes, -1/0 and
 * 0/1/2 came to be mixed), and an interruption's signal travels beside
 * its kind instead of packed into the number. */
#ifndef LR_STATUS_H
#define LR_STATUS_H
#include <stdbool.h>

typedef enum LrOutcome {
    LR_OK,
    LR_RUN_FAILED,     /* the run went wrong: memory, a file the run writes or loads, divergence */
    LR_LANGUAGE_ERROR, /* usage, language or input error: found before anything ran (exit 2) */
    LR_INTERRUPTED,    /* a signal ended the run, after its checkpoint */
} LrOutcome;

typedef struct LrStatus {
    LrOutcome outcome;
    int signal; /* LR_INTERRUPTED: the signal's number; else 0 */
} LrStatus;

static inline LrStatus status_of(LrOutcome outcome)
{
    return (LrStatus){outcome, 0};
}

static inline LrStatus status_interrupted(int signal)
{
    return (LrStatus){LR_INTERRUPTED, signal};
}

static inline bool status_ok(LrStatus status)
{
    return status.outcome == LR_OK;
}

#endif
