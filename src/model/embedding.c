/* embedding.c: the gather and scatter-add of embedding.h, on the CPU threads when large
 * (rows for the gather, whole tokens for the scatter-add: each token's rows still added in
 * the same order, so the same bits on any number of threads). The rows a token id picks
 * are scattered over the table, so each loop prefetches the rows it will touch a few
 * tokens ahead (the scatter-add of the mid RNN bench row: 2.1 -> 1.3 % of the step's
 * samples). Token ids are checked by the data reader, not here. */
#include "embedding.h"

#include <string.h>

#include "../core/blas.h"
#include "../core/cpu_parallel.h"

typedef struct EmbeddingCall {
    int count, E, parts;   /* count: rows (gather) or heads (scatter-add) */
    const int32_t *tokens, *heads, *next;
    const real *src;       /* table (gather) or dout (scatter-add) */
    real *dst;             /* out or grad_table */
} EmbeddingCall;

enum { PREFETCH_AHEAD = 4 }; /* tokens */

static void prefetch_row(const real *row, int E) {
    for (int e = 0; e < E; e += 64 / (int)sizeof(real)) __builtin_prefetch(row + e);
}

static void gather_part(void *arg, int i) {
    const EmbeddingCall *c = arg;
    long n0 = cpu_part_start(c->count, i, c->parts), n1 = cpu_part_start(c->count, i + 1, c->parts);
    for (long n = n0; n < n1; n++) {
        if (n + PREFETCH_AHEAD < n1) prefetch_row(c->src + (long)c->tokens[n + PREFETCH_AHEAD] * c->E, c->E);
        memcpy(c->dst + n * c->E, c->src + (long)c->tokens[n] * c->E, sizeof(real) * c->E);
    }
}

/* Parts for `count` units of E values each on the configured threads. */
static int embedding_parts(int count, int E) { return cpu_parallel_parts((long)count * E, count, blas_threads()); }

void embedding_forward(int N, int E, const int32_t *tokens, const real *table, real *out) {
    EmbeddingCall c = {N, E, embedding_parts(N, E), tokens, 0, 0, table, out};
    cpu_parallel(c.parts, c.parts > 1, gather_part, &c);
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

/* Heads [h0, h1): row by row down each token's links (same order per element as
 * embedding_add_linked). */
static void scatter_part(void *arg, int i) {
    const EmbeddingCall *c = arg;
    int h0 = (int)cpu_part_start(c->count, i, c->parts), h1 = (int)cpu_part_start(c->count, i + 1, c->parts);
    for (int h = h0; h < h1; h++) {
        if (h + PREFETCH_AHEAD < h1) {
            int ahead = c->heads[h + PREFETCH_AHEAD];
            prefetch_row(c->dst + (long)c->tokens[ahead] * c->E, c->E);
            prefetch_row(c->src + (long)ahead * c->E, c->E);
        }
        real *g = c->dst + (long)c->tokens[c->heads[h]] * c->E;
        for (int n = c->heads[h]; n >= 0; n = c->next[n]) {
            const real *d = c->src + (long)n * c->E;
            if (c->next[n] >= 0) prefetch_row(c->src + (long)c->next[n] * c->E, c->E);
            for (int e = 0; e < c->E; e++) g[e] += d[e];
        }
    }
}

void embedding_backward(int max_heads, const int32_t *num_heads, int E, const int32_t *tokens,
                        const int32_t *heads, const int32_t *next, const real *dout, real *grad_table) {
    int count = *num_heads < max_heads ? *num_heads : max_heads;
    EmbeddingCall c = {count, E, embedding_parts(max_heads, E), tokens, heads, next, dout, grad_table};
    if (c.parts > count) c.parts = count > 0 ? count : 1;
    cpu_parallel(c.parts, c.parts > 1, scatter_part, &c);
}
