/* grad_reduce_ops.h: the trainer's side of the gradient reducer — it describes the model's
 * backend (model/ops.h) to comm/grad_reduce.h as GradBuffers, so comm never sees the model.
 * Only that translation: no reducing, no choice of backend (train_device.h does that). */
#ifndef RECUR_GRAD_REDUCE_OPS_H
#define RECUR_GRAD_REDUCE_OPS_H

#include <stddef.h>

#include "comm/grad_reduce.h"
#include "model/ops.h"

/* The gradient buffers of a model on `ops`: its scale op, in device memory when CUDA. */
GradBuffers grad_buffers_of(const ModelOps *ops);
/* grad_reduce_open for gradients `grads` [n] of a model on `ops`. */
void grad_reduce_init(GradReducer *g, const Comm *c, const ModelOps *ops, real *grads, size_t n,
                      int overlap);

#endif
