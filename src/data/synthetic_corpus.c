/* synthetic_corpus.c: generator of the built-in synthetic corpus (synthetic_corpus.h). */
#include "synthetic_corpus.h"

#include <inttypes.h>
#include <stdio.h>

#include "core/check.h"
#include "core/hash.h"
#include "core/rng.h"

enum { MARKER0 = 4, NOISE0 = 8, NOISE_TOKENS = 8 };

/* One sample into out[0..len), returning len; 3 of the class's marker, 0..2 of others. */
static int make_sample(int32_t *out, int *label_out, int max_len, uint64_t seed, uint64_t stream) {
    uint64_t k = 0;
    int min_len = max_len / 3 > 9 ? max_len / 3 : 9; /* room for up to 9 markers */
    int len = min_len + (int)(rng_bits(seed, stream, k++) % (uint64_t)(max_len - min_len + 1));
    int label = (int)(rng_bits(seed, stream, k++) % SYNTHETIC_CLASSES);
    for (int t = 0; t < len; t++) out[t] = NOISE0 + (int)(rng_bits(seed, stream, k++) % NOISE_TOKENS);
    for (int c = 0; c < SYNTHETIC_CLASSES; c++) {
        int copies = c == label ? 3 : (int)(rng_bits(seed, stream, k++) % 3);
        for (int j = 0; j < copies; j++) {
            int t;
            do t = (int)(rng_bits(seed, stream, k++) % (uint64_t)len);
            while (out[t] < NOISE0);
            out[t] = MARKER0 + c;
        }
    }
    *label_out = label;
    return len;
}

void synthetic_corpus_make(Dataset *d, long n, int max_len, uint64_t seed, int split) {
    if (max_len < 9) recur_die(EXIT_USAGE, "synthetic_max_len: the synthetic corpus needs at least 9 steps (got %d)", max_len);
    *d = (Dataset){.task = TASK_CLASSIFY, .input = INPUT_TOKENS, .n = n, .total = n};
    d->vocab_size = SYNTHETIC_VOCAB, d->num_classes = SYNTHETIC_CLASSES;
    d->offsets = xmalloc(sizeof(int64_t) * (size_t)(n + 1), "synthetic corpus");
    d->tokens = xmalloc(sizeof(int32_t) * (size_t)n * (size_t)max_len, "synthetic corpus");
    d->labels = xmalloc(sizeof(int32_t) * (size_t)n, "synthetic corpus");
    d->offsets[0] = 0;
    for (long i = 0; i < n; i++) {
        uint64_t stream = ((uint64_t)split << 40) + (uint64_t)i;
        int32_t *out = d->tokens + d->offsets[i];
        int label;
        d->offsets[i + 1] = d->offsets[i] + make_sample(out, &label, max_len, seed, stream);
        d->labels[i] = label;
    }
}

static uint64_t hash_split(uint64_t h, const Dataset *d) {
    h = fnv1a64(h, d->offsets, sizeof(int64_t) * (size_t)(d->n + 1));
    h = fnv1a64(h, d->tokens, sizeof(int32_t) * (size_t)d->offsets[d->n]);
    return fnv1a64(h, d->labels, sizeof(int32_t) * (size_t)d->n);
}

void synthetic_corpus_fingerprint(const Dataset *train, const Dataset *valid, char out[17]) {
    snprintf(out, 17, "%016" PRIx64, hash_split(hash_split(FNV1A64_START, train), valid));
}
