/* window_setup.c: resolving and checking a run's window transform (window_setup.h). */
#include "window_setup.h"

#include <string.h>

#include "core/check.h"

static TargetKind resolve_target(const TrainConfig *t, const DatasetMeta *m, const char *data) {
    if (m->task != TASK_REGRESS) return TARGET_LEVEL;
    if (t->target == TARGET_AUTO) return m->change_factor ? TARGET_DELTA : TARGET_LEVEL;
    if (t->target == TARGET_DELTA && !m->change_factor)
        recur_die(EXIT_USAGE, "target: delta needs the change scaler that recur prep series writes, and %s"
                  " has none (made by an older recur): run recur prep again, or set target = level", data);
    return t->target;
}

void window_setup(WindowTransform *w, const TrainConfig *t, const DatasetMeta *m, const char *data) {
    memset(w, 0, sizeof *w);
    w->target = TARGET_LEVEL, w->norm = WINDOW_NORM_NONE;
    if (m->input != INPUT_SERIES) return;
    w->target = resolve_target(t, m, data);
    w->norm = t->window_norm;
    w->num_features = (int)m->num_features, w->input_steps = m->input_steps;
    w->horizon = m->task == TASK_REGRESS ? m->horizon : 0;
    w->num_targets = m->task == TASK_REGRESS ? m->num_targets : 0;
    w->target_features = m->target_features;
    w->change_factor = m->change_factor;
    if (m->task == TASK_REGRESS && t->season > m->input_steps)
        recur_die(EXIT_USAGE, "season: %d steps is longer than the windows of %s (input_steps = %d): the"
                  " seasonal-naive baseline needs one whole season inside the window", t->season, data,
                  m->input_steps);
}
