/* fuzz_support.c: the few src/core/check.c symbols the parsers link against, for the fuzz
 * targets, which are built with clang and without MPI or HDF5 (check.c includes both).
 * xmalloc/xcalloc behave as check.c's do. recur_die aborts instead of exiting: a pure
 * parser must never end the process, so reaching it on any input is a bug, and abort()
 * makes libFuzzer save that input. It holds no other logic. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/check.h"

void recur_die(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz: recur_die(%d) reached (a pure parser must not exit): ", status);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void *xmalloc(size_t bytes, const char *what) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) recur_die(EXIT_RUNTIME, "out of memory allocating %zu bytes for %s", bytes, what);
    return p;
}

void *xcalloc(size_t count, size_t size, const char *what) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) recur_die(EXIT_RUNTIME, "out of memory allocating %zu x %zu bytes for %s", count, size, what);
    return p;
}
