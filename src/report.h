/* report.h — the only writer to stdout (results) and of timings to stderr.
 * stdout is byte-for-byte repeatable: it carries no times. */
#ifndef LR_REPORT_H
#define LR_REPORT_H
#include <stdbool.h>
#include <stdint.h>

#include "layer.h"

/* `epoch 1/4 loss 0.041337` */
void report_epoch(int64_t epoch, int64_t epochs, double loss);
/* One line per layer (`dense weights [...] bias ...`), for small models. */
void report_parameters(const LrLayer *layers, int count);
/* Models with more parameters than this do not print them. */
#define REPORT_MAX_PARAMETERS 64
/* `lrc schedule`: the header, then `step lr` rows. */
void report_schedule_header(void);
void report_schedule_row(int64_t step, double lr);
/* Timing summary on stderr, unless quiet. */
void report_timing(bool quiet, int64_t epochs, int64_t steps, double seconds);

#endif
