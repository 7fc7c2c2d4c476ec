/* dropout.c: mask drawing and application for dropout.h. */
#include "dropout.h"

#include "../core/rng.h"

void dropout_forward(long n, real p, const uint64_t *seed, uint64_t stream, const real *in, real *out,
                     real *mask) {
    real scale = (real)1 / ((real)1 - p);
    uint64_t s = *seed;
    for (long i = 0; i < n; i++) {
        mask[i] = rng_uniform(s, stream, (uint64_t)i) < (double)p ? 0 : scale;
        out[i] = in[i] * mask[i];
    }
}

void dropout_backward(long n, const real *mask, const real *dout, real *din) {
    for (long i = 0; i < n; i++) din[i] = dout[i] * mask[i];
}
