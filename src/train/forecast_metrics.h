/* forecast_metrics.h: a forecaster against the naive baselines on the same windows —
 * the model, persistence (the last observed value) and seasonal naive (the value one
 * season earlier; window_transform.h) — each with MAE, RMSE and median absolute error in
 * real units, per horizon step and over all steps, and the model's skill against each
 * baseline: skill = 1 - MAE_model / MAE_baseline (above 0: better than the baseline).
 *
 * Every error state is a RegressionErrors (regression_metrics.h), so ranks combine them
 * exactly as they combine the model's overall errors (forecast_errors_parts lists them).
 * Step h's state has one output per target; the overall one horizon x targets. An
 * example arrives as scaled levels [horizon * num_targets] (c = h * num_targets + k).
 * This module does no I/O and runs no model. */
#ifndef RECUR_FORECAST_METRICS_H
#define RECUR_FORECAST_METRICS_H

#include "regression_metrics.h"

enum { FORECAST_MODEL, FORECAST_PERSISTENCE, FORECAST_SEASONAL, FORECAST_SOURCES };
extern const char *const forecast_source_names[]; /* "model", "persistence", "seasonal" */

typedef struct ForecastErrors {
    int horizon, num_targets;   /* 0: not in use (not a series regression) */
    int season;                 /* 0: no seasonal-naive baseline */
    RegressionErrors overall[FORECAST_SOURCES];
    RegressionErrors *by_step;  /* [FORECAST_SOURCES][horizon] */
} ForecastErrors;

/* One source's summary, over all steps or at one step. */
typedef struct ForecastScore {
    double mae, rmse, median_ae;
} ForecastScore;

/* offset, factor [horizon * num_targets]: the target scaler of each output (NULL: identity). */
void forecast_errors_init(ForecastErrors *f, int horizon, int num_targets, int season, const double *offset,
                          const double *factor);
void forecast_errors_reset(ForecastErrors *f);
void forecast_errors_free(ForecastErrors *f);
/* One example of one source: predicted and target levels [horizon * num_targets]. */
void forecast_errors_add(ForecastErrors *f, int source, const double *predicted, const double *target);
/* dst += src (same sizes, else exit 1). */
void forecast_errors_merge(ForecastErrors *dst, const ForecastErrors *src);
/* Every state, for combining across ranks: fills parts (room for forecast_errors_count)
 * and returns how many. */
int forecast_errors_count(const ForecastErrors *f);
int forecast_errors_parts(ForecastErrors *f, RegressionErrors **parts);

/* Whether a source is present (seasonal needs season > 0). */
int forecast_has_source(const ForecastErrors *f, int source);
/* step -1: over all steps; else 0 .. horizon-1. Reorders that state's absolute errors. */
ForecastScore forecast_score(ForecastErrors *f, int source, int step);
/* 1 - model MAE / baseline MAE; NaN when the baseline's MAE is 0. */
double forecast_skill(double model_mae, double baseline_mae);

#endif
