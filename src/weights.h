/* weights.h — the model in safetensors files (model.safetensors, `save`,
 * `load`) and the checkpoints that resume a run exactly.
 *
 * A model file holds, per dense layer with Keras's layer names,
 * "dense/kernel" [in, out] and "dense/bias" [out], and, when the model
 * normalizes its input, "normalize/offset" and "normalize/scale"
 * [features]: x' = (x - offset) / scale. */
#ifndef LR_WEIGHTS_H
#define LR_WEIGHTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "train.h"

/* Writes the model and its description (model.h) to path atomically. -1
 * with a reason on failure. */
int weights_save(const LrPlan *plan, const char *experiment_sha256, const char *path, char *why,
                 size_t why_size);
/* Replaces the parameters (and the input normalization, if the file has
 * one: *normalization says so) with the file's; every tensor must be there
 * with the model's shapes. *described: the file has a model description
 * (files saved before lrc 0.3.0 do not). -1 with a reason naming what is
 * wrong. */
int weights_load(LrPlan *plan, const char *path, bool *normalization, bool *described,
                 char *why, size_t why_size);

/* The checkpoint of a run directory: dir/checkpoint.safetensors. It holds
 * the parameters, the optimizer's slots and step, the best epoch's
 * parameters, the epoch's sample order, the history, every random stream's
 * state and the position in the epoch, and names the experiment file and
 * the hash of the resolved experiment. */
int checkpoint_write(const char *dir, const LrPlan *plan, const LrTrainState *state,
                     const char *source_path, const char *experiment_sha256,
                     const char *const *sets, int set_count, char *why, size_t why_size);
/* Reads what made the experiment, recorded in dir's checkpoint, before
 * anything is built: the file's path, the seed when --seed set it, and the
 * --set values (*set_count NUL-terminated strings one after another in
 * one malloc'd block; NULL when none). */
int checkpoint_source(const char *dir, char *path, size_t path_size, bool *has_seed,
                      uint64_t *seed, char **sets, int *set_count, char *why,
                      size_t why_size);
/* Restores plan and state from dir's checkpoint, refusing one made from a
 * different experiment. */
int checkpoint_read(const char *dir, LrPlan *plan, LrTrainState *state,
                    const char *experiment_sha256, char *why, size_t why_size);

#endif
