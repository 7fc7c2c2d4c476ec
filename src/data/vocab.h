/* vocab.h: string <-> id tables — a token vocabulary with counts and the four specials,
 * and plain label/tag sets.
 *
 * A Vocab maps byte strings to dense ids 0..size-1 in insertion order (hash table, open
 * addressing; strings copied). A token vocabulary is made in two passes: count every
 * training token into a counting Vocab, then vocab_from_counts keeps the specials
 * <pad>=0, <unk>=1, <bos>=2, <eos>=3 followed by the tokens with count >= min_freq,
 * most frequent first, ties in byte order, cut to max_size entries in all (0 = no
 * limit). The result is a pure function of the counts: the same text gives the same ids. */
#ifndef RECUR_VOCAB_H
#define RECUR_VOCAB_H

#include <stddef.h>
#include <stdint.h>

enum { VOCAB_PAD = 0, VOCAB_UNK = 1, VOCAB_BOS = 2, VOCAB_EOS = 3, VOCAB_SPECIALS = 4 };
extern const char *const vocab_special_names[VOCAB_SPECIALS]; /* "<pad>", "<unk>", "<bos>", "<eos>" */

typedef struct Vocab {
    int size;
    char **words;      /* [size] NUL-terminated */
    size_t *lengths;   /* [size] bytes */
    int64_t *counts;   /* [size] times added */
    int *slots;        /* hash table of ids, -1 = empty; power-of-two capacity */
    size_t slot_cap;
} Vocab;

void vocab_init(Vocab *v);
void vocab_free(Vocab *v);
/* id of s[0..n), or -1 when absent. */
int vocab_find(const Vocab *v, const char *s, size_t n);
/* id of s[0..n), added at the end when absent; its count grows by 1. */
int vocab_add(Vocab *v, const char *s, size_t n);
/* A token vocabulary from a counting one (see above); out is initialised here. */
void vocab_from_counts(const Vocab *counts, int64_t min_freq, int max_size, Vocab *out);
/* id of a token in a token vocabulary: vocab_find, or VOCAB_UNK. */
int vocab_id(const Vocab *v, const char *s, size_t n);

#endif
