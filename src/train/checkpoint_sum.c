/* checkpoint_sum.c: checksums and the finiteness check of checkpoint tensors
 * (checkpoint_sum.h). Pure functions over buffers; no files. */
#include "checkpoint_sum.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/hash.h"

uint64_t checkpoint_values_sum(const real *values, size_t n, size_t stored_bytes) {
    uint64_t h = FNV1A64_START;
    if (stored_bytes == sizeof(real)) return fnv1a64(h, values, n * sizeof(real));
    for (size_t i = 0; i < n; i++) { /* another precision in the file than in memory */
        float f = (float)values[i];
        double d = (double)values[i];
        h = stored_bytes == sizeof f ? fnv1a64(h, &f, sizeof f) : fnv1a64(h, &d, sizeof d);
    }
    return h;
}

uint64_t checkpoint_sum_fold(uint64_t state, uint64_t value) { return fnv1a64(state, &value, sizeof value); }

void checkpoint_sum_format(uint64_t sum, char out[17]) { snprintf(out, 17, "%016" PRIx64, sum); }

int checkpoint_sum_parse(const char *text, uint64_t *sum) {
    char *end;
    if (strlen(text) != 16) return 0;
    *sum = strtoull(text, &end, 16);
    return *end == 0;
}

void checkpoint_require_finite(const char *file, const char *tensor, const real *values, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(values[i]))
            recur_die(EXIT_USAGE, "%s: tensor %s holds a non-finite value (%s at element %zu): the weights are "
                      "unusable; use an earlier checkpoint", file, tensor, isnan(values[i]) ? "nan" : "inf", i);
}
