/* dataset.c: freeing shards and assembling padded time-major batches (dataset.h). */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"

void dataset_free(Dataset *d) {
    free(d->offsets), free(d->tokens), free(d->tags), free(d->labels);
    free(d->series), free(d->starts), free(d->targets);
    memset(d, 0, sizeof *d);
}

void dataset_keep_shard(Dataset *d, int rank, int world) {
    long first = (long)((__int128)d->total * rank / world), last = (long)((__int128)d->total * (rank + 1) / world);
    int64_t base = d->offsets[first];
    long n = last - first;
    memmove(d->tokens, d->tokens + base, sizeof(int32_t) * (size_t)(d->offsets[last] - base));
    memmove(d->labels, d->labels + first, sizeof(int32_t) * (size_t)n);
    for (long i = 0; i <= n; i++) d->offsets[i] = d->offsets[first + i] - base;
    d->first = first, d->n = n;
}

long dataset_length(const Dataset *d, long i) {
    return d->input == INPUT_TOKENS ? (long)(d->offsets[i + 1] - d->offsets[i]) : d->input_steps;
}

int dataset_output_size(const Dataset *d) {
    return d->task == TASK_REGRESS ? d->horizon * d->num_targets : d->num_classes;
}

static void *renew(void *p, size_t bytes, const char *what) {
    free(p);
    return xmalloc(bytes ? bytes : 1, what);
}

static void reserve(BatchBuffer *buf, long steps, int B, int F, long targets) {
    if (targets > buf->cap_targets) {
        buf->targets = renew(buf->targets, sizeof(real) * (size_t)targets, "batch targets");
        buf->cap_targets = targets;
    }
    if (steps > buf->cap_steps || F > buf->cap_features) {
        long s = steps > buf->cap_steps ? steps : buf->cap_steps;
        int f = F > buf->cap_features ? F : buf->cap_features;
        buf->tokens = renew(buf->tokens, sizeof(int32_t) * (size_t)s, "batch tokens");
        buf->labels = renew(buf->labels, sizeof(int32_t) * (size_t)s, "batch labels");
        buf->features = renew(buf->features, sizeof(real) * (size_t)s * (size_t)f, "batch features");
        buf->cap_steps = s, buf->cap_features = f;
    }
    if (B > buf->cap_B) {
        buf->order = renew(buf->order, sizeof(long) * (size_t)B, "batch order");
        buf->lengths = renew(buf->lengths, sizeof(int32_t) * (size_t)B, "batch lengths");
        buf->cap_B = B;
    }
}

/* Batch position order: longest example first (stable), so the model's time loop can skip
 * finished examples (src/model/layer.c). */
static void order_by_length(const Dataset *d, const long *indices, int count, long *order) {
    for (int b = 0; b < count; b++) {
        long i = indices[b], len = dataset_length(d, i);
        int p = b;
        for (; p > 0 && dataset_length(d, order[p - 1]) < len; p--) order[p] = order[p - 1];
        order[p] = i;
    }
}

static void fill_tokens(BatchBuffer *buf, const Dataset *d, int T, int B) {
    memset(buf->tokens, 0, sizeof(int32_t) * (size_t)T * (size_t)B);
    if (d->task == TASK_TAG) memset(buf->labels, 0, sizeof(int32_t) * (size_t)T * (size_t)B);
    for (int b = 0; b < B; b++) {
        long i = buf->order[b];
        int len = (int)dataset_length(d, i);
        const int32_t *tok = d->tokens + d->offsets[i];
        for (int t = 0; t < len; t++) buf->tokens[(long)t * B + b] = tok[t];
        if (d->task == TASK_TAG)
            for (int t = 0; t < len; t++) buf->labels[(long)t * B + b] = d->tags[d->offsets[i] + t];
        buf->lengths[b] = len;
    }
}

static void fill_series(BatchBuffer *buf, const Dataset *d, int T, int B) {
    int F = d->num_features;
    for (int b = 0; b < B; b++) {
        const float *rows = d->series + d->starts[buf->order[b]] * F;
        for (int t = 0; t < T; t++)
            for (int f = 0; f < F; f++)
                buf->features[((long)t * B + b) * F + f] = (real)rows[(long)t * F + f];
        buf->lengths[b] = T;
    }
}

/* Sample b of a series batch through d->window: inputs and (regress) targets. */
static void fill_window(BatchBuffer *buf, const Dataset *d, int b, int B, double *scratch) {
    const WindowTransform *w = d->window;
    int F = d->num_features, T = d->input_steps, C = d->horizon * d->num_targets;
    double *centre = scratch, *spread = centre + F, *base = spread + F, *scale = base + C;
    long i = buf->order[b];
    const float *rows = d->series + d->starts[i] * F;
    window_stats(w, rows, centre, spread);
    for (int t = 0; t < T; t++)
        for (int f = 0; f < F; f++)
            buf->features[((long)t * B + b) * F + f] = window_input(rows[(long)t * F + f], centre[f], spread[f]);
    buf->lengths[b] = T;
    if (d->task != TASK_REGRESS) return;
    window_output_map(w, rows, centre, spread, base, scale);
    for (int c = 0; c < C; c++) buf->targets[(long)b * C + c] = window_target(d->targets[i * C + c], base[c], scale[c]);
}

static void fill_windows(BatchBuffer *buf, const Dataset *d, int B) {
    int F = d->num_features, C = d->task == TASK_REGRESS ? d->horizon * d->num_targets : 0;
    double *scratch = xmalloc(sizeof(double) * (size_t)(2 * F + 2 * C), "window scratch");
    for (int b = 0; b < B; b++) fill_window(buf, d, b, B, scratch);
    free(scratch);
}

static void fill_targets(BatchBuffer *buf, const Dataset *d, int B) {
    int C = dataset_output_size(d);
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            buf->targets[(long)b * C + c] = (real)d->targets[buf->order[b] * C + c];
}

const Batch *batch_fill(BatchBuffer *buf, const Dataset *d, const long *indices, int count) {
    int T = 0;
    for (int b = 0; b < count; b++) {
        long len = dataset_length(d, indices[b]);
        T = len > T ? (int)len : T;
    }
    int F = d->input == INPUT_SERIES ? d->num_features : 1;
    long targets = d->task == TASK_REGRESS ? (long)count * dataset_output_size(d) : 0;
    reserve(buf, (long)T * count, count, F, targets);
    order_by_length(d, indices, count, buf->order);
    Batch *bt = &buf->batch;
    *bt = (Batch){.T = T, .B = count, .lengths = buf->lengths};
    int transformed = d->input == INPUT_SERIES && !window_transform_is_identity(d->window);
    if (d->input == INPUT_TOKENS) fill_tokens(buf, d, T, count), bt->tokens = buf->tokens;
    else if (transformed) fill_windows(buf, d, count), bt->features = buf->features;
    else fill_series(buf, d, T, count), bt->features = buf->features;
    if (d->task == TASK_CLASSIFY) {
        for (int b = 0; b < count; b++) buf->labels[b] = d->labels[buf->order[b]];
        bt->labels = buf->labels;
    } else if (d->task == TASK_TAG) {
        bt->labels = buf->labels;
    } else {
        if (!transformed) fill_targets(buf, d, count);
        bt->targets = buf->targets;
    }
    return bt;
}

void batch_buffer_free(BatchBuffer *buf) {
    free(buf->tokens), free(buf->lengths), free(buf->labels), free(buf->order);
    free(buf->features), free(buf->targets);
    memset(buf, 0, sizeof *buf);
}
