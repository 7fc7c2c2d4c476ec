/* runtime_args.c: the run-time keys every checkpoint-reading command accepts
 * (runtime_args.h). */
#include "runtime_args.h"

#include <stdlib.h>
#include <string.h>

#include "core/blas.h"
#include "core/check.h"

static void set_threads(const char *arg, const char *value) {
    char *end;
    long n = strtol(value, &end, 10);
    if (!*value || *end || n < 0 || n > 4096)
        recur_die(EXIT_USAGE, "%s: expected a thread count of 0 to 4096 (0 = OpenBLAS's default)", arg);
    if (n > 0) blas_set_threads((int)n);
}

int runtime_arg(const char *arg) {
    if (!strncmp(arg, "--threads=", 10)) return set_threads(arg, arg + 10), 1;
    return 0;
}
