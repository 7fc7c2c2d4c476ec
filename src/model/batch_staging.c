/* batch_staging.c: the staged batches and token links of batch_staging.h. */
#include "batch_staging.h"

#include <stdlib.h>
#include <string.h>

#include "../core/check.h"
#include "embedding.h"

/* A batch in the backend's memory, grown to the largest seen. links: [number of heads |
 * next (T*B) | heads]. */
typedef struct DeviceBatch {
    long cap_TB, cap_B;
    int32_t *tokens, *lengths, *labels, *links;
    real *features, *targets;
    const Batch *source;       /* batch_staging_ahead's batch, uploaded here */
} DeviceBatch;

struct BatchStaging {
    const ModelOps *ops;
    ModelConfig cfg;
    DeviceBatch device[2];     /* [STAGED]: batches staged ahead (training); [OTHER]: the rest */
    int32_t *links;            /* host [number of heads | next (T*B) | heads (T*B)] */
    long links_cap;            /* T*B it holds */
    int32_t *last_row;         /* [vocab_size], -1: embedding_link_rows' scratch */
    StagedBatch staged;
};

/* Training batches always land in one set, so a step's device addresses are the same
 * from step to step (a captured step replays with them); a forward of another batch
 * (evaluation) uses the other set and leaves a staged batch alone. */
enum { STAGED, OTHER };

BatchStaging *batch_staging_new(const ModelOps *ops, const ModelConfig *cfg) {
    BatchStaging *s = xcalloc(1, sizeof *s, "batch staging");
    s->ops = ops, s->cfg = *cfg;
    if (cfg->vocab_size > 0) {
        s->last_row = xmalloc(sizeof(int32_t) * (size_t)cfg->vocab_size, "token links");
        for (int v = 0; v < cfg->vocab_size; v++) s->last_row[v] = -1;
    }
    return s;
}

static void release_device_batch(const ModelOps *ops, DeviceBatch *d) {
    void *bufs[] = {d->tokens, d->lengths, d->labels, d->links, d->features, d->targets};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) ops->release(bufs[i]);
    memset(d, 0, sizeof *d);
}

void batch_staging_free(BatchStaging *s) {
    if (!s) return;
    release_device_batch(s->ops, &s->device[0]), release_device_batch(s->ops, &s->device[1]);
    free(s->links), free(s->last_row), free(s);
}

/* The links of bt on the host, their count first; returns the number of heads (0
 * without token input). */
static int link_rows(BatchStaging *s, const Batch *bt) {
    long TB = (long)bt->T * bt->B;
    if (s->cfg.vocab_size == 0) return 0;
    if (TB > s->links_cap) {
        free(s->links);
        s->links = xmalloc(sizeof(int32_t) * (1 + 2 * (size_t)TB), "token links");
        s->links_cap = TB;
    }
    s->links[0] = embedding_link_rows(bt->T, bt->B, bt->tokens, bt->lengths, s->last_row, s->links + 1,
                                      s->links + 1 + TB);
    return s->links[0];
}

static void *alloc_batch(BatchStaging *s, size_t count, size_t size) { return s->ops->alloc(count * size, "batch"); }

/* Room in d for a batch of T x B. */
static void fit_device_batch(BatchStaging *s, DeviceBatch *d, int T, int B) {
    const ModelConfig *c = &s->cfg;
    long TB = (long)T * B, rows = c->pooling == POOL_NONE ? TB : B;
    if (TB <= d->cap_TB && B <= d->cap_B) return;
    release_device_batch(s->ops, d);
    d->cap_TB = TB, d->cap_B = B;
    d->lengths = alloc_batch(s, (size_t)B, sizeof(int32_t));
    if (c->vocab_size > 0) {
        d->tokens = alloc_batch(s, (size_t)TB, sizeof(int32_t));
        d->links = alloc_batch(s, 1 + 2 * (size_t)TB, sizeof(int32_t));
    } else {
        d->features = alloc_batch(s, (size_t)(TB * c->input_size), sizeof(real));
    }
    if (c->loss == LOSS_CROSS_ENTROPY) d->labels = alloc_batch(s, (size_t)rows, sizeof(int32_t));
    else d->targets = alloc_batch(s, (size_t)(rows * c->output_size), sizeof(real));
}

/* Queues the upload of bt (and its token links) into d. */
static void upload_batch(BatchStaging *s, DeviceBatch *d, const Batch *bt) {
    const ModelConfig *c = &s->cfg;
    const ModelOps *ops = s->ops;
    long TB = (long)bt->T * bt->B, rows = c->pooling == POOL_NONE ? TB : bt->B;
    fit_device_batch(s, d, bt->T, bt->B);
    ops->upload(d->lengths, bt->lengths, sizeof(int32_t) * (size_t)bt->B);
    if (c->vocab_size > 0) {
        ops->upload(d->tokens, bt->tokens, sizeof(int32_t) * (size_t)TB);
        int heads = link_rows(s, bt);
        ops->upload(d->links, s->links, sizeof(int32_t) * (size_t)(1 + TB + heads));
    } else {
        ops->upload(d->features, bt->features, sizeof(real) * (size_t)(TB * c->input_size));
    }
    if (c->loss == LOSS_CROSS_ENTROPY) ops->upload(d->labels, bt->labels, sizeof(int32_t) * (size_t)rows);
    else ops->upload(d->targets, bt->targets, sizeof(real) * (size_t)(rows * c->output_size));
}

static const StagedBatch *use_host_batch(BatchStaging *s, const Batch *bt) {
    long TB = (long)bt->T * bt->B;
    s->staged = (StagedBatch){.batch = *bt};
    link_rows(s, bt);
    if (s->cfg.vocab_size > 0)
        s->staged.num_heads = s->links, s->staged.next = s->links + 1, s->staged.heads = s->links + 1 + TB;
    return &s->staged;
}

const StagedBatch *batch_staging_use(BatchStaging *s, const Batch *bt) {
    const ModelConfig *c = &s->cfg;
    if (s->ops->host_memory) return use_host_batch(s, bt);
    DeviceBatch *d = &s->device[STAGED];
    if (d->source == bt) d->source = NULL;
    else upload_batch(s, d = &s->device[OTHER], bt);
    long TB = (long)bt->T * bt->B;
    StagedBatch *st = &s->staged;
    *st = (StagedBatch){.batch = *bt};
    st->batch.lengths = d->lengths;
    if (c->vocab_size > 0)
        st->batch.tokens = d->tokens, st->num_heads = d->links, st->next = d->links + 1, st->heads = d->links + 1 + TB;
    else st->batch.features = d->features;
    st->batch.labels = c->loss == LOSS_CROSS_ENTROPY ? d->labels : NULL;
    st->batch.targets = c->loss == LOSS_CROSS_ENTROPY ? NULL : d->targets;
    return st;
}

void batch_staging_ahead(BatchStaging *s, const Batch *bt) {
    if (s->ops->host_memory) return;
    DeviceBatch *ahead = &s->device[STAGED];
    upload_batch(s, ahead, bt);
    ahead->source = bt;
}
