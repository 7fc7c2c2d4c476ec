/* vector_kernels.cu: flat-vector ops of the CUDA backend for the trainer — the sum of
 * squares behind the gradient norm (double, in a fixed order: per-block partial sums,
 * then one block adds the partials, so the norm is the same in every run), scaling and
 * clamping for gradient clipping. The norm stays in device memory: the clip reads it
 * there, and the host reads it once per step with the loss. */
#include "cuda_kernels.h"
#include "launch.cuh"

enum { NORM_BLOCKS = 1024 };

/* Block b sums x[i]^2 over its grid-stride elements into partial[b]. */
__global__ void sum_squares_partial_kernel(long n, const real *x, double *partial) {
    __shared__ double sums[THREADS_PER_BLOCK];
    double sum = 0;
    GRID_STRIDE_LOOP(i, n) sum += (double)x[i] * x[i];
    sums[threadIdx.x] = sum;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if ((int)threadIdx.x < half) sums[threadIdx.x] += sums[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = sums[0];
}

__global__ void sum_partials_kernel(int n, const double *partial, double *out) {
    __shared__ double sums[THREADS_PER_BLOCK];
    double sum = 0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) sum += partial[i];
    sums[threadIdx.x] = sum;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if ((int)threadIdx.x < half) sums[threadIdx.x] += sums[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) *out = sums[0];
}

void cuda_sum_squares(long n, const real *x, double *out) {
    static double *partial; /* device [NORM_BLOCKS], kept for the process */
    if (!partial) CHECK(CUDA, cudaMalloc(&partial, NORM_BLOCKS * sizeof(double)));
    cudaStream_t s = cuda_ops_stream();
    if (n <= 0) {
        CHECK(CUDA, cudaMemsetAsync(out, 0, sizeof(double), s));
        return;
    }
    LAUNCH_KERNEL(sum_squares_partial_kernel, NORM_BLOCKS, THREADS_PER_BLOCK, 0, s, n, x, partial);
    CHECK_LAUNCH();
    LAUNCH_KERNEL(sum_partials_kernel, 1, THREADS_PER_BLOCK, 0, s, (int)NORM_BLOCKS, partial, out);
    CHECK_LAUNCH();
}

__global__ void scale_vector_kernel(long n, const real *a, real *x) {
    real by = *a;
    GRID_STRIDE_LOOP(i, n) x[i] *= by;
}

void cuda_scale(long n, const real *a, real *x) { LAUNCH_ELEMENTWISE(scale_vector_kernel, n, n, a, x); }

/* ops.h's scale_by_norm: the coefficient in double from the device's norm, as the CPU's. */
__global__ void scale_by_norm_kernel(long n, const double *sumsq, double max_norm, real *x) {
    double coef = max_norm / (sqrt(*sumsq) + 1e-6);
    if (!(coef < 1)) return;
    GRID_STRIDE_LOOP(i, n) x[i] *= (real)coef;
}

void cuda_scale_by_norm(long n, const double *sumsq, double max_norm, real *x) {
    LAUNCH_ELEMENTWISE(scale_by_norm_kernel, n, n, sumsq, max_norm, x);
}

__global__ void clamp_kernel(long n, real lo, real hi, const double *guard, real *x) {
    if (!isfinite(*guard)) return;
    GRID_STRIDE_LOOP(i, n) {
        if (x[i] > hi) x[i] = hi;
        else if (x[i] < lo) x[i] = lo;
    }
}

void cuda_clamp(long n, real lo, real hi, const double *guard, real *x) {
    LAUNCH_ELEMENTWISE(clamp_kernel, n, n, lo, hi, guard, x);
}
