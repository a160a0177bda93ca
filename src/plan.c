/* plan.c — see plan.h. Sizes are computed with checked arithmetic first, so
 * that an experiment too large for this machine is a language error (exit 2)
 * rather than an out-of-memory crash half way through. */
#include "plan.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* a += b * c in bytes; false on overflow. */
static bool add_product(size_t *a, uint64_t b, uint64_t c)
{
    if (b && c > SIZE_MAX / b)
        return false;
    size_t p = (size_t)(b * c);
    if (*a > SIZE_MAX - p)
        return false;
    *a += p;
    return true;
}

static size_t machine_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return SIZE_MAX;
    if ((size_t)pages > SIZE_MAX / (size_t)page)
        return SIZE_MAX;
    return (size_t)pages * (size_t)page;
}

/* Bytes the plan will need, or SIZE_MAX when that does not even fit size_t. */
static size_t plan_size(const LrSpec *spec, int batch, size_t *params)
{
    size_t bytes = 0, count = 0;
    const LrDatasetSpec *d = &spec->dataset;
    int outputs = spec->layers[spec->layer_count - 1].units;
    bool ok = add_product(&bytes, (uint64_t)d->n, (uint64_t)d->features * sizeof(float)) &&
              add_product(&bytes, (uint64_t)d->n, (uint64_t)outputs * sizeof(float)) &&
              add_product(&bytes, (uint64_t)d->n, sizeof(int64_t)) &&
              add_product(&bytes, (uint64_t)batch, (uint64_t)(d->features + outputs) * sizeof(float));
    int in = d->features;
    for (int i = 0; ok && i < spec->layer_count; i++) {
        int out = spec->layers[i].units;
        ok = add_product(&count, (uint64_t)in + 1, (uint64_t)out) &&
             add_product(&bytes, (uint64_t)batch, 2 * (uint64_t)out * sizeof(float));
        in = out;
    }
    /* parameters, gradients, velocity */
    ok = ok && add_product(&bytes, count, 3 * sizeof(float));
    *params = count;
    return ok ? bytes : SIZE_MAX;
}

/* Rows per step: the train batch, at most the data set. */
static int plan_batch(const LrSpec *spec)
{
    int64_t batch = spec->train.batch < spec->dataset.n ? spec->train.batch : spec->dataset.n;
    return batch > (1 << 30) ? 1 << 30 : (int)batch;
}

static void *plan_alloc(LrPlan *plan, size_t count, size_t size)
{
    return arena_array(&plan->arena, count, size);
}

int plan_check_size(const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    const LrDatasetSpec *d = &spec->dataset;
    size_t params;
    size_t bytes = plan_size(spec, plan_batch(spec), &params);
    size_t have = machine_memory();
    if (bytes == SIZE_MAX) {
        diag_error(diag, src, d->span, "the experiment needs more memory than can be addressed");
        return -1;
    }
    if (bytes > have) {
        diag_error(diag, src, d->span,
                   "the experiment needs %zu bytes of memory but this machine has %zu", bytes,
                   have);
        return -1;
    }
    return 0;
}

int plan_build(LrPlan *plan, const LrSpec *spec, const LrSource *src, LrDiag *diag)
{
    memset(plan, 0, sizeof *plan);
    plan->spec = spec;
    if (plan_check_size(spec, src, diag) < 0)
        return -1;
    const LrDatasetSpec *d = &spec->dataset;
    int batch = plan_batch(spec);
    size_t params;
    size_t bytes = plan_size(spec, batch, &params);
    plan->n = d->n;
    plan->features = d->features;
    plan->outputs = spec->layers[spec->layer_count - 1].units;
    plan->batch = (int)batch;
    plan->layer_count = spec->layer_count;
    plan->param_count = params;
    size_t n = (size_t)d->n;
    plan->x = plan_alloc(plan, n * (size_t)plan->features, sizeof(float));
    plan->y = plan_alloc(plan, n * (size_t)plan->outputs, sizeof(float));
    plan->order = plan_alloc(plan, n, sizeof(int64_t));
    plan->xb = plan_alloc(plan, (size_t)batch * (size_t)plan->features, sizeof(float));
    plan->yb = plan_alloc(plan, (size_t)batch * (size_t)plan->outputs, sizeof(float));
    plan->params = plan_alloc(plan, params, sizeof(float));
    plan->dparams = plan_alloc(plan, params, sizeof(float));
    plan->velocity = plan_alloc(plan, params, sizeof(float));
    plan->layers = plan_alloc(plan, (size_t)plan->layer_count, sizeof(LrLayer));
    plan->acts = plan_alloc(plan, (size_t)plan->layer_count, sizeof(LrTensor));
    plan->grads = plan_alloc(plan, (size_t)plan->layer_count, sizeof(LrTensor));
    bool ok = plan->x && plan->y && plan->order && plan->xb && plan->yb && plan->params &&
              plan->dparams && plan->velocity && plan->layers && plan->acts && plan->grads;
    size_t offset = 0;
    int in = plan->features;
    for (int i = 0; ok && i < plan->layer_count; i++) {
        const LrLayerSpec *ls = &spec->layers[i];
        LrLayer *l = &plan->layers[i];
        l->ops = &layer_dense_ops;
        l->in = in;
        l->out = ls->units;
        l->activation = ls->activation;
        l->weight = tensor_view(plan->params + offset, in, l->out);
        l->dweight = tensor_view(plan->dparams + offset, in, l->out);
        offset += (size_t)in * (size_t)l->out;
        l->bias = tensor_view(plan->params + offset, 1, l->out);
        l->dbias = tensor_view(plan->dparams + offset, 1, l->out);
        offset += (size_t)l->out;
        float *act = plan_alloc(plan, (size_t)batch * (size_t)l->out, sizeof(float));
        float *grad = plan_alloc(plan, (size_t)batch * (size_t)l->out, sizeof(float));
        ok = act && grad;
        plan->acts[i] = tensor_view(act, (int)batch, l->out);
        plan->grads[i] = tensor_view(grad, (int)batch, l->out);
        in = l->out;
    }
    if (!ok) {
        diag_error(diag, src, d->span, "out of memory allocating %zu bytes for the experiment",
                   bytes);
        plan_free(plan);
        return -1;
    }
    plan->optimizer.spec = &spec->optimizer;
    plan->optimizer.params = plan->params;
    plan->optimizer.grads = plan->dparams;
    plan->optimizer.velocity = plan->velocity;
    plan->optimizer.count = params;
    plan->optimizer.step = 0;
    plan->bytes = plan->arena.total;
    return 0;
}

void plan_free(LrPlan *plan)
{
    arena_free(&plan->arena);
    memset(plan, 0, sizeof *plan);
}
