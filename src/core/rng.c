/* rng.c: normal draws (Box-Muller) from the counter-based uniforms of rng.h. */
#include "rng.h"

#include <math.h>

double rng_normal(uint64_t seed, uint64_t stream, uint64_t index) {
    double u1 = rng_uniform(seed, stream, 2 * index);
    double u2 = rng_uniform(seed, stream, 2 * index + 1);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
