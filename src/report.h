/* report.h — the only writer to stdout: the result lines of a training
 * run, `lrc schedule`, minimize's trace and point, a sweep's table,
 * --explain, --help and --version; and the timing line, which it hands to
 * diag.c for stderr. stdout is byte-for-byte repeatable: it carries no
 * times. Each result line (an epoch, early stopping, an evaluation, a
 * layer's parameters, a row of minimize's trace or a sweep's table,
 * minimize's point) is written out when it is complete, even to a pipe or
 * file. */
#ifndef LR_REPORT_H
#define LR_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layer.h"
#include "spec.h"

/* `epoch 1/4 loss 0.041337 accuracy 0.912000 val_loss 0.05 val_accuracy 0.9`
 * (metrics and the val_ columns only when there are some). */
void report_epoch(int64_t epoch, int64_t epochs, double loss, const LrMetricKind *metrics,
                  int metric_count, const double *values, bool has_val, double val_loss,
                  const double *val_values);
/* `early stop at epoch 7: val_loss has not improved for 3 epochs (best 0.1 at epoch 4)` */
void report_early_stop(int64_t epoch, const char *monitor, int64_t wait, double best,
                       int64_t best_epoch);
/* `evaluate grades.test loss 0.040000 accuracy 0.950000` */
void report_evaluate(const char *what, double loss, const LrMetricKind *metrics, int count,
                     const double *values);
/* After an evaluate line, its confusion matrix (classes x classes counts,
 * [true class][predicted class]), names the classes' (NULL: their indices):
 *   confusion iris.test (rows: true class, columns: predicted)
 *               setosa  versicolor  virginica
 *   setosa          10           0          0
 *   versicolor       0           9          1
 *   virginica        0           0         10
 * the names left-aligned in the first column, each other column right-
 * aligned to its widest cell, two spaces between columns. */
void report_confusion(const char *what, int classes, const char *const *names,
                      const int64_t *counts);
/* One line for a dense layer named name (`dense weights [...] bias ...`). */
void report_dense(const char *name, const LrLayer *l);
/* Models with more parameters than this do not print them. */
#define REPORT_MAX_PARAMETERS 64
/* `lrc schedule`: the header, then `step lr` rows. */
void report_schedule_header(void);
void report_schedule_row(int64_t step, double lr);
/* A row of a table: each cell but the last left-aligned in widths[i]
 * columns and followed by two spaces, the last as it is; a NULL cell is
 * empty. (minimize's trace, a sweep's table.) */
void report_row(const char *const *cells, const int *widths, int count);
/* minimize's result: `x 0.500000 y 1.000000 f(x,y) 0.250000`, the
 * formula named by label. */
void report_point(const char *const *names, const double *values, int count,
                  const char *label, double f);
/* v with decimals digits after the point (printf's %.*f), except that a
 * value that rounds to zero is 0.000..., never -0.000... */
void report_fixed(char *out, size_t size, double v, int decimals);
/* Text that is complete as it is (--help, --explain). */
/* Result rows (predict's CSV), written out at once like a result line;
 * a stdout that cannot take them (a closed pipe) makes report_failed
 * true. */
void report_rows(const char *text, size_t length);
void report_text(const char *text);
/* One message of the language server on stdout, framed as the Language
 * Server Protocol's base protocol wants ("Content-Length: N\r\n\r\n" and
 * the N bytes of JSON) and flushed at once, so that the client never waits
 * on a buffer. Returns 0, or -1 when stdout cannot take it. */
int report_message(const char *json, size_t length);
/* `lrc 0.1.0 (OpenBLAS)` */
void report_version(const char *version, const char *blas);
/* Writes out what is buffered (before another process writes, and at the
 * end). Returns 0, or -1 with errno set when stdout could not take it or
 * an earlier result line. */
int report_flush(void);
/* Whether a result line could not be written (stdout closed: `lrc x.lr |
 * head -1`); the run then stops, and report_flush says why. */
bool report_failed(void);
/* The progress line within an epoch, on stderr (through diag.c), as Keras's
 * fit draws it:
 *   `epoch 2/10   37/120 [======>.............] 1234 steps/s ETA 0:03 loss 0.123456`
 * step of steps taken, the rate of this epoch's steps so far, the time the
 * rest of the epoch will take at that rate, and loss, the mean of this
 * epoch's batch losses so far. report_progress_clear erases it. */
void report_progress(int64_t epoch, int64_t epochs, int64_t step, int64_t steps,
                     double steps_per_second, double loss);
void report_progress_clear(void);
/* Timing summary on stderr, unless quiet: all of training, and the steps
 * alone (the rest is measuring loss and metrics after each epoch). */
void report_timing(bool quiet, int64_t epochs, int64_t steps, double seconds,
                   double step_seconds);

#endif
