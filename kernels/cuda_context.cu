/* cuda_context.cu: the CUDA backend's state and its table (cuda_ops.h) — the device, the
 * one stream every op is queued on, the cuBLAS handle, memory, the GEMMs and column sums;
 * the kernels' entry points come from cell_kernels.cu, sequence_kernels.cu and
 * head_kernels.cu, the products with a fused bias from gemm_epilogue.cu (cuBLASLt).
 *
 * Row-major GEMMs on column-major cuBLAS: a row-major X [r][c] with row stride ld is the
 * column-major X^T with leading dimension ld, so C = op(A) op(B) is computed as
 * C^T = op(B)^T op(A)^T: cublasSgemm(op_b, op_a, N, M, K, B, ldb, A, lda, C, ldc). */
#include <cublas_v2.h>

#include "cuda_kernels.h"
#include "cuda_ops.h"
#include "launch.cuh"
#include "pinned_staging.h"

static struct {
    int device;         /* -1: not opened */
    cudaStream_t stream;
    cublasHandle_t blas;
    real *ones;         /* [ones_len] of 1, for column sums as a GEMV */
    long ones_len;
    unsigned long releases; /* buffers freed so far: a captured graph may point into them */
    void *blas_workspace;   /* cuBLAS's, owned here: no allocation of its own during a capture */
} ctx = {-1, 0, 0, 0, 0, 0, 0};

enum { BLAS_WORKSPACE_BYTES = 32 << 20 }; /* what cuBLAS itself takes on Hopper */

cudaStream_t cuda_ops_stream(void) { return ctx.stream; }

unsigned long cuda_ops_releases(void) { return ctx.releases; }

int cuda_device_count(void) {
    int n = 0;
    return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

const char *cuda_device_name(int device) {
    static cudaDeviceProp prop;
    CHECK(CUDA, cudaGetDeviceProperties(&prop, device));
    return prop.name;
}

void cuda_ops_synchronize(void) { CHECK(CUDA, cudaStreamSynchronize(ctx.stream)); }

void cuda_ops_set_tf32(int enabled) {
    CHECK(CUBLAS, cublasSetMathMode(ctx.blas, enabled ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
    cuda_lt_set_tf32(enabled);
}

/* ---- memory ---- */

static void *cuda_alloc(size_t bytes, const char *what) {
    void *p = 0;
    cudaError_t rc = cudaMalloc(&p, bytes ? bytes : 1);
    if (rc != cudaSuccess)
        recur_die(EXIT_RUNTIME, "out of GPU memory on device %d allocating %zu bytes for %s (%s)",
                  ctx.device, bytes, what, cudaGetErrorString(rc));
    CHECK(CUDA, cudaMemsetAsync(p, 0, bytes ? bytes : 1, ctx.stream));
    return p;
}

/* cudaFree waits for the device, so a buffer is never freed under a running kernel. */
static void cuda_release(void *p) {
    if (p) CHECK(CUDA, cudaFree(p)), ctx.releases++;
}

static void cuda_zero(void *p, size_t bytes) { CHECK(CUDA, cudaMemsetAsync(p, 0, bytes, ctx.stream)); }

static void cuda_copy(void *dst, const void *src, size_t bytes) {
    CHECK(CUDA, cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, ctx.stream));
}

/* Through pinned staging: `host_src` may be reused or freed when this returns. */
static void cuda_upload(void *dst, const void *host_src, size_t bytes) {
    pinned_upload(dst, host_src, bytes, ctx.stream);
}

static void cuda_download(void *host_dst, const void *src, size_t bytes) {
    CHECK(CUDA, cudaMemcpyAsync(host_dst, src, bytes, cudaMemcpyDeviceToHost, ctx.stream));
    CHECK(CUDA, cudaStreamSynchronize(ctx.stream));
}

/* ---- dense algebra ---- */

static void cuda_gemm(int trans_a, int trans_b, int M, int N, int K, real alpha, const real *A,
                      int lda, const real *B, int ldb, real beta, real *C, int ldc) {
    if (M == 0 || N == 0) return;
    cublasOperation_t op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    cublasOperation_t op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    CHECK(CUBLAS, cublasSgemm(ctx.blas, op_b, op_a, N, M, K, &alpha, B, ldb, A, lda, &beta, C, ldc));
}

/* ops.h gemm_tn_sums: the first right side through cuBLASLt with the column sums in its
 * epilogue (gemm_epilogue.cu), the others plain products; 0 (nothing done) where cuBLASLt
 * declines the first. */
static int cuda_gemm_tn_sums(int M, int K, const real *A, int lda, int count, const TnRight *right, real *sums,
                             real *sums2) {
    const TnRight *r = &right[0];
    if (!cuda_lt_gemm_tn_sums(M, r->N, K, A, lda, r->B, r->ldb, r->C, r->ldc, sums, sums2)) return 0;
    for (int i = 1; i < count; i++)
        cuda_gemm(1, 0, M, right[i].N, K, 1, A, lda, right[i].B, right[i].ldb, 1, right[i].C, right[i].ldc);
    return 1;
}

__global__ void fill_kernel(long n, real value, real *x) {
    GRID_STRIDE_LOOP(i, n) x[i] = value;
}

/* out += X^T 1: a GEMV on the column-major view X^T [cols][rows] (deterministic). */
static void cuda_add_column_sums(int rows, int cols, const real *X, real *out) {
    if (rows == 0 || cols == 0) return;
    if (rows > ctx.ones_len) {
        cuda_release(ctx.ones);
        ctx.ones = (real *)cuda_alloc(sizeof(real) * (size_t)rows, "column sums");
        ctx.ones_len = rows;
        LAUNCH_ELEMENTWISE(fill_kernel, rows, (long)rows, (real)1, ctx.ones);
    }
    const real one = 1;
    CHECK(CUBLAS, cublasSgemv(ctx.blas, CUBLAS_OP_N, cols, rows, &one, X, cols, ctx.ones, 1, &one, out, 1));
}

static const ModelOps cuda_ops = {
    .name = "cuda", .host_memory = 0, .cuda = 1,
    .alloc = cuda_alloc, .release = cuda_release, .zero = cuda_zero, .copy = cuda_copy,
    .upload = cuda_upload, .download = cuda_download,
    .gemm = cuda_gemm, .add_row_bias = cuda_add_row_bias,
    .add_column_sums = cuda_add_column_sums, .set_rows = cuda_set_rows,
    .gemm_bias = cuda_lt_gemm_bias, .gemm_tn_sums = cuda_gemm_tn_sums,
    .rnn_forward = cuda_rnn_forward, .rnn_backward = cuda_rnn_backward,
    .lstm_forward = cuda_lstm_forward, .lstm_backward = cuda_lstm_backward,
    .gru_gates = cuda_gru_gates, .gru_reset_hidden = cuda_gru_reset_hidden,
    .gru_textbook_candidate = cuda_gru_textbook_candidate,
    .gru_update_candidate_backward = cuda_gru_update_candidate_backward,
    .gru_forward = cuda_gru_forward, .gru_backward = cuda_gru_backward,
    .gru_textbook_reset_backward = cuda_gru_textbook_reset_backward,
    .mark_valid = cuda_mark_valid, .step_freeze = cuda_step_freeze,
    .step_gather_gradient = cuda_step_gather_gradient,
    .step_carry_gradient = cuda_step_carry_gradient,
    .recurrence_forward = cuda_recurrence_forward, .recurrence_backward = cuda_recurrence_backward,
    .recurrence_projects = 0,
    .wavefront_fits = cuda_wavefront_fits, .wavefront_forward = cuda_wavefront_forward,
    .wavefront_backward = cuda_wavefront_backward,
    .embedding_forward = cuda_embedding_forward, .embedding_backward = cuda_embedding_backward,
    .dropout_forward = cuda_dropout_forward, .dropout_backward = cuda_dropout_backward,
    .pool_forward = cuda_pool_forward, .pool_backward = cuda_pool_backward,
    .tanh_forward = cuda_tanh_forward, .tanh_backward = cuda_tanh_backward,
    .loss_forward = cuda_loss_forward, .loss_backward = cuda_loss_backward,
    .sum_squares = cuda_sum_squares, .scale = cuda_scale,
    .scale_by_norm = cuda_scale_by_norm, .clamp = cuda_clamp,
};

const ModelOps *cuda_ops_open(int device) {
    if (ctx.device == device) return &cuda_ops;
    if (ctx.device >= 0)
        recur_die(EXIT_RUNTIME, "internal: the CUDA backend is open on device %d; asked for %d",
                  ctx.device, device);
    int count = cuda_device_count();
    if (device < 0 || device >= count)
        recur_die(EXIT_USAGE, "GPU %d asked for, but this process sees %d CUDA device(s)", device, count);
    CHECK(CUDA, cudaSetDevice(device));
    CHECK(CUDA, cudaStreamCreateWithFlags(&ctx.stream, cudaStreamNonBlocking));
    CHECK(CUBLAS, cublasCreate(&ctx.blas));
    CHECK(CUBLAS, cublasSetStream(ctx.blas, ctx.stream)); /* resets the workspace: set it after */
    CHECK(CUDA, cudaMalloc(&ctx.blas_workspace, BLAS_WORKSPACE_BYTES));
    CHECK(CUBLAS, cublasSetWorkspace(ctx.blas, ctx.blas_workspace, BLAS_WORKSPACE_BYTES));
    CHECK(CUBLAS, cublasSetMathMode(ctx.blas, CUBLAS_DEFAULT_MATH));
    cuda_lt_open();
    ctx.device = device;
    return &cuda_ops;
}
