/* gemm_epilogue.cu: the products of a linear map with the bias fused into the product
 * (ops.h gemm_bias, gemm_tn_sums), through cuBLASLt epilogues — forward C = A W^T + bias
 * (EPILOGUE_BIAS: no separate pass over C to add the bias) and backward C += A^T B with
 * the bias gradient, A's column sums, taken from the product's own reads of A
 * (EPILOGUE_BGRADB: no separate GEMV over A). cuBLASLt writes the bias gradient rather
 * than adding it, so it lands in a scratch vector and one small kernel adds it to the
 * gradient(s).
 *
 * Row-major on column-major cuBLASLt, as in cuda_context.cu: a row-major [r][c] matrix
 * with row stride ld is the column-major c x r one with leading dimension ld, so
 *   gemm_bias (A [M][K], W [N][K], C [M][N]): D = C^T (N x M) = op_T(W: K x N) (A: K x M),
 *             the bias one value per row of D;
 *   gemm_tn_sums (A [K][M], B [K][N], C [M][N]): D = C^T (N x M) += (B: N x K) op_T(A:
 *             M x K), the bias gradient one value per column of D, summed over K.
 * For a product cuBLASLt has no algorithm for (its heuristic may decline an epilogue on
 * some GPUs and versions) these return 0 and linear.c runs cublasSgemm and the separate
 * pass; the answer is remembered per shape with the rest of the prepared call. */
#include <cublasLt.h>
#include <string.h>

#include "cuda_kernels.h"
#include "launch.cuh"

enum { LT_WORKSPACE_BYTES = 32 << 20, LT_CACHED_SHAPES = 64 };

/* One prepared product: the descriptors, the heuristic's algorithm (or none), for one
 * shape (kind, sizes, leading dimensions, tf32). */
typedef struct LtProduct {
    int backward, M, N, K, lda, ldb, ldc, tf32;
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

static cublasLtMatrixLayout_t layout(long rows, long cols, long ld) {
    cublasLtMatrixLayout_t l;
    CHECK(CUBLAS, cublasLtMatrixLayoutCreate(&l, CUDA_R_32F, (uint64_t)rows, (uint64_t)cols, ld));
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
    /* forward: a = W (K x N, ldb = ldw), b = A (K x M); backward: a = B (N x K), b = A (M x K) */
    p->a = p->backward ? layout(p->N, p->K, p->ldb) : layout(p->K, p->N, p->ldb);
    p->b = p->backward ? layout(p->M, p->K, p->lda) : layout(p->K, p->M, p->lda);
    p->d = layout(p->N, p->M, p->ldc);
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
static LtProduct *product_of(LtProduct want) {
    want.tf32 = lt.tf32;
    LtProduct *slot = 0;
    for (int i = 0; i < lt.cached; i++) {
        LtProduct *p = &lt.cache[i];
        if (p->backward == want.backward && p->M == want.M && p->N == want.N && p->K == want.K &&
            p->lda == want.lda && p->ldb == want.ldb && p->ldc == want.ldc && p->tf32 == want.tf32) {
            p->last_use = ++lt.uses;
            return p;
        }
        if (!slot || p->last_use < slot->last_use) slot = p;
    }
    if (lt.cached < LT_CACHED_SHAPES) slot = &lt.cache[lt.cached++];
    else release(slot);
    *slot = want;
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

/* The shape's key: kind, sizes and leading dimensions (the rest zero). */
static LtProduct shape(int backward, int M, int N, int K, int lda, int ldb, int ldc) {
    LtProduct p;
    memset(&p, 0, sizeof p);
    p.backward = backward, p.M = M, p.N = N, p.K = K, p.lda = lda, p.ldb = ldb, p.ldc = ldc;
    return p;
}

int cuda_lt_gemm_bias(int M, int N, int K, const real *A, int lda, const real *W, int ldw, const real *bias,
                      real *C, int ldc) {
    if (M == 0 || N == 0 || K == 0) return 0; /* nothing to fuse: the plain path's rules */
    LtProduct *p = product_of(shape(0, M, N, K, lda, ldw, ldc));
    if (!p->usable) return 0;
    run(p, bias, W, A, 0, C);
    return 1;
}

__global__ void add_sums_kernel(long n, const real *sums, real *to, real *to2) {
    GRID_STRIDE_LOOP(i, n) {
        to[i] += sums[i];
        if (to2) to2[i] += sums[i];
    }
}

int cuda_lt_gemm_tn_sums(int M, int N, int K, const real *A, int lda, const real *B, int ldb, real *C, int ldc,
                         real *sums, real *sums2) {
    if (M == 0 || N == 0 || K == 0) return 0;
    LtProduct *p = product_of(shape(1, M, N, K, lda, ldb, ldc));
    if (!p->usable) return 0;
    if (M > lt.bias_grad_len) {
        CHECK(CUDA, cudaFree(lt.bias_grad));
        CHECK(CUDA, cudaMalloc(&lt.bias_grad, sizeof(real) * (size_t)M));
        lt.bias_grad_len = M;
    }
    run(p, lt.bias_grad, B, A, 1, C);
    LAUNCH_ELEMENTWISE(add_sums_kernel, M, (long)M, (const real *)lt.bias_grad, sums, sums2);
    return 1;
}
