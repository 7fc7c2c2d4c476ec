/* h5_failure.h: one line that says why an HDF5 call failed, from HDF5's error stack:
 * the file and the operating system's error when the stack holds one (a full disk, an
 * I/O error: "FILE: cannot write: No space left on device"), else the innermost HDF5
 * message. Used by check_H5 (check.c); it prints nothing and stops nothing. */
#ifndef RECUR_H5_FAILURE_H
#define RECUR_H5_FAILURE_H

#include <stddef.h>

/* Describes the failure of `call` (its source text) at file:line into out. A temporary
 * name "X.tmp-PID" is reported as X (the file being replaced). */
void h5_describe_failure(const char *call, const char *file, int line, char *out, size_t size);
/* 1 when RECUR_DEBUG_HDF5 is set to something other than "" or "0". */
int h5_debug_enabled(void);

#endif
