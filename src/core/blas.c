/* blas.c: gemm and the row/column helpers of blas.h, mapped onto OpenBLAS CBLAS. */
#include "blas.h"

#include <cblas.h>

void gemm(int trans_a, int trans_b, int M, int N, int K, real alpha, const real *A, int lda,
          const real *B, int ldb, real beta, real *C, int ldc) {
    if (M == 0 || N == 0) return;
#ifdef RECUR_REAL_DOUBLE
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

int blas_threads(void) { return openblas_get_num_threads(); }
void blas_set_threads(int n) { openblas_set_num_threads(n); }

void add_column_sums(int rows, int cols, const real *X, real *out) {
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) out[j] += X[(long)i * cols + j];
}

void add_row_bias(int rows, int cols, const real *bias, real *Y) {
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) Y[(long)i * cols + j] += bias[j];
}
