/* parse_error.c: filling a ParseError (parse_error.h). It only formats a message; it
 * never prints, allocates or exits. */
#include "parse_error.h"

#include <stdarg.h>
#include <stdio.h>

int parse_fail(ParseError *err, long line, const char *fmt, ...) {
    if (!err) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    /* One line: quoted input may hold newlines, tabs or escapes. */
    for (char *c = err->message; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    err->line = line;
    return -1;
}
