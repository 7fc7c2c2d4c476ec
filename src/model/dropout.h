/* dropout.h: inverted dropout with a reproducible mask.
 * The keep/drop choice of element i is a pure function of (seed, stream, i), so the same
 * step drops the same units on every rank and in every rerun. mask[i] holds the scale
 * applied: 0 or 1/(1-p). */
#ifndef RECUR_DROPOUT_H
#define RECUR_DROPOUT_H

#include <stdint.h>

#include "../core/real.h"

/* *seed: the step's (model/step_scalars.h), read where the masks are drawn */
void dropout_forward(long n, real p, const uint64_t *seed, uint64_t stream, const real *in, real *out,
                     real *mask);
void dropout_backward(long n, const real *mask, const real *dout, real *din);

#endif
