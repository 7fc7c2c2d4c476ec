/* series_ops.h: the numeric steps of the series converters (prep_series.c) between the
 * parsed table and the windows — filling missing values, splitting rows by time, fitting
 * a scaler on the training rows, counting windows, the rise label. Pure functions of
 * their arguments: no allocation, no output, no exit (unit-tested on hand-computed
 * columns in tests/prep/test_series_unit.c). */
#ifndef RECUR_SERIES_OPS_H
#define RECUR_SERIES_OPS_H

#include "config/prep_config.h"
#include "data/dataset_schema.h"

/* Fills the NaNs of x[0..n) in place:
 *   MISSING_FFILL:       a gap takes the last value before it;
 *   MISSING_INTERPOLATE: a gap takes the straight line between the values around it;
 * under both, a gap at the start takes the first value (backfill) and, for interpolate,
 * a gap at the end takes the last value. Returns the count filled, or -1 when x has no
 * value at all (x unchanged). Other rules fill nothing and return 0. */
long series_fill(double *x, long n, MissingRule rule);

/* Rows of each split, in time order train, valid, test: test = floor(n * test_fraction),
 * valid = floor(n * valid_fraction) (plus 1e-9 against rounding, so 100 * 0.29 is 29),
 * train the rest. */
void series_split_rows(long n, double valid_fraction, double test_fraction, long rows[SPLIT_COUNT]);

/* The scaler of one feature from its training values x[0..n): scaled = (x - offset) /
 * factor. minmax: offset min, factor max - min; zscore: offset mean, factor population
 * standard deviation; none: 0 and 1. A constant column (min == max, or n == 0) gets
 * factor 1, so it scales to 0 (minmax, zscore) rather than dividing by zero. The offset
 * is always finite; the minmax factor is +inf when max - min overflows a double. */
void series_fit_scaler(const double *x, long n, ScaleKind kind, double *offset, double *factor);

/* Windows in `rows` rows: starts 0, stride, 2*stride, ... while start + span <= rows
 * (span = input_steps + horizon); 0 when one does not fit. */
long series_window_count(long rows, int span, int stride);

/* Classify label of the window starting at row s of x (real units): 1 when
 * x[s + input_steps - 1 + horizon] - x[s + input_steps - 1] > threshold, else 0. */
int series_rise_label(const double *x, long s, int input_steps, int horizon, double threshold);

#endif
