/* packed_gemm.h: small matrix products against a right-hand matrix packed once and
 * reused many times: the recurrent product of every time step (h W_hh^T forward,
 * dhp W_hh backward) multiplies a different left-hand side of a few rows by the same
 * weights, and OpenBLAS repacks the weights on every call.
 *
 * C[M][N] = (accumulate ? C : 0) + bias + A[M][K] B[K][N], B packed into panels of
 * `width` columns ([panel][1 + K][width], zero-padded), the bias (or zeros) as each
 * panel's first row. Kernels, picked at run time: avx512 (panels of 16 floats, tiles of 6 rows x
 * 4 panels), avx2 (8 floats, 6 x 2), portable (GCC vector extensions at the build's
 * baseline: 4 floats or 2 doubles, 4 x 3; the only one in the float64 build). Each output
 * element sums its K products in order k = 0..K-1 starting from the bias (fused
 * multiply-adds on avx512/avx2), so a row's result does not depend on M or on which other
 * rows share its tile. The kernel is core/cpu_isa.h's choice (RECUR_CPU_KERNEL forces
 * one; packed_gemm_use switches it for the whole CPU backend). Nothing here allocates
 * except the pack. */
#ifndef RECUR_PACKED_GEMM_H
#define RECUR_PACKED_GEMM_H

#include <stddef.h>

#include "real.h"

typedef struct PackedKernel PackedKernel;

typedef struct PackedMatrix {
    const PackedKernel *kernel; /* the kernel it was packed for */
    real *data;                 /* [panels][K + 1][width]: the bias row, then B's K rows */
    int K, N, panels, width;
    size_t capacity;            /* bytes allocated at data */
} PackedMatrix;

/* Packs B[K][N] = W^T (w_is_nk: W is [N][K], row stride ldw) or W ([K][N]) with the bias
 * (N values, or NULL for zeros), for the current kernel; reuses p's memory when it fits.
 * Start from a zeroed PackedMatrix. */
void packed_gemm_pack(PackedMatrix *p, int K, int N, const real *W, int ldw, int w_is_nk,
                      const real *bias);
void packed_gemm_free(PackedMatrix *p);

/* C[M][N] (row stride ldc) = (accumulate ? C : 0) + bias + A[M][K] (row stride lda) B. */
void packed_gemm(const PackedMatrix *p, int M, const real *A, int lda, real *C, int ldc,
                 int accumulate);

/* Rows per tile of the kernel p was packed for (row blocks are best multiples of it). */
int packed_gemm_rows(const PackedMatrix *p);
/* The same for the kernel new packs use. */
int packed_gemm_kernel_rows(void);
/* Columns per tile of the kernel new packs use (panels x panel width). */
int packed_gemm_kernel_width(void);

/* The same with A given transposed: C (+)= bias + A^T B for A [K][M] (row stride lda), as
 * the weight gradients are (dW = dxp^T x); keep K small enough (a few hundred) that A's
 * K rows stay in cache while the tiles walk them. */
void packed_gemm_tn(const PackedMatrix *p, int M, const real *A, int lda, real *C, int ldc,
                    int accumulate);

/* The same with B [K][N] (row stride ldb) read in place, not packed, on the kernel new packs
 * use: C (+)= A^T B over the whole tile widths of N only (N a multiple of
 * packed_gemm_kernel_width(); the caller packs any rest). Each element's sum is the one
 * packed_gemm_tn gives (k in order from zero), so the bits are the same. */
void packed_gemm_tn_direct(int M, int N, int K, const real *A, int lda, const real *B, int ldb, real *C,
                           int ldc, int accumulate);

/* The kernel new packs use: RECUR_CPU_KERNEL or the best this CPU runs. */
const char *packed_gemm_kernel_name(void);
/* Forces a kernel ("avx512", "avx2", "portable"); 0 when this build or CPU lacks it. */
int packed_gemm_use(const char *name);

#endif
