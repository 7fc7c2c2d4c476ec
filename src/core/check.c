/* check.c: fatal-error exit and the HDF5 / MPI return-code checkers behind CHECK().
 * It must stay free of model or training logic: it only reports and stops. */
#include "check.h"

#include "h5_failure.h"

#include <hdf5.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void (*abort_hook)(int status);
static void (*fatal_cleanups[8])(void);
static int num_fatal_cleanups;
static char rank_label[160];

void recur_set_abort_hook(void (*hook)(int status)) { abort_hook = hook; }

void recur_on_fatal(void (*cleanup)(void)) {
    if (num_fatal_cleanups < 8) fatal_cleanups[num_fatal_cleanups++] = cleanup;
}

/* Each cleanup once, newest first; one that dies itself does not run again. */
static void run_fatal_cleanups(void) {
    while (num_fatal_cleanups > 0) fatal_cleanups[--num_fatal_cleanups]();
}

const char *recur_host_name(void) {
    static char name[256];
    if (!name[0] && gethostname(name, sizeof name - 1) != 0) name[0] = '?';
    return name;
}

void recur_set_rank_label(const char *label) { snprintf(rank_label, sizeof rank_label, "%s", label); }

void recur_die(int status, const char *fmt, ...) {
    /* One buffer, one write: lines from several ranks sharing a terminal never interleave. */
    char line[2048];
    int n = snprintf(line, sizeof line, "recur: %s%s", rank_label, rank_label[0] ? ": " : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    line[len] = '\n';
    fflush(stdout); /* what was printed before the error comes before it, on a pipe too */
    fwrite(line, 1, len + 1, stderr);
    fflush(stderr);
    run_fatal_cleanups();
    if (abort_hook) abort_hook(status);
    /* _exit, not exit: library destructors may wait on threads that cannot finish (OpenBLAS's
     * workers spin when they could not map their buffers); every cleanup recur needs has run. */
    fflush(stdout); /* anything the cleanups printed */
    _exit(status);
}

void *xmalloc(size_t bytes, const char *what) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) recur_die(EXIT_RUNTIME, "out of memory allocating %zu bytes for %s", bytes, what);
    return p;
}

void *xgrow_aligned(void *buf, size_t *capacity, size_t bytes, const char *what) {
    if (buf && bytes <= *capacity) return buf;
    size_t rounded = (bytes + 63) / 64 * 64;
    free(buf);
    void *p = aligned_alloc(64, rounded ? rounded : 64);
    if (!p) recur_die(EXIT_RUNTIME, "out of memory allocating %zu bytes for %s", rounded, what);
    *capacity = rounded;
    return p;
}

void *xcalloc(size_t count, size_t size, const char *what) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) recur_die(EXIT_RUNTIME, "out of memory allocating %zu x %zu bytes for %s", count, size, what);
    return p;
}

/* One line (h5_failure.h); HDF5's own error stack only with RECUR_DEBUG_HDF5=1. */
int64_t check_H5(int64_t rc, const char *call, const char *file, int line) {
    if (rc >= 0) return rc;
    if (h5_debug_enabled()) H5Eprint2(H5E_DEFAULT, stderr);
    char why[1024];
    h5_describe_failure(call, file, line, why, sizeof why);
    recur_die(EXIT_RUNTIME, "%s", why);
}

int check_MPI(int rc, const char *call, const char *file, int line) {
    if (rc == MPI_SUCCESS) return rc;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    recur_die(EXIT_RUNTIME, "%s:%d: MPI error: %s in %s", file, line, msg, call);
}
