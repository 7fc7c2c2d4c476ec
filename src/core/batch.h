/* batch.h: the padded, time-major batch — the contract between the data side, which fills
 * it (data/dataset.h: batch_fill), and the model, which reads it (model/model.h). Row t*B+b
 * is step t of sample b; steps at t >= lengths[b] are padding and never reach the loss.
 * Always host memory. Holds only the type: nothing here may include data/ or model/
 * headers, allocate, or know which side made it. */
#ifndef RECUR_BATCH_H
#define RECUR_BATCH_H

#include <stdint.h>

#include "core/real.h"

typedef struct Batch {
    int T, B;               /* padded steps, samples */
    const int32_t *tokens;  /* [T][B] token ids in [0, vocab_size) (token input) */
    const real *features;   /* [T][B][input_size] (dense input) */
    const int32_t *lengths; /* [B], each in [1, T] */
    const int32_t *labels;  /* cross-entropy: [B], or [T][B] with pooling none */
    const real *targets;    /* other losses: [B][C], or [T][B][C] with pooling none */
} Batch;

#endif
