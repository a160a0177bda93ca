/* spec.h — the checked experiment: plain structs the checker produces (in
 * the compile arena) and the planner and runtime consume. Every default is
 * filled in; every value is in range. Spans point back at the statement or
 * option each value came from, so a run-time error can still name it. */
#ifndef LR_SPEC_H
#define LR_SPEC_H
#include <stdbool.h>
#include <stdint.h>

#include "source.h"

typedef enum LrScheduleKind {
    SCHED_CONSTANT,
    SCHED_EXP_DECAY,
    SCHED_PIECEWISE,
    SCHED_POLYNOMIAL,
    SCHED_INVERSE_TIME,
    SCHED_COSINE
} LrScheduleKind;

/* A learning rate as a pure function of the step (schedule.c). */
typedef struct LrScheduleSpec {
    LrScheduleKind kind;
    double initial;      /* CONSTANT: the value */
    double steps;        /* decay steps (> 0) */
    double rate;         /* EXP_DECAY, INVERSE_TIME */
    bool staircase;      /* EXP_DECAY, INVERSE_TIME */
    double end, power;   /* POLYNOMIAL */
    bool cycle;          /* POLYNOMIAL */
    double alpha;        /* COSINE: final fraction of target */
    double warmup;       /* COSINE: warmup steps (>= 0) */
    double target;       /* COSINE: lr reached after warmup */
    int count;           /* PIECEWISE: number of boundaries */
    const double *boundaries; /* PIECEWISE: count, strictly increasing */
    const double *values;     /* PIECEWISE: count + 1 */
} LrScheduleSpec;

typedef enum LrActivation { ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH } LrActivation;

typedef enum LrInitKind {
    INIT_ZEROS,
    INIT_ONES,
    INIT_CONSTANT,       /* a */
    INIT_NORMAL,         /* mean a, stddev b */
    INIT_UNIFORM,        /* low a, high b */
    INIT_GLOROT_UNIFORM  /* limit sqrt(6 / (fan_in + fan_out)) */
} LrInitKind;

typedef struct LrInitSpec {
    LrInitKind kind;
    double a, b;
} LrInitSpec;

typedef enum LrLayerKind { LAYER_DENSE } LrLayerKind;

typedef struct LrLayerSpec {
    LrLayerKind kind;
    LrSpan span;
    int units;
    LrActivation activation;
    LrInitSpec init, bias_init;
} LrLayerSpec;

typedef enum LrLossKind { LOSS_MSE, LOSS_HALF_MSE, LOSS_MAE } LrLossKind;

typedef enum LrOptimizerKind { OPT_SGD } LrOptimizerKind;

typedef struct LrOptimizerSpec {
    LrOptimizerKind kind;
    LrSpan span;
    LrScheduleSpec lr;
    double momentum;     /* SGD, in [0, 1) */
    bool nesterov;
} LrOptimizerSpec;

typedef enum LrSourceKind { DATA_LINEAR } LrSourceKind;

typedef struct LrDatasetSpec {
    LrSourceKind kind;
    LrSpan span;
    const char *name;    /* "" when unnamed */
    int64_t n;
    int features;
    double low, high;    /* LINEAR: x ~ U(low, high) */
    const double *weights; /* LINEAR: features entries */
    double bias, noise;
} LrDatasetSpec;

typedef struct LrTrainSpec {
    LrSpan span;
    int64_t epochs;
    int64_t batch;
    bool shuffle;
} LrTrainSpec;

/* Hard limits checked before anything is allocated. */
#define SPEC_MAX_LAYERS 256
#define SPEC_MAX_UNITS (1 << 24)

typedef struct LrSpec {
    uint64_t seed;
    bool has_seed;       /* false: the documented default seed 0 */
    bool has_dataset, has_model, has_loss, has_optimizer, has_train;
    LrDatasetSpec dataset;
    int layer_count;
    LrLayerSpec *layers;
    LrLossKind loss;
    LrSpan loss_span;
    LrOptimizerSpec optimizer;
    LrTrainSpec train;
} LrSpec;

#endif
