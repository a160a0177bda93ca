/* options.h — the options of the language's calls and statements (a
 * schedule's steps, an optimizer's momentum, dense's units, ...), each a
 * row of a table and spelled only there: the checker binds, folds and
 * range-checks them (check.c), --explain writes them back (explain.c). A
 * new option is a row; a new schedule, optimizer, initializer or data
 * generator a table of rows. */
#ifndef LR_OPTIONS_H
#define LR_OPTIONS_H
#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

/* An option of a statement, or a parameter of a call, as a row: its name,
 * whether it is required, and for the values the checker folds alike,
 * their type, the field of the spec they fill, the default, and the valid
 * range with the message reported at the value when it is out of it. The
 * checker evaluates the OPTION_OTHER rows itself, and --explain writes them
 * itself. Rows are in the order of positional arguments. */
typedef enum OptionType {
    OPTION_OTHER, /* the caller's */
    OPTION_NUMBER, /* double */
    OPTION_BOOL,
    OPTION_INT,   /* int, an integer from min to max */
    OPTION_INT64  /* int64_t, likewise */
} OptionType;

typedef enum OptionRange {
    RANGE_ANY,
    RANGE_NONNEGATIVE, /* >= 0 */
    RANGE_POSITIVE,    /* > 0 */
    RANGE_FRACTION,    /* >= 0 and < 1 */
    RANGE_UNIT,        /* from 0 to 1 */
    RANGE_ABOVE_ROW,   /* > the value of row other */
    RANGE_FROM_ROW     /* >= the value of row other */
} OptionRange;

typedef struct OptionRow {
    const char *name;
    int required;
    OptionType type;
    size_t field;         /* offsetof in the spec */
    double dflt;
    int default_from;     /* 1 + the row whose value an absent option takes; 0: dflt */
    double min, max;      /* OPTION_INT, OPTION_INT64: checked as the value is folded */
    const char *what;     /* what an integer's range message calls it; NULL: the name */
    OptionRange valid;
    int other;            /* the row RANGE_ABOVE_ROW and RANGE_FROM_ROW compare with */
    bool whole;           /* a double that must be an integer */
    bool given_only;      /* the default is outside the range (clip_norm's 0: none) */
    bool checked_last;    /* after the other rows (a schedule's initial and steps) */
    const char *range;    /* reported at the value when it is out of range */
} OptionRow;

/* Each table ends with a row whose name is NULL. */

/* What takes no options (activation layers, most initializers, losses). */
extern const OptionRow options_none[];

/* By LrScheduleKind (SCHED_CONSTANT, a plain number, has none). */
extern const OptionRow *const options_schedules[];
enum { SCHEDULE_STEPS = 1, SCHEDULE_COSINE_TARGET = 4 };
enum { PIECEWISE_BOUNDARIES, PIECEWISE_VALUES };

/* By LrInitKind. */
extern const OptionRow *const options_initializers[];

/* By LrLayerKind; an activation layer's are options_activations'. */
extern const OptionRow *const options_layers[];
/* By LrActivation: an activation's parameters, as a layer's options (a
 * dense layer's activation takes their defaults). */
extern const OptionRow *const options_activations[ACT_COUNT];
enum { DENSE_ACTIVATION = 1, DENSE_INIT = 2, DENSE_BIAS_INIT = 3 };

/* By LrLossKind. */
extern const OptionRow *const options_losses[];

/* A data source: its options, and the width and classes of what it makes
 * when they are not options (linear's classes: 0, none; csv: from the
 * file). By LrSourceKind. */
typedef struct GeneratorRow {
    const OptionRow *rows;
    int features, classes;
} GeneratorRow;
extern const GeneratorRow options_sources[];
enum { LINEAR_WEIGHTS = 4 };
enum { CSV_PATH, CSV_LABEL, CSV_LABELS, CSV_FEATURES, CSV_HEADER, CSV_DELIMITER, CSV_EXCLUDE,
       CSV_SHAPE };
enum { IDX_PATH, IDX_LABELS, IDX_SCALE };

/* One option table for all optimizers; each accepts its own subset, so
 * that a misplaced option is named as such. */
extern const OptionRow options_optimizer[];
enum { OPTIMIZER_LR = 0, OPTIMIZER_WEIGHT_DECAY = 6, OPTIMIZER_INITIAL_ACCUMULATOR = 8 };

/* An optimizer: the options it accepts, in the order --explain writes
 * them, and the defaults that are its own. By LrOptimizerKind. */
typedef struct OptimizerRow {
    const char *accepts;
    double lr, weight_decay, initial_accumulator;
} OptimizerRow;
extern const OptimizerRow options_optimizers[];

/* The statements' options (a dataset's after its source), and patience(...). */
extern const OptionRow options_dataset[], options_train[], options_evaluate[],
    options_minimize[], options_patience[], options_predict[];
enum { DATASET_VALIDATION, DATASET_TEST, DATASET_NORMALIZE, DATASET_STRATIFY };
enum { TRAIN_ON, TRAIN_EPOCHS, TRAIN_BATCH, TRAIN_SHUFFLE, TRAIN_VALIDATION, TRAIN_METRICS,
       TRAIN_EARLY_STOP, TRAIN_LOG_EVERY, TRAIN_SHARD };
enum { EVALUATE_ON, EVALUATE_METRICS, EVALUATE_CONFUSION };
enum { PREDICT_ON, PREDICT_TO, PREDICT_KEEP };
enum { MINIMIZE_STEPS, MINIMIZE_LR, MINIMIZE_OPTIMIZER, MINIMIZE_TRACE, MINIMIZE_PLOT };

/* The index of the row named by length bytes at name, or -1. */
int options_find(const OptionRow *rows, const char *name, size_t length);

#endif
