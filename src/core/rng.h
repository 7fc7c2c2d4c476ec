/* rng.h: counter-based random numbers, reproducible to the bit on every rank and thread.
 *
 * A value is a pure function of (seed, stream, index): dropout masks and initial weights do
 * not depend on call order, thread count or rank count. No global state. */
#ifndef RECUR_RNG_H
#define RECUR_RNG_H

#include <stdint.h>

/* 64 well-mixed bits for (seed, stream, index). */
uint64_t rng_bits(uint64_t seed, uint64_t stream, uint64_t index);
/* Uniform in [0, 1) with 53-bit resolution. */
double rng_uniform(uint64_t seed, uint64_t stream, uint64_t index);
/* Standard normal (Box-Muller on two counters). */
double rng_normal(uint64_t seed, uint64_t stream, uint64_t index);

#endif
