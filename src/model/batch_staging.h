/* batch_staging.h: a host batch as the model's ops see it, and the token links of the
 * embedding gradient (embedding.h).
 *
 * On a host backend the staged batch is the caller's arrays; on a device backend it is a
 * copy in device memory, in one of two sets of buffers, each grown to the largest batch
 * seen: one that batches are uploaded into ahead of their forward (batch_staging_ahead:
 * the trainer stages step k+1's batch while the device runs step k; every training batch
 * goes there, so a step's addresses repeat), and one for any other forward (evaluation).
 * Stream order makes the shared set safe: a batch staged ahead is copied after the work
 * queued before it, which has read the previous batch. The
 * token links are built on the host (and uploaded with the batch on a device). Only the
 * labels or the targets are staged, whichever the loss reads. Nothing here computes. */
#ifndef RECUR_BATCH_STAGING_H
#define RECUR_BATCH_STAGING_H

#include "core/batch.h"
#include "model_config.h"
#include "ops.h"

typedef struct StagedBatch {
    Batch batch;               /* its arrays in the backend's memory */
    const int32_t *heads;      /* [num_heads] each token's first valid row (embedding.h) */
    const int32_t *next;       /* [T*B] the next valid row with the same token, -1: none */
    const int32_t *num_heads;  /* [1] how many heads (backend memory: <= T*B, read there) */
} StagedBatch;

typedef struct BatchStaging BatchStaging;

BatchStaging *batch_staging_new(const ModelOps *ops, const ModelConfig *cfg);
void batch_staging_free(BatchStaging *s);
/* `bt` as the ops see it; the upload is queued (pinned staging: bt may change at once),
 * unless batch_staging_ahead was given this same pointer last. Valid until the next call. */
const StagedBatch *batch_staging_use(BatchStaging *s, const Batch *bt);
/* Uploads `bt` into the spare set for the next batch_staging_use(s, bt) (no-op on a host
 * backend). The caller must not change bt's arrays in between. */
void batch_staging_ahead(BatchStaging *s, const Batch *bt);

#endif
