/* tagged_sentence.h: what the sequence-tagging parsers (conllu.h, word_tag.h) share — a
 * sentence as (word, tag, line) triples pointing into the input buffer, and a cursor that
 * hands out the buffer's lines one at a time (LF or CRLF endings, the last line may lack
 * one, a UTF-8 byte-order mark at the start is skipped).
 *
 * Pure: no I/O, no exits, no knowledge of vocabularies or files. Words and tags are not
 * copied and not NUL-terminated: they stay valid while the input buffer does. */
#ifndef RECUR_TAGGED_SENTENCE_H
#define RECUR_TAGGED_SENTENCE_H

#include <stddef.h>

typedef struct TaggedWord {
    const char *word, *tag; /* into the input buffer */
    size_t word_len, tag_len;
    long line;              /* 1-based line of the word in the input */
} TaggedWord;

typedef struct TaggedSentence {
    long count, cap;
    TaggedWord *words;      /* [count] */
} TaggedSentence;

void tagged_sentence_push(TaggedSentence *s, TaggedWord w);
void tagged_sentence_free(TaggedSentence *s);

typedef struct LineCursor {
    const char *p, *end;    /* unread input */
    long line;              /* number of the line last returned (0 before the first) */
} LineCursor;

void line_cursor_init(LineCursor *c, const char *data, size_t size);
/* The next line without its LF / CRLF: 1 and (*s, *n), or 0 at the end of the input. */
int line_cursor_next(LineCursor *c, const char **s, size_t *n);
/* 1 when s[0..n) holds nothing but spaces and TABs (a sentence break). */
int line_is_blank(const char *s, size_t n);

#endif
