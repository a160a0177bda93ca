/* minimize.h — gradient descent on a formula: the optimizers and
 * schedules of training, applied to the variables of a `minimize`
 * statement, with exact derivatives (expr.h). */
#ifndef LR_MINIMIZE_H
#define LR_MINIMIZE_H
#include "diag.h"
#include "plot.h"
#include "spec.h"
#include "status.h"

/* Runs m, printing (report.h) a trace row per step (trace=true) or the
 * final point, and drawing the descent to m->plot_path (through plots
 * when not NULL, else in this process). Returns LR_OK, or LR_RUN_FAILED
 * after reporting a value or derivative that is not finite (at the
 * operation that produced it), a figure that could not be written, or
 * running out of memory. */
LrStatus minimize_run(const LrMinimizeSpec *m, const LrSource *src, LrDiag *diag,
                      LrPlotHelper *plots);

#endif
