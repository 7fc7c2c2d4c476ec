/* prep_fail.c: how a converter stops on bad input (converters.h) — one line
 * `recur: FILE:LINE: message` on stderr and exit 2. It only formats and exits. */
#include <stdarg.h>
#include <stdio.h>

#include "converters.h"
#include "core/check.h"

void prep_fail(const char *file, long line, const char *fmt, ...) {
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    /* One line, whatever the quoted input held. */
    for (char *c = message; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    if (line > 0) recur_die(EXIT_USAGE, "%s:%ld: %s", file, line, message);
    recur_die(EXIT_USAGE, "%s: %s", file, message);
}

void prep_fail_parse(const char *file, const ParseError *err) {
    prep_fail(file, err->line, "%s", err->message);
}
