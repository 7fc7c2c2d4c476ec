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
    for (size_t i = to; i > from; i--)
        if (data[i - 1] == '\n') {
            *line_start = i;
            break;
        }
    if (to - *line_start > limit) record_limit_exceeded(path, line_number(data, *line_start));
}

ssize_t record_getline(char **line, size_t *cap, FILE *f, const char *path, long line_no) {
    size_t used = 0;
    for (;;) {
        if (*cap - used < 2 || !*line) {
            size_t grown = *cap < 256 ? 256 : *cap * 2;
            char *p = realloc(*line, grown);
            if (!p) recur_die(EXIT_RUNTIME, "out of memory reading %s", path);
            *line = p, *cap = grown;
        }
        if (!fgets(*line + used, (int)(*cap - used > 1 << 30 ? 1 << 30 : *cap - used), f))
            return used ? (ssize_t)used : -1;
        used += strlen(*line + used); /* a NUL byte inside cuts the line there: fine for text */
        if (used && (*line)[used - 1] == '\n') return (ssize_t)used;
        if (used > limit) record_limit_exceeded(path, line_no);
    }
}
