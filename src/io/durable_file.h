/* durable_file.h: replacing a file so that a crash at any moment leaves either the old
 * file or the new one whole at its path, never half of one: write to a temporary name in
 * the same directory, fsync it, rename it over the target, fsync the directory (as redis
 * saves its RDB). Used for datasets and checkpoints; also mkdir -p, and the removal of
 * temporary files that killed processes left behind.
 *
 * A fatal error (recur_die) between durable_temp_name and durable_commit removes the
 * temporary file: a full disk leaves no half-written file filling it further. */
#ifndef RECUR_DURABLE_FILE_H
#define RECUR_DURABLE_FILE_H

#include <stddef.h>

/* mkdir -p: creates dir and its missing parents; exit naming the one that failed: 2 for a
 * bad path (not a directory, no permission, read-only), 1 for a full disk or an I/O error. */
void make_directories(const char *dir);
/* "<path>.tmp-<pid>" into out (size bytes); exit 1 when it does not fit. The name is
 * remembered: a fatal error before durable_commit deletes that file. */
void durable_temp_name(const char *path, char *out, size_t size);
/* fsync(tmp), rename(tmp, path), fsync(directory of path); exit 1 naming the step that
 * failed (the temporary file is removed then). */
void durable_commit(const char *tmp, const char *path);
/* Deletes the files "<prefix>*.tmp-<pid>" in dir whose process <pid> no longer runs on
 * this host (left by a kill during a write); prefix "" matches any name. One note line
 * per file removed on stderr. Returns how many were removed. Files of live processes
 * (another run writing there, this process) are left alone. */
int durable_remove_stale_temps(const char *dir, const char *prefix);

#endif
