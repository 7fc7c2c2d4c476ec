/* window_transform.c: the per-window arithmetic of window_transform.h. No I/O, no
 * allocation: callers own every buffer. */
#include "window_transform.h"

#include <math.h>

int window_transform_is_identity(const WindowTransform *w) {
    return !w || (w->target != TARGET_DELTA && w->norm == WINDOW_NORM_NONE);
}

static void mean_and_std(const float *rows, int T, int F, int f, double *mean, double *std) {
    double sum = 0, squares = 0;
    for (int t = 0; t < T; t++) sum += rows[(long)t * F + f];
    *mean = sum / T;
    for (int t = 0; t < T; t++) {
        double d = rows[(long)t * F + f] - *mean;
        squares += d * d;
    }
    *std = sqrt(squares / T);
}

void window_stats(const WindowTransform *w, const float *rows, double *centre, double *spread) {
    int T = w->input_steps, F = w->num_features;
    for (int f = 0; f < F; f++) {
        centre[f] = 0, spread[f] = 1;
        if (w->norm == WINDOW_NORM_LAST) centre[f] = rows[(long)(T - 1) * F + f];
        if (w->norm != WINDOW_NORM_STANDARD) continue;
        double mean, std;
        mean_and_std(rows, T, F, f, &mean, &std);
        centre[f] = mean;
        spread[f] = std >= WINDOW_MIN_SPREAD ? std : 1;
    }
}

void window_output_map(const WindowTransform *w, const float *rows, const double *centre,
                       const double *spread, double *base, double *scale) {
    int T = w->input_steps, F = w->num_features, K = w->num_targets;
    for (int h = 0; h < w->horizon; h++)
        for (int k = 0; k < K; k++) {
            int c = h * K + k, f = w->target_features[k];
            if (w->target == TARGET_DELTA) {
                base[c] = rows[(long)(T - 1) * F + f];
                scale[c] = spread[f] * w->change_factor[c];
            } else {
                base[c] = centre[f], scale[c] = spread[f];
            }
        }
}

void window_persistence(const WindowTransform *w, const float *rows, double *out) {
    int T = w->input_steps, F = w->num_features, K = w->num_targets;
    for (int h = 0; h < w->horizon; h++)
        for (int k = 0; k < K; k++) out[h * K + k] = rows[(long)(T - 1) * F + w->target_features[k]];
}

void window_seasonal(const WindowTransform *w, const float *rows, int season, double *out) {
    int T = w->input_steps, F = w->num_features, K = w->num_targets;
    for (int h = 0; h < w->horizon; h++) {
        int ahead = h + 1, back = season * ((ahead + season - 1) / season);
        long row = T - 1 + ahead - back;
        for (int k = 0; k < K; k++) out[h * K + k] = rows[row * F + w->target_features[k]];
    }
}
