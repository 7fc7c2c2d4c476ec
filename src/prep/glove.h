/* glove.h: the pure line parser behind glove_attach (converters.h), apart so that it can
 * be unit-tested and fuzzed. A GloVe text file holds one `word v1 ... vD` per line,
 * separated by spaces; a word may itself contain spaces (glove.840B: ". . ."), so once D
 * is known the LAST D fields are the values and everything before them is the word.
 * The first vector line decides D. A word2vec / fastText header line (`COUNT DIM`, two
 * integers) as the first line sets D and holds no vector. Blank lines are skipped. */
#ifndef RECUR_GLOVE_H
#define RECUR_GLOVE_H

#include <stddef.h>

#include "data/parse_error.h"

enum { GLOVE_MAX_DIM = 10000 };

/* Parses line[0..n) (a trailing "\n" or "\r\n" is allowed; line need not be
 * NUL-terminated). *dim is D, or 0 before the first vector line, when the line decides it
 * (and *dim is set). vec has room for *dim floats, or GLOVE_MAX_DIM when *dim is 0.
 * Returns 0 for a vector (the word is line[0..*word_len), its values in vec), 1 for a line
 * without one (blank, or the header), -1 on bad input (err filled, line = line_no): a
 * different number of values, a value that is not a finite number, an empty word, a word
 * that is not valid UTF-8. */
int glove_parse_line(const char *line, size_t n, long line_no, int *dim, float *vec,
                     size_t *word_len, ParseError *err);

#endif
