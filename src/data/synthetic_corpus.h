/* synthetic_corpus.h: the built-in synthetic corpus, generated, so tests and quick runs
 * need no files.
 *
 * A 4-class sequence classification task over a 16-token vocabulary: each sequence is
 * noise tokens (8..15) with marker tokens 4..7 sprinkled in; its class is the marker that
 * occurs most often (ties never generated). Solving it needs the model to count over the
 * whole sequence. Token 0 is padding, 1..3 are unused. A pure function of (seed, split). */
#ifndef RECUR_SYNTHETIC_CORPUS_H
#define RECUR_SYNTHETIC_CORPUS_H

#include <stdint.h>

#include "dataset.h"

enum { SYNTHETIC_VOCAB = 16, SYNTHETIC_CLASSES = 4 };

/* split 0 = train, 1 = valid: disjoint streams of the same distribution. */
void synthetic_corpus_make(Dataset *d, long n, int max_len, uint64_t seed, int split);
/* The generated corpus's dataset fingerprint: 16 hex digits of FNV-1a over the train then
 * the valid split's offsets, tokens and labels (whole splits, before any sharding), so
 * another size, length or seed is another dataset. */
void synthetic_corpus_fingerprint(const Dataset *train, const Dataset *valid, char out[17]);

#endif
