/* forecast_metrics.c: model and baseline errors per horizon step (forecast_metrics.h).
 * Arithmetic on RegressionErrors only: no I/O, no communication. */
#include "forecast_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"

const char *const forecast_source_names[] = {"model", "persistence", "seasonal", 0};

static RegressionErrors *step_state(const ForecastErrors *f, int source, int step) {
    return &f->by_step[source * f->horizon + step];
}

void forecast_errors_init(ForecastErrors *f, int horizon, int num_targets, int season, const double *offset,
                          const double *factor) {
    memset(f, 0, sizeof *f);
    f->horizon = horizon, f->num_targets = num_targets, f->season = season;
    int C = horizon * num_targets;
    f->by_step = xcalloc((size_t)(FORECAST_SOURCES * horizon), sizeof(RegressionErrors), "forecast errors");
    for (int s = 0; s < FORECAST_SOURCES; s++) {
        regression_errors_init(&f->overall[s], C, offset, factor);
        for (int h = 0; h < horizon; h++)
            regression_errors_init(step_state(f, s, h), num_targets, offset ? offset + h * num_targets : NULL,
                                   factor ? factor + h * num_targets : NULL);
    }
}

int forecast_errors_count(const ForecastErrors *f) { return FORECAST_SOURCES * (1 + f->horizon); }

int forecast_errors_parts(ForecastErrors *f, RegressionErrors **parts) {
    int n = 0;
    for (int s = 0; s < FORECAST_SOURCES; s++) {
        parts[n++] = &f->overall[s];
        for (int h = 0; h < f->horizon; h++) parts[n++] = step_state(f, s, h);
    }
    return n;
}

void forecast_errors_reset(ForecastErrors *f) {
    for (int s = 0; s < FORECAST_SOURCES && f->horizon; s++) {
        regression_errors_reset(&f->overall[s]);
        for (int h = 0; h < f->horizon; h++) regression_errors_reset(step_state(f, s, h));
    }
}

void forecast_errors_free(ForecastErrors *f) {
    for (int s = 0; s < FORECAST_SOURCES && f->horizon; s++) {
        regression_errors_free(&f->overall[s]);
        for (int h = 0; h < f->horizon; h++) regression_errors_free(step_state(f, s, h));
    }
    free(f->by_step);
    memset(f, 0, sizeof *f);
}

void forecast_errors_add(ForecastErrors *f, int source, const double *predicted, const double *target) {
    int K = f->num_targets;
    regression_errors_add_levels(&f->overall[source], predicted, target);
    for (int h = 0; h < f->horizon; h++)
        regression_errors_add_levels(step_state(f, source, h), predicted + h * K, target + h * K);
}

void forecast_errors_merge(ForecastErrors *dst, const ForecastErrors *src) {
    if (dst->horizon != src->horizon || dst->num_targets != src->num_targets)
        recur_die(EXIT_RUNTIME, "forecast_errors_merge: horizon %d x %d targets against %d x %d", dst->horizon,
                  dst->num_targets, src->horizon, src->num_targets);
    for (int s = 0; s < FORECAST_SOURCES && dst->horizon; s++) {
        regression_errors_merge(&dst->overall[s], &src->overall[s]);
        for (int h = 0; h < dst->horizon; h++) regression_errors_merge(step_state(dst, s, h), step_state(src, s, h));
    }
}

int forecast_has_source(const ForecastErrors *f, int source) {
    return f->horizon > 0 && (source != FORECAST_SEASONAL || f->season > 0);
}

ForecastScore forecast_score(ForecastErrors *f, int source, int step) {
    RegressionErrors *r = step < 0 ? &f->overall[source] : step_state(f, source, step);
    return (ForecastScore){regression_mae(r), regression_rmse(r), regression_median_ae(r)};
}

double forecast_skill(double model_mae, double baseline_mae) {
    return baseline_mae > 0 ? 1 - model_mae / baseline_mae : NAN;
}
