/* rng.h: counter-based random numbers, reproducible to the bit on every rank and thread.
 *
 * A value is a pure function of (seed, stream, index): dropout masks and initial weights do
 * not depend on call order, thread count or rank count. No global state. */
#ifndef RECUR_RNG_H
#define RECUR_RNG_H

#include <stdint.h>

#include "hd.h"

RECUR_HD static inline uint64_t rng_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* 64 well-mixed bits for (seed, stream, index) (splitmix64-style hashing). Inline and
 * RECUR_HD: the CUDA dropout kernel draws the very masks the CPU path draws. */
RECUR_HD static inline uint64_t rng_bits(uint64_t seed, uint64_t stream, uint64_t index) {
    uint64_t z = rng_mix64(seed + 0x9e3779b97f4a7c15ULL);
    z = rng_mix64(z ^ (stream * 0xd1b54a32d192ed03ULL + 0x632be59bd9b4e019ULL));
    return rng_mix64(z ^ (index * 0x9e3779b97f4a7c15ULL));
}

/* Uniform in [0, 1) with 53-bit resolution. */
RECUR_HD static inline double rng_uniform(uint64_t seed, uint64_t stream, uint64_t index) {
    return (double)(rng_bits(seed, stream, index) >> 11) * 0x1.0p-53;
}
/* Standard normal (Box-Muller on two counters). */
double rng_normal(uint64_t seed, uint64_t stream, uint64_t index);

#endif
