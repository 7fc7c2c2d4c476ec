/* forecast_kinds.h: the two choices that say how a series window is presented to a
 * regression model — what its outputs mean (`target`) and how its inputs are normalised
 * (`window_norm`) — as plain enums, shared by the settings (config/) and the data side
 * (data/window_transform.h) without either including the other. Names only; the
 * arithmetic is window_transform.c's. */
#ifndef RECUR_FORECAST_KINDS_H
#define RECUR_FORECAST_KINDS_H

/* target: auto = delta when the dataset has a change scaler (made by recur prep series
 * since it writes one), level otherwise (older files: today's behaviour). */
typedef enum { TARGET_AUTO, TARGET_LEVEL, TARGET_DELTA } TargetKind;
/* window_norm: none; last = every feature minus its value at the window's last step;
 * standard = every feature minus its window mean, divided by its window std. */
typedef enum { WINDOW_NORM_NONE, WINDOW_NORM_LAST, WINDOW_NORM_STANDARD } WindowNorm;

#endif
