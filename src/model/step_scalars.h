/* step_scalars.h: the values of one training step that change from step to step while
 * the batch's shape (T, B) stays the same — the dropout seed, the loss's item count, this
 * rank's share of the global batch, the optimizer's rate and bias corrections. The host
 * fills them in before the step and uploads them in one copy (model_prepare); the ops read
 * them from backend memory, so the work a step queues depends on its shape alone and can
 * be captured once and replayed (train/step_graph.h). Plain data: nothing here computes. */
#ifndef RECUR_STEP_SCALARS_H
#define RECUR_STEP_SCALARS_H

#include <stdint.h>

#include "core/optimizer_math.h"
#include "core/real.h"

typedef struct StepScalars {
    OptimizerUpdate update; /* the optimizer's step (training; optimizer_begin_step) */
    double loss_count;      /* items the loss's mean is over (loss_count) */
    uint64_t dropout_seed;  /* dropout masks are drawn from (seed, layer, position) */
    real grad_scale;        /* this rank's items / the global batch's, applied before the sum */
} StepScalars;

#endif
