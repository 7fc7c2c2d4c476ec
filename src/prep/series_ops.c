/* series_ops.c: missing-value filling, time splits, scalers, window counts (series_ops.h).
 * Pure arithmetic on arrays it is given; it must not allocate, print or exit. */
#include "series_ops.h"

#include <math.h>

/* Index of the first value at or after i, or n. */
static long next_value(const double *x, long n, long i) {
    while (i < n && isnan(x[i])) i++;
    return i;
}

long series_fill(double *x, long n, MissingRule rule) {
    if (rule != MISSING_FFILL && rule != MISSING_INTERPOLATE) return 0;
    long first = next_value(x, n, 0), filled = 0;
    if (first == n) return n ? -1 : 0;
    for (long i = 0; i < first; i++, filled++) x[i] = x[first]; /* backfill the start */
    for (long i = first + 1; i < n; i++) {
        if (!isnan(x[i])) continue;
        long end = next_value(x, n, i); /* gap i .. end-1, x[i-1] before it */
        double before = x[i - 1];
        for (long k = i; k < end; k++, filled++) {
            int interpolate = rule == MISSING_INTERPOLATE && end < n;
            x[k] = interpolate ? before + (x[end] - before) * (double)(k - i + 1) / (double)(end - i + 1)
                               : before;
        }
        i = end;
    }
    return filled;
}

void series_split_rows(long n, double valid_fraction, double test_fraction, long rows[SPLIT_COUNT]) {
    rows[SPLIT_TEST] = (long)floor((double)n * test_fraction + 1e-9);
    rows[SPLIT_VALID] = (long)floor((double)n * valid_fraction + 1e-9);
    rows[SPLIT_TRAIN] = n - rows[SPLIT_VALID] - rows[SPLIT_TEST];
}

void series_fit_scaler(const double *x, long n, ScaleKind kind, double *offset, double *factor) {
    *offset = 0, *factor = 1;
    if (kind == SCALE_NONE || n <= 0) return;
    double lo = x[0], hi = x[0];
    long double sum = 0; /* long double: no overflow near DBL_MAX, less rounding on long columns */
    for (long i = 0; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
        sum += x[i];
    }
    if (kind == SCALE_MINMAX) {
        *offset = lo;
        *factor = hi > lo ? (double)((long double)hi - lo) : 1;
        return;
    }
    long double mean = sum / n, squares = 0;
    for (long i = 0; i < n; i++) squares += (x[i] - mean) * (x[i] - mean);
    *offset = (double)mean;
    *factor = hi > lo ? (double)sqrtl(squares / n) : 1;
    if (*factor == 0) *factor = 1; /* values so close that their deviation underflows */
}

long series_window_count(long rows, int span, int stride) {
    if (span < 1 || stride < 1 || rows < span) return 0;
    return (rows - span) / stride + 1;
}

int series_rise_label(const double *x, long s, int input_steps, int horizon, double threshold) {
    long now = s + input_steps - 1;
    return x[now + horizon] - x[now] > threshold;
}
