/* embedding.c: the gather and scatter-add of embedding.h. Token ids are checked by the
 * data reader, not here. */
#include "embedding.h"

#include <string.h>

void embedding_forward(int N, int E, const int32_t *tokens, const real *table, real *out) {
    for (int n = 0; n < N; n++)
        memcpy(out + (long)n * E, table + (long)tokens[n] * E, sizeof(real) * E);
}

int embedding_link_rows(int T, int B, const int32_t *tokens, const int32_t *lengths, int32_t *last,
                        int32_t *next, int32_t *heads) {
    int count = 0;
    for (int n = 0; n < T * B; n++) {
        next[n] = -1;
        if (n / B >= lengths[n % B]) continue; /* padding carries no gradient */
        int32_t token = tokens[n];
        if (last[token] < 0) heads[count++] = n;
        else next[last[token]] = n;
        last[token] = n;
    }
    for (int h = 0; h < count; h++) last[tokens[heads[h]]] = -1;
    return count;
}

/* Row by row down each token's links (same order per element as embedding_add_linked). */
void embedding_backward(int max_heads, const int32_t *num_heads, int E, const int32_t *tokens,
                        const int32_t *heads, const int32_t *next, const real *dout, real *grad_table) {
    for (int h = 0; h < *num_heads && h < max_heads; h++) {
        real *g = grad_table + (long)tokens[heads[h]] * E;
        for (int n = heads[h]; n >= 0; n = next[n]) {
            const real *d = dout + (long)n * E;
            for (int e = 0; e < E; e++) g[e] += d[e];
        }
    }
}
