/* dataset.c: freeing splits and assembling padded time-major batches (dataset.h). */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"

void dataset_free(Dataset *d) {
    free(d->offsets), free(d->tokens), free(d->labels);
    memset(d, 0, sizeof *d);
}

static void reserve(BatchBuffer *buf, long tokens, int B) {
    if (tokens > buf->cap_tokens) {
        free(buf->tokens);
        buf->tokens = xmalloc(sizeof(int32_t) * (size_t)tokens, "batch tokens");
        buf->cap_tokens = tokens;
    }
    if (B > buf->cap_B) {
        free(buf->lengths), free(buf->labels), free(buf->order);
        buf->order = xmalloc(sizeof(long) * (size_t)B, "batch order");
        buf->lengths = xmalloc(sizeof(int32_t) * (size_t)B, "batch lengths");
        buf->labels = xmalloc(sizeof(int32_t) * (size_t)B, "batch labels");
        buf->cap_B = B;
    }
}

static long sample_length(const Dataset *d, long i) { return (long)(d->offsets[i + 1] - d->offsets[i]); }

/* Batch position order: longest sample first (stable), so the model's time loop can skip
 * finished samples (src/model/layer.c). */
static void order_by_length(const Dataset *d, const long *indices, int count, long *order) {
    for (int b = 0; b < count; b++) {
        long i = indices[b], len = sample_length(d, i);
        int p = b;
        for (; p > 0 && sample_length(d, order[p - 1]) < len; p--) order[p] = order[p - 1];
        order[p] = i;
    }
}

const Batch *batch_fill(BatchBuffer *buf, const Dataset *d, const long *unordered, int count) {
    int T = 0;
    for (int b = 0; b < count; b++) {
        int len = (int)sample_length(d, unordered[b]);
        T = len > T ? len : T;
    }
    reserve(buf, (long)T * count, count);
    const long *indices = buf->order;
    order_by_length(d, unordered, count, buf->order);
    memset(buf->tokens, 0, sizeof(int32_t) * (size_t)T * (size_t)count);
    for (int b = 0; b < count; b++) {
        long i = indices[b];
        int len = (int)(d->offsets[i + 1] - d->offsets[i]);
        for (int t = 0; t < len; t++) buf->tokens[(long)t * count + b] = d->tokens[d->offsets[i] + t];
        buf->lengths[b] = len;
        buf->labels[b] = d->labels[i];
    }
    buf->batch = (Batch){.T = T, .B = count, .tokens = buf->tokens, .lengths = buf->lengths,
                         .labels = buf->labels};
    return &buf->batch;
}

void batch_buffer_free(BatchBuffer *buf) {
    free(buf->tokens), free(buf->lengths), free(buf->labels), free(buf->order);
    memset(buf, 0, sizeof *buf);
}
