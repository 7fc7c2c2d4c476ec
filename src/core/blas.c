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

/* recur's CPU threads, taken from OpenBLAS's count (OPENBLAS_NUM_THREADS, else its default)
 * the first time they are asked for; from then on OpenBLAS itself stays on one thread.
 * recur splits its work itself (cpu_parallel.h), and each change of OpenBLAS's count (once
 * made around every OpenBLAS call, e.g. a binary head's weight gradient) woke OpenBLAS's
 * idle worker, which then spun for ~0.1 s on the core recur's second thread needed. */
static int cpu_threads;

int blas_threads(void) {
    if (!cpu_threads) blas_set_threads(openblas_get_num_threads());
    return cpu_threads;
}

void blas_set_threads(int n) {
    cpu_threads = n > 0 ? n : 1;
    if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}
