/* text_input.h: what the text converters share about their input files: reading them
 * (re-encoded from Latin-1 when asked), and the UTF-8 check — text that is not UTF-8 is
 * reported at the line of its first bad byte, with the text before it, and ends the
 * process (exit 2, prep_fail); bytes are never guessed at or repaired. */
#ifndef RECUR_TEXT_INPUT_H
#define RECUR_TEXT_INPUT_H

#include <stddef.h>

#include "config/prep_config.h"
#include "data/text_file.h"

/* Exit 2 unless s[0..n) is valid UTF-8. s starts on line first_line of file; the message
 * names the line of the bad byte, the byte, `what` (e.g. "column 3") and the text before. */
void require_utf8(const char *file, long first_line, const char *s, size_t n, const char *what);
/* A text input file, re-encoded to UTF-8 when the `encoding` setting says latin-1. */
TextFile prep_read_text(const char *path, const PrepConfig *cfg);
/* Newlines in s[0..n): the lines a piece of text spans, less one. */
long count_line_breaks(const char *s, size_t n);

#endif
