/* words_doc.c — a one-line description of each word of words.h, by its
 * code, for the language server's hover. The words stay spelled in
 * words.h only; each array has a row per code (the static_asserts catch a
 * word added there without its line here). */
#include "words.h"

#include <assert.h>

#include "lr.h"

#define COUNT(a) (sizeof a / sizeof a[0])

static const char *const statement_docs[] = {
    [TK_SEED - TK_SEED] = "seed N: the seed of every random stream (data, init, shuffle, dropout)",
    [TK_USE - TK_SEED] = "use NAME | \"file.lr\": the lets of a module (LRC_PATH, the stdlib)",
    [TK_LET - TK_SEED] = "let NAME = value: a named constant, layer chain or function",
    [TK_DATASET - TK_SEED] = "dataset [NAME =] source options: the rows to train and evaluate on",
    [TK_MODEL - TK_SEED] = "model [NAME =] layer -> layer ...: the network",
    [TK_LOSS - TK_SEED] = "loss NAME: what training minimizes",
    [TK_OPTIMIZER - TK_SEED] = "optimizer NAME options: how the weights are updated",
    [TK_TRAIN - TK_SEED] = "train on=DATA epochs=N batch=N ...: fit the model",
    [TK_EVALUATE - TK_SEED] = "evaluate on=DATA[.part] metrics=[...]: measure the model",
    [TK_SAVE - TK_SEED] = "save \"file.safetensors\": write the trained model",
    [TK_LOAD - TK_SEED] = "load \"file.safetensors\": start from saved weights",
    [TK_MINIMIZE - TK_SEED] = "minimize EXPR from x=... options: gradient descent on a formula",
    [TK_PREDICT - TK_SEED] = "predict on=DATA[.part] to=\"file.csv\": write the model's predictions",
};
static_assert(COUNT(statement_docs) == TK_PREDICT - TK_SEED + 1, "a line per statement");

static const char *const source_docs[] = {
    [DATA_LINEAR] = "generated rows y = w.x + b + noise (a regression, or classes)",
    [DATA_CSV] = "rows of a CSV file: csv(\"file.csv\", label=\"column\")",
    [DATA_BLOBS] = "generated Gaussian blobs, one per class",
    [DATA_MOONS] = "generated two interleaving half circles (two classes)",
    [DATA_SPIRAL] = "generated interleaved spirals, one per class",
    [DATA_IDX] = "images and labels of IDX files: idx(\"images.gz\", labels=\"labels.gz\")",
};
static_assert(COUNT(source_docs) == DATA_IDX + 1, "a line per source");

static const char *const normalizer_docs[] = {
    [NORM_NONE] = "features as they are",
    [NORM_STANDARD] = "each feature to mean 0 and standard deviation 1 (training rows' statistics)",
    [NORM_MINMAX] = "each feature to [0, 1] (training rows' minimum and maximum)",
};
static_assert(COUNT(normalizer_docs) == NORM_MINMAX + 1, "a line per normalizer");

static const char *const layer_docs[] = {
    [LAYER_DENSE] = "dense(units, activation=linear): a fully connected layer",
    [LAYER_DROPOUT] = "dropout(rate): zeroes a fraction of its inputs while training",
    [LAYER_CONV2D] = "conv2d(filters, kernel=3, stride=1, padding=valid): a 2-D convolution of "
                     "[height, width, channels] images",
    [LAYER_MAXPOOL2D] = "maxpool2d(size=2, stride=size, padding=valid): the largest value of "
                        "each window, per channel",
    [LAYER_AVGPOOL2D] = "avgpool2d(size=2, stride=size, padding=valid): the mean of each "
                        "window, per channel",
    [LAYER_GLOBAL_AVGPOOL2D] = "global_avgpool2d: the mean of each channel over the image",
    [LAYER_FLATTEN] = "flatten: an image as one row of height x width x channels values",
    [LAYER_RESHAPE] = "reshape([h, w, c]): the same values read as another shape",
    [LAYER_BATCHNORM] = "batchnorm(momentum=0.99, epsilon=0.001): normalizes each channel by "
                        "the batch's statistics (moving averages outside training)",
    [LAYER_RANDOM_FLIP] = "random_flip(mode=horizontal_and_vertical): flips each image at random "
                          "while training (the identity outside it)",
};
static_assert(COUNT(layer_docs) == LAYER_ACTIVATION, "a line per layer");

static const char *const padding_docs[] = {
    [PAD_VALID] = "valid: no padding; the window stays inside the image",
    [PAD_SAME] = "same: zero padding so that the output is ceil(input / stride) wide",
};
static_assert(COUNT(padding_docs) == PAD_SAME + 1, "a line per padding");

static const char *const flip_mode_docs[] = {
    [FLIP_BOTH] = "horizontal_and_vertical: left-right and top-bottom, each with probability 1/2",
    [FLIP_HORIZONTAL] = "horizontal: left-right with probability 1/2",
    [FLIP_VERTICAL] = "vertical: top-bottom with probability 1/2",
};
static_assert(COUNT(flip_mode_docs) == FLIP_VERTICAL + 1, "a line per flip mode");

static const char *const activation_docs[] = {
    [ACT_LINEAR] = "linear: the identity",
    [ACT_RELU] = "relu: max(0, x)",
    [ACT_SIGMOID] = "sigmoid: 1 / (1 + exp(-x))",
    [ACT_TANH] = "tanh: the hyperbolic tangent",
    [ACT_SOFTMAX] = "softmax: exp(x) / sum(exp(x)) over each row",
    [ACT_GELU] = "gelu(approximate=false): x Phi(x), exact (erf); approximate=true: the tanh form",
    [ACT_LEAKY_RELU] = "leaky_relu(alpha=0.2): x above 0, alpha x below",
    [ACT_ELU] = "elu(alpha=1.0): x above 0, alpha (exp(x) - 1) below",
};
static_assert(COUNT(activation_docs) == ACT_COUNT, "a line per activation");

static const char *const initializer_docs[] = {
    [INIT_ZEROS] = "every weight 0",
    [INIT_ONES] = "every weight 1",
    [INIT_CONSTANT] = "every weight value",
    [INIT_NORMAL] = "normal(mean, stddev), truncated at two deviations",
    [INIT_UNIFORM] = "uniform(low, high)",
    [INIT_GLOROT_UNIFORM] = "uniform within sqrt(6 / (fan_in + fan_out))",
    [INIT_GLOROT_NORMAL] = "truncated normal, stddev sqrt(2 / (fan_in + fan_out))",
    [INIT_HE_NORMAL] = "truncated normal, stddev sqrt(2 / fan_in)",
    [INIT_HE_UNIFORM] = "uniform within sqrt(6 / fan_in)",
    [INIT_LECUN_NORMAL] = "truncated normal, stddev sqrt(1 / fan_in)",
};
static_assert(COUNT(initializer_docs) == INIT_LECUN_NORMAL + 1, "a line per initializer");

static const char *const loss_docs[] = {
    [LOSS_MSE] = "mean squared error",
    [LOSS_HALF_MSE] = "half the mean squared error",
    [LOSS_MAE] = "mean absolute error",
    [LOSS_HUBER] = "Huber loss: squared below delta, linear above",
    [LOSS_BINARY_CROSSENTROPY] = "binary cross-entropy of a sigmoid output",
    [LOSS_CATEGORICAL_CROSSENTROPY] = "categorical cross-entropy of a softmax output",
};
static_assert(COUNT(loss_docs) == LOSS_CATEGORICAL_CROSSENTROPY + 1, "a line per loss");

static const char *const metric_docs[] = {
    [METRIC_ACCURACY] = "the fraction of rows predicted right",
    [METRIC_MSE] = "mean squared error",
    [METRIC_HALF_MSE] = "half the mean squared error",
    [METRIC_MAE] = "mean absolute error",
    [METRIC_HUBER] = "Huber loss",
    [METRIC_BINARY_CROSSENTROPY] = "binary cross-entropy",
    [METRIC_CATEGORICAL_CROSSENTROPY] = "categorical cross-entropy",
    [METRIC_PRECISION] = "precision (binary: class 1; classes: macro average)",
    [METRIC_RECALL] = "recall (binary: class 1; classes: macro average)",
    [METRIC_F1] = "F1 score (binary: class 1; classes: macro average)",
    [METRIC_AUC] = "area under the ROC curve",
    [METRIC_R2] = "coefficient of determination, averaged over the outputs",
};
static_assert(COUNT(metric_docs) == METRIC_R2 + 1, "a line per metric");

static const char *const optimizer_docs[] = {
    [OPT_SGD] = "stochastic gradient descent, with momentum and Nesterov's",
    [OPT_ADAM] = "Adam: adaptive moment estimation (Kingma and Ba)",
    [OPT_ADAMW] = "AdamW: Adam with decoupled weight decay",
    [OPT_RMSPROP] = "RMSprop: steps scaled by a moving average of squared gradients",
    [OPT_ADAGRAD] = "Adagrad: steps scaled by the sum of squared gradients",
};
static_assert(COUNT(optimizer_docs) == OPT_ADAGRAD + 1, "a line per optimizer");

static const char *const schedule_docs[] = {
    [SCHED_EXP_DECAY] = "initial * rate^(step / steps)",
    [SCHED_PIECEWISE] = "values[i] between boundaries[i-1] and boundaries[i]",
    [SCHED_POLYNOMIAL] = "(initial - end) * (1 - step / steps)^power + end",
    [SCHED_INVERSE_TIME] = "initial / (1 + rate * step / steps)",
    [SCHED_COSINE] = "cosine decay from initial to alpha * initial over steps, after warmup",
};
static_assert(COUNT(schedule_docs) == SCHED_COSINE + 1, "a line per schedule");

static const char *const function_docs[] = {
    [EXPR_SIN] = "sine", [EXPR_COS] = "cosine", [EXPR_TAN] = "tangent",
    [EXPR_EXP] = "e to the power x", [EXPR_LOG] = "natural logarithm",
    [EXPR_SQRT] = "square root", [EXPR_ABS] = "absolute value",
    [EXPR_SINH] = "hyperbolic sine", [EXPR_COSH] = "hyperbolic cosine",
    [EXPR_TANH] = "hyperbolic tangent", [EXPR_POW] = "pow(x, y): x to the power y",
    [EXPR_MIN] = "the smallest of its arguments", [EXPR_MAX] = "the largest of its arguments",
};

static const char *const constant_docs[] = {
    [CONST_PI] = "pi, 3.14159...",
    [CONST_E] = "e, 2.71828...",
};
static_assert(COUNT(constant_docs) == CONST_E + 1, "a line per constant");

/* A code as an index of docs, or NULL past its end. */
static const char *doc_at(const char *const *docs, size_t count, int code)
{
    return code >= 0 && (size_t)code < count ? docs[code] : NULL;
}
#define DOC(docs, code) doc_at(docs, COUNT(docs), code)

const char *words_doc(const LrWord *table, int code)
{
    if (table == words_statements || table == words_reserved)
        return DOC(statement_docs, code - TK_SEED);
    if (table == words_sources)
        return DOC(source_docs, code);
    if (table == words_normalizers)
        return DOC(normalizer_docs, code);
    if (table == words_layers)
        return code >= LAYER_WORD_ACTIVATION ? DOC(activation_docs, code - LAYER_WORD_ACTIVATION)
                                             : DOC(layer_docs, code);
    if (table == words_activations)
        return DOC(activation_docs, code);
    if (table == words_initializers)
        return DOC(initializer_docs, code);
    if (table == words_losses)
        return DOC(loss_docs, code);
    if (table == words_metrics)
        return DOC(metric_docs, code);
    if (table == words_optimizers)
        return DOC(optimizer_docs, code);
    if (table == words_schedules)
        return DOC(schedule_docs, code);
    if (table == words_functions)
        return DOC(function_docs, code);
    if (table == words_constants)
        return DOC(constant_docs, code);
    if (table == words_paddings)
        return DOC(padding_docs, code);
    if (table == words_flip_modes)
        return DOC(flip_mode_docs, code);
    return NULL;
}
