/* linear.h: a fully connected layer y = x W^T + b on N rows, and tanh in place.
 * Shapes: x [N][I], W [O][I], b [O], y [N][O]. */
#ifndef RECUR_LINEAR_H
#define RECUR_LINEAR_H

#include "../core/real.h"
#include "ops.h"

void linear_forward(const ModelOps *ops, int N, int I, int O, const real *x, const real *w,
                    const real *b, real *y);
/* dW += dy^T x, db += colsum(dy), and db2 += colsum(dy) when not NULL (a second bias
 * that gets the same gradient: an RNN's or LSTM's b_hh). */
void linear_weight_grad(const ModelOps *ops, int N, int I, int O, const real *x, const real *dy,
                        real *dw, real *db, real *db2);
/* The weight gradients of `count` linear maps fed the same dy (N rows, O outputs):
 * in[r].C += dy^T in[r].B (B: that map's x [N][in[r].N]), db (db2) += colsum(dy) once;
 * a backend reads dy once for all of them where it can (ops.h gemm_tn_sums). */
void linear_weight_grads(const ModelOps *ops, int N, int O, const real *dy, int count, const TnRight *in,
                         real *db, real *db2);
/* dW += dy^T x, db += colsum(dy), dx = dy W (dx may be NULL). */
void linear_backward(const ModelOps *ops, int N, int I, int O, const real *x, const real *w,
                     const real *dy, real *dw, real *db, real *dx);
/* The CPU backend's tanh (ops->tanh_forward / tanh_backward on any backend). */
void tanh_forward(long n, real *y);
/* dy *= 1 - y^2, y being tanh's output. */
void tanh_backward(long n, const real *y, real *dy);

#endif
