/* predict_windows.h: series input of `recur predict` (predict_input.h) — a CSV with a
 * header naming at least the checkpoint's feature columns (others ignored, any order) into
 * the scaled rows and the windows of input_steps consecutive rows (stride 1) of
 * in->data. A missing or non-numeric cell, a missing column, or fewer rows than
 * input_steps is exit 2 naming the input and line. */
#ifndef RECUR_PREDICT_WINDOWS_H
#define RECUR_PREDICT_WINDOWS_H

#include "data/dataset_meta.h"
#include "data/text_file.h"
#include "predict_input.h"

/* Fills in->data's rows, series, starts, n (and zero targets for regress), in->lines. */
void predict_read_windows(PredictInput *in, const TextFile *f, const DatasetMeta *m, char delimiter);

#endif
