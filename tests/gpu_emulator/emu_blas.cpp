/* emu_blas.cpp: cuBLAS on the emulated device (cublas_v2.h says what is checked). The
 * reference products are plain column-major loops accumulating in double; the scalars
 * alpha and beta are read at the call (host pointer mode), the matrices when the stream
 * runs. beta = 0 means C is not read, as in cuBLAS (so NaN-poisoned output buffers need
 * no clearing first). */
#include <cblas.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <string>

#include "cublas_v2.h"
#include "emu_blas_common.h"
#include "emu_internal.h"

struct EmuBlas {
    int device;
    cudaStream_t stream;
    cublasMath_t math;
};

cublasStatus_t emu_blas_invalid(const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    emu_report("%s", text);
    return CUBLAS_STATUS_INVALID_VALUE;
}

extern "C" cublasStatus_t cublasCreate(cublasHandle_t *handle) {
    emu_init();
    if (!emu_device_count()) return CUBLAS_STATUS_NOT_INITIALIZED;
    *handle = new EmuBlas{emu_current_device(), nullptr, CUBLAS_DEFAULT_MATH};
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasDestroy(cublasHandle_t handle) {
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t stream) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (stream && stream->device != handle->device)
        return emu_blas_invalid("cublasSetStream: the stream is on device %d, the handle on device %d", stream->device,
                       handle->device);
    handle->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasGetStream(cublasHandle_t handle, cudaStream_t *stream) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    *stream = handle->stream;
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    handle->math = mode;
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasSetWorkspace(cublasHandle_t handle, void *workspace, size_t bytes) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!bytes) return CUBLAS_STATUS_SUCCESS;
    return emu_check_matrix("cublasSetWorkspace", "the workspace", handle->device, (const float *)workspace, 1,
                            (long)(bytes / sizeof(float)), 1);
}

extern "C" const char *cublasGetStatusName(cublasStatus_t s) {
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    default: return "CUBLAS_STATUS_INTERNAL_ERROR";
    }
}

extern "C" const char *cublasGetStatusString(cublasStatus_t s) {
    switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "success";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
    case CUBLAS_STATUS_INVALID_VALUE: return "an unsupported value or parameter was passed to the function";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "the GPU program failed to execute";
    default: return "an internal operation failed";
    }
}

/* ---- argument checks ---- */

static int valid_op(cublasOperation_t op) { return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C; }

/* A column-major matrix of rows x cols with leading dimension ld must lie inside one
 * device allocation of the handle's device. */
cublasStatus_t emu_check_matrix(const char *call, const char *name, int device, const float *p, long rows,
                                long cols, long ld) {
    if (rows == 0 || cols == 0) return CUBLAS_STATUS_SUCCESS;
    size_t bytes = sizeof(float) * (size_t)((cols - 1) * ld + rows);
    const EmuAlloc *a = emu_find_device(p, bytes);
    if (!a)
        return emu_blas_invalid("%s: %s (%ld x %ld, leading dimension %ld, %zu bytes from %p) is not inside one device "
                       "allocation%s", call, name, rows, cols, ld, bytes, (const void *)p,
                       emu_find_device(p, 0) ? ": it runs past the end" : "");
    if (a->device != device)
        return emu_blas_invalid("%s: %s is memory of device %d; the handle is on device %d", call, name, a->device,
                                device);
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t emu_check_leading(const char *call, const char *name, long ld, long rows) {
    long least = rows > 1 ? rows : 1;
    if (ld < least)
        return emu_blas_invalid("%s: %s = %ld, but column-major storage of %ld rows needs at least %ld", call, name, ld,
                       rows, least);
    return CUBLAS_STATUS_SUCCESS;
}

/* ---- arithmetic ---- */

static float to_tf32(float x) {
    unsigned bits;
    memcpy(&bits, &x, sizeof bits);
    if ((bits & 0x7f800000u) == 0x7f800000u) return x; /* inf, NaN */
    bits += 0xfffu + ((bits >> 13) & 1u);               /* round to nearest even, 10 bits */
    bits &= ~0x1fffu;
    memcpy(&x, &bits, sizeof x);
    return x;
}

float emu_gemm_element(const float *M, int trans, int ld, int i, int j, int tf32) {
    float v = trans ? M[j + (long)i * ld] : M[i + (long)j * ld];
    return tf32 ? to_tf32(v) : v;
}

cudaError_t emu_run_gemm(const EmuGemm &g) {
    if (emu_gemm_uses_blas()) {
        cblas_sgemm(CblasColMajor, g.ta ? CblasTrans : CblasNoTrans, g.tb ? CblasTrans : CblasNoTrans, g.m, g.n,
                    g.k, g.alpha, g.A, g.lda, g.B, g.ldb, g.beta, g.C, g.ldc);
        return cudaSuccess;
    }
    for (int j = 0; j < g.n; j++)
        for (int i = 0; i < g.m; i++) {
            double sum = 0;
            for (int p = 0; p < g.k; p++)
                sum += (double)emu_gemm_element(g.A, g.ta, g.lda, i, p, g.tf32) * emu_gemm_element(g.B, g.tb, g.ldb, p, j, g.tf32);
            float *c = g.C + i + (long)j * g.ldc;
            *c = (float)(g.alpha * sum + (g.beta != 0 ? (double)g.beta * *c : 0.0));
        }
    return cudaSuccess;
}

extern "C" cublasStatus_t cublasSgemm(cublasHandle_t h, cublasOperation_t transa, cublasOperation_t transb, int m,
                                      int n, int k, const float *alpha, const float *A, int lda, const float *B,
                                      int ldb, const float *beta, float *C, int ldc) {
    const char *call = "cublasSgemm";
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (emu_sticky_error()) return CUBLAS_STATUS_EXECUTION_FAILED;
    if (!valid_op(transa) || !valid_op(transb)) return emu_blas_invalid("%s: transa/transb is not an operation", call);
    if (m < 0 || n < 0 || k < 0) return emu_blas_invalid("%s: m = %d, n = %d, k = %d (none may be negative)", call, m, n, k);
    int ta = transa != CUBLAS_OP_N, tb = transb != CUBLAS_OP_N;
    RETURN_IF_BAD(emu_check_leading(call, ta ? "lda (A transposed: k rows)" : "lda (A: m rows)", lda, ta ? k : m));
    RETURN_IF_BAD(emu_check_leading(call, tb ? "ldb (B transposed: n rows)" : "ldb (B: k rows)", ldb, tb ? n : k));
    RETURN_IF_BAD(emu_check_leading(call, "ldc (C: m rows)", ldc, m));
    if (!alpha || !beta) return emu_blas_invalid("%s: alpha and beta must point to host scalars", call);
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    long k_used = *alpha != 0 ? k : 0;
    RETURN_IF_BAD(emu_check_matrix(call, "A", h->device, A, ta ? k_used : m, ta ? m : k_used, lda));
    RETURN_IF_BAD(emu_check_matrix(call, "B", h->device, B, tb ? n : k_used, tb ? k_used : n, ldb));
    RETURN_IF_BAD(emu_check_matrix(call, "C", h->device, C, m, n, ldc));
    EmuGemm g = {ta, tb, m, n, (int)k_used, lda, ldb, ldc, h->math == CUBLAS_TF32_TENSOR_OP_MATH, *alpha, *beta,
                  A, B, C};
    std::string shape = std::string(ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + std::to_string(m) +
                        " n=" + std::to_string(n) + " k=" + std::to_string(k);
    emu_count("gemm", shape, 2.0 * m * n * k);
    emu_enqueue(emu_stream(h->stream), {"cublasSgemm " + shape, [g] { return emu_run_gemm(g); }, {C}});
    return CUBLAS_STATUS_SUCCESS;
}

struct GemvArgs {
    int trans, m, n, lda, incx, incy;
    float alpha, beta;
    const float *A, *x;
    float *y;
};

static cudaError_t run_gemv(const GemvArgs &g) {
    int rows = g.trans ? g.n : g.m, len = g.trans ? g.m : g.n;
    for (int i = 0; i < rows; i++) {
        double sum = 0;
        for (int p = 0; p < len; p++)
            sum += (double)(g.trans ? g.A[p + (long)i * g.lda] : g.A[i + (long)p * g.lda]) * g.x[(long)p * g.incx];
        float *y = g.y + (long)i * g.incy;
        *y = (float)(g.alpha * sum + (g.beta != 0 ? (double)g.beta * *y : 0.0));
    }
    return cudaSuccess;
}

extern "C" cublasStatus_t cublasSgemv(cublasHandle_t h, cublasOperation_t trans, int m, int n, const float *alpha,
                                      const float *A, int lda, const float *x, int incx, const float *beta,
                                      float *y, int incy) {
    const char *call = "cublasSgemv";
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (emu_sticky_error()) return CUBLAS_STATUS_EXECUTION_FAILED;
    if (!valid_op(trans)) return emu_blas_invalid("%s: trans is not an operation", call);
    if (m < 0 || n < 0) return emu_blas_invalid("%s: m = %d, n = %d (neither may be negative)", call, m, n);
    if (incx <= 0 || incy <= 0) return emu_blas_invalid("%s: incx = %d, incy = %d (recur uses positive strides)", call, incx, incy);
    RETURN_IF_BAD(emu_check_leading(call, "lda (A: m rows)", lda, m));
    if (!alpha || !beta) return emu_blas_invalid("%s: alpha and beta must point to host scalars", call);
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    int t = trans != CUBLAS_OP_N, len_x = t ? m : n, len_y = t ? n : m;
    RETURN_IF_BAD(emu_check_matrix(call, "A", h->device, A, m, n, lda));
    RETURN_IF_BAD(emu_check_matrix(call, "x", h->device, x, 1, len_x, incx));
    RETURN_IF_BAD(emu_check_matrix(call, "y", h->device, y, 1, len_y, incy));
    GemvArgs g = {t, m, n, lda, incx, incy, *alpha, *beta, A, x, y};
    std::string shape = std::string(t ? "T" : "N") + " m=" + std::to_string(m) + " n=" + std::to_string(n);
    emu_count("gemv", shape, 2.0 * m * n);
    emu_enqueue(emu_stream(h->stream), {"cublasSgemv " + shape, [g] { return run_gemv(g); }, {y}});
    return CUBLAS_STATUS_SUCCESS;
}
