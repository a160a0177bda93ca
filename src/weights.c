/* weights.c — see weights.h. Both file kinds are safetensors, so one
 * validated reader (safetensors.c) guards every file lrc reads back. */
#include "weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "model.h"
#include "safetensors.h"
#include "version.h"

enum { MAX_TENSORS = LAYER_MAX_VARS * SPEC_MAX_LAYERS + 16, NAME_SIZE = 64 };

typedef struct TensorList {
    LrNamedTensor t[MAX_TENSORS];
    char names[MAX_TENSORS][NAME_SIZE];
    int count;
} TensorList;

static LrNamedTensor *list_add(TensorList *list, const char *name, LrDType dtype, const void *data,
                               int64_t rows, int64_t cols)
{
    LrNamedTensor *t = &list->t[list->count];
    snprintf(list->names[list->count], NAME_SIZE, "%s", name);
    t->name = list->names[list->count];
    t->dtype = dtype;
    t->data = data;
    t->ndim = cols > 0 ? 2 : 1;
    t->shape[0] = rows;
    t->shape[1] = cols;
    list->count++;
    return t;
}

/* The model's tensors, in layer order, each with its own shape (a conv2d
 * kernel [kh, kw, in, out] as Keras saves it). */
static void model_tensors(const LrPlan *plan, TensorList *list)
{
    list->count = 0;
    for (int i = 0; i < plan->all_var_count; i++) {
        const LrPlanVar *v = &plan->vars[i];
        LrNamedTensor *t = list_add(list, v->name, DTYPE_F32, v->data, 0, 0);
        t->ndim = v->shape.rank;
        for (int d = 0; d < v->shape.rank; d++)
            t->shape[d] = v->shape.dims[d];
    }
    if (plan->normalized) {
        list_add(list, "normalize/offset", DTYPE_F32, plan->norm_offset, plan->features, 0);
        list_add(list, "normalize/scale", DTYPE_F32, plan->norm_scale, plan->features, 0);
    }
}

int weights_save(const LrPlan *plan, const char *experiment_sha256, const char *path, char *why,
                 size_t why_size)
{
    TensorList list;
    model_tensors(plan, &list);
    LrArena arena = {0};
    LrModelDesc desc;
    LrMeta meta[MODEL_META_ROWS];
    int rows = model_describe(plan, experiment_sha256, &arena, &desc) < 0
                   ? -1
                   : model_to_meta(&desc, &arena, meta);
    int status = -1;
    if (rows < 0)
        snprintf(why, why_size, "out of memory while describing the model for '%s'", path);
    else
        status = safetensors_write(path, list.t, list.count, meta, rows, why, why_size);
    arena_free(&arena);
    return status;
}

/* Reads every listed tensor into its (const-cast) place. */
/* Reads one tensor into its place. Parameters (F32) must be finite
 * numbers: a NaN or an infinity would only surface as a divergence at the
 * first step, so the file is refused now, naming the tensor. (F64 tensors
 * are a checkpoint's history, where NaN stands for "no validation".) */
static int read_tensor(const LrSafetensors *st, const LrNamedTensor *t, char *why, size_t why_size)
{
    if (safetensors_read(st, t->name, t->dtype, t->ndim, t->shape, (void *)t->data, why,
                         why_size) < 0)
        return -1;
    if (t->dtype != DTYPE_F32)
        return 0;
    size_t count = 1;
    for (int d = 0; d < t->ndim; d++)
        count *= (size_t)t->shape[d];
    const float *v = t->data;
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(v[i])) {
            snprintf(why, why_size, "'%s': tensor '%s' holds %s at index %zu, not a finite number",
                     st->path, t->name, isnan(v[i]) ? "nan" : v[i] > 0 ? "inf" : "-inf", i);
            return -1;
        }
    }
    return 0;
}

static int read_tensors(const LrSafetensors *st, const TensorList *list, int first, char *why,
                        size_t why_size)
{
    for (int i = first; i < list->count; i++)
        if (read_tensor(st, &list->t[i], why, why_size) < 0)
            return -1;
    return 0;
}

int weights_load(LrPlan *plan, const char *path, bool *normalization, bool *described,
                 char *why, size_t why_size)
{
    LrSafetensors st;
    if (safetensors_open(&st, path, why, why_size) < 0)
        return -1;
    *described = safetensors_meta(&st, "lrc_model") != NULL;
    TensorList list;
    model_tensors(plan, &list);
    /* Layers first; the normalization only if the file has one. */
    int layers = list.count;
    if (layers >= 2 && strncmp(list.t[layers - 1].name, "normalize/", 10) == 0)
        layers -= 2;
    int status = 0;
    for (int i = 0; i < layers && status == 0; i++)
        status = read_tensor(&st, &list.t[i], why, why_size);
    if (status == 0) {
        LrNamedTensor offset = {"normalize/offset", DTYPE_F32, 1, {plan->features}, plan->norm_offset};
        LrNamedTensor scale = {"normalize/scale", DTYPE_F32, 1, {plan->features}, plan->norm_scale};
        char scratch[256];
        /* Probe for the normalization: present means it is part of the model. */
        if (safetensors_read(&st, offset.name, offset.dtype, 1, offset.shape, plan->norm_offset,
                             scratch, sizeof scratch) == 0) {
            status = read_tensor(&st, &offset, why, why_size);
            status = status == 0 ? read_tensor(&st, &scale, why, why_size) : status;
            *normalization = status == 0;
            /* Its kind, when the file says it (else it stays the data set's). */
            LrArena arena = {0};
            LrModelDesc desc;
            if (*normalization && *described &&
                model_read_description(&st, &arena, &desc, scratch, sizeof scratch) == 0 &&
                desc.normalize != NORM_NONE)
                plan->norm_kind = desc.normalize;
            arena_free(&arena);
        }
    }
    safetensors_close(&st);
    return status;
}

/* -------------------------------------------------------------- checkpoints */

static void checkpoint_path(const char *dir, char *out, size_t size)
{
    snprintf(out, size, "%s/checkpoint.safetensors", dir);
}

static uint64_t double_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double bits_double(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

enum { STATE_WORDS = 17 };

/* Everything else that decides what happens next, as 64-bit words: the
 * position, the counters, the random streams, early stopping. */
static void pack_state(const LrPlan *plan, const LrTrainState *s, uint64_t w[STATE_WORDS])
{
    w[0] = (uint64_t)s->epochs_done;
    w[1] = (uint64_t)s->batch_start;
    w[2] = s->mid_epoch;
    w[3] = double_bits(s->best);
    w[4] = (uint64_t)s->best_epoch;
    w[5] = (uint64_t)s->wait;
    w[6] = s->stopped;
    w[7] = (uint64_t)plan->optimizer.step;
    memcpy(&w[8], plan->shuffle_rng.s, sizeof plan->shuffle_rng.s);
    memcpy(&w[12], plan->dropout_rng.s, sizeof plan->dropout_rng.s);
    w[16] = double_bits(s->seconds);
}

static void unpack_state(LrPlan *plan, LrTrainState *s, const uint64_t w[STATE_WORDS])
{
    s->epochs_done = (int64_t)w[0];
    s->batch_start = (int64_t)w[1];
    s->mid_epoch = w[2] != 0;
    s->best = bits_double(w[3]);
    s->best_epoch = (int64_t)w[4];
    s->wait = (int64_t)w[5];
    s->stopped = w[6] != 0;
    plan->optimizer.step = (int64_t)w[7];
    memcpy(plan->shuffle_rng.s, &w[8], sizeof plan->shuffle_rng.s);
    memcpy(plan->dropout_rng.s, &w[12], sizeof plan->dropout_rng.s);
    s->seconds = bits_double(w[16]);
}

/* The checkpoint's tensors after the model's: slots, best, order, history
 * rows (the table is read back with the same list). */
static void checkpoint_tensors(const LrPlan *plan, TensorList *list, const uint64_t *state,
                               int64_t history_rows)
{
    model_tensors(plan, list);
    int64_t n = (int64_t)plan->param_count;
    if (plan->optimizer.slot1)
        list_add(list, "optimizer/slot1", DTYPE_F32, plan->optimizer.slot1, n, 0);
    if (plan->optimizer.slot2)
        list_add(list, "optimizer/slot2", DTYPE_F32, plan->optimizer.slot2, n, 0);
    list_add(list, "train/best", DTYPE_F32, plan->best, n + (int64_t)plan->state_count, 0);
    list_add(list, "train/order", DTYPE_I64, plan->order, plan->train.rows, 0);
    list_add(list, "train/state", DTYPE_U64, state, STATE_WORDS, 0);
    if (history_rows > 0)
        list_add(list, "train/history", DTYPE_F64, plan->history, history_rows,
                 plan->history_cols);
}

int checkpoint_write(const char *dir, const LrPlan *plan, const LrTrainState *state,
                     const char *source_path, const char *experiment_sha256,
                     const char *const *sets, int set_count, char *why, size_t why_size)
{
    uint64_t words[STATE_WORDS];
    pack_state(plan, state, words);
    TensorList list;
    checkpoint_tensors(plan, &list, words, state->epochs_done);
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)plan->spec->seed);
    /* --set values, one per line; a value may span lines (a sweep's values
     * do as the file writes them), so its newlines and backslashes are
     * escaped (checkpoint_source undoes it). */
    LrBuffer joined = {0};
    for (int i = 0; i < set_count; i++) {
        buffer_printf(&joined, "%s", i ? "\n" : "");
        for (const char *p = sets[i]; *p; p++) {
            if (*p == '\n' || *p == '\\')
                buffer_printf(&joined, "\\%c", *p == '\n' ? 'n' : '\\');
            else
                buffer_printf(&joined, "%c", *p);
        }
    }
    LrMeta meta[6] = {{"format", "lrc-checkpoint"},
                      {"lrc_version", LRC_VERSION},
                      {"source", source_path},
                      {"experiment_sha256", experiment_sha256}};
    int meta_count = 4;
    /* The seed is recorded only when --seed set it: otherwise the file's
     * seed is part of the experiment, and changing it must be noticed. */
    if (plan->spec->seed_overridden)
        meta[meta_count++] = (LrMeta){"seed", seed};
    if (set_count > 0)
        meta[meta_count++] = (LrMeta){"sets", joined.data ? joined.data : ""};
    char path[4096];
    checkpoint_path(dir, path, sizeof path);
    int status = joined.failed ? -1
                               : safetensors_write(path, list.t, list.count, meta, meta_count,
                                                   why, why_size);
    if (joined.failed)
        snprintf(why, why_size, "out of memory writing '%s'", path);
    buffer_free(&joined);
    return status;
}

static int open_checkpoint(const char *dir, LrSafetensors *st, char *why, size_t why_size)
{
    char path[4096];
    checkpoint_path(dir, path, sizeof path);
    if (safetensors_open(st, path, why, why_size) < 0)
        return -1;
    const char *format = safetensors_meta(st, "format");
    if (!format || strcmp(format, "lrc-checkpoint") != 0) {
        snprintf(why, why_size, "'%s' is not an lrc checkpoint", path);
        safetensors_close(st);
        return -1;
    }
    return 0;
}

int checkpoint_source(const char *dir, char *path, size_t path_size, bool *has_seed,
                      uint64_t *seed, char **sets, int *set_count, char *why,
                      size_t why_size)
{
    LrSafetensors st;
    if (open_checkpoint(dir, &st, why, why_size) < 0)
        return -1;
    const char *source = safetensors_meta(&st, "source");
    const char *seed_text = safetensors_meta(&st, "seed");
    int status = 0;
    char *end = NULL;
    *has_seed = seed_text != NULL;
    if (seed_text)
        *seed = strtoull(seed_text, &end, 10);
    if (!source || strlen(source) >= path_size || (seed_text && (end == seed_text || *end))) {
        snprintf(why, why_size, "the checkpoint in '%s' does not name its experiment file",
                 dir);
        status = -1;
    } else {
        snprintf(path, path_size, "%s", source);
    }
    const char *set_text = safetensors_meta(&st, "sets");
    *sets = NULL;
    *set_count = 0;
    if (status == 0 && set_text && *set_text) {
        char *out = *sets = malloc(strlen(set_text) + 1);
        if (!out) {
            snprintf(why, why_size, "out of memory");
            status = -1;
        }
        /* Lines become NUL-terminated values; escapes are undone. */
        for (const char *p = set_text; out; p++) {
            if (*p == '\n' || !*p) {
                *out++ = '\0';
                ++*set_count;
                if (!*p)
                    break;
            } else if (*p == '\\' && (p[1] == 'n' || p[1] == '\\')) {
                *out++ = p[1] == 'n' ? '\n' : '\\';
                p++;
            } else {
                *out++ = *p;
            }
        }
    }
    safetensors_close(&st);
    return status;
}

int checkpoint_read(const char *dir, LrPlan *plan, LrTrainState *state,
                    const char *experiment_sha256, char *why, size_t why_size)
{
    LrSafetensors st;
    if (open_checkpoint(dir, &st, why, why_size) < 0)
        return -1;
    const char *sha = safetensors_meta(&st, "experiment_sha256");
    if (!sha || strcmp(sha, experiment_sha256) != 0) {
        snprintf(why, why_size,
                 "the checkpoint in '%s' was made by a different experiment (the file or "
                 "--seed changed since)",
                 dir);
        safetensors_close(&st);
        return -1;
    }
    uint64_t words[STATE_WORDS];
    int64_t shape[1] = {STATE_WORDS};
    if (safetensors_read(&st, "train/state", DTYPE_U64, 1, shape, words, why, why_size) < 0) {
        safetensors_close(&st);
        return -1;
    }
    int64_t epochs = (int64_t)words[0];
    if (epochs < 0 || epochs > plan->spec->train.epochs ||
        (int64_t)words[1] < 0 || (int64_t)words[1] > plan->train.rows) {
        snprintf(why, why_size, "the checkpoint in '%s' is damaged: its position is out of range",
                 dir);
        safetensors_close(&st);
        return -1;
    }
    TensorList list;
    checkpoint_tensors(plan, &list, words, epochs);
    int status = read_tensors(&st, &list, 0, why, why_size);
    safetensors_close(&st);
    if (status < 0)
        return -1;
    for (int64_t i = 0; i < plan->train.rows; i++) {
        if (plan->order[i] < 0 || plan->order[i] >= plan->train.rows) {
            snprintf(why, why_size, "the checkpoint in '%s' is damaged: bad sample order", dir);
            return -1;
        }
    }
    unpack_state(plan, state, words);
    return 0;
}
