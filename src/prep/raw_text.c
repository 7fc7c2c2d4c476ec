/* raw_text.c: the finishing pass shared by the text converters (raw_text.h) — carve the
 * missing valid/test splits out of train (seeded), count the training tokens into a
 * vocabulary, fix the classes (or tags), map tokens and labels to ids with truncation and
 * <bos>/<eos>, and fill a PreparedDataset.
 *
 * Carving: valid takes round(valid_fraction * n) of the n training examples (at least one
 * when the fraction is above 0), then test takes round(test_fraction * n) of the rest; the
 * examples are the first places of a Fisher-Yates shuffle drawn from rng_bits(split_seed,
 * split, j). It moves no text: each final split is a view, a list of example indices into
 * one RawSplit in source order. It reads no files and knows no source format; bad labels and
 * bad settings end the process with exit 2 (prep_fail / recur_die). */
#include "raw_text.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "converters.h"
#include "core/check.h"
#include "core/rng.h"
#include "data/vocab.h"

enum { LIST_SHOWN = 240 }; /* bytes of the label list quoted in an error */

/* The examples of one final split: example j is raw->... index[j] (index NULL: j). */
typedef struct SplitView {
    const RawSplit *raw;
    long n;
    long *index;
    int carved;
} SplitView;

/* What became of one split, for the summary line. */
typedef struct SplitStats {
    long examples, truncated, empty;
    int64_t tokens, unknown;
    long unknown_labels;     /* labels or tags not among the classes (unknown_labels = unk, drop) */
    long dropped;            /* examples left out for one (drop) */
    Vocab unseen;            /* the distinct texts of those labels */
} SplitStats;

enum { LABEL_UNKNOWN = -1 }; /* class_id of a label outside the classes, before it is mapped */

static void *grow(void *p, size_t count, size_t elem, const char *what) {
    void *q = realloc(p, count * elem);
    if (!q) recur_die(EXIT_RUNTIME, "out of memory growing %s to %zu entries", what, count);
    return q;
}

/* ---- collecting examples ---- */

void raw_text_init(RawText *raw, DatasetTask task) {
    memset(raw, 0, sizeof *raw);
    raw->task = task;
}

static void free_split(RawSplit *s) {
    token_list_free(&s->tokens), token_list_free(&s->labels);
    free(s->offsets), free(s->source), free(s->line), free(s->tag_line);
    memset(s, 0, sizeof *s);
}

void raw_text_free(RawText *raw) {
    for (int k = 0; k < SPLIT_COUNT; k++) free_split(&raw->splits[k]);
    for (int i = 0; i < raw->num_sources; i++) free(raw->sources[i]);
    free(raw->sources);
    memset(raw, 0, sizeof *raw);
}

int raw_text_source(RawText *raw, const char *path) {
    int n = raw->num_sources;
    if ((n & (n - 1)) == 0) /* 0, 1, 2, 4, ...: the capacity is the next power of two */
        raw->sources = grow(raw->sources, n ? 2 * (size_t)n : 1, sizeof(char *), "source names");
    size_t len = strlen(path) + 1;
    raw->sources[n] = memcpy(xmalloc(len, "source name"), path, len);
    return raw->num_sources++;
}

void raw_push_tag(RawSplit *s, const char *tag, size_t len, long line) {
    if (s->labels.count + 1 > s->tag_line_cap) {
        s->tag_line_cap = s->tag_line_cap ? 2 * s->tag_line_cap : 4096;
        s->tag_line = grow(s->tag_line, (size_t)s->tag_line_cap, sizeof(long), "tag lines");
    }
    s->tag_line[s->labels.count] = line;
    token_list_push(&s->labels, tag, len);
}

void raw_end_example(RawSplit *s, const char *label, size_t label_len, int source, long line) {
    if (s->n + 1 > s->cap) {
        long cap = s->cap ? 2 * s->cap : 1024;
        s->offsets = grow(s->offsets, (size_t)cap + 1, sizeof(int64_t), "example offsets");
        s->source = grow(s->source, (size_t)cap, sizeof(int32_t), "example sources");
        s->line = grow(s->line, (size_t)cap, sizeof(long), "example lines");
        if (s->cap == 0) s->offsets[0] = 0;
        s->cap = cap;
    }
    if (label) token_list_push(&s->labels, label, label_len);
    s->source[s->n] = source;
    s->line[s->n] = line;
    s->offsets[++s->n] = s->tokens.count;
}

/* ---- carving valid / test out of train ---- */

static long view_at(const SplitView *v, long j) { return v->index ? v->index[j] : j; }

static const char *fraction_key(int split) { return split == SPLIT_VALID ? "valid_fraction" : "test_fraction"; }

/* How many of the n training examples a fraction f > 0 takes: at least one. */
static long carve_count(double f, long n) {
    if (f <= 0) return 0;
    long count = (long)llround(f * (double)n);
    return count < 1 ? 1 : count;
}

/* Marks `count` of the examples still owned by train (owner == SPLIT_TRAIN) as `split`: the
 * first `count` places of a seeded Fisher-Yates shuffle of them. */
static void pick(unsigned char *owner, long n, int split, long count, uint64_t seed) {
    long *left = xmalloc(sizeof(long) * (size_t)(n ? n : 1), "carve order"), m = 0;
    for (long i = 0; i < n; i++)
        if (owner[i] == SPLIT_TRAIN) left[m++] = i;
    for (long j = 0; j < count; j++) {
        long r = j + (long)(rng_bits(seed, (uint64_t)split, (uint64_t)j) % (uint64_t)(m - j));
        long chosen = left[r];
        left[r] = left[j];
        left[j] = chosen;
        owner[chosen] = (unsigned char)split;
    }
    free(left);
}

static SplitView view_of_owner(const RawSplit *train, const unsigned char *owner, int split) {
    SplitView v = {.raw = train, .carved = split != SPLIT_TRAIN};
    v.index = xmalloc(sizeof(long) * (size_t)(train->n ? train->n : 1), "split view");
    for (long i = 0; i < train->n; i++)
        if (owner[i] == split) v.index[v.n++] = i;
    return v;
}

static void carve(const RawText *raw, const PrepConfig *cfg, SplitView views[SPLIT_COUNT]) {
    const RawSplit *train = &raw->splits[SPLIT_TRAIN];
    unsigned char *owner = xcalloc((size_t)(train->n ? train->n : 1), 1, "carve owners");
    long left = train->n;
    for (int k = SPLIT_VALID; k < SPLIT_COUNT; k++) {
        if (raw->has_split[k]) continue;
        double f = k == SPLIT_VALID ? cfg->valid_fraction : cfg->test_fraction;
        long count = carve_count(f, train->n);
        if (count > 0 && count >= left)
            recur_die(EXIT_USAGE, "%s = %g takes %ld of the %ld training examples and leaves train empty",
                      fraction_key(k), f, count, train->n);
        pick(owner, train->n, k, count, cfg->split_seed);
        left -= count;
    }
    for (int k = 0; k < SPLIT_COUNT; k++)
        views[k] = k == SPLIT_TRAIN || !raw->has_split[k]
                       ? view_of_owner(train, owner, k)
                       : (SplitView){.raw = &raw->splits[k], .n = raw->splits[k].n};
    free(owner);
}

/* ---- classes ---- */

/* The labels (classify: one; tag: one per token) of example i: labels[*from .. *to). */
static void label_range(DatasetTask task, const RawSplit *s, long i, int64_t *from, int64_t *to) {
    if (task == TASK_TAG) *from = s->offsets[i], *to = s->offsets[i + 1];
    else *from = i, *to = i + 1;
}

static const char *label_text(const RawSplit *s, int64_t t, size_t *len) {
    *len = s->labels.len[t];
    return s->labels.text + s->labels.start[t];
}

/* Splits a comma-separated list (items trimmed of spaces) into v, in order. Exit 2 naming
 * `key` on an empty or repeated item. */
static void parse_list(const char *list, const char *key, Vocab *v) {
    vocab_init(v);
    for (const char *p = list;;) {
        const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && *a == ' ') a++;
        while (b > a && b[-1] == ' ') b--;
        if (a == b) recur_die(EXIT_USAGE, "%s = '%s': an empty item", key, list);
        if (vocab_find(v, a, (size_t)(b - a)) >= 0)
            recur_die(EXIT_USAGE, "%s = '%s': '%.*s' appears twice", key, list, (int)(b - a), a);
        vocab_add(v, a, (size_t)(b - a));
        if (!comma) break;
        p = comma + 1;
    }
}

typedef struct Distinct {
    const char *s;
    size_t n;
    long long value;
} Distinct;

static int is_integer(const char *s, size_t n, long long *value) {
    size_t i = n > 0 && (s[0] == '-' || s[0] == '+');
    if (i == n || n - i > 18) return 0;
    for (size_t k = i; k < n; k++)
        if (s[k] < '0' || s[k] > '9') return 0;
    *value = strtoll(s, NULL, 10);
    return 1;
}

static int compare_bytes(const Distinct *a, const Distinct *b) {
    int c = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

static int compare_numbers(const void *pa, const void *pb) {
    const Distinct *a = pa, *b = pb;
    if (a->value != b->value) return a->value < b->value ? -1 : 1;
    return compare_bytes(a, b);
}

static int compare_text(const void *pa, const void *pb) { return compare_bytes(pa, pb); }

/* The distinct labels of train, sorted: numerically when all are integers, else bytewise. */
static void classes_from_train(const RawText *raw, const SplitView *train, Vocab *values) {
    Vocab seen;
    vocab_init(&seen);
    for (long j = 0; j < train->n; j++) {
        int64_t from, to;
        label_range(raw->task, train->raw, view_at(train, j), &from, &to);
        for (int64_t t = from; t < to; t++) {
            size_t len;
            const char *s = label_text(train->raw, t, &len);
            vocab_add(&seen, s, len);
        }
    }
    Distinct *d = xmalloc(sizeof(Distinct) * (size_t)(seen.size ? seen.size : 1), "classes");
    int numeric = 1;
    for (int i = 0; i < seen.size; i++) {
        d[i] = (Distinct){seen.words[i], seen.lengths[i], 0};
        numeric = numeric && is_integer(d[i].s, d[i].n, &d[i].value);
    }
    qsort(d, (size_t)seen.size, sizeof *d, numeric ? compare_numbers : compare_text);
    vocab_init(values);
    for (int i = 0; i < seen.size; i++) vocab_add(values, d[i].s, d[i].n);
    free(d);
    vocab_free(&seen);
}

/* values: label text -> class id; names: display names in id order. */
static void fix_classes(const RawText *raw, const PrepConfig *cfg, const SplitView *train, Vocab *values,
                        Vocab *names) {
    if (!*cfg->labels) {
        if (*cfg->class_names) recur_die(EXIT_USAGE, "class_names is given but labels is not: name the labels too");
        classes_from_train(raw, train, values);
        classes_from_train(raw, train, names);
        return;
    }
    parse_list(cfg->labels, "labels", values);
    if (!*cfg->class_names) {
        parse_list(cfg->labels, "labels", names);
        return;
    }
    parse_list(cfg->class_names, "class_names", names);
    if (names->size != values->size)
        recur_die(EXIT_USAGE, "class_names has %d names but labels has %d values", names->size, values->size);
}

/* "a, b, c" (cut with "..." past LIST_SHOWN bytes). */
static void describe_list(const Vocab *v, char out[LIST_SHOWN + 8]) {
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < v->size; i++) {
        size_t need = v->lengths[i] + (i ? 2 : 0);
        if (used + need > LIST_SHOWN) {
            strcpy(out + used, i ? ", ..." : "...");
            return;
        }
        used += (size_t)sprintf(out + used, "%s%s", i ? ", " : "", v->words[i]);
    }
}

/* Label t of example i is not a class: exit 2 naming its line (a tag's own line). */
static _Noreturn void unknown_label(const RawText *raw, const RawSplit *s, long i, int64_t t, const char *label,
                                    size_t len, const Vocab *values, int split) {
    char list[LIST_SHOWN + 8];
    describe_list(values, list);
    const char *what = raw->task == TASK_TAG ? "tag" : "label";
    long line = raw->task == TASK_TAG && s->tag_line ? s->tag_line[t] : s->line[i];
    prep_fail(raw->sources[s->source[i]], line, "unknown %s '%.*s' (the %ss are: %s)%s", what,
              len > 60 ? 60 : (int)len, label, what, list,
              split == SPLIT_TRAIN ? "" : "; unknown_labels = unk maps such labels to an <unk> class, "
                                          "unknown_labels = drop leaves their examples out");
}

/* How one split's examples become ids. */
typedef struct IdMap {
    const Vocab *vocab, *values;  /* token and label texts -> ids */
    long limit;                   /* content tokens kept (content_limit) */
    int bos_eos, split;
    UnknownLabels policy;         /* for a label outside values: error in train always */
} IdMap;

/* The class of label t of example i; LABEL_UNKNOWN (counted in st) when it is none and the
 * split's policy allows that, else exit 2. */
static int32_t class_id(const RawText *raw, const RawSplit *s, long i, int64_t t, const IdMap *map,
                        SplitStats *st) {
    size_t len;
    const char *label = label_text(s, t, &len);
    int id = vocab_find(map->values, label, len);
    if (id >= 0) return id;
    if (map->policy == UNKNOWN_LABELS_ERROR) unknown_label(raw, s, i, t, label, len, map->values, map->split);
    st->unknown_labels++;
    vocab_add(&st->unseen, label, len);
    return LABEL_UNKNOWN;
}

/* ---- vocabulary and ids ---- */

static double percent(int64_t part, int64_t whole) { return whole ? 100.0 * (double)part / (double)whole : 0.0; }

static void count_tokens(const SplitView *train, Vocab *counts) {
    vocab_init(counts);
    const TokenList *tl = &train->raw->tokens;
    for (long j = 0; j < train->n; j++) {
        long i = view_at(train, j);
        for (int64_t t = train->raw->offsets[i]; t < train->raw->offsets[i + 1]; t++)
            vocab_add(counts, tl->text + tl->start[t], tl->len[t]);
    }
}

/* Content tokens an example may keep: max_len less <bos>/<eos>; LONG_MAX without limit. */
static long content_limit(const RawText *raw, const PrepConfig *cfg) {
    if (cfg->bos_eos && raw->task == TASK_TAG)
        recur_die(EXIT_USAGE, "bos_eos = 1 does not apply to tagging (every position needs a tag)");
    if (cfg->max_len == 0) return LONG_MAX;
    if (cfg->bos_eos && cfg->max_len < 3)
        recur_die(EXIT_USAGE, "max_len = %d leaves no room between <bos> and <eos> (bos_eos = 1)", cfg->max_len);
    return cfg->bos_eos ? cfg->max_len - 2 : cfg->max_len;
}

typedef struct IdBuffers {
    int32_t *ids, *tags;
    long cap;
} IdBuffers;

static void reserve_ids(IdBuffers *b, long len) {
    if (len <= b->cap) return;
    b->cap = len > 2 * b->cap ? len : 2 * b->cap;
    b->ids = grow(b->ids, (size_t)b->cap, sizeof(int32_t), "example ids");
    b->tags = grow(b->tags, (size_t)b->cap, sizeof(int32_t), "example tags");
}

/* The label (classify) and tags (tag: b->tags[0..keep)) of example i; 0 when the example
 * is to be dropped (an unknown label under unknown_labels = drop), else 1 with every
 * unknown one mapped to the <unk> class, id values->size. */
static int example_labels(const RawText *raw, const RawSplit *s, long i, long keep, const IdMap *map, IdBuffers *b,
                          int32_t *label, SplitStats *st) {
    long before = st->unknown_labels;
    int tag = raw->task == TASK_TAG;
    *label = tag ? 0 : class_id(raw, s, i, i, map, st);
    for (long k = 0; tag && k < keep; k++) b->tags[k] = class_id(raw, s, i, s->offsets[i] + k, map, st);
    if (st->unknown_labels == before) return 1;
    if (map->policy == UNKNOWN_LABELS_DROP) return st->dropped++, 0;
    int32_t unk = (int32_t)map->values->size;
    if (*label == LABEL_UNKNOWN) *label = unk;
    for (long k = 0; tag && k < keep; k++)
        if (b->tags[k] == LABEL_UNKNOWN) b->tags[k] = unk;
    return 1;
}

/* Example i of the view's RawSplit, as ids, into out. */
static void add_example(const RawText *raw, const RawSplit *s, long i, const IdMap *map, IdBuffers *b,
                        PreparedSplit *out, SplitStats *st) {
    int64_t from = s->offsets[i];
    long len = (long)(s->offsets[i + 1] - from), keep = len < map->limit ? len : map->limit;
    int tag = raw->task == TASK_TAG;
    if (len == 0) st->empty++;
    if (len == 0 && tag) return; /* a sentence with no token: nothing to tag */
    reserve_ids(b, keep + 3);
    int32_t label;
    if (!example_labels(raw, s, i, keep, map, b, &label, st)) return;
    long n = 0;
    if (map->bos_eos) b->ids[n++] = VOCAB_BOS;
    for (long k = 0; k < keep; k++) {
        size_t at = s->tokens.start[from + k];
        int32_t id = (int32_t)vocab_id(map->vocab, s->tokens.text + at, s->tokens.len[from + k]);
        st->unknown += id == VOCAB_UNK;
        b->ids[n++] = id;
    }
    if (len == 0) b->ids[n++] = VOCAB_UNK;
    if (map->bos_eos) b->ids[n++] = VOCAB_EOS;
    st->truncated += keep < len;
    st->tokens += n;
    st->examples++;
    prepared_add_tokens(out, b->ids, n, tag ? b->tags : NULL, label);
}

/* "; 3 unknown tags (I-LST, B-LST) mapped to <unk>" or "; 2 examples dropped for 3 unknown tags (...)". */
static void describe_unknown(const SplitStats *st, DatasetTask task, char *out, size_t size) {
    char list[LIST_SHOWN + 8];
    *out = '\0';
    if (!st->unknown_labels) return;
    describe_list(&st->unseen, list);
    const char *what = task == TASK_TAG ? "tag" : "label", *plural = st->unknown_labels == 1 ? "" : "s";
    if (st->dropped)
        snprintf(out, size, "; %ld example%s dropped for %ld unknown %s%s (%s)", st->dropped,
                 st->dropped == 1 ? "" : "s", st->unknown_labels, what, plural, list);
    else snprintf(out, size, "; %ld unknown %s%s (%s) mapped to <unk>", st->unknown_labels, what, plural, list);
}

static void print_summary(int split, const SplitView *v, const SplitStats *st, const PrepConfig *cfg,
                          DatasetTask task) {
    char carved[96] = "", unknown[LIST_SHOWN + 96];
    if (v->carved && v->n > 0)
        snprintf(carved, sizeof carved, " (carved from train: %s %g, split_seed %llu)", fraction_key(split),
                 split == SPLIT_VALID ? cfg->valid_fraction : cfg->test_fraction,
                 (unsigned long long)cfg->split_seed);
    describe_unknown(st, task, unknown, sizeof unknown);
    printf("%s: %ld examples%s, %lld tokens (%.2f%% <unk>), %ld truncated, %ld empty%s\n", split_names[split],
           st->examples, carved, (long long)st->tokens, percent(st->unknown, st->tokens), st->truncated, st->empty,
           unknown);
}

/* Train without one <unk> token while valid or test have them: the <unk> embedding is
 * met only at evaluation, as it was initialised. */
static void warn_untrained_unk(const SplitStats st[SPLIT_COUNT], DatasetTask task) {
    if (st[SPLIT_TRAIN].unknown > 0 || (!st[SPLIT_VALID].unknown && !st[SPLIT_TEST].unknown)) return;
    char shares[96] = "";
    for (int k = SPLIT_VALID, n = 0; k < SPLIT_COUNT; k++)
        if (st[k].unknown)
            n += snprintf(shares + n, sizeof shares - (size_t)n, "%s%s has %.2f%%", n ? " and " : "", split_names[k],
                          percent(st[k].unknown, st[k].tokens));
    fflush(stdout); /* the summary lines first, as they happened */
    fprintf(stderr, "recur: warning: train has no <unk> token but %s: %s\n", shares,
            task == TASK_TAG ? "recur train trains its embedding with unk_replace (auto: on for tagging); "
                               "min_freq = 2 here is the other way"
                             : "its embedding stays untrained unless recur train sets unk_replace (e.g. 0.25) "
                               "or min_freq = 2 here");
}

static void print_vocabulary(const Vocab *vocab, const Vocab *counts, const Vocab *names, const PrepConfig *cfg,
                             DatasetTask task) {
    char list[LIST_SHOWN + 8];
    describe_list(names, list);
    printf("vocabulary: %d entries (4 specials + %d of the %d distinct training tokens; min_freq %ld, "
           "max_vocab %d)\n%s: %d (%s)\n",
           vocab->size, vocab->size - VOCAB_SPECIALS, counts->size, cfg->min_freq, cfg->max_vocab,
           task == TASK_TAG ? "tags" : "classes", names->size, list);
}

void raw_text_finish(RawText *raw, const PrepConfig *cfg, PreparedDataset *out) {
    if (raw->splits[SPLIT_TRAIN].n == 0)
        recur_die(EXIT_USAGE, "%s: no training examples", raw->num_sources ? raw->sources[0] : cfg->train);
    SplitView views[SPLIT_COUNT];
    carve(raw, cfg, views);
    long limit = content_limit(raw, cfg);

    Vocab counts, vocab, values, names;
    count_tokens(&views[SPLIT_TRAIN], &counts);
    vocab_from_counts(&counts, cfg->min_freq, cfg->max_vocab, &vocab);
    /* Classes come from the whole training input, carved examples included: a tag seen
     * only in examples carved into valid is still a class, not an error. */
    SplitView train_input = {.raw = &raw->splits[SPLIT_TRAIN], .n = raw->splits[SPLIT_TRAIN].n};
    fix_classes(raw, cfg, &train_input, &values, &names);

    prepared_init(out, raw->task, INPUT_TOKENS, cfg);
    print_vocabulary(&vocab, &counts, &names, cfg, raw->task);
    IdBuffers b = {0};
    SplitStats st[SPLIT_COUNT] = {{0}};
    for (int k = 0; k < SPLIT_COUNT; k++) {
        IdMap map = {&vocab, &values, limit, cfg->bos_eos, k,
                     k == SPLIT_TRAIN ? UNKNOWN_LABELS_ERROR : cfg->unknown_labels};
        vocab_init(&st[k].unseen);
        for (long j = 0; j < views[k].n; j++)
            add_example(raw, views[k].raw, view_at(&views[k], j), &map, &b, &out->splits[k], &st[k]);
        print_summary(k, &views[k], &st[k], cfg, raw->task);
        if (st[k].unknown_labels && !st[k].dropped) out->unknown_class = values.size;
        vocab_free(&st[k].unseen);
        free(views[k].index);
    }
    warn_untrained_unk(st, raw->task);
    free(b.ids), free(b.tags);
    vocab_free(&out->vocab), vocab_free(&out->classes);
    out->vocab = vocab;
    out->classes = names;
    vocab_free(&counts), vocab_free(&values);
}

void raw_text_convert(DatasetTask task, const PrepConfig *cfg, RawSplitReader read, const void *ctx,
                      PreparedDataset *out) {
    RawText raw;
    raw_text_init(&raw, task);
    read(&raw, SPLIT_TRAIN, cfg->train, cfg, ctx);
    if (*cfg->valid) read(&raw, SPLIT_VALID, cfg->valid, cfg, ctx);
    if (*cfg->test) read(&raw, SPLIT_TEST, cfg->test, cfg, ctx);
    raw_text_finish(&raw, cfg, out);
    raw_text_free(&raw);
}
