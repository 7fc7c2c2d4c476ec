/* predict_input.c: `recur predict`'s raw input -> an in-memory Dataset (predict_input.h):
 * lines of text or words through the stored tokenizer and vocabulary, or a numeric CSV
 * through the stored scaler into windows (predict_windows.c). Tokenizing is the shared
 * tokenizer's; this file only applies a checkpoint's settings the way `recur prep`
 * applied them. It must not run the model or print. */
#include "predict_input.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "data/text_file.h"
#include "data/utf8.h"
#include "data/vocab.h"
#include "prep/converters.h"
#include "predict_windows.h"

/* ---- growing the examples ---- */

typedef struct Growth {
    long cap_examples;
    int64_t cap_ids;
} Growth;

static void *resize(void *p, size_t count, size_t elem, const char *what) {
    void *q = realloc(p, (count ? count : 1) * elem);
    if (!q) recur_die(EXIT_RUNTIME, "out of memory growing %s to %zu entries", what, count);
    return q;
}

/* Room for one more token example of up to `ids` ids; returns where its ids go. */
static int32_t *open_example(PredictInput *in, Growth *g, int64_t ids) {
    Dataset *d = &in->data;
    if (d->n + 1 > g->cap_examples) {
        g->cap_examples = g->cap_examples ? 2 * g->cap_examples : 256;
        d->offsets = resize(d->offsets, (size_t)g->cap_examples + 1, sizeof(int64_t), "example offsets");
        in->lines = resize(in->lines, (size_t)g->cap_examples, sizeof(long), "example lines");
    }
    int64_t need = d->offsets[d->n] + ids;
    if (need > g->cap_ids) {
        g->cap_ids = need > 2 * g->cap_ids ? need : 2 * g->cap_ids;
        d->tokens = resize(d->tokens, (size_t)g->cap_ids, sizeof(int32_t), "token ids");
    }
    return d->tokens + d->offsets[d->n];
}

static void close_example(PredictInput *in, int64_t ids, long line) {
    Dataset *d = &in->data;
    in->lines[d->n] = line;
    d->offsets[d->n + 1] = d->offsets[d->n] + ids;
    d->n++;
}

/* ---- lines ---- */

typedef struct Lines {
    const char *p, *end;
    long line;
} Lines;

static Lines lines_of(const TextFile *f) {
    Lines r = {f->data, f->data + f->size, 0};
    if (f->size >= 3 && !memcmp(f->data, "\xEF\xBB\xBF", 3)) r.p += 3;
    return r;
}

/* The next line without its LF or CRLF: 1, or 0 at the end of the input. */
static int next_line(Lines *r, const char **s, size_t *n) {
    if (r->p >= r->end) return 0;
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    const char *stop = nl ? nl : r->end;
    *s = r->p;
    *n = (size_t)(stop - r->p);
    if (*n && (*s)[*n - 1] == '\r') (*n)--;
    r->p = nl ? nl + 1 : r->end;
    r->line++;
    return 1;
}

/* The stored vocabulary as a lookup table. */
static void vocab_of(const DatasetMeta *m, Vocab *v) {
    vocab_init(v);
    for (int64_t i = 0; i < m->vocab_size; i++) vocab_add(v, m->vocab[i], strlen(m->vocab[i]));
}

static int32_t token_id(const Vocab *v, const TokenList *l, long k) {
    return (int32_t)vocab_id(v, l->text + l->start[k], l->len[k]);
}

/* ---- texts (classify) ---- */

/* Content tokens a text keeps: max_len less <bos>/<eos>; LONG_MAX without a limit. */
static long content_limit(const DatasetMeta *m) {
    if (m->max_len <= 0) return LONG_MAX;
    return m->bos_eos ? m->max_len - 2 : m->max_len;
}

static void add_text(PredictInput *in, Growth *g, const DatasetMeta *m, const Vocab *v, const TokenList *tl,
                     long line) {
    long limit = content_limit(m), keep = tl->count < limit ? tl->count : limit;
    int32_t *ids = open_example(in, g, keep + 3);
    int64_t n = 0;
    if (m->bos_eos) ids[n++] = VOCAB_BOS;
    for (long k = 0; k < keep; k++) ids[n++] = token_id(v, tl, k);
    if (tl->count == 0) ids[n++] = VOCAB_UNK;
    if (m->bos_eos) ids[n++] = VOCAB_EOS;
    close_example(in, n, line);
}

static void read_texts(PredictInput *in, const TextFile *f, const DatasetMeta *m) {
    Vocab v;
    vocab_of(m, &v);
    TokenList tl = {0};
    Growth g = {0};
    Lines r = lines_of(f);
    const char *s;
    size_t n;
    ParseError err;
    while (next_line(&r, &s, &n)) {
        token_list_clear(&tl);
        if (tokenize(&m->tokenizer, s, n, r.line, &tl, &err) < 0) prep_fail_parse(in->name, &err);
        add_text(in, &g, m, &v, &tl, r.line);
    }
    in->num_lines = r.line;
    token_list_free(&tl);
    vocab_free(&v);
}

/* ---- sentences (tag) ---- */

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static void check_utf8(const PredictInput *in, const char *s, size_t n, long line) {
    size_t bad = utf8_first_invalid(s, n);
    if (bad < n)
        prep_fail(in->name, line, "invalid UTF-8 at byte %zu of the text (0x%02x)", bad, (unsigned char)s[bad]);
}

/* The words of one line, each one token: the word as written into in->words, its
 * (lower-cased) form into forms. Returns the number of words. */
static long split_words(PredictInput *in, const TokenizerOptions *whole, const char *s, size_t n, long line,
                        TokenList *forms) {
    long words = 0;
    ParseError err;
    for (size_t i = 0; i < n;) {
        while (i < n && is_blank(s[i])) i++;
        size_t start = i;
        while (i < n && !is_blank(s[i])) i++;
        if (i == start) break;
        token_list_push(&in->words, s + start, i - start);
        if (tokenize(whole, s + start, i - start, line, forms, &err) < 0) prep_fail_parse(in->name, &err);
        words++;
    }
    return words;
}

static void read_sentences(PredictInput *in, const TextFile *f, const DatasetMeta *m) {
    Vocab v;
    vocab_of(m, &v);
    TokenizerOptions whole = {.mode = TOKENIZE_WHOLE, .lowercase = m->tokenizer.lowercase};
    TokenList forms = {0};
    Growth g = {0};
    Lines r = lines_of(f);
    const char *s;
    size_t n;
    while (next_line(&r, &s, &n)) {
        check_utf8(in, s, n, r.line);
        token_list_clear(&forms);
        long words = split_words(in, &whole, s, n, r.line, &forms);
        if (!words) continue;
        int32_t *ids = open_example(in, &g, words);
        for (long k = 0; k < words; k++) ids[k] = token_id(&v, &forms, k);
        close_example(in, words, r.line);
    }
    in->num_lines = r.line;
    in->data.tags = xcalloc((size_t)(in->data.offsets[in->data.n] + 1), sizeof(int32_t), "dummy tags");
    token_list_free(&forms);
    vocab_free(&v);
}

/* ---- the input ---- */

static void describe(Dataset *d, const DatasetMeta *m) {
    d->task = m->task, d->input = m->input;
    d->vocab_size = (int)m->vocab_size, d->num_classes = (int)m->num_classes;
    d->num_features = (int)m->num_features, d->input_steps = m->input_steps;
    d->horizon = m->horizon, d->num_targets = m->num_targets;
}

void predict_input_read(PredictInput *in, const char *path, const DatasetMeta *meta, char delimiter) {
    memset(in, 0, sizeof *in);
    int from_stdin = !strcmp(path, "-");
    TextFile f = text_file_read(from_stdin ? "/dev/stdin" : path);
    const char *name = from_stdin ? "standard input" : path;
    size_t n = strlen(name) + 1;
    in->name = memcpy(xmalloc(n, "input name"), name, n);
    describe(&in->data, meta);
    if (meta->input == INPUT_SERIES) {
        predict_read_windows(in, &f, meta, delimiter);
    } else {
        in->data.offsets = xcalloc(1, sizeof(int64_t), "example offsets");
        if (meta->task == TASK_TAG) read_sentences(in, &f, meta);
        else read_texts(in, &f, meta);
    }
    if (meta->task == TASK_CLASSIFY)
        in->data.labels = xcalloc((size_t)in->data.n + 1, sizeof(int32_t), "dummy labels");
    in->data.total = in->data.n;
    text_file_free(&f);
}

void predict_input_free(PredictInput *in) {
    dataset_free(&in->data);
    token_list_free(&in->words);
    free(in->name), free(in->lines);
    memset(in, 0, sizeof *in);
}
