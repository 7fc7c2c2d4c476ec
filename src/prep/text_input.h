/* text_input.h: a check shared by the text converters (text-csv, text-folder): text that
 * is not UTF-8 is reported at the line of its first bad byte, with the text before it.
 * Ends the process (exit 2, prep_fail); never repairs text. */
#ifndef RECUR_TEXT_INPUT_H
#define RECUR_TEXT_INPUT_H

#include <stddef.h>

/* Exit 2 unless s[0..n) is valid UTF-8. s starts on line first_line of file; the message
 * names the line of the bad byte, the byte, `what` (e.g. "column 3") and the text before. */
void require_utf8(const char *file, long first_line, const char *s, size_t n, const char *what);
/* Newlines in s[0..n): the lines a piece of text spans, less one. */
long count_line_breaks(const char *s, size_t n);

#endif
