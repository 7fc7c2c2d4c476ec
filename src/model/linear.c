/* linear.c: a linear map with bias — the heads' fully connected layers and the recurrent
 * layers' whole-sequence input projections and weight gradients — and tanh for the heads.
 * A backend that fuses the bias into the product (ops->gemm_bias / gemm_tn_sums: the CPU's
 * packed kernel, cuBLASLt epilogues on the GPU) does so; otherwise the product and a bias
 * pass. */
#include "linear.h"

#include "../core/activations.h"

void linear_forward(const ModelOps *ops, int N, int I, int O, const real *x, const real *w,
                    const real *b, real *y) {
    if (ops->gemm_bias && ops->gemm_bias(N, O, I, x, I, w, I, b, y, O)) return;
    ops->gemm(0, 1, N, O, I, 1, x, I, w, I, 0, y, O);
    ops->add_row_bias(N, O, b, y);
}

void linear_weight_grads(const ModelOps *ops, int N, int O, const real *dy, int count, const TnRight *in,
                         real *db, real *db2) {
    if (ops->gemm_tn_sums && ops->gemm_tn_sums(O, N, dy, O, count, in, db, db2)) return;
    for (int r = 0; r < count; r++) ops->gemm(1, 0, O, in[r].N, N, 1, dy, O, in[r].B, in[r].ldb, 1, in[r].C, in[r].ldc);
    ops->add_column_sums(N, O, dy, db);
    if (db2) ops->add_column_sums(N, O, dy, db2);
}

void linear_weight_grad(const ModelOps *ops, int N, int I, int O, const real *x, const real *dy,
                        real *dw, real *db, real *db2) {
    TnRight in = {x, I, I, dw, I};
    linear_weight_grads(ops, N, O, dy, 1, &in, db, db2);
}

void linear_backward(const ModelOps *ops, int N, int I, int O, const real *x, const real *w,
                     const real *dy, real *dw, real *db, real *dx) {
    linear_weight_grad(ops, N, I, O, x, dy, dw, db, NULL);
    if (dx) ops->gemm(0, 0, N, I, O, 1, dy, O, w, I, 0, dx, I);
}

void tanh_forward(long n, real *y) {
    for (long i = 0; i < n; i++) y[i] = act_tanh(y[i]);
}

void tanh_backward(long n, const real *y, real *dy) {
    for (long i = 0; i < n; i++) dy[i] *= 1 - y[i] * y[i];
}
