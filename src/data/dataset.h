/* dataset.h: one rank's shard of one split, in memory, and padded batches of it.
 *
 * A Dataset holds examples first .. first+n-1 of a split with `total` examples (the
 * whole split when a single process reads it). Token input is ragged: example i is
 * tokens[offsets[i] .. offsets[i+1]) (offsets int64, rebased to start at 0), with a label
 * (classify) or one tag per token (tag). Series input holds the rows its windows need:
 * example i is rows starts[i] .. starts[i]+input_steps-1 of series [rows][num_features]
 * (starts rebased to this shard's first row), with targets [n][horizon*num_targets]
 * (regress) or a label (classify). A non-identity `window` (window_transform.h) turns
 * each window's inputs and targets into what the model sees, in batch_fill.
 * batch_fill turns a list of example indices into a time-major padded Batch
 * (core/batch.h, the type the model reads). This module does not read files
 * (dataset_file.h does) and does not include model headers. */
#ifndef RECUR_DATASET_H
#define RECUR_DATASET_H

#include <stdint.h>

#include "core/batch.h"
#include "core/real.h"
#include "dataset_schema.h"
#include "window_transform.h"

typedef struct Dataset {
    DatasetTask task;
    DatasetInput input;
    long first, n, total;     /* this shard: examples first .. first+n-1 of total */
    /* token input */
    int64_t *offsets;         /* [n+1], offsets[0] = 0 */
    int32_t *tokens;          /* [offsets[n]] ids in [0, vocab_size) */
    int32_t *tags;            /* [offsets[n]] (tag) */
    /* series input */
    long rows;
    float *series;            /* [rows][num_features] */
    int64_t *starts;          /* [n] */
    float *targets;           /* [n][horizon * num_targets] (regress), scaled levels */
    const WindowTransform *window; /* how windows reach the model (not owned); NULL or
                                    * identity: as stored */
    /* classify */
    int32_t *labels;          /* [n] in [0, num_classes) */
    int vocab_size, num_classes;
    int has_unknown;          /* valid/test: 1 when labels (tags) equal to num_classes are the
                               * <unk> class, never predicted (prep's unknown_labels = unk);
                               * 0 always for train */
    int num_features, input_steps, horizon, num_targets;
} Dataset;

void dataset_free(Dataset *d);
/* Keeps only rank's shard of an in-memory token dataset (the generated corpus), with the
 * same ranges as dataset_file.h's shards. */
void dataset_keep_shard(Dataset *d, int rank, int world);
/* Steps of example i. */
long dataset_length(const Dataset *d, long i);
/* Outputs per example the model must produce: classes (classify, tag) or
 * horizon * num_targets (regress). */
int dataset_output_size(const Dataset *d);

/* Host buffers of one padded batch; grows to the largest batch, then reuses. */
typedef struct BatchBuffer {
    long cap_steps;           /* T * B */
    long cap_targets;         /* B * outputs */
    int cap_B, cap_features;
    int32_t *tokens, *lengths, *labels;
    real *features, *targets;
    long *order;              /* [cap_B] the batch's examples, longest first */
    Batch batch;
} BatchBuffer;

/* Fills buf->batch with examples indices[0..count), longest first (stable): tokens or
 * features [T][B] padded with 0 (so the model can skip finished samples), labels [B]
 * (classify), tags as labels [T][B] (tag), targets [B][C] (regress). The order used is
 * in buf->order. Series with a non-identity d->window: features and targets transformed
 * (window_input, window_target). */
const Batch *batch_fill(BatchBuffer *buf, const Dataset *d, const long *indices, int count);
void batch_buffer_free(BatchBuffer *buf);

#endif
