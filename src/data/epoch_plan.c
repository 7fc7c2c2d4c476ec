/* epoch_plan.c: seeded shuffling and length-grouped batching of a shard (epoch_plan.h). */
#include "epoch_plan.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/rng.h"

enum { ORDER_STREAM = 1 << 24, BATCH_STREAM = 1 << 25 };

/* Fisher-Yates over v[0..n) with draws rng_bits(seed, stream, i). */
static void shuffle(long *v, long n, uint64_t seed, uint64_t stream) {
    for (long i = n - 1; i > 0; i--) {
        long j = (long)(rng_bits(seed, stream, (uint64_t)i) % (uint64_t)(i + 1));
        long t = v[i];
        v[i] = v[j], v[j] = t;
    }
}

/* Stable sort of v[0..n) by example length, longest first (merge sort, scratch tmp). */
static void sort_by_length(const Dataset *d, long *v, long n, long *tmp) {
    if (n < 2) return;
    long h = n / 2;
    sort_by_length(d, v, h, tmp);
    sort_by_length(d, v + h, n - h, tmp);
    long i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = dataset_length(d, v[j]) > dataset_length(d, v[i]) ? v[j++] : v[i++];
    while (i < h) tmp[k++] = v[i++];
    while (j < n) tmp[k++] = v[j++];
    memcpy(v, tmp, sizeof(long) * (size_t)n);
}

/* The shard's own stream: ranks (shards) of one run draw different permutations. */
static uint64_t shard_seed(uint64_t seed, long first) {
    return seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(first + 1));
}

void epoch_plan_make(EpochPlan *p, const Dataset *d, int batch_size, uint64_t seed, long epoch,
                     int shuffle_examples) {
    epoch_plan_make_limited(p, d, batch_size, seed, epoch, shuffle_examples, d->n);
}

void epoch_plan_make_limited(EpochPlan *p, const Dataset *d, int batch_size, uint64_t seed,
                             long epoch, int shuffle_examples, long limit) {
    long all = d->n, n = limit < all ? limit : all, pool = (long)batch_size * POOL_BATCHES;
    memset(p, 0, sizeof *p);
    p->n = n;
    p->order = xmalloc(sizeof(long) * (size_t)(all ? all : 1), "epoch order");
    long *tmp = xmalloc(sizeof(long) * (size_t)(all ? all : 1), "epoch order");
    for (long i = 0; i < all; i++) p->order[i] = i;
    uint64_t s = shard_seed(seed, d->first);
    if (shuffle_examples) shuffle(p->order, all, s, ORDER_STREAM + (uint64_t)epoch);
    for (long at = 0; at < n; at += pool)
        sort_by_length(d, p->order + at, n - at < pool ? n - at : pool, tmp);
    p->num_batches = (n + batch_size - 1) / batch_size;
    long nb = p->num_batches ? p->num_batches : 1;
    p->batch_first = xmalloc(sizeof(long) * (size_t)nb, "epoch batches");
    p->batch_count = xmalloc(sizeof(int) * (size_t)nb, "epoch batches");
    for (long b = 0; b < p->num_batches; b++) p->batch_first[b] = b * batch_size;
    /* The batch order is drawn from the first shard's stream on every rank: ranks training
     * on equally many examples then take, at each step, the batch at the same place of
     * their length-sorted pools, so their batches are about equally long and none waits
     * long for the others at the gradient all-reduce. (One rank: unchanged.) */
    if (shuffle_examples)
        shuffle(p->batch_first, p->num_batches, shard_seed(seed, 0), BATCH_STREAM + (uint64_t)epoch);
    for (long b = 0; b < p->num_batches; b++) {
        long left = n - p->batch_first[b];
        p->batch_count[b] = (int)(left < batch_size ? left : batch_size);
    }
    free(tmp);
}

void epoch_plan_free(EpochPlan *p) {
    free(p->order), free(p->batch_first), free(p->batch_count);
    memset(p, 0, sizeof *p);
}
