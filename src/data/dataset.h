/* dataset.h: a split of tokenized, labelled sequences in memory, and padded batches of it.
 *
 * Samples are ragged: sample i's tokens are tokens[offsets[i] .. offsets[i+1]) (offsets
 * int64, n+1 of them, as in the HDF5 format). batch_fill turns a list of sample indices
 * into a time-major padded Batch (src/model/model.h) with T = the longest sample. This
 * module does not read files and does not know about models beyond the Batch layout. */
#ifndef RECUR_DATASET_H
#define RECUR_DATASET_H

#include <stdint.h>

#include "model/model.h"

typedef struct Dataset {
    long n;            /* samples */
    int64_t *offsets;  /* [n+1] */
    int32_t *tokens;   /* [offsets[n]] token ids in [0, vocab_size) */
    int32_t *labels;   /* [n] class ids in [0, num_classes) */
    int vocab_size;
    int num_classes;
} Dataset;

void dataset_free(Dataset *d);

/* Host buffers of one padded batch; grows to the largest batch, then reuses. */
typedef struct BatchBuffer {
    long cap_tokens;
    int cap_B;
    int32_t *tokens, *lengths, *labels;
    long *order; /* [cap_B] the batch's samples, longest first */
    Batch batch;
} BatchBuffer;

/* Fills buf->batch with samples indices[0..count), longest first (stable): tokens [T][B]
 * padded with 0, so the model can skip finished samples. */
const Batch *batch_fill(BatchBuffer *buf, const Dataset *d, const long *indices, int count);
void batch_buffer_free(BatchBuffer *buf);

#endif
