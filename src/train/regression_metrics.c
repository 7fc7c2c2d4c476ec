/* regression_metrics.c: real-unit regression errors and their summaries
 * (regression_metrics.h). Pure arithmetic: no I/O, no communication. */
#include "regression_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"

void regression_errors_init(RegressionErrors *r, int outputs, const double *offset, const double *factor) {
    memset(r, 0, sizeof *r);
    r->outputs = outputs;
    size_t n = outputs > 0 ? (size_t)outputs : 1;
    r->offset = xmalloc(sizeof(double) * n, "regression scaler");
    r->factor = xmalloc(sizeof(double) * n, "regression scaler");
    for (int c = 0; c < outputs; c++) {
        r->offset[c] = offset ? offset[c] : 0;
        r->factor[c] = factor ? factor[c] : 1;
    }
}

void regression_errors_reset(RegressionErrors *r) {
    memset(r->sums, 0, sizeof r->sums);
    memset(r->counts, 0, sizeof r->counts);
    r->abs_count = 0;
}

void regression_errors_free(RegressionErrors *r) {
    free(r->offset), free(r->factor), free(r->abs_errors);
    memset(r, 0, sizeof *r);
}

/* Room for `more` absolute errors after the abs_count already held. */
static void reserve_abs(RegressionErrors *r, int64_t more) {
    int64_t need = r->abs_count + more;
    if (need <= r->abs_capacity) return;
    int64_t cap = r->abs_capacity ? r->abs_capacity : 1024;
    while (cap < need) cap *= 2;
    double *grown = xmalloc(sizeof(double) * (size_t)cap, "absolute errors");
    if (r->abs_count) memcpy(grown, r->abs_errors, sizeof(double) * (size_t)r->abs_count);
    free(r->abs_errors);
    r->abs_errors = grown, r->abs_capacity = cap;
}

/* One item: prediction and target of output c, scaled. */
static void add_item(RegressionErrors *r, int c, double predicted, double target) {
    double error = fabs((predicted - target) * r->factor[c]);
    double real_target = target * r->factor[c] + r->offset[c];
    r->sums[REG_ABS_SUM] += error;
    r->sums[REG_SQUARED_SUM] += error * error;
    r->counts[REG_ITEMS]++;
    double near_zero = MAPE_NEAR_ZERO * fabs(r->factor[c]);
    if (fabs(real_target) > (near_zero > MAPE_MIN_TARGET ? near_zero : MAPE_MIN_TARGET)) {
        r->sums[REG_APE_SUM] += error / fabs(real_target);
        r->counts[REG_APE_COUNTED]++;
    } else {
        r->counts[REG_APE_EXCLUDED]++;
    }
    r->abs_errors[r->abs_count++] = error;
}

void regression_errors_add(RegressionErrors *r, const real *predicted, const real *target, long rows) {
    int C = r->outputs;
    reserve_abs(r, (int64_t)rows * C);
    for (long i = 0; i < rows; i++)
        for (int c = 0; c < C; c++) add_item(r, c, predicted[i * C + c], target[i * C + c]);
}

void regression_errors_add_levels(RegressionErrors *r, const double *predicted, const double *target) {
    reserve_abs(r, r->outputs);
    for (int c = 0; c < r->outputs; c++) add_item(r, c, predicted[c], target[c]);
}

void regression_errors_append_abs(RegressionErrors *r, const double *abs_errors, int64_t n) {
    if (n <= 0) return;
    reserve_abs(r, n);
    memcpy(r->abs_errors + r->abs_count, abs_errors, sizeof(double) * (size_t)n);
    r->abs_count += n;
}

void regression_errors_merge(RegressionErrors *dst, const RegressionErrors *src) {
    if (dst == src) recur_die(EXIT_RUNTIME, "regression_errors_merge: a state merged into itself");
    if (dst->outputs != src->outputs)
        recur_die(EXIT_RUNTIME, "regression_errors_merge: %d outputs against %d", dst->outputs, src->outputs);
    for (int k = 0; k < REG_SUMS; k++) dst->sums[k] += src->sums[k];
    for (int k = 0; k < REG_COUNTS; k++) dst->counts[k] += src->counts[k];
    regression_errors_append_abs(dst, src->abs_errors, src->abs_count);
}

const double *regression_errors_abs(const RegressionErrors *r, int64_t *count) {
    *count = r->abs_count;
    return r->abs_errors;
}

double regression_mae(const RegressionErrors *r) {
    int64_t n = r->counts[REG_ITEMS];
    return n ? r->sums[REG_ABS_SUM] / (double)n : 0;
}

double regression_rmse(const RegressionErrors *r) {
    int64_t n = r->counts[REG_ITEMS];
    return n ? sqrt(r->sums[REG_SQUARED_SUM] / (double)n) : 0;
}

double regression_median_ae(RegressionErrors *r) { return median_in_place(r->abs_errors, r->abs_count); }

double regression_mape(const RegressionErrors *r) {
    int64_t n = r->counts[REG_APE_COUNTED];
    return n ? 100.0 * r->sums[REG_APE_SUM] / (double)n : NAN;
}

static void swap(double *a, double *b) {
    double t = *a;
    *a = *b, *b = t;
}

/* Median of v[lo], v[mid], v[hi]: the pivot, so sorted or reversed input stays O(n). */
static double pivot_of(const double *v, int64_t lo, int64_t hi) {
    double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
    if ((a <= b && b <= c) || (c <= b && b <= a)) return b;
    if ((b <= a && a <= c) || (c <= a && a <= b)) return a;
    return c;
}

/* The value that would sit at v[k] if v[0..n) were sorted; v ends partitioned around k
 * (everything before k is <= v[k]). Three-way partitions, so repeated values are cheap. */
static double select_kth(double *v, int64_t n, int64_t k) {
    int64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double p = pivot_of(v, lo, hi);
        int64_t lt = lo, i = lo, gt = hi;
        while (i <= gt) {
            if (v[i] < p) swap(&v[lt++], &v[i++]);
            else if (v[i] > p) swap(&v[i], &v[gt--]);
            else i++;
        }
        if (k < lt) hi = lt - 1;
        else if (k > gt) lo = gt + 1;
        else return v[k];
    }
    return v[k];
}

double median_in_place(double *v, int64_t n) {
    if (n <= 0) return 0;
    for (int64_t i = 0; i < n; i++)
        if (isnan(v[i])) return NAN; /* as numpy.median; selection needs an order */
    double upper = select_kth(v, n, n / 2);
    if (n % 2) return upper;
    double lower = v[0]; /* the largest of v[0 .. n/2), all <= upper */
    for (int64_t i = 1; i < n / 2; i++) lower = v[i] > lower ? v[i] : lower;
    return (lower + upper) / 2;
}
