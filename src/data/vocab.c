/* vocab.c: string <-> id tables (vocab.h): an open-addressing hash table (FNV-1a 64,
 * linear probing, power-of-two capacity, grown at 70% load) over words kept in insertion
 * order, and the counting -> token vocabulary step. No file I/O, no tokenizing.
 *
 * vocab_from_counts: max_size counts the four specials; 1..3 act as 4 (specials only)
 * and 0 or less means no limit. A counted word spelled like a special ("<unk>" in the
 * text) is not added twice: the special keeps its id and count 0. */
#include "vocab.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"

const char *const vocab_special_names[VOCAB_SPECIALS] = {"<pad>", "<unk>", "<bos>", "<eos>"};

enum { VOCAB_MIN_SLOTS = 16 };

static uint64_t fnv1a(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

void vocab_init(Vocab *v) { memset(v, 0, sizeof *v); }

void vocab_free(Vocab *v) {
    for (int i = 0; i < v->size; i++) free(v->words[i]);
    free(v->words), free(v->lengths), free(v->counts), free(v->slots);
    memset(v, 0, sizeof *v);
}

static int word_is(const Vocab *v, int id, const char *s, size_t n) {
    return v->lengths[id] == n && memcmp(v->words[id], s, n) == 0;
}

/* The slot holding s, or the empty slot where it would go. slot_cap > 0. */
static size_t find_slot(const Vocab *v, const char *s, size_t n) {
    size_t mask = v->slot_cap - 1, i = (size_t)fnv1a(s, n) & mask;
    while (v->slots[i] >= 0 && !word_is(v, v->slots[i], s, n)) i = (i + 1) & mask;
    return i;
}

int vocab_find(const Vocab *v, const char *s, size_t n) {
    if (v->slot_cap == 0) return -1;
    return v->slots[find_slot(v, s, n)];
}

static void *resize(void *p, size_t count, size_t elem, const char *what) {
    void *grown = realloc(p, count * elem);
    if (!grown) recur_die(EXIT_RUNTIME, "out of memory growing %s to %zu entries", what, count);
    return grown;
}

/* Doubles the table and re-inserts every id. The word arrays are kept as long as the
 * table, which the load limit keeps ahead of size, so they need no capacity of their own. */
static void grow(Vocab *v) {
    size_t cap = v->slot_cap ? 2 * v->slot_cap : VOCAB_MIN_SLOTS;
    free(v->slots);
    v->slots = xmalloc(cap * sizeof *v->slots, "vocabulary hash table");
    memset(v->slots, 0xff, cap * sizeof *v->slots); /* every slot -1 */
    v->slot_cap = cap;
    for (int id = 0; id < v->size; id++)
        v->slots[find_slot(v, v->words[id], v->lengths[id])] = id;
    v->words = resize(v->words, cap, sizeof *v->words, "vocabulary words");
    v->lengths = resize(v->lengths, cap, sizeof *v->lengths, "vocabulary lengths");
    v->counts = resize(v->counts, cap, sizeof *v->counts, "vocabulary counts");
}

static int append_word(Vocab *v, const char *s, size_t n) {
    int id = v->size++;
    v->words[id] = xmalloc(n + 1, "vocabulary word");
    if (n) memcpy(v->words[id], s, n);
    v->words[id][n] = '\0';
    v->lengths[id] = n;
    v->counts[id] = 0;
    return id;
}

int vocab_add(Vocab *v, const char *s, size_t n) {
    if (10 * ((size_t)v->size + 1) > 7 * v->slot_cap) grow(v);
    size_t slot = find_slot(v, s, n);
    int id = v->slots[slot];
    if (id < 0) {
        if (v->size == INT32_MAX) recur_die(EXIT_RUNTIME, "vocabulary larger than %d words", INT32_MAX);
        id = v->slots[slot] = append_word(v, s, n);
    }
    v->counts[id]++;
    return id;
}

int vocab_id(const Vocab *v, const char *s, size_t n) {
    int id = vocab_find(v, s, n);
    return id < 0 ? VOCAB_UNK : id;
}

/* ---- counting vocabulary -> token vocabulary ---- */

typedef struct Counted {
    int64_t count;
    const char *word;
    size_t len;
} Counted;

/* Most frequent first; ties in byte order (a prefix before the longer word). */
static int by_count_then_bytes(const void *pa, const void *pb) {
    const Counted *a = pa, *b = pb;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    size_t common = a->len < b->len ? a->len : b->len;
    int c = common ? memcmp(a->word, b->word, common) : 0;
    if (c) return c;
    return (a->len > b->len) - (a->len < b->len);
}

/* The counted words kept by min_freq (specials excluded), sorted; returns how many. */
static long kept_words(const Vocab *counts, const Vocab *specials, int64_t min_freq, Counted **out) {
    Counted *kept = xmalloc(sizeof *kept * ((size_t)counts->size + 1), "vocabulary sort");
    long n = 0;
    for (int id = 0; id < counts->size; id++) {
        if (counts->counts[id] < min_freq) continue;
        if (vocab_find(specials, counts->words[id], counts->lengths[id]) >= 0) continue;
        kept[n++] = (Counted){counts->counts[id], counts->words[id], counts->lengths[id]};
    }
    qsort(kept, (size_t)n, sizeof *kept, by_count_then_bytes);
    *out = kept;
    return n;
}

void vocab_from_counts(const Vocab *counts, int64_t min_freq, int max_size, Vocab *out) {
    vocab_init(out);
    for (int i = 0; i < VOCAB_SPECIALS; i++) {
        int id = vocab_add(out, vocab_special_names[i], strlen(vocab_special_names[i]));
        out->counts[id] = 0;
    }
    Counted *kept;
    long n = kept_words(counts, out, min_freq, &kept);
    long room = n;
    if (max_size > 0) room = max_size <= VOCAB_SPECIALS ? 0 : max_size - VOCAB_SPECIALS;
    if (room > n) room = n;
    for (long i = 0; i < room; i++) {
        int id = vocab_add(out, kept[i].word, kept[i].len);
        out->counts[id] = kept[i].count;
    }
    free(kept);
}
