/* unk_replace.c: word dropout of rare training tokens to <unk> (unk_replace.h). */
#include "unk_replace.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/rng.h"
#include "data/vocab.h"

enum { STREAM_UNK_REPLACE = 0x756e6b72 }; /* "unkr": the draws' own stream */
static const double AUTO_ALPHA = 0.25;    /* Kiperwasser & Goldberg's */

double unk_replace_alpha(const char *setting, DatasetTask task) {
    if (!strcmp(setting, "auto")) return task == TASK_TAG ? AUTO_ALPHA : 0;
    char *end;
    double alpha = strtod(setting, &end);
    if (end == setting || *end || !(alpha >= 0) || alpha > 1e9)
        recur_die(EXIT_USAGE, "unk_replace = '%.40s': give auto, 0 (off) or alpha > 0 (a token seen n times "
                  "in train becomes <unk> with probability alpha / (alpha + n))", setting);
    return alpha;
}

void unk_replace_init(UnkReplace *u, double alpha, uint64_t seed, const Dataset *train, const Comm *comm) {
    memset(u, 0, sizeof *u);
    if (alpha <= 0 || train->input != INPUT_TOKENS) return;
    u->alpha = alpha, u->seed = seed, u->vocab_size = train->vocab_size;
    int64_t *count = xcalloc((size_t)u->vocab_size, sizeof(int64_t), "token counts");
    for (int64_t t = 0; t < train->offsets[train->n]; t++) count[train->tokens[t]]++;
    if (comm && comm->size > 1) comm_sum_int64(comm, count, (size_t)u->vocab_size);
    u->probability = xcalloc((size_t)u->vocab_size, sizeof(double), "unk_replace probabilities");
    for (int w = VOCAB_SPECIALS; w < u->vocab_size; w++)
        u->probability[w] = count[w] ? alpha / (alpha + (double)count[w]) : 0;
    free(count);
}

long unk_replace_apply(const UnkReplace *u, BatchBuffer *buf, const Dataset *d, long epoch) {
    if (!u->probability) return 0;
    const Batch *bt = &buf->batch;
    uint64_t epoch_seed = rng_bits(u->seed, STREAM_UNK_REPLACE, (uint64_t)epoch);
    long replaced = 0;
    for (int b = 0; b < bt->B; b++) {
        uint64_t example = (uint64_t)(d->first + buf->order[b]); /* its index in the whole split */
        for (int t = 0; t < bt->lengths[b]; t++) {
            int32_t *id = &buf->tokens[(long)t * bt->B + b];
            double p = u->probability[*id];
            if (p > 0 && rng_uniform(epoch_seed, example, (uint64_t)t) < p) *id = VOCAB_UNK, replaced++;
        }
    }
    return replaced;
}

void unk_replace_free(UnkReplace *u) {
    free(u->probability);
    memset(u, 0, sizeof *u);
}
