/* window_setup.h: the WindowTransform (data/window_transform.h) a run applies to its
 * series windows, from its settings (target, window_norm) and its data's meta (target
 * features, change scaler): `target = auto` resolved (delta when the data has a change
 * scaler), and the settings checked against the data — one line and exit 2 naming the
 * key when they do not fit. The same function serves train, eval and predict, so the three
 * always agree. It does not read files. */
#ifndef RECUR_WINDOW_SETUP_H
#define RECUR_WINDOW_SETUP_H

#include "config/config.h"
#include "data/dataset_meta.h"
#include "data/window_transform.h"

/* w points into m (target features, change scaler): m must outlive it. `data` names the
 * dataset or checkpoint in messages. Token input: an identity transform. */
void window_setup(WindowTransform *w, const TrainConfig *t, const DatasetMeta *m, const char *data);

#endif
