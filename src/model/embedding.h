/* embedding.h: token ids -> rows of the embedding table, and the scatter-add backward.
 * Shapes: tokens [N] (N = T*B rows), table [V][E], out [N][E]. */
#ifndef RECUR_EMBEDDING_H
#define RECUR_EMBEDDING_H

#include <stdint.h>

#include "../core/real.h"

void embedding_forward(int N, int E, const int32_t *tokens, const real *table, real *out);
/* grad_table[tokens[n]] += dout[n] for rows with valid[n] (padding rows carry no gradient). */
void embedding_backward(int N, int E, const int32_t *tokens, const uint8_t *valid,
                        const real *dout, real *grad_table);

#endif
