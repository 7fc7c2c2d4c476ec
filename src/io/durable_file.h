/* durable_file.h: replacing a file so that a crash at any moment leaves either the old
 * file or the new one whole at its path, never half of one: write to a temporary name in
 * the same directory, fsync it, rename it over the target, fsync the directory (as redis
 * saves its RDB). Used for datasets and checkpoints; also mkdir -p. */
#ifndef RECUR_DURABLE_FILE_H
#define RECUR_DURABLE_FILE_H

#include <stddef.h>

/* mkdir -p: creates dir and its missing parents; exit 1 naming the one that failed. */
void make_directories(const char *dir);
/* "<path>.tmp-<pid>" into out (size bytes); exit 1 when it does not fit. */
void durable_temp_name(const char *path, char *out, size_t size);
/* fsync(tmp), rename(tmp, path), fsync(directory of path); exit 1 naming the step that
 * failed (the temporary file is removed then). */
void durable_commit(const char *tmp, const char *path);

#endif
