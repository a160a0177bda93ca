/* minimize.h — gradient descent on a formula: the optimizers and
 * schedules of training, applied to the variables of a `minimize`
 * statement, with exact derivatives (expr.h). */
#ifndef LR_MINIMIZE_H
#define LR_MINIMIZE_H
#include "diag.h"
#include "plot.h"
#include "spec.h"
#include "status.h"

/* What a run directory keeps of a minimize: every point evaluated, as
 * numbers (formatted after the loop, which does no string work for it). */
typedef struct LrMinimizeRecord {
    double *rows;     /* the caller's, MINIMIZE_RECORD_COLS(m) * (m->steps + 1):
                         the variables, f, its derivatives, and the lr of the
                         update from there (NaN at the last point) */
    int64_t count;    /* rows filled */
} LrMinimizeRecord;
#define MINIMIZE_RECORD_COLS(m) (2 * (m)->var_count + 2)

/* Runs m, printing (report.h) a trace row per step (trace=true) or the
 * final point, filling record unless it is NULL, and drawing the descent
 * to m->plot_path (through plots when not NULL, else in this process).
 * Returns LR_OK, or LR_RUN_FAILED after reporting a value or derivative
 * that is not finite (at the operation that produced it), a figure that
 * could not be written, or running out of memory. */
LrStatus minimize_run(const LrMinimizeSpec *m, const LrSource *src, LrDiag *diag,
                      LrPlotHelper *plots, LrMinimizeRecord *record);

#endif
