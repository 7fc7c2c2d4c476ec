/* regression_metrics.h: errors of regression outputs in the data's real units — MAE,
 * RMSE, median absolute error, MAPE — accumulated batch by batch.
 *
 * Predictions and targets arrive scaled, as rows of `outputs` values; output c in real
 * units is scaled * factor[c] + offset[c] (the stored scaler, undone). An item is one
 * output of one example, and every metric runs over all items of all examples:
 *   MAE = sum|e| / items, RMSE = sqrt(sum e^2 / items), e = real prediction - real target,
 *     computed as (scaled prediction - scaled target) * factor (the offset cancels);
 *   median_ae = the exact median of |e| (even count: mean of the two middle values, as
 *     numpy.median);
 *   MAPE = 100 * sum(|e| / |target|) / counted, in percent, over the items whose real
 *     |target| > MAPE_NEAR_ZERO * factor[c] (a tenth of the scaler's unit: the standard
 *     deviation (zscore) or the range (minmax) of the training values; 0.1 without a
 *     scaler) and > MAPE_MIN_TARGET; the others, near zero, are counted as excluded: a
 *     series that crosses zero would otherwise give a MAPE of 1e7 % from one item.
 *
 * State ranks can combine exactly: `sums` (doubles) and `counts` (int64) are plain arrays
 * summed element by element; `abs_errors` holds every item's |e| (in the order added), to
 * be concatenated on one rank for the median. regression_errors_merge does both. This
 * module does no I/O. */
#ifndef RECUR_REGRESSION_METRICS_H
#define RECUR_REGRESSION_METRICS_H

#include <stdint.h>

#include "core/real.h"

#define MAPE_MIN_TARGET 1e-8
#define MAPE_NEAR_ZERO 0.1

enum { REG_ABS_SUM, REG_SQUARED_SUM, REG_APE_SUM, REG_SUMS };          /* sums[] */
enum { REG_ITEMS, REG_APE_COUNTED, REG_APE_EXCLUDED, REG_COUNTS };     /* counts[] */

typedef struct RegressionErrors {
    int outputs;
    double *offset, *factor;      /* [outputs], copies of the scaler */
    double sums[REG_SUMS];        /* sum|e|, sum e^2, sum |e|/|target| (MAPE items) */
    int64_t counts[REG_COUNTS];   /* items, MAPE items counted, MAPE items excluded */
    double *abs_errors;           /* [abs_count] |e| of each item */
    int64_t abs_count, abs_capacity;
} RegressionErrors;

/* offset / factor may be NULL: the identity scaler (0, 1). */
void regression_errors_init(RegressionErrors *r, int outputs, const double *offset, const double *factor);
void regression_errors_reset(RegressionErrors *r);
void regression_errors_free(RegressionErrors *r);
/* Adds rows x outputs items: predicted and target are [rows][outputs], scaled units. */
void regression_errors_add(RegressionErrors *r, const real *predicted, const real *target, long rows);
/* The same for one example given as scaled levels in double precision (a forecast mapped
 * back from its window, or a baseline): predicted and target [outputs]. */
void regression_errors_add_levels(RegressionErrors *r, const double *predicted, const double *target);
/* Appends n absolute errors (real units) to abs_errors; sums and counts are untouched.
 * abs_errors must not point into r's own array. */
void regression_errors_append_abs(RegressionErrors *r, const double *abs_errors, int64_t n);
/* dst += src: sums and counts added, src's absolute errors appended after dst's;
 * src != dst. */
void regression_errors_merge(RegressionErrors *dst, const RegressionErrors *src);
/* The raw absolute errors and their number (for a gather to one rank). */
const double *regression_errors_abs(const RegressionErrors *r, int64_t *count);

/* 0 when no item was added. */
double regression_mae(const RegressionErrors *r);
double regression_rmse(const RegressionErrors *r);
/* Reorders abs_errors (their order carries no meaning); 0 when empty. */
double regression_median_ae(RegressionErrors *r);
/* Percent; NaN when every item was near zero. */
double regression_mape(const RegressionErrors *r);

/* The exact median of v[0..n) (mean of the two middle values when n is even), found by
 * selection in O(n): reorders v. 0 when n is 0; NaN when any value is NaN. */
double median_in_place(double *v, int64_t n);

#endif
