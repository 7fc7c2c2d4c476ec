/* embedding.h: token ids -> rows of the embedding table, and the scatter-add backward.
 * Shapes: tokens [N] (N = T*B rows, row t*B+b), table [V][E], out [N][E].
 *
 * The backward adds the rows that share a token in ascending row order, on every backend:
 * embedding_link_rows lists, on the host, the first valid row of each token (heads) and
 * links each valid row to the next one with the same token (next, -1 at the end). The
 * CPU walks the links row by row; a GPU runs one thread per (token, column) down the same
 * links (embedding_add_linked): no atomics, and the same sums as the CPU to the bit. */
#ifndef RECUR_EMBEDDING_H
#define RECUR_EMBEDDING_H

#include <stdint.h>

#include "../core/real.h"

void embedding_forward(int N, int E, const int32_t *tokens, const real *table, real *out);
#include "../core/hd.h"

/* Links the valid rows (t < lengths[b]) of a T x B batch by token; returns the number of
 * heads. `last` [V] must hold -1 everywhere and is left so. next [T*B], heads [T*B]. */
int embedding_link_rows(int T, int B, const int32_t *tokens, const int32_t *lengths, int32_t *last,
                        int32_t *next, int32_t *heads);

/* grad_table[tokens[n]] += dout[n] for the linked rows, each token's rows in order;
 * *num_heads (<= max_heads) heads. */
void embedding_backward(int max_heads, const int32_t *num_heads, int E, const int32_t *tokens,
                        const int32_t *heads, const int32_t *next, const real *dout, real *grad_table);

/* Column j of one token's gradient: its rows from `head` down the links, in order. */
RECUR_HD static inline void embedding_add_linked(int E, int j, int head, const int32_t *tokens,
                                                 const int32_t *next, const real *dout,
                                                 real *grad_table) {
    real *g = grad_table + (long)tokens[head] * E + j;
    real sum = *g;
    for (int n = head; n >= 0; n = next[n]) sum += dout[(long)n * E + j];
    *g = sum;
}

#endif
