/* emu_blas_common.h: what the emulated cuBLAS (emu_blas.cpp) and cuBLASLt (emu_blaslt.cpp)
 * share — the argument checks by column-major rules, the rule-violation report, and the
 * reference product both queue (plain loops in double, or OpenBLAS with RECUR_EMU_GEMM=blas;
 * TF32 rounding of the inputs when asked). Not for code outside tests/gpu_emulator. */
#ifndef RECUR_EMU_BLAS_COMMON_H
#define RECUR_EMU_BLAS_COMMON_H

#include "cublas_v2.h"

/* Reports "emulated device: <message>" and returns CUBLAS_STATUS_INVALID_VALUE. */
cublasStatus_t emu_blas_invalid(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A column-major rows x cols matrix with leading dimension ld lies inside one device
 * allocation of `device`. */
cublasStatus_t emu_check_matrix(const char *call, const char *name, int device, const float *p, long rows,
                                long cols, long ld);
/* ld >= max(rows, 1). */
cublasStatus_t emu_check_leading(const char *call, const char *name, long ld, long rows);

#define RETURN_IF_BAD(call)                                                                    \
    do {                                                                                       \
        cublasStatus_t s_ = (call);                                                            \
        if (s_ != CUBLAS_STATUS_SUCCESS) return s_;                                            \
    } while (0)

/* C = alpha op(A) op(B) + beta C, column-major; beta = 0: C is not read. */
struct EmuGemm {
    int ta, tb, m, n, k, lda, ldb, ldc, tf32;
    float alpha, beta;
    const float *A, *B;
    float *C;
};
cudaError_t emu_run_gemm(const EmuGemm &g);
/* The element (i, j) of op(M), rounded to TF32 when tf32. */
float emu_gemm_element(const float *M, int trans, int ld, int i, int j, int tf32);

#endif
