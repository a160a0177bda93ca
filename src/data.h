/* data.h — loaded data sets: read from CSV or generated, split into their
 * parts, normalized. Loading happens once, before training; the training
 * step only reads these arrays.
 *
 * Rows are stored in part order [train | validation | test]: each part is a
 * contiguous block, so evaluating a part needs no gathering. The held-out
 * rows are chosen by a seeded permutation (stream RNG_STREAM_SPLIT of the
 * dataset): test takes ceil(test n) rows, validation ceil(validation n)
 * (a product within 1e-9, relative, of an integer is that integer: 0.07 of
 * 100 rows is 7), training the rest, each keeping the file's order within
 * itself. The draws: for i = 0 .. k-1 (k = test + validation rows), swap
 * perm[i] with perm[i + rng_below(n - i)], perm starting as 0 .. n-1;
 * perm[0 .. test) are the test rows, the next `validation` ones the
 * validation rows.
 *
 * With stratify=true (labels that are classes: one target, integer
 * values), the same is done per class, with one generator: the classes
 * are the label's distinct values in increasing order (the class indices
 * of text labels); for each class c in that order, with its n_c rows in
 * file order as perm, test_c = held_out(test, n_c) and validation_c =
 * held_out(validation, n_c) (at most n_c - test_c) rows are drawn as above
 * with rng_below(n_c - i). So each part keeps the classes' proportions up
 * to rounding (a class of 3 rows gives a test fraction of 0.2 one row). */
#ifndef LR_DATA_H
#define LR_DATA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "spec.h"
#include "status.h"

/* Under mpirun a data set can be held in shares (data_load_share): each
 * rank reads the rows of the file it owns, a contiguous run of them
 * (rows are "file rows" below: records of a CSV file, images of IDX
 * files, rows of a generator), and keeps each part's rows of that run,
 * then the `halo` rows that follow them in the part, which the next ranks
 * own: enough for the measurement block that starts in its rows. */
typedef struct LrDataShare {
    bool held;             /* x and y hold this rank's share */
    int64_t rows;          /* the whole data set's (n: those held here) */
    int64_t part_total[3]; /* each part's rows in all */
    int64_t *starts;       /* owned: [part * (ranks + 1) + r], the part row where
                              rank r's own begin; [.. + ranks]: the part's total */
    int ranks;
    int64_t halo[3];       /* held after this rank's own rows of each part */
} LrDataShare;

typedef struct LrDataset {
    int64_t n;            /* rows held, all parts (a share: its own and halo rows) */
    int features;         /* input columns */
    int targets;          /* target columns (class index: 1) */
    float *x;             /* n x features, owned (malloc) */
    float *y;             /* n x targets, owned (malloc) */
    int64_t part_begin[3], part_count[3]; /* indexed by LrPart */
    /* The part (LrPart) of each row in the order the file or generator
     * gave it, owned; NULL when nothing is held out (every row trains). */
    unsigned char *row_part;
    char sha256[65];      /* CSV: hex SHA-256 of the file; IDX: of the images file;
                             "" when generated */
    char labels_sha256[65]; /* IDX: of the labels file; else "" */
    const char *const *feature_names; /* CSV: the columns used, in order; NULL when
                                         generated or read from IDX files */
    /* Labels written as text: the class names, sorted (the label of a row
     * is its class's index). 0 and NULL when the labels were numbers. */
    int class_count;
    const char *const *class_names;
    /* The shape of one row's features when the data set knows it (an IDX
     * file's images, a CSV file's shape=); rank 0: a plain row of
     * `features` values. */
    LrShape shape;
    /* A share, or .held false: every row, x holding part_count[p] rows of
     * part p from part_begin[p]. A share holds this rank's own rows of
     * part p there (part_count[p] of them), then its halo[p] rows. */
    LrDataShare share;
} LrDataset;

/* What the labels of a data set must be, known from the model and the
 * data set trained on before any row is read (plan.c), so that a wrong one
 * is named at its file, row and column.
 *
 * Text labels: a CSV data set whose single label column holds a value that
 * is not a number is read as classes when text_classes is set (the data set
 * trained on, with a cross-entropy loss): the class names are the distinct
 * values of all its rows (surrounding spaces dropped), sorted by byte
 * (strcmp), and a row's label is its class's index. A data set given
 * class_names (those of the data set trained on) reads its label as text
 * and maps it through them: a value that is not among them is an error
 * ("class 'virginca' was not in the training data (classes: ...)"). */
/* The most classes text labels may name: as many as a saved model's
 * description holds (model.h's MODEL_MAX_CLASSES). */
#define DATA_MAX_CLASSES (1 << 16)

typedef enum LrLabelWant {
    LABEL_ANY,         /* any number */
    LABEL_CLASS_INDEX, /* an integer from 0 to outputs - 1 */
    LABEL_PROBABILITY  /* from 0 to 1 */
} LrLabelWant;

typedef struct LrLabelRule {
    LrLabelWant want;  /* of numeric labels */
    int outputs;       /* LABEL_CLASS_INDEX: the model's classes */
    const char *loss;  /* LABEL_PROBABILITY: the loss that needs it, for the message */
    bool text_classes;
    int class_count;
    const char *const *class_names; /* sorted, NULL-terminated; NULL: labels are numbers */
} LrLabelRule;

/* Reads (csv, idx) or generates (linear, blobs, moons, spiral) dataset index
 * `index` of the experiment, then splits it. Generators draw from stream
 * RNG_STREAM_DATA + RNG_DATASET_STRIDE * index.
 *
 * Errors in the data, found before anything runs, are LR_LANGUAGE_ERROR
 * (exit 2, as `lrc check` gives for what it sees), each one reported up
 * to the sink's cap: a missing or non-numeric value ("iris.csv:12:3: error: non-numeric value 'abc' in
 * column 'width'", reported with diag_file_error), ragged rows, a file
 * with no rows, an unknown column name ("unknown column 'widht'; did you
 * mean 'width'?", at spec->label_span or features_span of src), a split
 * that leaves no training rows (at the dataset); an IDX file that is not
 * one, truncated or corrupt, labels that are not rank 1 integers, as many
 * as the images, or out of the rule's range (at the path or labels=). A
 * file that cannot be
 * opened now (`lrc check` opened it) and out of memory are LR_RUN_FAILED.
 * LR_OK on success. Allocates; data_free releases. */
LrStatus data_load(const LrDatasetSpec *spec, int index, uint64_t seed, const LrSource *src,
                   LrDiag *diag, LrDataset *out);
/* data_load with the rule its labels follow (NULL: numbers, any value). */
LrStatus data_load_labels(const LrDatasetSpec *spec, int index, uint64_t seed,
                          const LrSource *src, LrDiag *diag, const LrLabelRule *rule,
                          LrDataset *out);
void data_free(LrDataset *d);
/* The whole data set's rows, held here or not. */
static inline int64_t data_rows(const LrDataset *d)
{
    return d->share.held ? d->share.rows : d->n;
}
/* data_load_labels under mpirun: this rank's share of the rows (see
 * LrDataShare), with halo rows after each part's own (at most). A CSV
 * file's rows are owned by byte ranges: rank r of R owns the records that
 * start in [size r / R, size (r + 1) / R) of the file, and reads it up to
 * there (the last rank to its end, and hashes it); IDX files and
 * generators by rows, n r / R to n (r + 1) / R, reached by seeking (a
 * generator's stream by its draws). The split is drawn as data_load_labels
 * draws it, from every row's part (a byte per row, kept in row_part) and,
 * with stratify=true, every label (gathered). Every rank must call it: it
 * ends with the ranks agreeing on the status. Text labels: every rank
 * reads the label of every record, to name the classes alike. */
LrStatus data_load_share(const LrDatasetSpec *spec, int index, uint64_t seed, const LrSource *src,
                         LrDiag *diag, const LrLabelRule *rule, int64_t halo, LrDataset *out);
/* The rows a share of a data set of `rows` rows holds at most on a rank
 * of `ranks` (its own, as even as they come, and three halos): for
 * sizing the plan. */
int64_t data_share_rows(int64_t rows, int ranks, int64_t halo);

/* names (count of them) as a list for a message, "a, b, c", cut with
 * ", ... (N in all)" to fit size. */
void data_describe_classes(const char *const *names, int count, char *buf, size_t size);
/* A CSV field as a feature or label value: the whole field without its
 * surrounding spaces and tabs, read as strtod reads it (decimal.h's fast
 * path first), then rounded to float. Shared by the loader and predict. */
typedef enum LrValueError {
    VALUE_OK, VALUE_MISSING, VALUE_NOT_NUMBER, VALUE_NOT_FINITE, VALUE_RANGE
} LrValueError;
LrValueError data_parse_value(const char *s, size_t len, float *out);
/* Reports what data_parse_value found wrong with the len bytes at s, the
 * value of column name (col, 1-based) on line of file. */
void data_value_error(LrDiag *diag, const char *file, int line, int col, const char *name,
                      const char *s, size_t len, LrValueError e);

/* Per-feature statistics of rows [begin, begin + count): standard: offset
 * the mean, scale the population standard deviation; minmax: offset the
 * minimum, scale max - min; a scale of 0 becomes 1 (a constant column stays
 * constant). NORM_NONE: offset 0, scale 1. Computed in double. */
void data_normalize_fit(const LrDataset *d, LrNormalizeKind kind, int64_t begin, int64_t count,
                        float *offset, float *scale);
/* data_normalize_fit of part `part` of d, a share or not: over a share the
 * sums run through the ranks in the rows' order (dist_relay_wait), so that
 * they are the sums one process makes. Every rank calls it for a share. */
void data_normalize_fit_part(const LrDataset *d, LrNormalizeKind kind, int part, float *offset,
                             float *scale);
/* x := (x - offset) / scale for every row. */
void data_normalize_apply(LrDataset *d, const float *offset, const float *scale);

/* What can be known of a data set before loading it, for sizing the plan:
 * its width, and bounds on its rows (a CSV file's rows are counted only as
 * it is read; its size bounds them). */
typedef struct LrDataShape {
    int features, targets;
    int64_t rows_at_least, rows_at_most;
    LrShape shape; /* as LrDataset's */
} LrDataShape;

/* The rows of part of a data set of n rows, as the split makes it. */
int64_t data_part_rows(const LrDatasetSpec *spec, int64_t n, LrPart part);

/* Reads only the header of a CSV file (for `lrc check` and the plan's
 * memory check): the column names, for validating label= and features=,
 * and the shape; of IDX files, their headers (sizes and types: rows and
 * shape are exact). A generated data set's shape needs no reading. Returns
 * LR_OK, or after reporting LR_LANGUAGE_ERROR for whatever is wrong
 * with the file or its header (read before anything runs) or
 * LR_RUN_FAILED when out of memory; shape may be NULL. */
LrStatus data_check_columns(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                            LrDataShape *shape);

/* The feature columns of a data set as the run will read them, before it
 * is loaded (for `lrc check` to match a loaded model's inputs): a CSV
 * file's names from its header (NULL-terminated; free() *names), or NULL
 * for a generated one, whose columns the run names x1, x2, ...; *count
 * either way. LR_OK, or as data_check_columns after reporting. */
LrStatus data_feature_names(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag,
                            const char *const **names, int *count);

/* How many rows `lrc check` reads of a CSV file (data_check_values). */
#define DATA_CHECK_ROWS 100

/* Reads the header and first DATA_CHECK_ROWS rows of a CSV file, for
 * `lrc check`: a feature column holding text there is an error at the
 * data set's statement, naming the column, the value and its row. Returns
 * LR_OK (also for a generated data set), or LR_LANGUAGE_ERROR after
 * reporting. */
LrStatus data_check_values(const LrDatasetSpec *spec, const LrSource *src, LrDiag *diag);

/* The bytes data_load allocates for a data set of this shape at most rows
 * (x, y, and a blobs generator's centres while it runs); false when that
 * overflows size_t. One computation for the allocation and the plan's
 * estimate. */
bool data_bytes(const LrDatasetSpec *spec, const LrDataShape *shape, int64_t rows, size_t *x,
                size_t *y, size_t *centers);

#endif
