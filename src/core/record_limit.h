/* record_limit.h: the longest line (record) or field that the text readers accept, so a
 * stream with no line break (/dev/zero, a binary file, a runaway pipe) stops with
 * FILE:LINE and exit 2 instead of growing until the OOM killer. The limit is the
 * `max_record_bytes` setting (prep key; predict's --max_record_bytes), 64 MiB by default;
 * one process-wide value, set once before reading. Config files are read under the
 * default. */
#ifndef RECUR_RECORD_LIMIT_H
#define RECUR_RECORD_LIMIT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define RECORD_LIMIT_DEFAULT ((size_t)64 << 20)

void record_limit_set(size_t bytes);
size_t record_limit(void);

/* data[from, to) was just appended to a buffer whose current line starts at *line_start:
 * exits 2 naming path and the line's number when a line completed in it, or the line
 * still open at its end, is longer than the limit; else moves *line_start past the last
 * line break. */
void record_limit_check(const char *path, const char *data, size_t from, size_t to, size_t *line_start);
/* getline under the limit: exit 2 "path:line_no: ..." when a line is longer. */
ssize_t record_getline(char **line, size_t *cap, FILE *f, const char *path, long line_no);
/* The one-line message for a record longer than the limit at path:line (exit 2). */
_Noreturn void record_limit_exceeded(const char *path, long line);

#endif
