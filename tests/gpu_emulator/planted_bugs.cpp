/* planted_bugs.cpp: one planted bug per strictness rule of the emulated device, each of
 * which must make the emulated run fail (tests/gpu_emulator/expect_caught.sh checks the
 * exit status and the message). `planted_bugs none` runs the same checks with the real
 * backend and must pass, so a failure is the plant's and not the harness's.
 *
 *   planted_bugs CASE     CASE: none, host_reads_device, kernel_overruns_guard,
 *                         kernel_overruns_slack, relies_on_zeroed_alloc,
 *                         download_without_sync, upload_source_reused, barrier_divergence,
 *                         block_too_large, too_much_shared, grid_too_large,
 *                         host_pointer_to_kernel, row_major_gemm, row_major_lt,
 *                         grid_sync_not_cooperative, grid_sync_divergence,
 *                         cooperative_too_large, sync_in_capture, upload_in_capture,
 *                         capture_unjoined
 *
 * The model plants replace one entry of the real CUDA ops table (kernels/) with the
 * buggy variant and compare a forward and backward step with the CPU backend. Exit 0: no
 * difference found (the bug went unnoticed); 1: a difference, or the emulator stopped
 * the run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cooperative_groups.h>
#include <cublasLt.h>
#include <cublas_v2.h>

#include "cuda_ops.h"
#include "launch.cuh"
extern "C" {
#include "core/rng.h"
#include "model/model.h"
}

static ModelOps planted; /* the CUDA table with one entry replaced */

/* ---- the buggy entries ---- */

static void *alloc_without_zeroing(size_t bytes, const char *what) {
    void *p = nullptr;
    CHECK(CUDA, cudaMalloc(&p, bytes ? bytes : 1));
    return p;
}

static void download_without_sync(void *host_dst, const void *src, size_t bytes) {
    CHECK(CUDA, cudaMemcpyAsync(host_dst, src, bytes, cudaMemcpyDeviceToHost, cuda_ops_stream()));
}

static void upload_pageable(void *dst, const void *host_src, size_t bytes) {
    CHECK(CUDA, cudaMemcpyAsync(dst, host_src, bytes, cudaMemcpyHostToDevice, cuda_ops_stream()));
}

/* The classic mistake: row-major arguments handed to column-major cuBLAS unchanged. */
static void gemm_row_major_as_is(int trans_a, int trans_b, int M, int N, int K, real alpha, const real *A,
                                 int lda, const real *B, int ldb, real beta, real *C, int ldc) {
    static cublasHandle_t h;
    if (!h) CHECK(CUBLAS, cublasCreate(&h)), CHECK(CUBLAS, cublasSetStream(h, cuda_ops_stream()));
    CHECK(CUBLAS, cublasSgemm(h, trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, M, N,
                              K, &alpha, A, lda, B, ldb, &beta, C, ldc));
}

/* The same mistake through cuBLASLt: row-major matrices described to it as they are. */
static int lt_bias_row_major(int M, int N, int K, const real *x, int ldx, const real *w, int ldw, const real *b,
                             real *y, int ldy) {
    static cublasLtHandle_t h;
    if (!h) CHECK(CUBLAS, cublasLtCreate(&h));
    cublasLtMatrixLayout_t lx, lw, ly;
    CHECK(CUBLAS, cublasLtMatrixLayoutCreate(&lx, CUDA_R_32F, M, K, ldx));
    CHECK(CUBLAS, cublasLtMatrixLayoutCreate(&lw, CUDA_R_32F, N, K, ldw));
    CHECK(CUBLAS, cublasLtMatrixLayoutCreate(&ly, CUDA_R_32F, M, N, ldy));
    cublasLtMatmulDesc_t desc;
    CHECK(CUBLAS, cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    int32_t transposed = CUBLAS_OP_T;
    cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
    CHECK(CUBLAS, cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &transposed, sizeof transposed));
    CHECK(CUBLAS, cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue));
    CHECK(CUBLAS, cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &b, sizeof b));
    cublasLtMatmulAlgo_t algo = {};
    const float one = 1, zero = 0;
    CHECK(CUBLAS, cublasLtMatmul(h, desc, &one, x, lx, w, lw, &zero, y, ly, y, ly, &algo, nullptr, 0,
                                 cuda_ops_stream()));
    return 1;
}

/* ---- a model step on both backends ---- */

enum { T = 7, B = 5, V = 30, E = 8, H = 16, C = 3 };

static int compare_model_step(const ModelOps *ops, int zero_grads) {
    ModelConfig cfg = {};
    cfg.cell = CELL_GRU, cfg.vocab_size = V, cfg.input_size = E, cfg.hidden_size = H, cfg.num_layers = 2;
    cfg.bidirectional = 1, cfg.pooling = POOL_MEAN, cfg.output_size = C, cfg.loss = LOSS_CROSS_ENTROPY;
    cfg.ignore_index = -100, cfg.huber_delta = 1;
    int32_t tokens[T * B], lengths[B] = {T, 6, 4, 3, 1}, labels[B];
    for (int i = 0; i < T * B; i++) tokens[i] = (int32_t)(rng_bits(3, 1, (uint64_t)i) % V);
    for (int b = 0; b < B; b++) labels[b] = b % C;
    Batch bt = {};
    bt.T = T, bt.B = B, bt.tokens = tokens, bt.lengths = lengths, bt.labels = labels;
    Model cpu, gpu;
    model_init(&cpu, &cfg, 5);
    model_init_on(&gpu, &cfg, 5, ops);
    model_zero_grads(&cpu);
    if (zero_grads) model_zero_grads(&gpu);
    double loss_cpu = model_forward(&cpu, &bt, 1, 9), loss_gpu = model_forward(&gpu, &bt, 1, 9);
    model_backward(&cpu, &bt), model_backward(&gpu, &bt);
    const real *out_cpu = model_outputs(&cpu, nullptr, nullptr), *out_gpu = model_outputs(&gpu, nullptr, nullptr);
    std::vector<real> grads(gpu.num_params);
    ops->download(grads.data(), gpu.grads, sizeof(real) * gpu.num_params);
    double worst = fabs(loss_gpu - loss_cpu);
    for (int i = 0; i < B * C; i++) worst = fmax(worst, fabs(out_gpu[i] - out_cpu[i]));
    for (size_t i = 0; i < gpu.num_params; i++) {
        double d = fabs(grads[i] - cpu.grads[i]);
        worst = isnan(d) || d > worst ? d : worst;
    }
    int ok = worst <= 1e-4;
    printf("model step vs the CPU: worst difference %g: %s\n", worst, ok ? "equal" : "MISMATCH");
    model_free(&cpu), model_free(&gpu);
    return ok ? 0 : 1;
}

/* Upload, then the host reuses its buffer before the device has run the copy. */
static int upload_then_reuse(const ModelOps *ops) {
    enum { N = 1000 };
    std::vector<real> host(N), back(N);
    for (int i = 0; i < N; i++) host[i] = (real)i;
    real *dev = (real *)ops->alloc(sizeof(real) * N, "upload check");
    ops->upload(dev, host.data(), sizeof(real) * N);
    std::fill(host.begin(), host.end(), (real)-1); /* the next batch, say */
    ops->download(back.data(), dev, sizeof(real) * N);
    ops->release(dev);
    for (int i = 0; i < N; i++)
        if (back[i] != (real)i) return printf("upload: element %d is %g on the device, not %d: MISMATCH\n", i, back[i], i), 1;
    printf("upload: the device holds what was uploaded: equal\n");
    return 0;
}

/* ---- kernels with bugs ---- */

__global__ void fill_n_plus_one(long n, real *x) {
    for (long i = threadIdx.x; i <= n; i += blockDim.x) x[i] = 1; /* <= : one too many */
}

__global__ void diverging_barrier(real *x) {
    if (threadIdx.x < 128) __syncthreads(); /* half the block never arrives */
    x[threadIdx.x] = 1;
}

__global__ void fill_kernel(long n, real *x) {
    for (long i = threadIdx.x; i < n; i += blockDim.x) x[i] = 1;
}

__global__ void grid_syncing(real *x) {
    cooperative_groups::this_grid().sync();
    x[threadIdx.x] = 1;
}

__global__ void block_leaves_early(real *x) {
    if (blockIdx.x == 1) return; /* the other blocks wait for it at the grid barrier forever */
    cooperative_groups::this_grid().sync();
    x[threadIdx.x] = 1;
}

/* ---- stream capture (a CUDA graph of the step): what CUDA refuses inside one ---- */

/* A wait for the device while the stream is captured; an upload into the capture (its
 * replays would copy the same host bytes again); a second stream that joins the capture
 * and is not joined back before its end. Each fails through recur's CHECK. */
static int run_capture_case(const char *name) {
    cudaStream_t s = cuda_ops_stream();
    real *x = (real *)planted.alloc(sizeof(real) * 256, "capture case");
    std::vector<real> host(256, 1);
    cudaStream_t side;
    cudaEvent_t forked;
    CHECK(CUDA, cudaStreamCreateWithFlags(&side, cudaStreamNonBlocking));
    CHECK(CUDA, cudaEventCreateWithFlags(&forked, cudaEventDisableTiming));
    CHECK(CUDA, cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
    LAUNCH_KERNEL(fill_kernel, 1, 256, 0, s, 256L, x);
    CHECK_LAUNCH();
    if (!strcmp(name, "sync_in_capture")) {
        CHECK(CUDA, cudaStreamSynchronize(s));
    } else if (!strcmp(name, "upload_in_capture")) {
        planted.upload(x, host.data(), sizeof(real) * 256);
    } else { /* capture_unjoined */
        CHECK(CUDA, cudaEventRecord(forked, s));
        CHECK(CUDA, cudaStreamWaitEvent(side, forked, 0));
        LAUNCH_KERNEL(fill_kernel, 1, 256, 0, side, 256L, x);
        CHECK_LAUNCH();
    }
    cudaGraph_t graph;
    CHECK(CUDA, cudaStreamEndCapture(s, &graph));
    printf("%s: the capture ended without complaint\n", name);
    return 0;
}

static int run_kernel_case(const char *name) {
    real *x = nullptr;
    long n = !strcmp(name, "kernel_overruns_guard") ? 1024 : 100; /* 4096 bytes end on a page */
    CHECK(CUDA, cudaMalloc(&x, sizeof(real) * 1024));
    real *small = nullptr;
    CHECK(CUDA, cudaMalloc(&small, sizeof(real) * n));
    std::vector<real> host(1024);
    cudaStream_t s = cuda_ops_stream();
    if (!strcmp(name, "kernel_overruns_guard") || !strcmp(name, "kernel_overruns_slack"))
        LAUNCH_KERNEL(fill_n_plus_one, 1, 256, 0, s, n, small);
    else if (!strcmp(name, "barrier_divergence"))
        LAUNCH_KERNEL(diverging_barrier, 1, 256, 0, s, x);
    else if (!strcmp(name, "block_too_large"))
        LAUNCH_KERNEL(fill_kernel, 1, 2048, 0, s, 1024L, x);
    else if (!strcmp(name, "too_much_shared"))
        LAUNCH_KERNEL(fill_kernel, 1, 256, 64 << 10, s, 1024L, x);
    else if (!strcmp(name, "grid_too_large"))
        LAUNCH_KERNEL(fill_kernel, dim3(1, 70000), 256, 0, s, 1024L, x);
    else if (!strcmp(name, "host_pointer_to_kernel"))
        LAUNCH_KERNEL(fill_kernel, 1, 256, 0, s, 1024L, host.data());
    else if (!strcmp(name, "grid_sync_not_cooperative"))
        LAUNCH_KERNEL(grid_syncing, 2, 64, 0, s, x);
    else if (!strcmp(name, "grid_sync_divergence"))
        CHECK(CUDA, LAUNCH_COOPERATIVE("block_leaves_early", block_leaves_early, 4, 64, 0, s, x));
    else if (!strcmp(name, "cooperative_too_large"))
        CHECK(CUDA, LAUNCH_COOPERATIVE("grid_syncing", grid_syncing, 10000, 1024, 0, s, x));
    else
        return fprintf(stderr, "planted_bugs: unknown case '%s'\n", name), 2;
    CHECK_LAUNCH();
    CHECK(CUDA, cudaStreamSynchronize(s));
    printf("%s: the device ran it without complaint\n", name);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) return fprintf(stderr, "usage: planted_bugs CASE\n"), 2;
    const char *name = argv[1];
    planted = *cuda_ops_open(0);
    if (!strcmp(name, "none")) {
        int failed = compare_model_step(&planted, 1);
        failed |= upload_then_reuse(&planted);
        Model m;
        ModelConfig cfg = {};
        cfg.cell = CELL_LSTM, cfg.vocab_size = 10, cfg.input_size = 4, cfg.hidden_size = 8, cfg.num_layers = 1;
        cfg.pooling = POOL_LAST, cfg.output_size = 2, cfg.loss = LOSS_CROSS_ENTROPY, cfg.huber_delta = 1;
        model_init_on(&m, &cfg, 1, &planted);
        real w0;
        planted.download(&w0, m.weights, sizeof w0); /* the right way to read it */
        model_free(&m);
        return failed;
    }
    if (!strcmp(name, "host_reads_device")) {
        Model m;
        ModelConfig cfg = {};
        cfg.cell = CELL_LSTM, cfg.vocab_size = 10, cfg.input_size = 4, cfg.hidden_size = 8, cfg.num_layers = 1;
        cfg.pooling = POOL_LAST, cfg.output_size = 2, cfg.loss = LOSS_CROSS_ENTROPY, cfg.huber_delta = 1;
        model_init_on(&m, &cfg, 1, &planted);
        printf("first weight read by the host: %g\n", m.weights[0]); /* the bug */
        return 0;
    }
    if (!strcmp(name, "relies_on_zeroed_alloc")) {
        planted.alloc = alloc_without_zeroing;
        return compare_model_step(&planted, 0); /* grads never zeroed: relies on fresh memory */
    }
    if (!strcmp(name, "download_without_sync")) {
        planted.download = download_without_sync;
        return compare_model_step(&planted, 1);
    }
    if (!strcmp(name, "upload_source_reused")) {
        planted.upload = upload_pageable;
        return upload_then_reuse(&planted);
    }
    if (strstr(name, "capture")) return run_capture_case(name);
    if (!strcmp(name, "row_major_gemm")) {
        planted.gemm = gemm_row_major_as_is;
        return compare_model_step(&planted, 1);
    }
    if (!strcmp(name, "row_major_lt")) {
        planted.gemm_bias = lt_bias_row_major;
        return compare_model_step(&planted, 1);
    }
    return run_kernel_case(name);
}
