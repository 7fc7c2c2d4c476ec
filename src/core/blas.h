/* blas.h: the matrix products the CPU model path uses, on `real` (float or double).
 *
 * All matrices are row-major. gemm computes C[M,N] = alpha * op(A) op(B) + beta * C with
 * op(X) = X or X^T (trans_a/trans_b nonzero = transposed); lda/ldb/ldc are row strides.
 * Backed by OpenBLAS CBLAS (sgemm or dgemm by the build). */
#ifndef RECUR_BLAS_H
#define RECUR_BLAS_H

#include "real.h"

void gemm(int trans_a, int trans_b, int M, int N, int K, real alpha, const real *A, int lda,
          const real *B, int ldb, real beta, real *C, int ldc);

/* The CPU backend's thread budget (the `threads` key; by default OpenBLAS's count at
 * start-up). OpenBLAS itself runs every call on one thread (blas.c). */
int blas_threads(void);
void blas_set_threads(int n);

#endif
