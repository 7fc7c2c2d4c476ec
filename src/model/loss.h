/* loss.h: losses on a block of predictions, mean over the items they count.
 * Shapes: logits [N][C]; labels [N] (cross-entropy) or targets [N][C] (the others); valid
 * [N] marks rows that exist (NULL: all). Cross-entropy counts valid rows whose label is
 * not ignore_index; the others count valid rows x C. The mean divides by that count. */
#ifndef RECUR_LOSS_H
#define RECUR_LOSS_H

#include <stdint.h>

#include "../core/real.h"
#include "model_config.h"

typedef struct LossInput {
    LossType type;
    int N, C;
    const real *logits;
    const uint8_t *valid;
    const int32_t *labels;
    const real *targets;
    int ignore_index;
    real huber_delta;
} LossInput;

/* Returns the mean loss (0 when nothing is counted) and the count in *counted. A label
 * outside [0, C) that is not ignore_index ends the job with a message naming the row. */
real loss_forward(const LossInput *in, long *counted);
/* The count loss_forward divides by, from the labels alone (host memory): rows are
 * time-major t*B+b and row n exists when lengths is NULL or n/B < lengths[n%B]; in->valid
 * and the logits are not read. A label out of range ends the job as in loss_forward. */
long loss_count(const LossInput *in, int B, const int32_t *lengths);
/* Overwrites dlogits [N][C] with d(mean loss)/d(logits). When `loss` (the forward's mean;
 * NULL: not checked) is not finite, with NaN instead: a non-finite loss then always shows
 * as a non-finite gradient, on every rank after the all-reduce, and the step is skipped
 * everywhere alike (train.c). */
void loss_backward(const LossInput *in, long counted, const double *loss, real *dlogits);

#endif
