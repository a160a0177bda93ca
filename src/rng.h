/* rng.h — the one random generator: xoshiro256** (Blackman & Vigna, 2018),
 * seeded through splitmix64. Each consumer has its own stream, derived from
 * the experiment seed and a stream id, so that adding a layer does not
 * change the data, and shuffling does not change initialization. */
#ifndef LR_RNG_H
#define LR_RNG_H
#include <stdint.h>

typedef enum LrStream {
    RNG_STREAM_DATA = 1,
    RNG_STREAM_INIT = 2,
    RNG_STREAM_SHUFFLE = 3,
    RNG_STREAM_DROPOUT = 4,
    RNG_STREAM_SPLIT = 5 /* held-out parts of a dataset */
} LrStream;

/* Dataset i draws from stream + RNG_DATASET_STRIDE * i, so that adding a
 * dataset does not change the others. */
#define RNG_DATASET_STRIDE 100

typedef struct LrRng {
    uint64_t s[4];
} LrRng;

/* State for (seed, stream): splitmix64 run from seed ^ (stream * golden
 * ratio constant) fills the four words. */
void rng_seed(LrRng *r, uint64_t seed, uint64_t stream);
/* One step of splitmix64 (Vigna): advances *state and returns its output.
 * Exposed for seeding elsewhere and for known-answer tests. */
uint64_t rng_splitmix64(uint64_t *state);
uint64_t rng_next(LrRng *r);
/* Advances r as `calls` rng_next calls would. */
void rng_skip(LrRng *r, uint64_t calls);
/* Uniform in [0, 1) with 53 random bits. */
double rng_uniform(LrRng *r);
/* Uniform integer in [0, bound) without modulo bias (bound > 0); rejection
 * sampling, so usually one rng_next() and rarely more. */
uint64_t rng_below(LrRng *r, uint64_t bound);
/* Standard normal by Box-Muller: one draw consumes two uniforms (u1 first,
 * then u2) and nothing is cached between calls. */
double rng_normal(LrRng *r);

#endif
