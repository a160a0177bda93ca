/* train.c — see train.h. Nothing here allocates: every buffer is the
 * Plan's. */
#include "train.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "init.h"
#include "loss.h"
#include "report.h"
#include "rng.h"
#include "schedule.h"
#include "synth.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs the layers on x (rows rows); returns the model's output. */
static const LrTensor *forward(LrPlan *plan, const LrTensor *x)
{
    const LrTensor *in = x;
    for (int i = 0; i < plan->layer_count; i++) {
        LrTensor *out = &plan->acts[i];
        out->rows = x->rows;
        plan->layers[i].ops->forward(&plan->layers[i], in, out);
        in = out;
    }
    return in;
}

static void backward(LrPlan *plan, const LrTensor *x)
{
    for (int i = plan->layer_count - 1; i >= 0; i--) {
        const LrTensor *in = i ? &plan->acts[i - 1] : x;
        LrTensor *dx = NULL;
        if (i) {
            dx = &plan->grads[i - 1];
            dx->rows = x->rows;
        }
        plan->layers[i].ops->backward(&plan->layers[i], in, &plan->acts[i], &plan->grads[i], dx);
    }
}

double train_evaluate(LrPlan *plan)
{
    double sum = 0;
    for (int64_t start = 0; start < plan->n; start += plan->batch) {
        int rows = (int)(plan->n - start < plan->batch ? plan->n - start : plan->batch);
        LrTensor x = tensor_view(plan->x + (size_t)start * (size_t)plan->features, rows,
                                 plan->features);
        LrTensor y = tensor_view(plan->y + (size_t)start * (size_t)plan->outputs, rows,
                                 plan->outputs);
        sum += loss_sum(plan->spec->loss, forward(plan, &x), &y);
    }
    return sum / (double)plan->n;
}

/* Data from the data stream, parameters from the init stream (layer by
 * layer, weights then bias), so that one never shifts the other. */
static void prepare(LrPlan *plan)
{
    const LrSpec *spec = plan->spec;
    LrRng rng;
    rng_seed(&rng, spec->seed, RNG_STREAM_DATA);
    synth_linear(&spec->dataset, &rng, plan->x, plan->y);
    rng_seed(&rng, spec->seed, RNG_STREAM_INIT);
    for (int i = 0; i < plan->layer_count; i++) {
        LrLayer *l = &plan->layers[i];
        const LrLayerSpec *ls = &spec->layers[i];
        init_fill(&ls->init, l->weight.data, (size_t)l->in * (size_t)l->out, l->in, l->out, &rng);
        init_fill(&ls->bias_init, l->bias.data, (size_t)l->out, l->in, l->out, &rng);
    }
    memset(plan->velocity, 0, plan->param_count * sizeof(float));
    for (int64_t i = 0; i < plan->n; i++)
        plan->order[i] = i;
}

/* Fisher-Yates over the whole data set, once per epoch, as Keras's fit. */
static void shuffle(int64_t *order, int64_t n, LrRng *rng)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)rng_below(rng, (uint64_t)i + 1);
        int64_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* Copies the batch's rows into the Plan's batch buffers. */
static void gather(LrPlan *plan, int64_t start, int rows, LrTensor *x, LrTensor *y)
{
    size_t fx = (size_t)plan->features, fy = (size_t)plan->outputs;
    for (int r = 0; r < rows; r++) {
        size_t src = (size_t)plan->order[start + r];
        memcpy(plan->xb + (size_t)r * fx, plan->x + src * fx, fx * sizeof(float));
        memcpy(plan->yb + (size_t)r * fy, plan->y + src * fy, fy * sizeof(float));
    }
    *x = tensor_view(plan->xb, rows, plan->features);
    *y = tensor_view(plan->yb, rows, plan->outputs);
}

int train_run(LrPlan *plan, const LrSource *src, LrDiag *diag, LrTrainResult *result)
{
    const LrSpec *spec = plan->spec;
    const LrLossKind loss_kind = spec->loss;
    prepare(plan);
    LrRng shuffle_rng;
    rng_seed(&shuffle_rng, spec->seed, RNG_STREAM_SHUFFLE);
    double started = now_seconds();
    LrTensor *out_grad = &plan->grads[plan->layer_count - 1];
    double loss = 0, lr = 0;
    for (int64_t epoch = 1; epoch <= spec->train.epochs; epoch++) {
        if (spec->train.shuffle)
            shuffle(plan->order, plan->n, &shuffle_rng);
        for (int64_t start = 0; start < plan->n; start += plan->batch) {
            int rows = (int)(plan->n - start < plan->batch ? plan->n - start : plan->batch);
            LrTensor x, y;
            gather(plan, start, rows, &x, &y);
            const LrTensor *pred = forward(plan, &x);
            out_grad->rows = rows;
            loss_gradient(loss_kind, pred, &y, out_grad);
            backward(plan, &x);
            lr = optim_step(&plan->optimizer);
        }
        loss = train_evaluate(plan);
        if (!isfinite(loss)) {
            diag_error(diag, src, spec->train.span,
                       "training diverged at epoch %lld step %lld (loss=%s, lr=%.9g)",
                       (long long)epoch, (long long)plan->optimizer.step,
                       isnan(loss) ? "nan" : "inf", lr);
            return -1;
        }
        report_epoch(epoch, spec->train.epochs, loss);
    }
    result->loss = loss;
    result->steps = plan->optimizer.step;
    result->seconds = now_seconds() - started;
    if (plan->param_count <= REPORT_MAX_PARAMETERS)
        report_parameters(plan->layers, plan->layer_count);
    return 0;
}
