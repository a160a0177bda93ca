/* options.c — the tables of options.h. */
#include "options.h"

#include <string.h>

/* Designated initializers for the rows' common shapes. */
#define ROW_NUMBER(n, req, f, d) .name = n, .required = req, .type = OPTION_NUMBER, .field = f, .dflt = d
#define ROW_BOOL(n, f, d) .name = n, .type = OPTION_BOOL, .field = f, .dflt = d
#define ROW_INT(t, n, req, f, d, lo, hi)                                                    \
    .name = n, .required = req, .type = t, .field = f, .dflt = d, .min = lo, .max = hi
#define ROW_OTHER(n, req) .name = n, .required = req

const OptionRow options_none[] = {{0}};

/* ----------------------------------------------------------- schedules */

#define SCHED(f) offsetof(LrScheduleSpec, f)
/* Every decaying schedule starts with these two. */
#define SCHED_INITIAL {ROW_NUMBER("initial", 1, SCHED(initial), 0), .valid = RANGE_NONNEGATIVE, .checked_last = true, \
                       .range = "initial learning rate must be >= 0"}
/* steps= or, last, epochs= (the checker wants one of them). */
#define SCHED_STEPS {ROW_NUMBER("steps", 0, SCHED(steps), 0), .valid = RANGE_POSITIVE, \
                     .given_only = true, .checked_last = true, .range = "decay steps must be > 0"}
#define SCHED_EPOCHS {ROW_NUMBER("epochs", 0, SCHED(epochs), 0), .valid = RANGE_POSITIVE, \
                      .given_only = true, .range = "decay epochs must be > 0"}
static const OptionRow exp_decay_rows[] = {
    SCHED_INITIAL, SCHED_STEPS,
    {ROW_NUMBER("rate", 1, SCHED(rate), 0), .valid = RANGE_POSITIVE, .range = "decay rate must be > 0"},
    {ROW_BOOL("staircase", SCHED(staircase), 0)},
    SCHED_EPOCHS, {0}};
static const OptionRow inverse_time_rows[] = {
    SCHED_INITIAL, SCHED_STEPS,
    {ROW_NUMBER("rate", 1, SCHED(rate), 0), .valid = RANGE_NONNEGATIVE, .range = "decay rate must be >= 0"},
    {ROW_BOOL("staircase", SCHED(staircase), 0)},
    SCHED_EPOCHS, {0}};
static const OptionRow polynomial_rows[] = {
    SCHED_INITIAL, SCHED_STEPS,
    {ROW_NUMBER("end", 0, SCHED(end), 0.0001), .valid = RANGE_NONNEGATIVE, .range = "end must be >= 0"},
    {ROW_NUMBER("power", 0, SCHED(power), 1.0), .valid = RANGE_POSITIVE, .range = "power must be > 0"},
    {ROW_BOOL("cycle", SCHED(cycle), 0)},
    SCHED_EPOCHS, {0}};
static const OptionRow cosine_rows[] = {
    SCHED_INITIAL, SCHED_STEPS,
    {ROW_NUMBER("alpha", 0, SCHED(alpha), 0), .valid = RANGE_UNIT,
     .range = "alpha must be between 0 and 1"},
    {ROW_NUMBER("warmup", 0, SCHED(warmup), 0), .valid = RANGE_NONNEGATIVE, .whole = true,
     .range = "warmup must be an integer >= 0"},
    [SCHEDULE_COSINE_TARGET] = {ROW_NUMBER("target", 0, SCHED(target), 0), .default_from = 1, .valid = RANGE_NONNEGATIVE,
     .range = "target must be >= 0"},
    SCHED_EPOCHS, {0}};
/* Its lists are the checker's. */
static const OptionRow piecewise_rows[] = {
    [PIECEWISE_BOUNDARIES] = {ROW_OTHER("boundaries", 1)},
    [PIECEWISE_VALUES] = {ROW_OTHER("values", 1)}, {0}};
const OptionRow *const options_schedules[] = {
    [SCHED_EXP_DECAY] = exp_decay_rows, [SCHED_INVERSE_TIME] = inverse_time_rows,
    [SCHED_POLYNOMIAL] = polynomial_rows, [SCHED_COSINE] = cosine_rows,
    [SCHED_PIECEWISE] = piecewise_rows};

/* --------------------------------------------------------- initializers */

#define INIT(f) offsetof(LrInitSpec, f)
static const OptionRow constant_rows[] = {{ROW_NUMBER("value", 1, INIT(a), 0)}, {0}};
static const OptionRow normal_rows[] = {
    {ROW_NUMBER("mean", 0, INIT(a), 0)},
    {ROW_NUMBER("stddev", 0, INIT(b), 0.05), .valid = RANGE_NONNEGATIVE,
     .range = "stddev must be >= 0"},
    {0}};
static const OptionRow uniform_rows[] = {
    {ROW_NUMBER("low", 0, INIT(a), -0.05)},
    {ROW_NUMBER("high", 0, INIT(b), 0.05), .valid = RANGE_FROM_ROW, .other = 0,
     .range = "high must be >= low"},
    {0}};
const OptionRow *const options_initializers[] = {
    [INIT_ZEROS] = options_none,         [INIT_ONES] = options_none,
    [INIT_CONSTANT] = constant_rows,     [INIT_NORMAL] = normal_rows,
    [INIT_UNIFORM] = uniform_rows,       [INIT_GLOROT_UNIFORM] = options_none,
    [INIT_GLOROT_NORMAL] = options_none, [INIT_HE_NORMAL] = options_none,
    [INIT_HE_UNIFORM] = options_none,    [INIT_LECUN_NORMAL] = options_none};

/* --------------------------------------------------------------- layers */

#define LAYER(f) offsetof(LrLayerSpec, f)
/* dense's words (activation, init, bias_init) are the checker's. */
static const OptionRow dense_rows[] = {
    {ROW_INT(OPTION_INT, "units", 1, LAYER(units), 0, 1, SPEC_MAX_UNITS)},
    [DENSE_ACTIVATION] = {ROW_OTHER("activation", 0)},
    [DENSE_INIT] = {ROW_OTHER("init", 0)},
    [DENSE_BIAS_INIT] = {ROW_OTHER("bias_init", 0)},
    {ROW_NUMBER("l2", 0, LAYER(l2), 0), .valid = RANGE_NONNEGATIVE, .range = "l2 must be >= 0"},
    {0}};
static const OptionRow dropout_rows[] = {
    {ROW_NUMBER("rate", 1, LAYER(rate), 0), .valid = RANGE_FRACTION,
     .range = "dropout rate must be >= 0 and < 1"},
    {0}};
/* The window rows (kernel, size, stride, padding) are the checker's: one
 * integer or a list [h, w]. */
static const OptionRow conv2d_rows[] = {
    {ROW_INT(OPTION_INT, "filters", 1, LAYER(units), 0, 1, SPEC_MAX_UNITS)},
    {ROW_OTHER("kernel", 0)},
    {ROW_OTHER("stride", 0)},
    {ROW_OTHER("padding", 0)},
    {ROW_OTHER("activation", 0)},
    {ROW_OTHER("init", 0)},
    {ROW_OTHER("bias_init", 0)},
    {ROW_NUMBER("l2", 0, LAYER(l2), 0), .valid = RANGE_NONNEGATIVE, .range = "l2 must be >= 0"},
    {0}};
static const OptionRow pool_rows[] = {
    {ROW_OTHER("size", 0)}, {ROW_OTHER("stride", 0)}, {ROW_OTHER("padding", 0)}, {0}};
static const OptionRow reshape_rows[] = {{ROW_OTHER("shape", 1)}, {0}};
static const OptionRow random_flip_rows[] = {{ROW_OTHER("mode", 0)}, {0}};
/* Keras's BatchNormalization defaults. */
static const OptionRow batchnorm_rows[] = {
    {ROW_NUMBER("momentum", 0, LAYER(momentum), 0.99), .valid = RANGE_FRACTION,
     .range = "momentum must be >= 0 and < 1"},
    {ROW_NUMBER("epsilon", 0, LAYER(epsilon), 0.001), .valid = RANGE_POSITIVE,
     .range = "epsilon must be > 0"},
    {0}};
const OptionRow *const options_layers[] = {
    [LAYER_DENSE] = dense_rows,
    [LAYER_DROPOUT] = dropout_rows,
    [LAYER_CONV2D] = conv2d_rows,
    [LAYER_MAXPOOL2D] = pool_rows,
    [LAYER_AVGPOOL2D] = pool_rows,
    [LAYER_GLOBAL_AVGPOOL2D] = options_none,
    [LAYER_FLATTEN] = options_none,
    [LAYER_RESHAPE] = reshape_rows,
    [LAYER_BATCHNORM] = batchnorm_rows,
    [LAYER_RANDOM_FLIP] = random_flip_rows,
    [LAYER_ACTIVATION] = options_none};

/* keras.activations.leaky_relu's 0.2 (the LeakyReLU layer's is 0.3). */
static const OptionRow leaky_relu_rows[] = {
    {ROW_NUMBER("alpha", 0, LAYER(alpha), 0.2), .valid = RANGE_NONNEGATIVE,
     .range = "alpha must be >= 0"},
    {0}};
static const OptionRow elu_rows[] = {
    {ROW_NUMBER("alpha", 0, LAYER(alpha), 1.0), .valid = RANGE_POSITIVE,
     .range = "alpha must be > 0"},
    {0}};
/* Keras's default, the exact form. */
static const OptionRow gelu_rows[] = {{ROW_BOOL("approximate", LAYER(approximate), 0)}, {0}};
const OptionRow *const options_activations[ACT_COUNT] = {
    [ACT_LINEAR] = options_none,   [ACT_RELU] = options_none,
    [ACT_SIGMOID] = options_none,  [ACT_TANH] = options_none,
    [ACT_SOFTMAX] = options_none,  [ACT_GELU] = gelu_rows,
    [ACT_LEAKY_RELU] = leaky_relu_rows, [ACT_ELU] = elu_rows};

/* --------------------------------------------------------------- losses */

static const OptionRow huber_rows[] = {
    {ROW_NUMBER("delta", 0, offsetof(LrLossSpec, delta), 1.0), .valid = RANGE_POSITIVE,
     .range = "delta must be > 0"},
    {0}};
const OptionRow *const options_losses[] = {
    [LOSS_MSE] = options_none, [LOSS_HALF_MSE] = options_none, [LOSS_MAE] = options_none,
    [LOSS_HUBER] = huber_rows, [LOSS_BINARY_CROSSENTROPY] = options_none,
    [LOSS_CATEGORICAL_CROSSENTROPY] = options_none};

/* -------------------------------------------------------------- sources */

/* The checker folds header after the path, the others after the path is
 * checked. */
static const OptionRow csv_rows[] = {
    [CSV_PATH] = {ROW_OTHER("path", 1)},
    [CSV_LABEL] = {ROW_OTHER("label", 0)},
    [CSV_LABELS] = {ROW_OTHER("labels", 0)},
    [CSV_FEATURES] = {ROW_OTHER("features", 0)},
    [CSV_HEADER] = {ROW_BOOL("header", offsetof(LrDatasetSpec, header), true)},
    [CSV_DELIMITER] = {ROW_OTHER("delimiter", 0)},
    [CSV_EXCLUDE] = {ROW_OTHER("exclude", 0)},
    [CSV_SHAPE] = {ROW_OTHER("shape", 0)},
    {0}};

#define DATA(f) offsetof(LrDatasetSpec, f)
/* The paths are the checker's; scale divides every value (Keras users
 * write x / 255). */
static const OptionRow idx_rows[] = {
    [IDX_PATH] = {ROW_OTHER("path", 1)},
    [IDX_LABELS] = {ROW_OTHER("labels", 1)},
    [IDX_SCALE] = {ROW_NUMBER("scale", 0, DATA(scale), 1), .valid = RANGE_POSITIVE,
                   .range = "scale must be > 0"},
    {0}};
#define DATA_N(lo) {ROW_INT(OPTION_INT64, "n", 1, DATA(n), 0, lo, 9.2e18)}
#define DATA_FEATURES {ROW_INT(OPTION_INT, "features", 1, DATA(features), 0, 1, SPEC_MAX_UNITS)}
#define DATA_CLASSES {ROW_INT(OPTION_INT, "classes", 1, DATA(classes), 0, 2, SPEC_MAX_UNITS)}
#define DATA_NOISE {ROW_NUMBER("noise", 0, DATA(noise), 0), .valid = RANGE_NONNEGATIVE, \
                    .range = "noise must be >= 0"}
static const OptionRow linear_rows[] = {
    DATA_N(1), DATA_FEATURES,
    {ROW_NUMBER("low", 0, DATA(low), 0)},
    {ROW_NUMBER("high", 0, DATA(high), 1), .valid = RANGE_ABOVE_ROW, .other = 2,
     .range = "high must be > low"},
    [LINEAR_WEIGHTS] = {ROW_OTHER("weights", 0)}, /* the checker's, after the others */
    {ROW_NUMBER("bias", 0, DATA(bias), 0)},
    DATA_NOISE, {0}};
static const OptionRow blobs_rows[] = {
    DATA_N(1), DATA_FEATURES, DATA_CLASSES,
    {ROW_NUMBER("spread", 0, DATA(spread), 1.0), .valid = RANGE_NONNEGATIVE,
     .range = "spread must be >= 0"},
    {0}};
static const OptionRow moons_rows[] = {DATA_N(2), DATA_NOISE, {0}};
static const OptionRow spiral_rows[] = {
    {ROW_INT(OPTION_INT64, "n", 1, DATA(n), 0, 1, 9.2e18), .valid = RANGE_FROM_ROW, .other = 1,
     .checked_last = true, .range = "spiral needs at least one point per class"},
    DATA_CLASSES, DATA_NOISE, {0}};

const GeneratorRow options_sources[] = {
    [DATA_LINEAR] = {linear_rows, 0, 0}, [DATA_CSV] = {csv_rows, 0, 0},
    [DATA_BLOBS] = {blobs_rows, 0, 0},   [DATA_MOONS] = {moons_rows, 2, 2},
    [DATA_SPIRAL] = {spiral_rows, 2, 0}, [DATA_IDX] = {idx_rows, 0, 0}};

/* ----------------------------------------------------------- optimizers */

#define OPT(f) offsetof(LrOptimizerSpec, f)
/* Defaults are Keras's. */
const OptionRow options_optimizer[] = {
    [OPTIMIZER_LR] = {ROW_OTHER("lr", 0)}, /* a schedule */
    {ROW_NUMBER("momentum", 0, OPT(momentum), 0), .valid = RANGE_FRACTION,
     .range = "momentum must be >= 0 and < 1"},
    {ROW_BOOL("nesterov", OPT(nesterov), 0)},
    {ROW_NUMBER("beta1", 0, OPT(beta1), 0.9), .valid = RANGE_FRACTION,
     .range = "beta1 must be >= 0 and < 1"},
    {ROW_NUMBER("beta2", 0, OPT(beta2), 0.999), .valid = RANGE_FRACTION,
     .range = "beta2 must be >= 0 and < 1"},
    {ROW_NUMBER("epsilon", 0, OPT(epsilon), 1e-7), .valid = RANGE_POSITIVE,
     .range = "epsilon must be > 0"},
    [OPTIMIZER_WEIGHT_DECAY] = {ROW_NUMBER("weight_decay", 0, OPT(weight_decay), 0), .valid = RANGE_NONNEGATIVE,
     .range = "weight_decay must be >= 0"},
    {ROW_NUMBER("rho", 0, OPT(rho), 0.9), .valid = RANGE_FRACTION,
     .range = "rho must be >= 0 and < 1"},
    [OPTIMIZER_INITIAL_ACCUMULATOR] = {ROW_NUMBER("initial_accumulator", 0, OPT(initial_accumulator), 0),
     .valid = RANGE_NONNEGATIVE, .range = "initial_accumulator must be >= 0"},
    {ROW_NUMBER("clip_norm", 0, OPT(clip_norm), 0), .valid = RANGE_POSITIVE, .given_only = true,
     .range = "clip_norm must be > 0"},
    {0}};
const OptimizerRow options_optimizers[] = {
    [OPT_SGD] = {"lr momentum nesterov clip_norm", 0.01, 0, 0},
    [OPT_ADAM] = {"lr beta1 beta2 epsilon clip_norm", 0.001, 0, 0},
    [OPT_ADAMW] = {"lr beta1 beta2 epsilon weight_decay clip_norm", 0.001, 0.004, 0},
    [OPT_RMSPROP] = {"lr rho momentum epsilon clip_norm", 0.001, 0, 0},
    [OPT_ADAGRAD] = {"lr initial_accumulator epsilon clip_norm", 0.001, 0, 0.1}};

/* ----------------------------------------------------------- statements */

const OptionRow options_dataset[] = {
    [DATASET_VALIDATION] = {ROW_NUMBER("validation", 0, DATA(validation), 0), .valid = RANGE_FRACTION,
     .range = "validation must be a fraction >= 0 and < 1"},
    [DATASET_TEST] = {ROW_NUMBER("test", 0, DATA(test), 0), .valid = RANGE_FRACTION,
     .range = "test must be a fraction >= 0 and < 1"},
    [DATASET_NORMALIZE] = {ROW_OTHER("normalize", 0)},
    [DATASET_STRATIFY] = {ROW_BOOL("stratify", DATA(stratify), false)},
    {0}};

#define STOP(f) offsetof(LrEarlyStopSpec, f)
const OptionRow options_patience[] = {
    {ROW_INT(OPTION_INT64, "epochs", 1, STOP(patience), 0, 1, 1e9), .what = "patience"},
    {ROW_NUMBER("min_delta", 0, STOP(min_delta), 0), .valid = RANGE_NONNEGATIVE,
     .range = "min_delta must be >= 0"},
    {ROW_BOOL("restore_best", STOP(restore_best), true)}, {0}};

#define TRAIN(f) offsetof(LrTrainSpec, f)
/* Keras fit's defaults; the checker evaluates on= before the rows, the rest after. */
const OptionRow options_train[] = {
    [TRAIN_ON] = {ROW_OTHER("on", 0)},
    [TRAIN_EPOCHS] = {ROW_INT(OPTION_INT64, "epochs", 0, TRAIN(epochs), 1, 1, 1e9)},
    [TRAIN_BATCH] = {ROW_INT(OPTION_INT64, "batch", 0, TRAIN(batch), 32, 1, 1e9)},
    [TRAIN_SHUFFLE] = {ROW_BOOL("shuffle", TRAIN(shuffle), true)},
    [TRAIN_VALIDATION] = {ROW_OTHER("validation", 0)},
    [TRAIN_METRICS] = {ROW_OTHER("metrics", 0)},
    [TRAIN_EARLY_STOP] = {ROW_OTHER("early_stop", 0)},
    [TRAIN_LOG_EVERY] = {ROW_INT(OPTION_INT64, "log_every", 0, TRAIN(log_every), 1, 1, 1e9)},
    /* 0: the whole batch is one shard (dist.h). */
    [TRAIN_SHARD] = {ROW_INT(OPTION_INT64, "shard", 0, TRAIN(shard), 0, 1, 1e9)},
    {0}};

#define EVALUATE(f) offsetof(LrEvaluateSpec, f)
const OptionRow options_evaluate[] = {
    [EVALUATE_ON] = {ROW_OTHER("on", 0)}, [EVALUATE_METRICS] = {ROW_OTHER("metrics", 0)},
    [EVALUATE_CONFUSION] = {ROW_BOOL("confusion", EVALUATE(confusion), false)}, {0}};

const OptionRow options_predict[] = {
    [PREDICT_ON] = {ROW_OTHER("on", 0)}, [PREDICT_TO] = {ROW_OTHER("to", 0)},
    [PREDICT_KEEP] = {ROW_OTHER("keep", 0)}, {0}};

#define MINIMIZE(f) offsetof(LrMinimizeSpec, f)
/* The checker evaluates lr=, optimizer= and plot= after steps and trace. */
const OptionRow options_minimize[] = {
    [MINIMIZE_STEPS] = {ROW_INT(OPTION_INT64, "steps", 0, MINIMIZE(steps), 100, 1, 1e9)},
    [MINIMIZE_LR] = {ROW_OTHER("lr", 0)},
    [MINIMIZE_OPTIMIZER] = {ROW_OTHER("optimizer", 0)},
    [MINIMIZE_TRACE] = {ROW_BOOL("trace", MINIMIZE(trace), false)},
    [MINIMIZE_PLOT] = {ROW_OTHER("plot", 0)},
    {0}};

int options_find(const OptionRow *rows, const char *name, size_t length)
{
    for (int i = 0; rows[i].name; i++)
        if (strlen(rows[i].name) == length && memcmp(rows[i].name, name, length) == 0)
            return i;
    return -1;
}
