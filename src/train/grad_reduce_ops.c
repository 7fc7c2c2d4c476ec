/* grad_reduce_ops.c: a model backend as the gradient reducer's GradBuffers
 * (grad_reduce_ops.h). */
#include "grad_reduce_ops.h"

GradBuffers grad_buffers_of(const ModelOps *ops) {
    return (GradBuffers){.scale = ops->scale, .device = ops->cuda};
}

void grad_reduce_init(GradReducer *g, const Comm *c, const ModelOps *ops, real *grads, size_t n,
                      int overlap) {
    grad_reduce_open(g, c, grad_buffers_of(ops), grads, n, overlap);
}
