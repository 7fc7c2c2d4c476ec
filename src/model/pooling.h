/* pooling.h: a padded sequence of layer outputs -> one vector per sample.
 * y [T*B][D] time-major (D = H * directions, forward block first), lengths [B],
 * pooled [B][D]. Last: forward block at t = len-1, backward block at t = 0 (the final
 * state of each direction). Mean and max run over t < len only. argmax [B][D] is kept
 * for max's backward. */
#ifndef RECUR_POOLING_H
#define RECUR_POOLING_H

#include <stdint.h>

#include "../core/real.h"
#include "model_config.h"

void pool_forward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                  const real *y, real *pooled, int32_t *argmax);
/* Overwrites dy [T*B][D] (zero where the pooling did not look). */
void pool_backward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                   const int32_t *argmax, const real *dpooled, real *dy);

#endif
