/* tokenizer.h: UTF-8 text into token strings — word level or character level, with
 * optional lower-casing, punctuation stripping and HTML-tag removal.
 *
 * word:  tokens are maximal runs of non-space, non-punctuation characters; each
 *        punctuation character is a token of its own (strip_punct = 1 drops them
 *        instead); each CJK ideograph is a token of its own.
 * char:  each character that is not white space is a token (Chinese text);
 *        strip_punct drops punctuation characters.
 * whole: the text is one token (tagging: the word is given), only lower-cased.
 * strip_html replaces `<...>` tags (e.g. IMDB's `<br />`) by a space first.
 * Invalid UTF-8 is an error (ParseError, with the byte offset in the message); the
 * tokenizer never repairs text. It does not know about vocabularies or ids. */
#ifndef RECUR_TOKENIZER_H
#define RECUR_TOKENIZER_H

#include <stddef.h>

#include "parse_error.h"

typedef enum { TOKENIZE_WORD, TOKENIZE_CHAR, TOKENIZE_WHOLE } TokenizeMode;
extern const char *const tokenize_mode_names[]; /* "word", "char", "whole", 0 */

typedef struct TokenizerOptions {
    TokenizeMode mode;
    int lowercase;
    int strip_punct;
    int strip_html;
} TokenizerOptions;

/* Token strings, appended to: token i is text + start[i], NUL-terminated, len[i] bytes. */
typedef struct TokenList {
    long count, cap;
    size_t *start, *len;
    char *text;
    size_t used, text_cap;
} TokenList;

/* Appends the tokens of s[0..n) to out. Returns the number of tokens appended, or -1
 * (err filled, line = `line`) on invalid UTF-8; out is unchanged then. */
long tokenize(const TokenizerOptions *o, const char *s, size_t n, long line, TokenList *out,
              ParseError *err);
/* Appends one token verbatim (labels, tags). */
void token_list_push(TokenList *l, const char *s, size_t n);
void token_list_clear(TokenList *l); /* count = 0, keeps memory */
void token_list_free(TokenList *l);

#endif
