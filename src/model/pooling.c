/* pooling.c: last-state, mean and max pooling over each sample's own timesteps, on the
 * CPU (the forward's per-column arithmetic is pooling.h's, shared with the CUDA kernel). */
#include "pooling.h"

#include <string.h>

void pool_forward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                  const real *y, real *pooled, int32_t *argmax) {
    (void)T;
    for (long b = 0; b < B; b++)
        for (int j = 0; j < D; j++)
            pooled[b * D + j] =
                pool_unit_forward(kind, B, D, directions, lengths[b], b, j, y, argmax + b * D + j);
}

void pool_backward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                   const int32_t *argmax, const real *dpooled, real *dy) {
    memset(dy, 0, sizeof(real) * (long)T * B * D);
    for (int b = 0; b < B; b++) {
        int len = lengths[b];
        const real *dp = dpooled + (long)b * D;
        for (int j = 0; j < D; j++) {
            if (kind == POOL_LAST) {
                dy[((long)pool_last_time(j, D, directions, len) * B + b) * D + j] = dp[j];
            } else if (kind == POOL_MEAN) {
                for (int t = 0; t < len; t++) dy[((long)t * B + b) * D + j] = dp[j] / (real)len;
            } else {
                dy[((long)argmax[(long)b * D + j] * B + b) * D + j] = dp[j];
            }
        }
    }
}
