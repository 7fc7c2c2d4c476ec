/* unk_replace.h: training-time unknown-word replacement (word dropout, as taggers train
 * the <unk> embedding; Kiperwasser & Goldberg 2016): in every training batch each token
 * whose id w was seen count(w) times in the training split is replaced by <unk> with
 * probability alpha / (alpha + count(w)) — 0.2 for a word seen once at alpha 0.25, 0.06
 * for one seen four times; the specials (<pad> <unk> <bos> <eos>) are never replaced.
 *
 * The key `unk_replace` sets alpha: "auto" (the default) is 0.25 for a tagging dataset
 * and off for every other; "0" is off; a number above 0 is alpha.
 * A draw is a pure function of (seed, epoch, the example's index in the whole split,
 * the token's position): the same on every rank count, on CPU and GPU (the host batch is
 * changed before it is staged), and after a resume. Counts are of the whole train split
 * (summed over the ranks' shards). Evaluation batches are never changed.
 * This module changes token ids in a filled batch; it does not read files. */
#ifndef RECUR_UNK_REPLACE_H
#define RECUR_UNK_REPLACE_H

#include <stdint.h>

#include "comm/comm.h"
#include "data/dataset.h"

typedef struct UnkReplace {
    double alpha;           /* 0: off */
    uint64_t seed;
    int vocab_size;
    double *probability;    /* [vocab_size] chance that the id becomes <unk>, or NULL (off) */
} UnkReplace;

/* The alpha a setting means for a dataset: "auto", "0" or a number above 0; exit 2 naming
 * the key on anything else. */
double unk_replace_alpha(const char *setting, DatasetTask task);
/* Counts the ids of `train` (this rank's shard; summed over the ranks: collective when
 * alpha > 0 on more than one rank) and fixes each id's probability. alpha 0: off. */
void unk_replace_init(UnkReplace *u, double alpha, uint64_t seed, const Dataset *train, const Comm *comm);
/* Replaces tokens of buf's batch (filled from d by batch_fill) by <unk>, drawn for `epoch`;
 * returns how many. Does nothing when off. */
long unk_replace_apply(const UnkReplace *u, BatchBuffer *buf, const Dataset *d, long epoch);
void unk_replace_free(UnkReplace *u);

#endif
