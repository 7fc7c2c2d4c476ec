/* fuzz_check.h: what every fuzz target in tests/fuzz/ shares — FUZZ_CHECK, which aborts
 * (so libFuzzer saves the input) when an invariant of a parser's output does not hold,
 * and the checks on a ParseError. Unlike assert() it is never compiled out. It must not
 * exit() or recover: a violated invariant is a crash by design. Also two small helpers of
 * the targets (line count, exact-size copy). */
#ifndef RECUR_FUZZ_CHECK_H
#define RECUR_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/parse_error.h"

#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz invariant violated at %s:%d: %s\n", __FILE__, __LINE__, \
                    #cond);                                                              \
            abort();                                                                     \
        }                                                                                \
    } while (0)

enum { FUZZ_UNSET_LINE = -424242 };

/* Marks err as not filled, so fuzz_check_error can tell whether a parser filled it. */
static inline void fuzz_reset_error(ParseError *err) {
    memset(err->message, 0x55, sizeof err->message); /* no NUL anywhere */
    err->line = FUZZ_UNSET_LINE;
}

/* After a parser returned -1: err was filled, its line is at least min_line, and its
 * message is one non-empty line, NUL-terminated inside the buffer, without control
 * characters. */
static inline void fuzz_check_error(const ParseError *err, long min_line) {
    FUZZ_CHECK(err->line != FUZZ_UNSET_LINE);
    FUZZ_CHECK(err->line >= min_line);
    const char *nul = memchr(err->message, '\0', sizeof err->message);
    FUZZ_CHECK(nul != NULL);
    FUZZ_CHECK(nul > err->message);
    for (const char *c = err->message; c < nul; c++)
        FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
}

/* Lines in s[0..n): 1 + its LFs (the last line may lack one). */
static inline long fuzz_count_lines(const char *s, size_t n) {
    long lines = 1;
    for (size_t i = 0; i < n; i++) lines += s[i] == '\n';
    return lines;
}

/* A copy of data[0..n) in a buffer of exactly n bytes (1 when n is 0), so that AddressSanitizer
 * catches a parser reading past the end of its input (libFuzzer's own buffer is exact
 * too; copies of parts of it need this). */
static inline char *fuzz_exact_copy(const void *data, size_t n) {
    char *copy = malloc(n ? n : 1);
    FUZZ_CHECK(copy != NULL);
    if (n) memcpy(copy, data, n);
    return copy;
}

#endif
