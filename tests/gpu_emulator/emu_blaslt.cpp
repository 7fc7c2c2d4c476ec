/* emu_blaslt.cpp: cuBLASLt on the emulated device (include/cublasLt.h says what is checked
 * and what is emulated). The product is emu_blas_common.h's reference product, as for
 * cublasSgemm; the BIAS epilogue then adds the bias to each row of D in float, the BGRADB
 * epilogue writes the column sums of op(B) (in double, rounded once) to the bias pointer. */
#include <stdlib.h>
#include <string.h>

#include <string>

#include "cublasLt.h"
#include "emu_blas_common.h"
#include "emu_internal.h"

struct EmuLt {
    int device;
};

struct EmuLtDesc {
    cublasComputeType_t compute;
    int ta, tb;
    cublasLtEpilogue_t epilogue;
    const float *bias;
};

struct EmuLtLayout {
    long rows, cols, ld;
};

struct EmuLtPreference {
    size_t workspace;
};

extern "C" cublasStatus_t cublasLtCreate(cublasLtHandle_t *handle) {
    emu_init();
    if (!emu_device_count()) return CUBLAS_STATUS_NOT_INITIALIZED;
    *handle = new EmuLt{emu_current_device()};
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasLtDestroy(cublasLtHandle_t handle) {
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *desc, cublasComputeType_t compute,
                                                   cudaDataType_t scale_type) {
    if (compute != CUBLAS_COMPUTE_32F && compute != CUBLAS_COMPUTE_32F_FAST_TF32)
        return emu_blas_invalid("cublasLtMatmulDescCreate: compute type %d is not emulated (float32 only)", compute);
    if (scale_type != CUDA_R_32F)
        return emu_blas_invalid("cublasLtMatmulDescCreate: scale type %d is not emulated (CUDA_R_32F only)",
                                scale_type);
    *desc = new EmuLtDesc{compute, 0, 0, CUBLASLT_EPILOGUE_DEFAULT, nullptr};
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t desc) {
    delete desc;
    return CUBLAS_STATUS_SUCCESS;
}

/* Copies the attribute's value after checking its size. */
static cublasStatus_t read_attribute(const char *name, void *dst, size_t want, const void *buf, size_t size) {
    if (!buf || size != want)
        return emu_blas_invalid("cublasLtMatmulDescSetAttribute: %s takes %zu bytes, %zu given", name, want, size);
    memcpy(dst, buf, want);
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t desc,
                                                         cublasLtMatmulDescAttributes_t attr, const void *buf,
                                                         size_t size) {
    if (!desc) return CUBLAS_STATUS_NOT_INITIALIZED;
    int32_t op = 0;
    switch (attr) {
    case CUBLASLT_MATMUL_DESC_TRANSA:
    case CUBLASLT_MATMUL_DESC_TRANSB:
        RETURN_IF_BAD(read_attribute("TRANSA/TRANSB (int32_t)", &op, sizeof op, buf, size));
        if (op != CUBLAS_OP_N && op != CUBLAS_OP_T)
            return emu_blas_invalid("cublasLtMatmulDescSetAttribute: transpose %d is not N or T", op);
        (attr == CUBLASLT_MATMUL_DESC_TRANSA ? desc->ta : desc->tb) = op == CUBLAS_OP_T;
        return CUBLAS_STATUS_SUCCESS;
    case CUBLASLT_MATMUL_DESC_EPILOGUE:
        RETURN_IF_BAD(read_attribute("EPILOGUE (uint32_t)", &desc->epilogue, sizeof desc->epilogue, buf, size));
        if (desc->epilogue != CUBLASLT_EPILOGUE_DEFAULT && desc->epilogue != CUBLASLT_EPILOGUE_BIAS &&
            desc->epilogue != CUBLASLT_EPILOGUE_BGRADB)
            return emu_blas_invalid("cublasLtMatmulDescSetAttribute: epilogue %d is not emulated", desc->epilogue);
        return CUBLAS_STATUS_SUCCESS;
    case CUBLASLT_MATMUL_DESC_BIAS_POINTER:
        return read_attribute("BIAS_POINTER (a device pointer)", &desc->bias, sizeof desc->bias, buf, size);
    }
    return emu_blas_invalid("cublasLtMatmulDescSetAttribute: attribute %d is not emulated", attr);
}

extern "C" cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *layout, cudaDataType type,
                                                     uint64_t rows, uint64_t cols, int64_t ld) {
    if (type != CUDA_R_32F)
        return emu_blas_invalid("cublasLtMatrixLayoutCreate: type %d is not emulated (CUDA_R_32F only)", type);
    RETURN_IF_BAD(emu_check_leading("cublasLtMatrixLayoutCreate", "ld", ld, (long)rows));
    *layout = new EmuLtLayout{(long)rows, (long)cols, (long)ld};
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
    delete layout;
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *pref) {
    *pref = new EmuLtPreference{0};
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref) {
    delete pref;
    return CUBLAS_STATUS_SUCCESS;
}

extern "C" cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref,
                                                               cublasLtMatmulPreferenceAttributes_t attr,
                                                               const void *buf, size_t size) {
    if (!pref) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (attr != CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES || size != sizeof(uint64_t) || !buf)
        return emu_blas_invalid("cublasLtMatmulPreferenceSetAttribute: only MAX_WORKSPACE_BYTES (uint64_t) is "
                                "emulated");
    uint64_t bytes;
    memcpy(&bytes, buf, sizeof bytes);
    pref->workspace = bytes;
    return CUBLAS_STATUS_SUCCESS;
}

/* The product's sizes, from the layouts and the transposes: op(A) is m x k, op(B) k x n,
 * C and D m x n with the same layout. */
struct LtShape {
    long m, n, k;
};

static cublasStatus_t check_shape(const char *call, const EmuLtDesc *d, const EmuLtLayout *a, const EmuLtLayout *b,
                                  const EmuLtLayout *c, const EmuLtLayout *dl, LtShape *s) {
    if (!d || !a || !b || !c || !dl) return emu_blas_invalid("%s: a descriptor or layout is NULL", call);
    s->m = dl->rows, s->n = dl->cols, s->k = d->ta ? a->rows : a->cols;
    long a_m = d->ta ? a->cols : a->rows, b_k = d->tb ? b->cols : b->rows, b_n = d->tb ? b->rows : b->cols;
    if (a_m != s->m || b_k != s->k || b_n != s->n)
        return emu_blas_invalid("%s: op(A) is %ld x %ld and op(B) %ld x %ld, but D is %ld x %ld", call, a_m, s->k,
                                b_k, b_n, s->m, s->n);
    if (c->rows != dl->rows || c->cols != dl->cols || c->ld != dl->ld)
        return emu_blas_invalid("%s: the C layout differs from D's (recur's products are in place)", call);
    if (d->epilogue != CUBLASLT_EPILOGUE_DEFAULT && !d->bias)
        return emu_blas_invalid("%s: epilogue %d needs CUBLASLT_MATMUL_DESC_BIAS_POINTER", call, d->epilogue);
    return CUBLAS_STATUS_SUCCESS;
}

static int algorithms_offered(void) {
    const char *v = getenv("RECUR_EMU_LT_ALGOS");
    return v && *v ? atoi(v) != 0 : 1;
}

extern "C" cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
                                                         cublasLtMatrixLayout_t Adesc, cublasLtMatrixLayout_t Bdesc,
                                                         cublasLtMatrixLayout_t Cdesc, cublasLtMatrixLayout_t Ddesc,
                                                         cublasLtMatmulPreference_t pref, int requested,
                                                         cublasLtMatmulHeuristicResult_t results[], int *returned) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (requested < 1 || !results || !returned || !pref)
        return emu_blas_invalid("cublasLtMatmulAlgoGetHeuristic: needs a preference and room for a result");
    LtShape s = {0, 0, 0};
    RETURN_IF_BAD(check_shape("cublasLtMatmulAlgoGetHeuristic", desc, Adesc, Bdesc, Cdesc, Ddesc, &s));
    *returned = 0;
    if (!algorithms_offered()) return CUBLAS_STATUS_NOT_SUPPORTED;
    memset(&results[0], 0, sizeof results[0]);
    results[0].algo.data[0] = 0x1e;  /* the emulator's one algorithm */
    results[0].state = CUBLAS_STATUS_SUCCESS;
    results[0].wavesCount = 1;
    *returned = 1;
    return CUBLAS_STATUS_SUCCESS;
}

struct LtArgs {
    EmuGemm gemm;
    cublasLtEpilogue_t epilogue;
    const float *bias;
};

static cudaError_t run_lt(const LtArgs &l) {
    const EmuGemm &g = l.gemm;
    if (l.epilogue == CUBLASLT_EPILOGUE_BGRADB) { /* from the inputs, before C is overwritten */
        float *bias = (float *)l.bias;
        for (int j = 0; j < g.n; j++) {
            double sum = 0;
            for (int p = 0; p < g.k; p++) sum += emu_gemm_element(g.B, g.tb, g.ldb, p, j, 0);
            bias[j] = (float)sum;
        }
    }
    cudaError_t rc = emu_run_gemm(g);
    if (rc == cudaSuccess && l.epilogue == CUBLASLT_EPILOGUE_BIAS)
        for (int j = 0; j < g.n; j++)
            for (int i = 0; i < g.m; i++) g.C[i + (long)j * g.ldc] += l.bias[i];
    return rc;
}

extern "C" cublasStatus_t cublasLtMatmul(cublasLtHandle_t h, cublasLtMatmulDesc_t desc, const void *alpha,
                                         const void *A, cublasLtMatrixLayout_t Adesc, const void *B,
                                         cublasLtMatrixLayout_t Bdesc, const void *beta, const void *C,
                                         cublasLtMatrixLayout_t Cdesc, void *D, cublasLtMatrixLayout_t Ddesc,
                                         const cublasLtMatmulAlgo_t *algo, void *workspace, size_t workspace_bytes,
                                         cudaStream_t stream) {
    const char *call = "cublasLtMatmul";
    if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (emu_sticky_error()) return CUBLAS_STATUS_EXECUTION_FAILED;
    LtShape s = {0, 0, 0};
    RETURN_IF_BAD(check_shape(call, desc, Adesc, Bdesc, Cdesc, Ddesc, &s));
    if (!algo) return emu_blas_invalid("%s: no algorithm (take one from cublasLtMatmulAlgoGetHeuristic)", call);
    if (!alpha || !beta) return emu_blas_invalid("%s: alpha and beta must point to host scalars", call);
    if (C != D) return emu_blas_invalid("%s: C and D differ (recur's products are in place)", call);
    if (s.m == 0 || s.n == 0) return CUBLAS_STATUS_SUCCESS;
    RETURN_IF_BAD(emu_check_matrix(call, "A", h->device, (const float *)A, Adesc->rows, Adesc->cols, Adesc->ld));
    RETURN_IF_BAD(emu_check_matrix(call, "B", h->device, (const float *)B, Bdesc->rows, Bdesc->cols, Bdesc->ld));
    RETURN_IF_BAD(emu_check_matrix(call, "D", h->device, (const float *)D, s.m, s.n, Ddesc->ld));
    int bias_len = desc->epilogue == CUBLASLT_EPILOGUE_BIAS ? (int)s.m : (int)s.n;
    if (desc->epilogue != CUBLASLT_EPILOGUE_DEFAULT)
        RETURN_IF_BAD(emu_check_matrix(call, "the bias", h->device, desc->bias, 1, bias_len, 1));
    EmuGemm g = {desc->ta,         desc->tb,         (int)s.m,
                 (int)s.n,         (int)s.k,         (int)Adesc->ld,
                 (int)Bdesc->ld,   (int)Ddesc->ld,   desc->compute == CUBLAS_COMPUTE_32F_FAST_TF32,
                 *(const float *)alpha, *(const float *)beta, (const float *)A,
                 (const float *)B, (float *)D};
    LtArgs l = {g, desc->epilogue, desc->bias};
    const char *epilogue = desc->epilogue == CUBLASLT_EPILOGUE_BIAS     ? " +bias"
                           : desc->epilogue == CUBLASLT_EPILOGUE_BGRADB ? " +bgradB"
                                                                        : "";
    std::string shape = std::string("Lt ") + (g.ta ? "T" : "N") + (g.tb ? "T" : "N") + " m=" + std::to_string(s.m) +
                        " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k) + epilogue;
    emu_count("gemm", shape, 2.0 * s.m * s.n * s.k);
    std::vector<const void *> touched = {D};
    if (desc->epilogue == CUBLASLT_EPILOGUE_BGRADB) touched.push_back(desc->bias);
    emu_enqueue(emu_stream(stream), {"cublasLtMatmul " + shape, [l] { return run_lt(l); }, touched});
    return CUBLAS_STATUS_SUCCESS;
}
