/* plan.h — lowers a Spec to the pipeline (data → batches → layers → loss →
 * optimizer): loads the data, sizes and allocates every buffer in one
 * place, before the first step, and initializes the parameters. The
 * training step allocates nothing. */
#ifndef LR_PLAN_H
#define LR_PLAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "data.h"
#include "diag.h"
#include "layer.h"
#include "layers.h"
#include "loss.h"
#include "metrics.h"
#include "optim.h"
#include "rng.h"
#include "spec.h"
#include "status.h"

/* A view of one part of a loaded dataset. */
typedef struct LrPartView {
    const float *x, *y;
    int64_t rows;        /* the part's rows (of the whole data set) */
    /* x and y hold part rows [first, first + held), then `halo` more:
     * all of them (first 0, held = rows, no halo) unless the data set is
     * held in shares (data.h), and then `share` is its. */
    const LrDataShare *share;
    int part;
    int64_t first, held, halo;
} LrPartView;

/* A variable of the model as saved: "conv2d/kernel", its place and shape. */
typedef struct LrPlanVar {
    char name[64];
    float *data;
    LrVarShape shape;
} LrPlanVar;

typedef struct LrPlan {
    const LrSpec *spec;
    LrArena arena;          /* the run arena: owns every buffer below */
    LrDataset data[SPEC_MAX_DATASETS];
    int dataset_count;
    int features, outputs, targets; /* model input, model output, target columns */
    float *norm_offset, *norm_scale; /* features each: the model's input transform */
    bool normalized;        /* the transform is in use (and saved with the model) */
    LrNormalizeKind norm_kind; /* how it was fitted: the data set's, or a loaded model's */
    LrLoss loss;
    LrActivation pending;   /* output activation fused into the loss, for metrics */
    int batch;              /* rows per step: min(train batch, training rows) */
    int shard_rows;         /* rows per shard of a step (dist.h): train
                               shard=, or the whole batch */
    int shard_slots;        /* the most shards of a batch this rank computes */
    float *shard_grads;     /* shard_slots x param_count: their gradients,
                               the first slot dparams itself; NULL when a
                               step is one shard on one process */
    int64_t *grad_sum;      /* param_count: their exact sum (train.c), under
                               mpirun */
    double *grad_max;       /* each variable's largest gradient, the
                               step's flags, ... (train.c) */
    int64_t dropout_draws;  /* random draws a training forward takes per row */
    int eval_rows;          /* rows per forward pass when measuring (>= batch) */
    bool uses_blas;         /* some dense layer's product is past the plain loop */
    float *xb, *yb;         /* a shuffled batch, gathered */
    /* The data set trained on is held in shares (data.h): a step's rows
     * come from the ranks that hold them (train.c), through these: rows
     * sent (every rank's of the batch, at most), rows received, and
     * counts and offsets of each (4 x ranks). */
    bool shared;
    float *rows_out, *rows_in;
    int *row_counts;
    double *block_sums;     /* a share's measurement: per block of eval_rows
                               rows, its loss and metrics' sums */
    int64_t block_capacity; /* blocks block_sums holds */
    int layer_count;
    LrLayer *layers;
    LrShape input_shape;    /* of one sample: the model's input= or the data's */
    LrShape *shapes;        /* shapes[i]: layer i's output */
    LrTensor *acts;         /* acts[i]: output of layer i, eval_rows rows */
    LrTensor *grads;        /* grads[i]: dLoss/d acts[i] */
    float *params, *dparams, *best; /* best: params and state */
    size_t param_count;     /* trained (params, dparams, the optimizer's) */
    float *state;           /* after the parameters: batchnorm's moving
                               statistics, saved but not trained */
    size_t state_count;
    size_t *var_offsets;    /* each trainable variable's start in params */
    int var_count;          /* trainable variables */
    LrPlanVar *vars;        /* every variable, trainable and state, in order */
    int all_var_count;
    LrPartView train;       /* what train on= names */
    int64_t *order;         /* sample order of the current epoch (train.rows) */
    LrRng shuffle_rng, dropout_rng;
    LrOptimizer optimizer;
    LrOptimizerSpec optimizer_spec; /* the spec's, with a schedule's epochs= as steps */
    int metric_count;       /* the train statement's metrics */
    LrMetricTally tally;    /* the metrics of a whole part (precision, auc,
                               r2, ...) and evaluate's confusion matrix:
                               buffers for what the experiment asks */
    int history_cols;       /* see train.h */
    double *history;        /* epochs x history_cols */
} LrPlan;

/* Checks that the data sets (CSV files by their headers) and the model fit
 * in this machine's memory, without allocating. Returns LR_OK, or after
 * reporting to diag LR_LANGUAGE_ERROR (too large, or a CSV file whose
 * header cannot be read or lacks a column) or LR_RUN_FAILED (out of
 * memory). */
LrStatus plan_check_size(const LrSpec *spec, const LrSource *src, LrDiag *diag);

/* The schedule lr as training uses it (out): with epochs=, its steps are
 * that many epochs of per_epoch updates. With warn, reports to diag a
 * decaying schedule that ends before training does (polynomial without
 * cycle, cosine), or one with staircase=true that never steps (exp_decay,
 * inverse_time), as a warning naming both step counts. */
void plan_schedule(const LrSpec *spec, const LrScheduleSpec *lr, int64_t per_epoch, bool warn,
                   const LrSource *src, LrDiag *diag, LrScheduleSpec *out);

/* Loads the data (data.h), fits the normalization on the training rows,
 * checks the data against the model (widths, class labels), allocates
 * every buffer and initializes the parameters from the init stream. The
 * data stay as read: run.c loads spec->load_path's weights (which may
 * bring their own normalization) and then calls plan_apply_normalization.
 * Returns LR_OK, or after reporting LR_LANGUAGE_ERROR for what is wrong
 * with the data (data_load's, widths, labels, no rows to train on) or
 * LR_RUN_FAILED (memory, OpenBLAS). */
LrStatus plan_build(LrPlan *plan, const LrSpec *spec, const LrSource *src, LrDiag *diag);
/* Applies the model's input transform (fitted, or loaded with weights) to
 * every dataset of the experiment, in place; once, before training. */
void plan_apply_normalization(LrPlan *plan);
void plan_free(LrPlan *plan);

/* The rows of a dataset part. */
LrPartView plan_part(const LrPlan *plan, LrDataRef ref);

/* What the labels of data set `on` must be for a model of `outputs`
 * outputs under loss (data.h): class indices, probabilities or any
 * number, and text read as classes under a cross-entropy loss. The
 * training path and an inference file's loaded model share it. */
void plan_label_rule(LrLossKind loss, int outputs, const LrDatasetSpec *on, LrLabelRule *rule);

/* The shape of one sample the model takes: the model's input= (whose
 * values must be the data's features), else the data set's own shape,
 * else a plain row of features. -1 after reporting a mismatch. */
int plan_input_shape(const LrSpec *spec, const LrShape *data_shape, int features,
                     const char *data_name, const LrSource *src, LrDiag *diag, LrShape *out);

/* Keras's name of dense layer i among the model's layers ("dense",
 * "dense_1", ...), as used in weight files and reports. */
void plan_layer_name(const LrPlan *plan, int layer, char *out, size_t size);

#endif
