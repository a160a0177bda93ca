/* rng.c — the one random generator of lrc: xoshiro256** (Blackman & Vigna,
 * 2018) seeded through splitmix64, plus the few distributions the runtime
 * draws from. Every draw is a documented number of rng_next() calls, so the
 * sequence a consumer sees is part of the reproducibility contract. */
#include "rng.h"

#include <math.h>

/* 2^64 / golden ratio, odd: the increment of splitmix64 and the multiplier
 * that spreads stream ids over the seed space. */
static const uint64_t GOLDEN_GAMMA = 0x9E3779B97F4A7C15u;

uint64_t rng_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += GOLDEN_GAMMA);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

void rng_seed(LrRng *r, uint64_t seed, uint64_t stream)
{
    /* Four consecutive splitmix64 outputs are distinct (its output function
     * is a bijection of distinct states), so the state is never all zero. */
    uint64_t x = seed ^ (stream * GOLDEN_GAMMA);
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(LrRng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(LrRng *r)
{
    /* The top 53 bits (the best ones of xoshiro256**) scaled by 2^-53: every
     * value is a multiple of 2^-53 in [0, 1). One rng_next() call. */
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t rng_below(LrRng *r, uint64_t bound)
{
    /* Rejection: 2^64 mod bound = (-bound) mod bound values at the bottom of
     * the range would be over-represented by the final modulo, so they are
     * redrawn (probability < bound / 2^64). Usually one rng_next() call. */
    const uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t x = rng_next(r);
        if (x >= threshold)
            return x % bound;
    }
}

void rng_skip(LrRng *r, uint64_t calls)
{
    /* xoshiro's jump polynomials skip only 2^128 or 2^192 steps; a share's
     * rows are fewer, and a step is a nanosecond. */
    for (uint64_t i = 0; i < calls; i++)
        (void)rng_next(r);
}

double rng_normal(LrRng *r)
{
    /* Box-Muller, cosine branch only: exactly two uniforms per normal, none
     * kept over between calls, so a caller's draw count never depends on
     * parity. u1 = 1 - uniform lies in (0, 1], keeping log finite. */
    const double two_pi = 6.283185307179586476925286766559;
    double u1 = 1.0 - rng_uniform(r);
    double u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}
