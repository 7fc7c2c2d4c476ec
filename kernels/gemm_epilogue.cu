/* gemm_epilogue.cu: the whole-sequence products of a linear map with the bias fused into
 * the product, through cuBLASLt epilogues — forward y = x w^T + b (EPILOGUE_BIAS: no
 * separate pass over y to add the bias) and backward dw += dy^T x with the bias gradient,
 * the column sums of dy, taken from the product's own reads of dy (EPILOGUE_BGRADB: no
 * separate GEMV over dy). cuBLASLt writes the bias gradient rather than adding it, so it
 * lands in a scratch vector and one small kernel adds it to db.
 *
 * Row-major on column-major cuBLASLt, as in cuda_context.cu: a row-major [r][c] matrix is
 * the column-major c x r one, so (x [rows][ins], w [outs][ins], y and dy [rows][outs],
 * dw [outs][ins])
 *   forward:  D = y^T (outs x rows) = op_T(w: ins x outs) (x: ins x rows), the bias one
 *             value per row of D;
 *   backward: D = dw^T (ins x outs) += (x: ins x rows) op_T(dy: outs x rows), the bias
 *             gradient one value per column of D, summed over k = rows.
 * For a product cuBLASLt has no algorithm for (its heuristic may decline an epilogue on
 * some GPUs and versions) these return 0 and linear.c runs cublasSgemm and the separate
 * pass; the answer is remembered per shape with the rest of the prepared call. */
#include <cublasLt.h>
#include <string.h>

#include "cuda_kernels.h"
#include "launch.cuh"

enum { LT_WORKSPACE_BYTES = 32 << 20, LT_CACHED_SHAPES = 64 };

/* One prepared product: the descriptors, the heuristic's algorithm (or none), for one
 * (direction, rows, ins, outs, tf32). */
typedef struct LtProduct {
    int backward, rows, ins, outs, tf32;
    int usable;                    /* 0: cuBLASLt offered no algorithm */
    cublasLtMatmulDesc_t desc;
    cublasLtMatrixLayout_t a, b, d;
    cublasLtMatmulAlgo_t algo;
    unsigned long last_use;
} LtProduct;

static struct {
    cublasLtHandle_t handle;
    void *workspace;
    real *bias_grad;               /* [bias_grad_len]: cuBLASLt's output before db += */
    long bias_grad_len;
    int tf32;
    LtProduct cache[LT_CACHED_SHAPES];
    int cached;
    unsigned long uses;
} lt;

void cuda_lt_open(void) {
    CHECK(CUBLAS, cublasLtCreate(&lt.handle));
    CHECK(CUDA, cudaMalloc(&lt.workspace, LT_WORKSPACE_BYTES));
}

void cuda_lt_set_tf32(int enabled) { lt.tf32 = enabled; }

static void set_attribute(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr, const void *value,
                          size_t size) {
    CHECK(CUBLAS, cublasLtMatmulDescSetAttribute(desc, attr, value, size));
}

static cublasLtMatrixLayout_t layout(long rows, long cols) {
    cublasLtMatrixLayout_t l;
    CHECK(CUBLAS, cublasLtMatrixLayoutCreate(&l, CUDA_R_32F, (uint64_t)rows, (uint64_t)cols, rows));
    return l;
}

/* The descriptors of one product and the heuristic's first algorithm. */
static void prepare(LtProduct *p) {
    cublasComputeType_t compute = p->tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
    CHECK(CUBLAS, cublasLtMatmulDescCreate(&p->desc, compute, CUDA_R_32F));
    int32_t transposed = CUBLAS_OP_T;
    cublasLtEpilogue_t epilogue = p->backward ? CUBLASLT_EPILOGUE_BGRADB : CUBLASLT_EPILOGUE_BIAS;
    set_attribute(p->desc, p->backward ? CUBLASLT_MATMUL_DESC_TRANSB : CUBLASLT_MATMUL_DESC_TRANSA, &transposed,
                  sizeof transposed);
    set_attribute(p->desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue);
    const real *any_bias = (const real *)lt.workspace; /* the heuristic wants one set */
    set_attribute(p->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &any_bias, sizeof any_bias);
    p->a = p->backward ? layout(p->ins, p->rows) : layout(p->ins, p->outs);
    p->b = p->backward ? layout(p->outs, p->rows) : layout(p->ins, p->rows);
    p->d = p->backward ? layout(p->ins, p->outs) : layout(p->outs, p->rows);
    cublasLtMatmulPreference_t pref;
    uint64_t workspace = LT_WORKSPACE_BYTES;
    CHECK(CUBLAS, cublasLtMatmulPreferenceCreate(&pref));
    CHECK(CUBLAS, cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace,
                                                       sizeof workspace));
    cublasLtMatmulHeuristicResult_t found;
    int count = 0;
    cublasStatus_t rc = cublasLtMatmulAlgoGetHeuristic(lt.handle, p->desc, p->a, p->b, p->d, p->d, pref, 1, &found,
                                                       &count);
    if (rc != CUBLAS_STATUS_NOT_SUPPORTED) CHECK(CUBLAS, rc);
    p->usable = rc == CUBLAS_STATUS_SUCCESS && count > 0;
    if (p->usable) p->algo = found.algo;
    CHECK(CUBLAS, cublasLtMatmulPreferenceDestroy(pref));
}

static void release(LtProduct *p) {
    CHECK(CUBLAS, cublasLtMatrixLayoutDestroy(p->a));
    CHECK(CUBLAS, cublasLtMatrixLayoutDestroy(p->b));
    CHECK(CUBLAS, cublasLtMatrixLayoutDestroy(p->d));
    CHECK(CUBLAS, cublasLtMatmulDescDestroy(p->desc));
}

/* The prepared product of this shape: found, or made in a free slot or the least
 * recently used one. */
static LtProduct *product_of(int backward, int rows, int ins, int outs) {
    LtProduct *slot = 0;
    for (int i = 0; i < lt.cached; i++) {
        LtProduct *p = &lt.cache[i];
        if (p->backward == backward && p->rows == rows && p->ins == ins && p->outs == outs && p->tf32 == lt.tf32) {
            p->last_use = ++lt.uses;
            return p;
        }
        if (!slot || p->last_use < slot->last_use) slot = p;
    }
    if (lt.cached < LT_CACHED_SHAPES) slot = &lt.cache[lt.cached++];
    else release(slot);
    memset(slot, 0, sizeof *slot);
    slot->backward = backward, slot->rows = rows, slot->ins = ins, slot->outs = outs, slot->tf32 = lt.tf32;
    prepare(slot);
    slot->last_use = ++lt.uses;
    return slot;
}

static void run(LtProduct *p, const real *bias, const real *A, const real *B, real beta, real *D) {
    const real one = 1;
    set_attribute(p->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias);
    CHECK(CUBLAS, cublasLtMatmul(lt.handle, p->desc, &one, A, p->a, B, p->b, &beta, D, p->d, D, p->d, &p->algo,
                                 lt.workspace, LT_WORKSPACE_BYTES, cuda_ops_stream()));
}

int cuda_lt_linear_forward(int rows, int ins, int outs, const real *x, const real *w, const real *b, real *y) {
    if (rows == 0 || outs == 0 || ins == 0) return 0; /* nothing to fuse: the plain path's rules */
    LtProduct *p = product_of(0, rows, ins, outs);
    if (!p->usable) return 0;
    run(p, b, w, x, 0, y);
    return 1;
}

__global__ void add_vector_kernel(long n, const real *from, real *to) {
    GRID_STRIDE_LOOP(i, n) to[i] += from[i];
}

int cuda_lt_linear_weight_grad(int rows, int ins, int outs, const real *x, const real *dy, real *dw, real *db) {
    if (rows == 0 || outs == 0 || ins == 0) return 0;
    LtProduct *p = product_of(1, rows, ins, outs);
    if (!p->usable) return 0;
    if (outs > lt.bias_grad_len) {
        CHECK(CUDA, cudaFree(lt.bias_grad));
        CHECK(CUDA, cudaMalloc(&lt.bias_grad, sizeof(real) * (size_t)outs));
        lt.bias_grad_len = outs;
    }
    run(p, lt.bias_grad, x, dy, 1, dw);
    LAUNCH_ELEMENTWISE(add_vector_kernel, outs, (long)outs, (const real *)lt.bias_grad, db);
    return 1;
}
