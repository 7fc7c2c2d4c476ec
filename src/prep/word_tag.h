/* word_tag.h: a reader of one-token-per-line tagging files (CoNLL-2000 chunking,
 * CoNLL-2003 NER, plain `word<TAB>tag`) over a buffer, sentence by sentence.
 *
 * The rules it applies:
 *   - separator: if any line of the input holds a TAB, fields are separated by single
 *     TABs (a word may then contain spaces); otherwise by runs of spaces;
 *   - by default the FIRST field is the word and the LAST field is the tag; other fields
 *     are ignored (CoNLL-2000 `Confidence NN B-NP` -> Confidence/B-NP; CoNLL-2003
 *     `EU NNP B-NP B-ORG` -> EU/B-ORG); word_tag_set_columns picks other fields (the POS
 *     column of CoNLL-2000: tag column 2); every token line must have as many fields as the
 *     first token line of the input (catches a word with a space in a space-separated file);
 *   - spaces and TABs at the end of a line are ignored; LF or CRLF line endings;
 *   - a blank line (empty, or only spaces/TABs) ends a sentence; the last sentence may
 *     lack it; repeated blank lines are allowed;
 *   - a line starting with `-DOCSTART-` (document break) is skipped and ends a sentence.
 * Errors name the line: fewer than 2 fields, a line without the chosen word or tag
 * column, a word column that is the tag column, a field count unlike the first token
 * line's, an empty word (a line starting with a TAB). Pure: never exits; does not check UTF-8. */
#ifndef RECUR_WORD_TAG_H
#define RECUR_WORD_TAG_H

#include <stddef.h>

#include "data/parse_error.h"
#include "tagged_sentence.h"

typedef struct WordTagReader {
    LineCursor lines;
    char separator;        /* '\t' or ' ' */
    long fields;           /* fields per token line, 0 until the first token line */
    long fields_line;      /* the line that set `fields` */
    int word_column;       /* 1-based field of the word */
    int tag_column;        /* 1-based field of the tag; 0 = the last field */
    TaggedSentence sentence;
} WordTagReader;

/* Word = field 1, tag = the last field. */
void word_tag_init(WordTagReader *r, const char *data, size_t size);
/* After init: the word's and the tag's 1-based fields (tag_column 0 = the last field). */
void word_tag_set_columns(WordTagReader *r, int word_column, int tag_column);
/* The next sentence with at least one word: 1 and *sentence (valid until the next call,
 * pointing into data), 0 at the end of the input, -1 on an error (err filled). */
int word_tag_next_sentence(WordTagReader *r, const TaggedSentence **sentence, ParseError *err);
void word_tag_free(WordTagReader *r);

#endif
