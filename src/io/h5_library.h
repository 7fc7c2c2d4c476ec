/* h5_library.h: HDF5 as a whole — started once by main before any other HDF5 call, shut
 * down by main on a normal exit — and the one-line description of a failed HDF5 call.
 *
 * Started: HDF5's automatic error printing is off (a failure is reported by CHECK(H5, ..)
 * in one line: see h5_describe_failure), and its exit-time clean-up is not registered
 * (H5dont_atexit): a fatal error calls exit() with files still open, possibly on a full
 * disk, and HDF5 flushing them at exit crashed (exit 139 instead of 1). A file being
 * written when a fatal error strikes is a temporary file (io/durable_file.h) that is
 * removed, so nothing is lost by not flushing it. RECUR_DEBUG_HDF5=1 in the environment
 * prints HDF5's own error stack before the line. */
#ifndef RECUR_H5_LIBRARY_H
#define RECUR_H5_LIBRARY_H

#include <stddef.h>

void h5_library_start(void);
/* Closes every HDF5 object still open and the library (normal exit only). */
void h5_library_stop(void);

#endif
