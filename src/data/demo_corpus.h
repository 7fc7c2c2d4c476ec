/* demo_corpus.h: the built-in demo corpus, generated, so the demo needs no files.
 *
 * A 4-class sequence classification task over a 16-token vocabulary: each sequence is
 * noise tokens (8..15) with marker tokens 4..7 sprinkled in; its class is the marker that
 * occurs most often (ties never generated). Solving it needs the model to count over the
 * whole sequence. Token 0 is padding, 1..3 are unused. A pure function of (seed, split). */
#ifndef RECUR_DEMO_CORPUS_H
#define RECUR_DEMO_CORPUS_H

#include <stdint.h>

#include "dataset.h"

enum { DEMO_VOCAB = 16, DEMO_CLASSES = 4 };

/* split 0 = train, 1 = valid: disjoint streams of the same distribution. */
void demo_corpus_make(Dataset *d, long n, int max_len, uint64_t seed, int split);

#endif
