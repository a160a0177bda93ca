/* spec.h — the checked experiment: plain structs the checker produces (in
 * the compile arena) and the planner and runtime consume. Every default is
 * filled in; every value is in range. Spans point back at the statement or
 * option each value came from, so a run-time error can still name it. */
#ifndef LR_SPEC_H
#define LR_SPEC_H
#include <stdbool.h>
#include <stdint.h>

#include "expr.h"
#include "source.h"
#include "words.h" /* the enums of words: LrActivation, LrLossKind, ... */

/* A learning rate as a pure function of the step (schedule.c). */
typedef struct LrScheduleSpec {
    LrScheduleKind kind;
    double initial;      /* CONSTANT: the value */
    double steps;        /* decay steps (> 0; 0 when given as epochs) */
    double epochs;       /* decay epochs, given instead of steps (0: not
                            given): steps are epochs x the training's steps
                            per epoch (plan_schedule) */
    LrSpan span;         /* the schedule as written, for its warning */
    double rate;         /* EXP_DECAY, INVERSE_TIME */
    bool staircase;      /* EXP_DECAY, INVERSE_TIME */
    double end, power;   /* POLYNOMIAL */
    bool cycle;          /* POLYNOMIAL */
    double alpha;        /* COSINE: final fraction of target */
    double warmup;       /* COSINE: warmup steps (>= 0) */
    double target;       /* COSINE: lr reached after warmup */
    bool has_target;     /* COSINE: target given; without it, warmup is ignored (Keras) */
    int count;           /* PIECEWISE: number of boundaries */
    const double *boundaries; /* PIECEWISE: count, strictly increasing */
    const double *values;     /* PIECEWISE: count + 1 */
} LrScheduleSpec;

typedef struct LrInitSpec {
    LrInitKind kind;
    double a, b;
} LrInitSpec;

/* The shape of one sample: rank 1, [n] values; or rank 3, an image of
 * [height, width, channels], stored channels-last as one row of h w c
 * floats (value (y, x, ch) at (y w + x) c + ch, as Keras and TensorFlow
 * lay it out). Rank 0: not known (yet). */
#define SHAPE_MAX_RANK 3
typedef struct LrShape {
    int rank;
    int dims[SHAPE_MAX_RANK];
} LrShape;

typedef struct LrLayerSpec {
    LrLayerKind kind;
    LrSpan span;
    int units;               /* DENSE; CONV2D: filters */
    LrActivation activation; /* DENSE, CONV2D, ACTIVATION */
    LrInitSpec init, bias_init;
    double l2;               /* DENSE, CONV2D: adds l2 * sum(kernel^2) to the loss */
    double rate;             /* DROPOUT, in [0, 1) */
    int kernel[2];           /* CONV2D: [kh, kw]; pooling: the window */
    int stride[2];           /* CONV2D, pooling */
    bool same;               /* CONV2D, pooling: padding=same (else valid) */
    double momentum, epsilon; /* BATCHNORM */
    double alpha;            /* ACTIVATION leaky_relu (slope below 0), elu */
    bool approximate;        /* ACTIVATION gelu: the tanh form */
    LrShape target;          /* RESHAPE */
    LrFlipMode flip;         /* RANDOM_FLIP: which flips */
} LrLayerSpec;

typedef struct LrLossSpec {
    LrLossKind kind;
    double delta;        /* HUBER, > 0 */
} LrLossSpec;

#define SPEC_MAX_METRICS 8

typedef struct LrOptimizerSpec {
    LrOptimizerKind kind;
    LrSpan span;
    LrScheduleSpec lr;
    double momentum;     /* SGD, RMSPROP: in [0, 1) */
    bool nesterov;       /* SGD */
    double beta1, beta2; /* ADAM, ADAMW */
    double epsilon;      /* ADAM, ADAMW, RMSPROP, ADAGRAD */
    double weight_decay; /* ADAMW */
    double rho;          /* RMSPROP */
    double initial_accumulator; /* ADAGRAD */
    double clip_norm;    /* 0: none; else each variable's gradient is scaled
                          * to at most this L2 norm (Keras clipnorm) */
} LrOptimizerSpec;

typedef struct LrDatasetSpec {
    LrSourceKind kind;
    LrSpan span;
    const char *name;    /* "" when unnamed */
    int64_t n;           /* generators */
    int features;        /* generators; CSV: known after reading */
    double low, high;    /* LINEAR: x ~ U(low, high) */
    const double *weights; /* LINEAR: features entries */
    double bias, noise;  /* LINEAR, MOONS, SPIRAL (noise) */
    int classes;         /* BLOBS, SPIRAL */
    double spread;       /* BLOBS: stddev of each cluster */
    const char *path;    /* CSV, IDX (the images): as written */
    const char *resolved_path; /* CSV, IDX: relative to the .lr file's directory, or
                                  found along the data path (check_data_path) */
    const char *portable_path; /* CSV, IDX: from the main file's directory (--explain),
                                  or the path found along the data path */
    LrSpan path_span;    /* CSV, IDX: where the path is written */
    /* CSV, IDX: the data path a relative path was looked for along, for
     * the error that names the places looked at when it is nowhere. */
    const char *const *data_path;
    int data_path_count;
    /* IDX: the labels file, as path, resolved_path and portable_path (its
     * span is label_span). */
    const char *labels_path, *labels_resolved, *labels_portable;
    double scale;        /* IDX: every value is divided by it (> 0) */
    int label_count;     /* CSV: label columns (>= 1) */
    const char *const *labels;   /* CSV: their names */
    int feature_count;   /* CSV: 0 = every column that is not a label */
    const char *const *feature_names;
    LrSpan label_span, features_span; /* CSV: where label(s)= and features= are written */
    /* CSV: where each name of labels and feature_names is written, so that
     * an unknown one is pointed at, not its whole list (NULL: the spans
     * above). */
    const LrSpan *label_spans, *feature_spans;
    /* CSV: exclude=, the columns that are neither label nor feature when
     * features= is not given (0: none), with their spans as above. */
    int exclude_count;
    const char *const *exclude_names;
    LrSpan exclude_span;
    const LrSpan *exclude_spans;
    bool header;         /* CSV */
    char delimiter;      /* CSV */
    double validation, test; /* held-out fractions, in [0, 1) with sum < 1 */
    bool stratify;       /* held-out rows chosen per class (data.h) */
    LrNormalizeKind normalize;
    LrShape shape;       /* CSV shape=[...]; rank 0: none given */
    LrSpan shape_span;
} LrDatasetSpec;

/* A part of a dataset: NAME (what is left for training), NAME.validation,
 * NAME.test. */
typedef enum LrPart { PART_TRAIN, PART_VALIDATION, PART_TEST } LrPart;

typedef struct LrDataRef {
    int dataset;         /* index into LrSpec.datasets; -1 = none */
    LrPart part;
    LrSpan span;
} LrDataRef;

typedef struct LrEarlyStopSpec {
    bool enabled;
    int64_t patience;    /* epochs without improvement before stopping */
    double min_delta;    /* smaller improvements do not count */
    bool restore_best;   /* end with the best epoch's weights */
} LrEarlyStopSpec;

typedef struct LrTrainSpec {
    LrSpan span;
    LrDataRef on;
    LrDataRef validation; /* dataset -1: none */
    int64_t epochs;
    int64_t batch;
    int64_t log_every;    /* print every log_every-th epoch's line (and the last) */
    int64_t shard;        /* rows per shard of a step (dist.h); 0: the batch */
    LrSpan shard_span;    /* shard= as written */
    bool shuffle;
    int metric_count;
    LrMetricKind metrics[SPEC_MAX_METRICS];
    LrSpan metric_spans[SPEC_MAX_METRICS]; /* each name in metrics=[...] */
    LrEarlyStopSpec early_stop;
} LrTrainSpec;

typedef struct LrEvaluateSpec {
    LrSpan span;
    LrDataRef on;
    int metric_count;
    LrMetricKind metrics[SPEC_MAX_METRICS];
    LrSpan metric_spans[SPEC_MAX_METRICS]; /* each name in its metrics=[...] */
    bool own_metrics;    /* metrics= given (else the train statement's) */
    bool confusion;      /* print the confusion matrix (a classifier's) */
    LrSpan confusion_span;
} LrEvaluateSpec;

/* predict on=NAME[.part] to="file.csv" keep=[...]: the model's outputs
 * for the part's rows, in file order, as `lrc predict` writes them. */
typedef struct LrPredictSpec {
    LrSpan span;
    LrDataRef on;
    const char *path;        /* to=, resolved */
    const char *portable;    /* as written, from the main file's directory (--explain) */
    LrSpan path_span;
    int keep_count;          /* keep=: columns of the data set's CSV file, 0: none */
    const char *const *keep;
    LrSpan keep_span;
    const LrSpan *keep_spans;
} LrPredictSpec;

/* minimize EXPR from x=..., y=... : gradient descent on a formula. */
typedef struct LrMinimizeSpec {
    LrSpan span;
    const char *text;       /* the expression as written */
    const char *label;      /* what the output calls it: f(x,y) for a let
                               function's call, else the text on one line */
    const char *function;   /* that let function's name, or NULL */
    LrExpr expr;            /* compiled, with exact derivatives */
    int var_count;
    const char *var_names[EXPR_MAX_VARS];
    double start[EXPR_MAX_VARS];
    int64_t steps;          /* default 100 */
    LrOptimizerSpec optimizer; /* default sgd; lr default that optimizer's */
    bool trace;             /* one row per step */
    const char *plot_path;  /* plot="...": the figure of the descent, or NULL */
    const char *plot_portable; /* as written, for --explain */
} LrMinimizeSpec;

/* A let that a minimize's formula names, itself or through the functions
 * it calls: the resolved experiment writes it before the minimize
 * statements, so that their formulas read (and are labelled) as written. */
typedef struct LrLetSpec {
    const char *name;
    const char *params;     /* a function's parameters, "x, y"; NULL: a value */
    const char *body;       /* a function's formula as .lr text */
    double value;           /* a value's number */
} LrLetSpec;

/* A `let NAME = sweep(...)`: the values the runs of a sweep take. */
typedef struct LrSweepSpec {
    const char *name;
    int count;
    const char **values;    /* each value's source text, for --set */
} LrSweepSpec;

#define SPEC_MAX_DATASETS 16
#define SPEC_MAX_MINIMIZES 16
#define SPEC_MAX_SWEEPS 16
#define SPEC_MAX_EVALUATES 16
#define SPEC_MAX_PREDICTS 16

/* Hard limits checked before anything is allocated. */
#define SPEC_MAX_LAYERS 256
#define SPEC_MAX_UNITS (1 << 24)

typedef struct LrSpec {
    uint64_t seed;
    bool has_seed;       /* false: the documented default seed 0 */
    bool seed_overridden; /* --seed replaced the file's: a resume must too */
    bool has_model, has_loss, has_optimizer, has_train;
    int dataset_count;
    LrDatasetSpec datasets[SPEC_MAX_DATASETS];
    int layer_count;
    LrLayerSpec *layers;
    LrShape input;       /* model input=[...]; rank 0: the data set's shape */
    LrSpan input_span;
    LrLossSpec loss;
    LrSpan loss_span;
    LrOptimizerSpec optimizer;
    LrTrainSpec train;
    int evaluate_count;  /* run after training, in file order */
    LrEvaluateSpec evaluates[SPEC_MAX_EVALUATES];
    int predict_count;   /* run after the evaluations, in file order */
    LrPredictSpec predicts[SPEC_MAX_PREDICTS];
    const char *load_path, *save_path; /* resolved; NULL when absent */
    const char *load_portable, *save_portable; /* from the main file's directory (--explain) */
    LrSpan load_span, save_span;
    int minimize_count;  /* run after training, in file order */
    LrMinimizeSpec minimizes[SPEC_MAX_MINIMIZES];
    int let_count;       /* the lets the minimizes name, each after those it names */
    const LrLetSpec *lets;
    int sweep_count;     /* sweeps not replaced by --set */
    LrSweepSpec sweeps[SPEC_MAX_SWEEPS];
} LrSpec;

#endif
