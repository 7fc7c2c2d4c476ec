/* linear.h: a linear map y = x W^T + b on N rows (the heads' layers, the recurrent layers'
 * input projections and weight gradients), and tanh in place.
 * Shapes: x [N][I], W [O][I], b [O], y [N][O]. */
#ifndef RECUR_LINEAR_H
#define RECUR_LINEAR_H

#include "../core/real.h"
#include "ops.h"

void linear_forward(const ModelOps *ops, int N, int I, int O, const real *x, const real *w,
                    const real *b, real *y);
/* dW += dy^T x, db += colsum(dy). */
void linear_weight_grad(const ModelOps *ops, int N, int I, int O, const real *x, const real *dy,
                        real *dw, real *db);
/* linear_weight_grad, and dx = dy W (dx may be NULL). */
void linear_backward(const ModelOps *ops, int N, int I, int O, const real *x, const real *w,
                     const real *dy, real *dw, real *db, real *dx);
/* The CPU backend's tanh (ops->tanh_forward / tanh_backward on any backend). */
void tanh_forward(long n, real *y);
/* dy *= 1 - y^2, y being tanh's output. */
void tanh_backward(long n, const real *y, real *dy);

#endif
