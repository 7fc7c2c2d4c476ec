/* pooling.c: last-state, mean and max pooling over each sample's own timesteps. */
#include "pooling.h"

#include <string.h>

/* Time index pooled by "last" for column j: the direction's final step. */
static int last_time(int j, int D, int directions, int len) {
    return (directions == 2 && j >= D / 2) ? 0 : len - 1;
}

void pool_forward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                  const real *y, real *pooled, int32_t *argmax) {
    (void)T;
    for (int b = 0; b < B; b++) {
        int len = lengths[b];
        real *p = pooled + (long)b * D;
        for (int j = 0; j < D; j++) {
            if (kind == POOL_LAST) {
                p[j] = y[((long)last_time(j, D, directions, len) * B + b) * D + j];
            } else if (kind == POOL_MEAN) {
                real sum = 0;
                for (int t = 0; t < len; t++) sum += y[((long)t * B + b) * D + j];
                p[j] = sum / (real)len;
            } else {
                int best = 0;
                for (int t = 1; t < len; t++)
                    if (y[((long)t * B + b) * D + j] > y[((long)best * B + b) * D + j]) best = t;
                argmax[(long)b * D + j] = best;
                p[j] = y[((long)best * B + b) * D + j];
            }
        }
    }
}

void pool_backward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                   const int32_t *argmax, const real *dpooled, real *dy) {
    memset(dy, 0, sizeof(real) * (long)T * B * D);
    for (int b = 0; b < B; b++) {
        int len = lengths[b];
        const real *dp = dpooled + (long)b * D;
        for (int j = 0; j < D; j++) {
            if (kind == POOL_LAST) {
                dy[((long)last_time(j, D, directions, len) * B + b) * D + j] = dp[j];
            } else if (kind == POOL_MEAN) {
                for (int t = 0; t < len; t++) dy[((long)t * B + b) * D + j] = dp[j] / (real)len;
            } else {
                dy[((long)argmax[(long)b * D + j] * B + b) * D + j] = dp[j];
            }
        }
    }
}
