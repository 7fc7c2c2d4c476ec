/* prep_tagging.c: the sequence-tagging converters `recur prep conllu` and
 * `recur prep word-tag` (converters.h). Each input file is parsed sentence by sentence
 * (conllu.h, word_tag.h); every word becomes one token — the tokenizer in `whole` mode,
 * lower-cased when cfg->tokenizer.lowercase is set, nothing else — with its tag; the
 * shared pass (raw_text.h) then carves missing splits, builds the vocabulary and the tag
 * set from train, truncates to max_len and fills the dataset.
 * Bad input (a parse error, invalid UTF-8 in a word or tag, a file without sentences)
 * ends the process with exit 2 and `recur: FILE:LINE: what`. It does not write files. */
#include <string.h>

#include "conllu.h"
#include "converters.h"
#include "core/check.h"
#include "data/text_file.h"
#include "data/utf8.h"
#include "raw_text.h"
#include "text_input.h"
#include "word_tag.h"

/* One input file being parsed in either format. */
typedef struct SentenceReader {
    PrepFormat format;
    ConlluReader conllu;
    WordTagReader word_tag;
} SentenceReader;

static void reader_open(SentenceReader *r, PrepFormat format, const PrepConfig *cfg, const TextFile *f) {
    memset(r, 0, sizeof *r);
    r->format = format;
    if (r->format == PREP_CONLLU) {
        conllu_init(&r->conllu, f->data, f->size, prep_conllu_tag(cfg));
        return;
    }
    word_tag_init(&r->word_tag, f->data, f->size);
    word_tag_set_columns(&r->word_tag, cfg->word_column, prep_word_tag_tag_column(cfg));
}

static int reader_next(SentenceReader *r, const TaggedSentence **s, ParseError *err) {
    if (r->format == PREP_CONLLU) return conllu_next_sentence(&r->conllu, s, err);
    return word_tag_next_sentence(&r->word_tag, s, err);
}

static void reader_close(SentenceReader *r) {
    conllu_free(&r->conllu);
    word_tag_free(&r->word_tag);
}

static void check_utf8(const char *path, long line, const char *what, const char *s, size_t n) {
    size_t bad = utf8_first_invalid(s, n);
    if (bad < n)
        prep_fail(path, line, "invalid UTF-8 in the %s at byte %zu (0x%02x)", what, bad,
                  (unsigned)(unsigned char)s[bad]);
}

/* Appends the word's token(s) to s->tokens and one copy of its tag per token to s->labels. */
static void add_word(RawSplit *s, const TokenizerOptions *whole, const TaggedWord *w, const char *path) {
    ParseError err;
    check_utf8(path, w->line, "word", w->word, w->word_len);
    check_utf8(path, w->line, "tag", w->tag, w->tag_len);
    long added = tokenize(whole, w->word, w->word_len, w->line, &s->tokens, &err);
    if (added < 0) prep_fail_parse(path, &err);
    for (long k = 0; k < added; k++) raw_push_tag(s, w->tag, w->tag_len, w->line);
}

/* Parses one input file into a split; ctx points to its PrepFormat (conllu or word-tag). */
static void read_file(RawText *raw, SplitId split, const char *path, const PrepConfig *cfg,
                      const void *ctx) {
    PrepFormat format = *(const PrepFormat *)ctx;
    TokenizerOptions whole = {.mode = TOKENIZE_WHOLE, .lowercase = cfg->tokenizer.lowercase};
    TextFile f = prep_read_text(path, cfg);
    RawSplit *s = &raw->splits[split];
    int source = raw_text_source(raw, path);
    SentenceReader reader;
    reader_open(&reader, format, cfg, &f);
    const TaggedSentence *sentence;
    ParseError err;
    long sentences = 0;
    int rc;
    while ((rc = reader_next(&reader, &sentence, &err)) == 1) {
        for (long i = 0; i < sentence->count; i++) add_word(s, &whole, &sentence->words[i], path);
        raw_end_example(s, NULL, 0, source, sentence->words[0].line);
        sentences++;
    }
    if (rc < 0) prep_fail_parse(path, &err);
    if (sentences == 0)
        prep_fail(path, 0, "%s", f.size == 0            ? "empty file (no sentences)"
                                 : format == PREP_CONLLU ? "no sentences (only comment and blank lines)"
                                                         : "no sentences (only blank and -DOCSTART- lines)");
    reader_close(&reader);
    text_file_free(&f);
    raw->has_split[split] = 1;
}

static void convert_tagging(PrepFormat format, const PrepConfig *cfg, PreparedDataset *out) {
    if (!cfg->train[0]) recur_die(EXIT_USAGE, "prep %s: train is not set", prep_format_names[format]);
    raw_text_convert(TASK_TAG, cfg, read_file, &format, out);
}

void convert_conllu(const PrepConfig *cfg, PreparedDataset *out) { convert_tagging(PREP_CONLLU, cfg, out); }

void convert_word_tag(const PrepConfig *cfg, PreparedDataset *out) {
    convert_tagging(PREP_WORD_TAG, cfg, out);
}
