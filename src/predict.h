/* predict.h — a trained model's outputs for the rows of a CSV file, as
 * CSV: `lrc predict MODEL DATA.csv` and the experiment's `predict`
 * statement write the same columns through the one writer here.
 *
 * The columns: the kept columns of the data first (their text as read,
 * quoted per RFC 4180 when it must be), then
 *   regression  prediction, or prediction_1, prediction_2, ... for several
 *               outputs;
 *   classes     class (the class name: the text label, or the index when
 *               labels were numbers), then prob_NAME for each class;
 *   binary      class, then prob_NAME of class 1 (its sigmoid output).
 * Each number is the fewest digits that read back to the same float32
 * (decimal_shortest_float). The class is the first most probable one;
 * binary's is class 1 when its probability is above 0.5, as accuracy
 * counts it. */
#ifndef LR_PREDICT_H
#define LR_PREDICT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fileio.h"
#include "model.h"
#include "data.h"
#include "spec.h"
#include "tensor.h"
#include "status.h"


/* The header line, and a row: the kept texts, then what the model's
 * outputs (desc->outputs floats, activations applied) say. */
void predict_header(LrBuffer *b, const LrModelDesc *desc, const char *const *keep,
                    int keep_count);
void predict_row(LrBuffer *b, const LrModelDesc *desc, const char *const *keep,
                 const size_t *keep_len, int keep_count, const float *outputs);

/* `lrc predict`. */
typedef struct LrPredictOptions {
    const char *model;       /* a model.safetensors, or a run directory */
    const char *data;        /* the CSV file, with a header */
    const char *output;      /* -o FILE.csv; NULL: stdout */
    const char *const *keep; /* --keep columns, in order */
    int keep_count;
    bool force;              /* -o may replace a file */
    char delimiter;          /* the data's; the output's is ',' */
} LrPredictOptions;

/* Reads the model and streams the data through it. A usage or data error
 * (a model without a description, a missing column, a bad value, an
 * existing -o without --force) is LR_LANGUAGE_ERROR, reported; up to 20
 * bad values are reported before it stops. A failed -o leaves no file (it
 * is written to a temporary file renamed at the end); rows already on
 * stdout stay there. */
LrStatus predict_command(const LrPredictOptions *o);

/* What a `predict` statement runs on: the rows of its part, in file order
 * (x: rows x width, as the model takes them), a block at a time through
 * outputs (every activation applied; at most block rows), and the data
 * set they came from (its CSV file is read again for keep=). */
typedef struct LrPredictRows {
    const LrModelDesc *desc;
    const float *x;
    int64_t rows;
    int width, block;
    LrTensor (*outputs)(void *ctx, const float *x, int rows);
    void *ctx;
    const LrDatasetSpec *dataset_spec;
    const LrDataset *data;
} LrPredictRows;

/* The experiment's `predict` statement p: the columns lrc predict writes,
 * for from's rows, written atomically to p->path (whose directory
 * exists). LR_OK, or LR_RUN_FAILED after reporting at the statement. */
LrStatus predict_statement(const LrPredictSpec *p, const LrPredictRows *from,
                           const LrSource *src, LrDiag *diag);

/* Before a run (and in `lrc check`): the keep= names of each predict
 * statement are columns of its CSV file, read from the header; an unknown
 * one is reported at its place with the closest column. LR_OK, or
 * LR_LANGUAGE_ERROR after reporting. */
LrStatus predict_check_columns(const LrSpec *spec, const LrSource *src, LrDiag *diag);

#endif
