/* pooling.h: a padded sequence of layer outputs -> one vector per sample.
 * y [T*B][D] time-major (D = H * directions, forward block first), lengths [B],
 * pooled [B][D]. Last: forward block at t = len-1, backward block at t = 0 (the final
 * state of each direction). Mean and max run over t < len only. argmax [B][D] is kept
 * for max's backward. */
#ifndef RECUR_POOLING_H
#define RECUR_POOLING_H

#include <stdint.h>

#include "../core/hd.h"
#include "../core/real.h"
#include "model_config.h"

/* Time index pooled by "last" for column j: the direction's final step. */
RECUR_HD static inline int pool_last_time(int j, int D, int directions, int len) {
    return (directions == 2 && j >= D / 2) ? 0 : len - 1;
}

/* Column j of sample b's pooled vector (and, for max, the step it came from), over the
 * sample's own len steps: the CPU loop (pooling.c) and the CUDA kernel both call it. */
RECUR_HD static inline real pool_unit_forward(Pooling kind, int B, int D, int directions, int len,
                                              long b, int j, const real *y, int32_t *argmax) {
    if (kind == POOL_LAST) return y[((long)pool_last_time(j, D, directions, len) * B + b) * D + j];
    if (kind == POOL_MEAN) {
        real sum = 0;
        for (int t = 0; t < len; t++) sum += y[((long)t * B + b) * D + j];
        return sum / (real)len;
    }
    int best = 0;
    for (int t = 1; t < len; t++)
        if (y[((long)t * B + b) * D + j] > y[((long)best * B + b) * D + j]) best = t;
    *argmax = best;
    return y[((long)best * B + b) * D + j];
}

void pool_forward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                  const real *y, real *pooled, int32_t *argmax);
/* Overwrites dy [T*B][D] (zero where the pooling did not look). */
void pool_backward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                   const int32_t *argmax, const real *dpooled, real *dy);

#endif
