/* epoch_plan.h: the order in which one rank visits its shard in one epoch, cut into
 * batches.
 *
 * Training (shuffle = 1): a seeded shuffle of the shard's examples, then, in pools of
 * POOL_BATCHES batches, the examples sorted by length (longest first) and cut into
 * batches, and the batches shuffled — so each batch holds examples of similar length
 * (little padding) while the epoch's order stays random. A pure function of (seed,
 * epoch, shard): every rank computes its own plan with no communication, and a rerun
 * gives the same plan. Evaluation (shuffle = 0): examples sorted by length in pools, in
 * file order otherwise; the batch order does not matter there.
 * Every example of the shard is in exactly one batch; one batch (the remainder) may be
 * short. */
#ifndef RECUR_EPOCH_PLAN_H
#define RECUR_EPOCH_PLAN_H

#include <stdint.h>

#include "dataset.h"

enum { POOL_BATCHES = 50 };

typedef struct EpochPlan {
    long n;              /* examples */
    long *order;         /* [n] example indices, batch after batch */
    long num_batches;
    long *batch_first;   /* [num_batches] where each batch starts in order[] */
    int *batch_count;    /* [num_batches] its size */
} EpochPlan;

void epoch_plan_make(EpochPlan *p, const Dataset *d, int batch_size, uint64_t seed, long epoch,
                     int shuffle);
/* The same over only the first `limit` examples of the shuffled order (limit <= d->n):
 * data-parallel training gives every rank the same number of examples per epoch, the
 * smallest shard's size, so every rank takes the same number of steps; a rank with one
 * example more leaves out a different one each epoch. */
void epoch_plan_make_limited(EpochPlan *p, const Dataset *d, int batch_size, uint64_t seed,
                             long epoch, int shuffle, long limit);
void epoch_plan_free(EpochPlan *p);

#endif
