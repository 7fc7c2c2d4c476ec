/* fuzz_tagged.h: the checks the two tagging-reader fuzz targets (fuzz_conllu.c,
 * fuzz_word_tag.c) share on a TaggedSentence (src/prep/tagged_sentence.h): at least one
 * word; every word and tag non-empty, inside the input, free of line breaks and of the
 * field separator; word lines increasing through the input. It only checks. */
#ifndef RECUR_FUZZ_TAGGED_H
#define RECUR_FUZZ_TAGGED_H

#include "fuzz_check.h"
#include "prep/tagged_sentence.h"

typedef struct TaggedInput {
    const char *text;
    size_t size;
    long lines;         /* lines in the input */
    char separator;     /* may not occur in a word or a tag */
    long last_line;     /* line of the last word seen so far */
} TaggedInput;

static inline void fuzz_check_piece(const TaggedInput *in, const char *s, size_t n) {
    FUZZ_CHECK(n > 0);
    FUZZ_CHECK(s >= in->text && n <= in->size && (size_t)(s - in->text) <= in->size - n);
    FUZZ_CHECK(memchr(s, '\n', n) == NULL && memchr(s, in->separator, n) == NULL);
}

static inline void fuzz_check_sentence(TaggedInput *in, const TaggedSentence *s) {
    FUZZ_CHECK(s->count >= 1 && s->count <= s->cap);
    for (long i = 0; i < s->count; i++) {
        const TaggedWord *w = &s->words[i];
        fuzz_check_piece(in, w->word, w->word_len);
        fuzz_check_piece(in, w->tag, w->tag_len);
        FUZZ_CHECK(w->line > in->last_line && w->line <= in->lines);
        in->last_line = w->line;
    }
}

#endif
