/* window_transform.h: how one series window becomes the model's input and target, and
 * how the model's output becomes a forecast again (target = level | delta, window_norm =
 * none | last | standard; core/forecast_kinds.h), plus the baselines computed on the
 * same window (persistence, seasonal naive).
 *
 * Everything here is in the dataset's scaled units (the stored scaler of FORMATS.md,
 * fitted on train): rows [input_steps][num_features] of floats. Per feature f the window
 * has a centre c_f and a spread s_f:
 *   none: c = 0, s = 1;  last: c = the value at the last step, s = 1;
 *   standard: c = the window's mean, s = its population std (1 when below WINDOW_MIN_SPREAD).
 * Model input x'_f = (x_f - c_f) / s_f. Output c (= horizon step h * num_targets + target
 * k, feature f = target_features[k]) stands for the scaled level
 *   level = base_c + out_c * scale_c,
 *   target level:  base = c_f,              scale = s_f
 *   target delta:  base = last value of f,  scale = s_f * change_factor[c]
 * (change_factor: the root mean square of the scaled change at that step over the
 * training windows, recur prep's /change_scaler). So an output of 0 with target delta is
 * the last value itself, bit for bit: the persistence forecast. Level with none is the
 * identity and is never applied (window_transform_is_identity): old runs are unchanged.
 * Pure arithmetic: no I/O, no allocation. */
#ifndef RECUR_WINDOW_TRANSFORM_H
#define RECUR_WINDOW_TRANSFORM_H

#include <stdint.h>

#include "core/forecast_kinds.h"
#include "core/real.h"

#define WINDOW_MIN_SPREAD 1e-6

extern const char *const target_kind_names[];  /* config.c: "auto", "level", "delta" */
extern const char *const window_norm_names[];  /* config.c: "none", "last", "standard" */

typedef struct WindowTransform {
    TargetKind target;              /* TARGET_LEVEL or TARGET_DELTA (never auto once resolved) */
    WindowNorm norm;
    int num_features, input_steps, horizon, num_targets;
    const int32_t *target_features; /* [num_targets] feature index of each target */
    const double *change_factor;    /* [horizon * num_targets]; needed for delta only */
} WindowTransform;

/* NULL, or level targets with no window normalisation: inputs and targets as stored. */
int window_transform_is_identity(const WindowTransform *w);

/* Centre and spread of every feature of one window (rows [input_steps][num_features]). */
void window_stats(const WindowTransform *w, const float *rows, double *centre, double *spread);
/* base and scale [horizon * num_targets] of the outputs, from window_stats' values. */
void window_output_map(const WindowTransform *w, const float *rows, const double *centre,
                       const double *spread, double *base, double *scale);
/* Input feature f of one step: (x - centre) / spread. */
static inline real window_input(double x, double centre, double spread) {
    return (real)((x - centre) / spread);
}
/* The model's target for a stored (scaled) level, and the level for a model output. */
static inline real window_target(double level, double base, double scale) {
    return (real)((level - base) / scale);
}
static inline double window_level(double output, double base, double scale) {
    return base + output * scale;
}

/* Baselines of one window, scaled levels [horizon * num_targets]: persistence repeats the
 * last value; seasonal naive (season >= 1, at most input_steps) takes, for step h (0-based),
 * the value at row input_steps - 1 + (h + 1) - season * ceil((h + 1) / season): the same
 * phase of the last season observed. */
void window_persistence(const WindowTransform *w, const float *rows, double *out);
void window_seasonal(const WindowTransform *w, const float *rows, int season, double *out);

#endif
