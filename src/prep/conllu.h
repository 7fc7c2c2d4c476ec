/* conllu.h: a Universal Dependencies CoNLL-U reader over a buffer, sentence by sentence,
 * keeping each word's FORM and one tag column (UPOS, field 4, or XPOS, field 5).
 *
 * The rules it applies (https://universaldependencies.org/format.html):
 *   - a word line has exactly 10 TAB-separated fields:
 *     ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC;
 *   - lines starting with '#' are comments (sent_id, text, newdoc ...) and are skipped;
 *   - a blank line (empty, or only spaces/TABs) ends a sentence; the last sentence may
 *     lack it; repeated blank lines are allowed; LF or CRLF line endings;
 *   - a multi-word token range (ID `3-4`, e.g. "don't") is skipped: its parts 3 and 4
 *     follow as words; an empty node (ID `5.1`) is skipped;
 *   - word IDs are integers 1, 2, 3 ... in order within each sentence.
 * Errors name the line: a field count other than 10, an ID that is neither N, N-M nor
 * N.M, IDs out of sequence, an empty FORM, an empty tag, or a tag of `_` (not annotated;
 * common for XPOS). Pure: never exits; does not check UTF-8 (the tokenizer does). */
#ifndef RECUR_CONLLU_H
#define RECUR_CONLLU_H

#include <stddef.h>

#include "config/prep_config.h"
#include "data/parse_error.h"
#include "tagged_sentence.h"

typedef struct ConlluReader {
    LineCursor lines;
    TagColumn column;
    TaggedSentence sentence;
} ConlluReader;

void conllu_init(ConlluReader *r, const char *data, size_t size, TagColumn column);
/* The next sentence with at least one word: 1 and *sentence (valid until the next call,
 * pointing into data), 0 at the end of the input, -1 on an error (err filled). */
int conllu_next_sentence(ConlluReader *r, const TaggedSentence **sentence, ParseError *err);
void conllu_free(ConlluReader *r);

#endif
