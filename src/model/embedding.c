/* embedding.c: the gather and scatter-add of embedding.h. Token ids are checked by the
 * data reader, not here. */
#include "embedding.h"

#include <string.h>

void embedding_forward(int N, int E, const int32_t *tokens, const real *table, real *out) {
    for (int n = 0; n < N; n++)
        memcpy(out + (long)n * E, table + (long)tokens[n] * E, sizeof(real) * E);
}

void embedding_backward(int N, int E, const int32_t *tokens, const uint8_t *valid,
                        const real *dout, real *grad_table) {
    for (int n = 0; n < N; n++) {
        if (!valid[n]) continue;
        real *g = grad_table + (long)tokens[n] * E;
        const real *d = dout + (long)n * E;
        for (int e = 0; e < E; e++) g[e] += d[e];
    }
}
