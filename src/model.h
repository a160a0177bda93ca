/* model.h — a trained model apart from the experiment that made it: the
 * input columns, the input transform, the layer chain, what the outputs
 * mean and the loss. weights.c saves this description in the
 * `__metadata__` of model.safetensors (string values, so any safetensors
 * reader keeps them); predict, export and summary read it back and need no
 * .lr file.
 *
 * The metadata keys (each value a string; structured ones are compact
 * JSON):
 *   format             "lrc-model"
 *   lrc_version        the release that wrote the file
 *   lrc_model          MODEL_DESCRIPTION_VERSION, as decimal text; a file
 *                      without it has no description (older releases)
 *   experiment_sha256  of the resolved experiment (run.json's)
 *   inputs             ["name", ...]: the feature columns, in input order
 *                      (x1, x2, ... for a generated data set)
 *   normalize          {"kind": "none"} or {"kind": "standard"|"minmax",
 *                      "offset": [...], "scale": [...]}: x' = (x - offset)
 *                      / scale; the same float32 numbers as the tensors
 *                      normalize/offset and normalize/scale
 *   input_shape        [n] or [height, width, channels]: one sample's
 *                      shape (absent: [features], files of lrc 0.3.0)
 *   layers             [{"name": "dense", "kind": "dense", "units": 16,
 *                      "activation": "relu"}, {"name": "dropout", "kind":
 *                      "dropout", "units": 16, "rate": 0.2}, {"name":
 *                      "activation", "kind": "activation", "units": 3,
 *                      "activation": "softmax"}]: "units" is every layer's
 *                      output width; an activation's parameters beside it
 *                      ("alpha": 0.2 for leaky_relu and elu, "approximate":
 *                      false for gelu); a dense layer's tensors are
 *                      NAME/kernel [in, units] and NAME/bias [units].
 *                      Image layers add "shape" (their output's) and their
 *                      options: conv2d "filters", "kernel" [kh, kw],
 *                      "stride" [sh, sw], "padding", "activation" (tensors
 *                      NAME/kernel [kh, kw, in, filters], NAME/bias);
 *                      maxpool2d and avgpool2d "size", "stride",
 *                      "padding"; batchnorm "momentum", "epsilon"
 *                      (tensors NAME/gamma, beta, moving_mean,
 *                      moving_variance); flatten, reshape,
 *                      global_avgpool2d none besides "shape"
 *   output             "regression", "binary" or "classes"
 *   targets            ["name", ...]: the label columns trained on (y, or
 *                      y1, y2, ... for a generated data set)
 *   classes            binary and classes only: ["name", ...], the class
 *                      of each output index (binary: the classes of 0 and
 *                      1); the indices as text when labels were numbers,
 *                      else the text labels sorted by byte (strcmp)
 *   loss               {"kind": "mse"}, {"kind": "huber", "delta": 1}, ...
 */
#ifndef LR_MODEL_H
#define LR_MODEL_H
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "layer.h"
#include "safetensors.h"
#include "spec.h"
#include "status.h"
#include "tensor.h"

#define MODEL_DESCRIPTION_VERSION 1
/* Limits of what a description may hold, checked when it is read. */
#define MODEL_MAX_FEATURES (1 << 20)
#define MODEL_MAX_CLASSES (1 << 16)

/* LrOutputKind is a word of words.h; loss_output_kind (loss.h) decides it. */

typedef struct LrModelLayer {
    LrLayerKind kind;
    int in, out;             /* widths */
    LrActivation activation; /* dense, activation */
    double alpha;            /* leaky_relu, elu (LrLayerSpec's) */
    bool approximate;        /* gelu */
    double rate;             /* dropout */
    char name[32];           /* Keras's: dense, dense_1, dropout, ... */
    LrLayerSpec spec;        /* every option (no spans, no initializers) */
    LrShape in_shape, out_shape;
} LrModelLayer;

typedef struct LrModelDesc {
    int features;
    LrShape input_shape;     /* of one sample ([features] unless an image) */
    const char *const *feature_names;
    LrNormalizeKind normalize;
    const float *norm_offset, *norm_scale; /* features each; NULL with NORM_NONE */
    int layer_count;
    const LrModelLayer *layers;
    int outputs;             /* the last layer's width */
    LrOutputKind output;
    int target_count;
    const char *const *target_names;
    int class_count;         /* binary: 2; classes: outputs; regression: 0 */
    const char *const *class_names;
    bool named_classes;      /* the labels were text (else the names are indices) */
    LrLossSpec loss;
    const char *version;            /* lrc's, that wrote the file */
    const char *experiment_sha256;  /* "" when unknown */
} LrModelDesc;

struct LrPlan;

/* Describes the model of a built plan (views into it and into the
 * arena). -1 when out of memory. */
int model_describe(const struct LrPlan *plan, const char *experiment_sha256, LrArena *arena,
                   LrModelDesc *out);

/* The layer list of a checked spec's model for samples of shape input
 * (out's features, input_shape, layer_count, layers, outputs; names as
 * model_describe gives them). -1 when out of memory, -2 when a layer does
 * not fit its input (the plan reports it). */
int model_spec_layers(const LrSpec *spec, const LrShape *input, LrArena *arena, LrModelDesc *out);

/* What the spec alone says of its model, before any data is read: the
 * layers for `features` inputs, the training set's normalization kind (no
 * statistics), the output kind and class count the loss implies (no class
 * names), the loss. No feature, target or class names. -1 when out of
 * memory. */
int model_describe_spec(const LrSpec *spec, const LrShape *input, LrArena *arena,
                        LrModelDesc *out);

/* The layer chain as the model statement writes it ("dense(8,
 * activation=relu) -> dropout(0.2) -> dense(3) -> softmax"), cut short
 * with "..." when it does not fit size. */
void model_chain(const LrModelLayer *layers, int count, char *out, size_t size);
/* A layer's activation with its parameters, as the language writes it
 * ("leaky_relu(alpha=0.1)", "gelu(approximate=false)", "relu"). */
void model_activation_text(const LrModelLayer *l, char *out, size_t size);

/* `load` of a described model in an experiment whose model is another:
 * an error at the load statement naming both chains, found before
 * training by reading the file's description (and the training set's
 * header for its width). Dense and activation layers must match in order,
 * units and activation; dropout layers, the identity outside training,
 * may differ (a model is fine-tuned with more or less dropout). A damaged
 * description is an error there too, with its reason. A file without a
 * description (an older release's, a checkpoint) or that does not open is
 * left to the run, which warns about the one and fails on the other (exit
 * 1, as for its tensors). Returns LR_OK, or LR_LANGUAGE_ERROR after
 * reporting, or LR_RUN_FAILED when out of memory. */
LrStatus model_check_load(const LrSpec *spec, const LrSource *src, LrDiag *diag);
/* In an inference file (a load, evaluate or predict, no train), what its
 * run would refuse of the loaded model, read from its description: a
 * model without one or a damaged one (at the load), an input that is not
 * a column of a data set evaluated or predicted on (at the data set), a
 * metric that does not fit it (at the metric). model_check_load calls it. */

/* Finds each of the model's inputs among a data set's count feature
 * columns by name (names: NULL-terminated, or NULL for a generated data
 * set's x1, x2, ...): col[i] is input i's column. Each input not found is
 * an error at the data set's statement (spec->datasets[index]) with
 * did-you-mean. Returns how many were not found, -1 when out of memory.
 * `lrc check` and an inference file's run share it. */
int model_match_inputs(const LrModelDesc *d, const LrSpec *spec, int index,
                       const char *const *names, int count, int *col, const LrSource *src,
                       LrDiag *diag);

/* The word of a layer kind: "dense", "dropout", "activation". */
const char *layer_kind_name(LrLayerKind kind);

/* The description as safetensors metadata rows (values in the arena).
 * Returns the row count (at most MODEL_META_ROWS), -1 when out of memory. */
#define MODEL_META_ROWS 13
int model_to_meta(const LrModelDesc *d, LrArena *arena, LrMeta *meta);

/* Reads the description of an opened safetensors file into out (strings
 * and arrays in the arena), validating every field (known kinds, widths
 * that chain, finite normalization, distinct class names, limits).
 * Returns 0; MODEL_UNDESCRIBED when the file has no description (a model
 * saved before release 0.3.0, or a checkpoint); -1 with a reason naming the
 * file, the key and what is wrong. Does not read the tensors. */
#define MODEL_UNDESCRIBED 1
int model_read_description(const LrSafetensors *st, LrArena *arena, LrModelDesc *out,
                           char *why, size_t why_size);

/* A described model loaded to run forward: predict, evaluate without
 * training, and the exporters' tests. */
typedef struct LrModel {
    LrArena arena;           /* owns everything below */
    char path[4096];         /* the model file (a run directory's model.safetensors) */
    char sha256[65];         /* of the file */
    LrModelDesc desc;
    float *params;           /* every variable (batchnorm's state too), in order */
    size_t param_count;
    LrLayer *layers;         /* forward only: no gradients, no masks */
    LrTensor *acts;          /* block rows each */
    float *input;            /* block x features: the normalized copy */
    int block;               /* rows per forward pass */
    bool needs_blas;         /* some product of a forward pass is past the plain loop */
    /* The output activation left to the loss (loss_fused_activation), as
     * the plan that trained the model leaves it: evaluate measures the
     * logits as training does; model_forward applies it. */
    LrActivation pending;
} LrModel;

/* Opens path (a model.safetensors, or a run directory holding one),
 * validates its description and reads every tensor with the shapes the
 * description gives (finite numbers only), and sizes buffers for block
 * rows per forward pass (block >= 1; MODEL_PASS_ROWS: the rows a run of
 * the model measures at a time, layers_pass_rows, so that its outputs are
 * the run's bytes); loads BLAS when a product needs it.
 * Returns 0; MODEL_UNDESCRIBED (with why saying so and what to do); -1
 * with a reason. model_close is safe after a failure. */
#define MODEL_PASS_ROWS 0
int model_open(LrModel *m, const char *path, int block, char *why, size_t why_size);

/* The outputs for rows (<= block) of raw features (rows x features, as
 * read from the data: the saved normalization is applied to a copy):
 * every layer's activation applied, so classes give probabilities. The
 * result is a view into m, valid until the next call. Allocates nothing. */
/* model_open's work once the file is open and read (the fuzzer's entry),
 * on an m zeroed by the caller:
 * the description, the tensors, the buffers. Does not hash the file or
 * load BLAS: m->needs_blas says whether a forward pass needs it. */
int model_open_file(LrModel *m, const LrSafetensors *st, int block, char *why, size_t why_size);

LrTensor model_forward(LrModel *m, const float *x, int rows);
/* model_forward without the pending activation (m->pending): what the
 * training path's measurement sees. */
LrTensor model_logits(LrModel *m, const float *x, int rows);

void model_close(LrModel *m);

/* The name of output kind k ("regression", ...). */
const char *model_output_name(LrOutputKind k);

#endif
