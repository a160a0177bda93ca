/* summary.h — a model's summary as Keras's model.summary() prints it: a
 * row per layer (name and kind, output shape, activation, parameters),
 * the total parameters and their size in float32 bytes, and what the
 * description says of the input and output. One table from a description
 * (model.h), however it was made: from a checked .lr file (lrc summary,
 * lrc check --explain), a plan (a run's stderr line and run.json) or a
 * saved model (lrc summary MODEL). */
#ifndef LR_SUMMARY_H
#define LR_SUMMARY_H
#include <stddef.h>

#include "diag.h"
#include "fileio.h"
#include "json.h"
#include "model.h"
#include "spec.h"
#include "status.h"

/* The parameters of a layer: a dense layer's kernel and bias. */
size_t summary_layer_params(const LrModelLayer *l);
size_t summary_total_params(const LrModelDesc *d);

/* n with a comma between groups of three digits, as Keras prints counts. */
void summary_count(char *out, size_t size, size_t n);

/* bytes as Keras says a size: two decimals and B, KB, MB, GB, TB, PB
 * of 1024 ("1.23 KB"). */
void summary_size(char *out, size_t size, double bytes);

/* The table, each line after prefix ("# " for --explain), then the input
 * (width, names when known, normalization) and the output (kind, classes
 * when known). */
void summary_write(const LrModelDesc *d, const char *prefix, LrBuffer *out);

/* The same numbers for run.json: {"layers": [{"name", "kind",
 * "output_shape": [null, units], "activation", "params"}, ...],
 * "total_params", "total_bytes"}. */
void summary_json(const LrModelDesc *d, LrJsonWriter *w);

/* The checked spec's model for `lrc summary FILE.lr` and --explain: its
 * input width from the data set trained on (a CSV file's header, as lrc
 * check reads it; a generator's features=). Returns LR_OK, or after
 * reporting LR_LANGUAGE_ERROR (no model, no data set to size it, an
 * unreadable header) or LR_RUN_FAILED (out of memory). */
LrStatus summary_of_spec(const LrSpec *spec, const LrSource *src, LrDiag *diag, LrArena *arena,
                         LrModelDesc *out);

#endif
