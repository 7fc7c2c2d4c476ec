/* parse_error.h: how the pure parsers (CSV, CoNLL-U, GloVe lines, numbers, UTF-8) report
 * bad input — a line number and a one-line message — instead of exiting, so a converter
 * can name the file and a fuzz target can keep going. Converters turn a ParseError into
 * `recur: FILE:LINE: message` and exit 2 (prep_fail). */
#ifndef RECUR_PARSE_ERROR_H
#define RECUR_PARSE_ERROR_H

typedef struct ParseError {
    long line;          /* 1-based line in the input; 0 when not about a line */
    char message[256];  /* one line, no trailing newline, control characters replaced */
} ParseError;

/* Fills err (when not NULL) and returns -1, so parsers can `return parse_fail(...)`. */
int parse_fail(ParseError *err, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
