/* words.h — the vocabulary of the language, spelled once. Each category is
 * an X-macro list X(CODE, "spelling") in the ORDER of its codes; the enums
 * of the Spec (spec.h) are made from these lists, and so are the tables of
 * words.c that the lexer (reserved words), the parser (statement names),
 * the checker (name to code, did-you-mean), --explain and the metrics (code
 * to name) read. A new word is a row here, and nowhere else.
 *
 * The reserved words' codes are Lemon's TK_* (build/gen/lr.h): only files
 * that include lr.h expand LR_STATEMENTS and LR_RESERVED_VALUES. */
#ifndef LR_WORDS_H
#define LR_WORDS_H
#include <stdbool.h>
#include <stddef.h>

#include "expr.h" /* the functions' codes are its operations */

/* Statement keywords, the order of their %token line in grammar/lr.y. */
#define LR_STATEMENTS(X)                                                                   \
    X(TK_SEED, "seed") X(TK_USE, "use") X(TK_LET, "let") X(TK_DATASET, "dataset")          \
    X(TK_MODEL, "model") X(TK_LOSS, "loss") X(TK_OPTIMIZER, "optimizer")                   \
    X(TK_TRAIN, "train") X(TK_EVALUATE, "evaluate") X(TK_SAVE, "save") X(TK_LOAD, "load")  \
    X(TK_MINIMIZE, "minimize") X(TK_PREDICT, "predict")

/* The other reserved words: never names either. */
#define LR_RESERVED_VALUES(X) X(TK_FROM, "from") X(TK_TRUE, "true") X(TK_FALSE, "false")

/* For the lists below: an enumerator per row. */
#define WORDS_ENUM(code, name) code,

/* Data sources of `dataset`. */
#define LR_SOURCES(X)                                                                      \
    X(DATA_LINEAR, "linear") X(DATA_CSV, "csv") X(DATA_BLOBS, "blobs")                     \
    X(DATA_MOONS, "moons") X(DATA_SPIRAL, "spiral") X(DATA_IDX, "idx")
typedef enum LrSourceKind { LR_SOURCES(WORDS_ENUM) } LrSourceKind;

#define LR_NORMALIZERS(X) X(NORM_NONE, "none") X(NORM_STANDARD, "standard") X(NORM_MINMAX, "minmax")
typedef enum LrNormalizeKind { LR_NORMALIZERS(WORDS_ENUM) } LrNormalizeKind;

/* Layers with a word of their own; an activation is a layer too, spelled
 * as the activation (LrLayerKind's LAYER_ACTIVATION follows these). */
#define LR_LAYERS(X)                                                                       \
    X(LAYER_DENSE, "dense")                                                                \
    X(LAYER_DROPOUT, "dropout") /* rate */                                                 \
    X(LAYER_CONV2D, "conv2d")                                                              \
    X(LAYER_MAXPOOL2D, "maxpool2d")                                                        \
    X(LAYER_AVGPOOL2D, "avgpool2d")                                                        \
    X(LAYER_GLOBAL_AVGPOOL2D, "global_avgpool2d")                                          \
    X(LAYER_FLATTEN, "flatten")                                                            \
    X(LAYER_RESHAPE, "reshape")                                                            \
    X(LAYER_BATCHNORM, "batchnorm")                                                        \
    X(LAYER_RANDOM_FLIP, "random_flip") /* mode */
typedef enum LrLayerKind {
    LR_LAYERS(WORDS_ENUM)
    LAYER_ACTIVATION /* activation, as a layer of its own */
} LrLayerKind;

#define LR_ACTIVATIONS(X)                                                                  \
    X(ACT_LINEAR, "linear") X(ACT_RELU, "relu") X(ACT_SIGMOID, "sigmoid")                  \
    X(ACT_TANH, "tanh")                                                                    \
    X(ACT_SOFTMAX, "softmax")        /* over each row */                                   \
    X(ACT_GELU, "gelu")              /* approximate */                                     \
    X(ACT_LEAKY_RELU, "leaky_relu")  /* alpha */                                           \
    X(ACT_ELU, "elu")                /* alpha */
typedef enum LrActivation { LR_ACTIVATIONS(WORDS_ENUM) } LrActivation;
#define WORDS_PLUS_ONE(code, name) +1
enum { ACT_COUNT = 0 LR_ACTIVATIONS(WORDS_PLUS_ONE) };

/* conv2d's and pooling's padding= (Keras's words). */
#define LR_PADDINGS(X) X(PAD_VALID, "valid") X(PAD_SAME, "same")
typedef enum LrPadding { LR_PADDINGS(WORDS_ENUM) } LrPadding;

/* random_flip's mode= (Keras's words; its default first). */
#define LR_FLIP_MODES(X)                                                                   \
    X(FLIP_BOTH, "horizontal_and_vertical") X(FLIP_HORIZONTAL, "horizontal")               \
    X(FLIP_VERTICAL, "vertical")
typedef enum LrFlipMode { LR_FLIP_MODES(WORDS_ENUM) } LrFlipMode;

/* Activations of other frameworks that lrc lacks: "not supported yet"
 * rather than "did you mean 'relu'?" for gelu. */
#define LR_MISSING_ACTIVATIONS(X)                                                          \
    X("selu") X("silu") X("swish") X("softplus") X("softsign") X("mish")

/* Initializers; "truncated" normals as init.c draws them. */
#define LR_INITIALIZERS(X)                                                                 \
    X(INIT_ZEROS, "zeros")                                                                 \
    X(INIT_ONES, "ones")                                                                   \
    X(INIT_CONSTANT, "constant")             /* a */                                       \
    X(INIT_NORMAL, "normal")                 /* mean a, stddev b */                        \
    X(INIT_UNIFORM, "uniform")               /* low a, high b */                           \
    X(INIT_GLOROT_UNIFORM, "glorot_uniform") /* limit sqrt(6 / (fan_in + fan_out)) */      \
    X(INIT_GLOROT_NORMAL, "glorot_normal")   /* truncated, stddev sqrt(2 / (in + out)) */  \
    X(INIT_HE_NORMAL, "he_normal")           /* truncated, stddev sqrt(2 / fan_in) */      \
    X(INIT_HE_UNIFORM, "he_uniform")         /* limit sqrt(6 / fan_in) */                  \
    X(INIT_LECUN_NORMAL, "lecun_normal")     /* truncated, stddev sqrt(1 / fan_in) */
typedef enum LrInitKind { LR_INITIALIZERS(WORDS_ENUM) } LrInitKind;

#define LR_LOSSES(X)                                                                       \
    X(LOSS_MSE, "mse")                                                                     \
    X(LOSS_HALF_MSE, "half_mse")                                                           \
    X(LOSS_MAE, "mae")                                                                     \
    X(LOSS_HUBER, "huber")               /* delta */                                       \
    X(LOSS_BINARY_CROSSENTROPY, "binary_crossentropy")                                     \
    /* one-hot targets, or one integer class per row */                                  \
    X(LOSS_CATEGORICAL_CROSSENTROPY, "categorical_crossentropy")
typedef enum LrLossKind { LR_LOSSES(WORDS_ENUM) } LrLossKind;

/* What is measured each epoch besides the loss: accuracy, the losses
 * under their own names, and the metrics of the whole part (metrics.h):
 * precision, recall, f1 and auc of a classifier, r2 of a regression. */
#define LR_METRICS(X)                                                                      \
    X(METRIC_ACCURACY, "accuracy")                                                         \
    X(METRIC_MSE, "mse")                                                                   \
    X(METRIC_HALF_MSE, "half_mse")                                                         \
    X(METRIC_MAE, "mae")                                                                   \
    X(METRIC_HUBER, "huber")                                                               \
    X(METRIC_BINARY_CROSSENTROPY, "binary_crossentropy")                                   \
    X(METRIC_CATEGORICAL_CROSSENTROPY, "categorical_crossentropy")                         \
    X(METRIC_PRECISION, "precision")                                                       \
    X(METRIC_RECALL, "recall")                                                             \
    X(METRIC_F1, "f1")                                                                     \
    X(METRIC_AUC, "auc")                                                                   \
    X(METRIC_R2, "r2")
typedef enum LrMetricKind { LR_METRICS(WORDS_ENUM) } LrMetricKind;

/* What a model's outputs are (model.h's description; loss.h's
 * loss_output_kind decides it from the loss). */
#define LR_OUTPUTS(X)                                                                      \
    X(OUTPUT_REGRESSION, "regression") X(OUTPUT_BINARY, "binary") X(OUTPUT_CLASSES, "classes")
typedef enum LrOutputKind { LR_OUTPUTS(WORDS_ENUM) } LrOutputKind;

#define LR_OPTIMIZERS(X)                                                                   \
    X(OPT_SGD, "sgd") X(OPT_ADAM, "adam") X(OPT_ADAMW, "adamw") X(OPT_RMSPROP, "rmsprop")  \
    X(OPT_ADAGRAD, "adagrad")
typedef enum LrOptimizerKind { LR_OPTIMIZERS(WORDS_ENUM) } LrOptimizerKind;

/* Schedules of the learning rate (LrScheduleKind's SCHED_CONSTANT, a plain
 * number, comes first and has no word). */
#define LR_SCHEDULES(X)                                                                    \
    X(SCHED_EXP_DECAY, "exp_decay")                                                        \
    X(SCHED_PIECEWISE, "piecewise")                                                        \
    X(SCHED_POLYNOMIAL, "polynomial")                                                      \
    X(SCHED_INVERSE_TIME, "inverse_time")                                                  \
    X(SCHED_COSINE, "cosine")
typedef enum LrScheduleKind { SCHED_CONSTANT, LR_SCHEDULES(WORDS_ENUM) } LrScheduleKind;

/* Functions of numbers, X(operation, "spelling", arguments): the code is
 * expr.c's operation, which folding and a minimize's tape both compute;
 * -1 arguments is one or more (min and max of several fold pairwise).
 * sweep(...) is a word of its own, valid only as the whole value of a let
 * (words.c lists it as not supported here). */
#define LR_FUNCTIONS(X)                                                                    \
    X(EXPR_SIN, "sin", 1) X(EXPR_COS, "cos", 1) X(EXPR_TAN, "tan", 1)                      \
    X(EXPR_EXP, "exp", 1) X(EXPR_LOG, "log", 1) X(EXPR_SQRT, "sqrt", 1)                    \
    X(EXPR_ABS, "abs", 1) X(EXPR_SINH, "sinh", 1) X(EXPR_COSH, "cosh", 1)                  \
    X(EXPR_TANH, "tanh", 1) X(EXPR_POW, "pow", 2) X(EXPR_MIN, "min", -1)                   \
    X(EXPR_MAX, "max", -1)
#define LR_SWEEP_WORD "sweep"

/* early_stop's value, patience(...): a call of its own (options.h's
 * options_patience). */
#define LR_PATIENCE_WORD "patience"

/* Named constants of expressions. */
#define LR_CONSTANTS(X) X(CONST_PI, "pi") X(CONST_E, "e")
typedef enum LrConstant { LR_CONSTANTS(WORDS_ENUM) } LrConstant;

/* A word of one category: its spelling and code. A word that is not
 * supported (an activation lrc lacks; sweep among the functions) gets "not
 * supported yet" from the checker rather than "unknown". */
typedef struct LrWord {
    const char *name;
    size_t length; /* strlen(name), so that most names are told apart by it */
    int code;
    bool supported;
    int arity; /* a function's number of arguments (-1: one or more); else 0 */
} LrWord;

/* A layer word's code when it names an activation: this plus the
 * LrActivation (the layer kinds are below it). */
enum { LAYER_WORD_ACTIVATION = 100 };

/* Each category's words, ending with {NULL}. Layers are dense, dropout, the
 * activations and the missing activations; activations include the
 * missing ones. */
extern const LrWord words_sources[], words_normalizers[], words_layers[], words_activations[],
    words_initializers[], words_losses[], words_metrics[], words_optimizers[],
    words_schedules[], words_functions[], words_constants[], words_statements[], words_paddings[], words_flip_modes[],
    words_reserved[];

/* The word of table with length bytes at text, or NULL. */
const LrWord *words_find(const LrWord *table, const char *text, size_t length);

/* The spelling of code in table ("?" when it has none). */
const char *words_name(const LrWord *table, int code);

/* The token of an identifier's text: its TK_ code when it is a reserved
 * word, else TK_IDENT. For the lexer: the list's comparisons inlined, a
 * length test first. */
int words_token(const char *text, size_t length);

/* Whether a token code is a statement keyword, or any reserved word. */
bool words_is_statement(int token);
bool words_is_reserved(int token);

/* The spellings of the statement keywords and of the constants, ending
 * with NULL, for did-you-mean. */
extern const char *const words_statement_names[], *const words_constant_names[];

/* A word's one-line description (words_doc.c), for the language server's
 * hover: table is one of the tables above and code the word's code there;
 * NULL for a word without one (a missing activation). */
const char *words_doc(const LrWord *table, int code);

#endif
