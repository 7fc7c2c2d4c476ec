/* record_limit.c: the bound on a line's length for the text readers (record_limit.h). It
 * scans for line breaks and stops; it does not parse. */
#include "record_limit.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

static size_t limit = RECORD_LIMIT_DEFAULT;

void record_limit_set(size_t bytes) { limit = bytes ? bytes : RECORD_LIMIT_DEFAULT; }
size_t record_limit(void) { return limit; }

void record_limit_exceeded(const char *path, long line) {
    recur_die(EXIT_USAGE, "%s:%ld: a line (record) longer than %zu bytes, the max_record_bytes limit: not a "
              "text file of records, or raise max_record_bytes", path, line, limit);
}

static long line_number(const char *data, size_t line_start) {
    long line = 1;
    for (const char *p = data; (p = memchr(p, '\n', (size_t)(data + line_start - p))); p++) line++;
    return line;
}

void record_limit_check(const char *path, const char *data, size_t from, size_t to, size_t *line_start) {
    const char *p = data + from, *end = data + to, *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p)))) { /* every line completed in the new bytes */
        if ((size_t)(nl - data) - *line_start > limit) record_limit_exceeded(path, line_number(data, *line_start));
        *line_start = (size_t)(nl + 1 - data);
        p = nl + 1;
    }
    if (to - *line_start > limit) record_limit_exceeded(path, line_number(data, *line_start)); /* the open one */
}

/* Byte by byte (getc_unlocked under one lock): a NUL inside a line is counted, so a
 * stream of NULs (/dev/zero) reaches the limit instead of spinning. */
ssize_t record_getline(char **line, size_t *cap, FILE *f, const char *path, long line_no) {
    size_t used = 0;
    int c = EOF;
    flockfile(f);
    while ((c = getc_unlocked(f)) != EOF) {
        if (used + 2 > *cap || !*line) {
            size_t grown = *cap < 256 ? 256 : *cap * 2;
            char *p = realloc(*line, grown);
            if (!p) funlockfile(f), recur_die(EXIT_RUNTIME, "out of memory reading %s", path);
            *line = p, *cap = grown;
        }
        (*line)[used++] = (char)c;
        if (c == '\n') break;
        if (used > limit) funlockfile(f), record_limit_exceeded(path, line_no);
    }
    funlockfile(f);
    if (used == 0) return -1;
    (*line)[used] = 0;
    return (ssize_t)used;
}
