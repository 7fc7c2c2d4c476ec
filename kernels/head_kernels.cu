/* head_kernels.cu: the GPU side of the head and loss — bias rows, dropout (the same
 * counter-based masks as the CPU: core/rng.h), tanh, and the five losses of
 * src/model/loss.c, forward and backward. The loss sum is reduced in double by one block
 * in a fixed order, so it does not vary from run to run. */
#include <math.h>
#include <string.h>

#include "core/activations.h"
#include "core/rng.h"
#include <string.h>

#include "cuda_kernels.h"
#include "launch.cuh"

__global__ void add_row_bias_kernel(int rows, int cols, const real *bias, real *Y) {
    GRID_STRIDE_LOOP(i, (long)rows * cols) Y[i] += bias[i % cols];
}

void cuda_add_row_bias(int rows, int cols, const real *bias, real *Y) {
    LAUNCH_ELEMENTWISE(add_row_bias_kernel, (long)rows * cols, rows, cols, bias, Y);
}

__global__ void set_rows_kernel(int rows, int cols, const real *row, real *Y, int ldy) {
    GRID_STRIDE_LOOP(i, (long)rows * cols) Y[(i / cols) * ldy + i % cols] = row[i % cols];
}

void cuda_set_rows(int rows, int cols, const real *row, real *Y, int ldy) {
    LAUNCH_ELEMENTWISE(set_rows_kernel, (long)rows * cols, rows, cols, row, Y, ldy);
}

__global__ void dropout_forward_kernel(long n, real p, const uint64_t *seed, uint64_t stream,
                                       const real *in, real *out, real *mask) {
    real scale = (real)1 / ((real)1 - p);
    uint64_t s = *seed;
    GRID_STRIDE_LOOP(i, n) {
        mask[i] = rng_uniform(s, stream, (uint64_t)i) < (double)p ? 0 : scale;
        out[i] = in[i] * mask[i];
    }
}

void cuda_dropout_forward(long n, real p, const uint64_t *seed, uint64_t stream, const real *in,
                          real *out, real *mask) {
    LAUNCH_ELEMENTWISE(dropout_forward_kernel, n, n, p, seed, stream, in, out, mask);
}

__global__ void scale_kernel(long n, const real *mask, const real *dout, real *din) {
    GRID_STRIDE_LOOP(i, n) din[i] = dout[i] * mask[i];
}

void cuda_dropout_backward(long n, const real *mask, const real *dout, real *din) {
    LAUNCH_ELEMENTWISE(scale_kernel, n, n, mask, dout, din);
}

__global__ void tanh_forward_kernel(long n, real *y) {
    GRID_STRIDE_LOOP(i, n) y[i] = act_tanh(y[i]);
}

__global__ void tanh_backward_kernel(long n, const real *y, real *dy) {
    GRID_STRIDE_LOOP(i, n) dy[i] *= 1 - y[i] * y[i];
}

void cuda_tanh_forward(long n, real *y) { LAUNCH_ELEMENTWISE(tanh_forward_kernel, n, n, y); }
void cuda_tanh_backward(long n, const real *y, real *dy) {
    LAUNCH_ELEMENTWISE(tanh_backward_kernel, n, n, y, dy);
}

/* ---- losses (loss.c's formulas) ---- */

struct LossArgs { /* LossInput by value, for the kernels */
    LossType type;
    int N, C, ignore_index;
    real huber_delta;
    const real *logits, *targets;
    const uint8_t *valid;
    const int32_t *labels;
};

/* The padding after huber_delta is zeroed: a kernel argument's bytes are all defined (the
 * emulated device reads every 8-byte word of an argument struct as a possible pointer, and
 * stack garbage there once failed a launch as "invalid device pointer"). */
static LossArgs loss_args(const LossInput *in) {
    LossArgs a;
    memset(&a, 0, sizeof a);
    a.type = in->type, a.N = in->N, a.C = in->C, a.ignore_index = in->ignore_index;
    a.huber_delta = in->huber_delta, a.logits = in->logits, a.targets = in->targets;
    a.valid = in->valid, a.labels = in->labels;
    return a;
}

/* 1: row n counts; 0: padding or ignored. Labels were checked on the host (loss_count). */
__device__ static int row_counts(const LossArgs &a, int n) {
    if (a.valid && !a.valid[n]) return 0;
    return a.type != LOSS_CROSS_ENTROPY || a.labels[n] != a.ignore_index;
}

__device__ static double log_sum_exp(const real *x, int C) {
    double mx = x[0], s = 0;
    for (int c = 1; c < C; c++) mx = x[c] > mx ? x[c] : mx;
    for (int c = 0; c < C; c++) s += exp((double)x[c] - mx);
    return mx + log(s);
}

__device__ static double elementwise_loss(const LossArgs &a, double x, double y) {
    double d = x - y, ad = fabs(d), delta = a.huber_delta;
    switch (a.type) {
    case LOSS_BCE: return (x > 0 ? x : 0) - x * y + log1p(exp(-fabs(x)));
    case LOSS_MSE: return d * d;
    case LOSS_L1: return ad;
    case LOSS_HUBER: return ad <= delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
    default: return 0;
    }
}

__device__ static double elementwise_grad(const LossArgs &a, double x, double y) {
    double d = x - y, delta = a.huber_delta;
    switch (a.type) {
    case LOSS_BCE: return 1 / (1 + exp(-x)) - y;
    case LOSS_MSE: return 2 * d;
    case LOSS_L1: return (d > 0) - (d < 0);
    case LOSS_HUBER: return fabs(d) <= delta ? d : delta * ((d > 0) - (d < 0));
    default: return 0;
    }
}

/* One block: each thread sums its rows, then a tree in shared memory; *loss = the mean over
 * *counted items, rounded to real as the CPU's. */
__global__ void loss_forward_kernel(LossArgs a, const double *counted, double *loss) {
    __shared__ double sums[THREADS_PER_BLOCK];
    double sum = 0;
    for (int n = threadIdx.x; n < a.N; n += blockDim.x) {
        if (!row_counts(a, n)) continue;
        const real *x = a.logits + (long)n * a.C;
        if (a.type == LOSS_CROSS_ENTROPY) {
            sum += log_sum_exp(x, a.C) - x[a.labels[n]];
            continue;
        }
        const real *y = a.targets + (long)n * a.C;
        for (int c = 0; c < a.C; c++) sum += elementwise_loss(a, x[c], y[c]);
    }
    sums[threadIdx.x] = sum;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if ((int)threadIdx.x < half) sums[threadIdx.x] += sums[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) *loss = *counted ? (double)(real)(sums[0] / *counted) : 0;
}

void cuda_loss_forward(const LossInput *in, const double *counted, double *loss) {
    LAUNCH_KERNEL(loss_forward_kernel, 1, THREADS_PER_BLOCK, 0, cuda_ops_stream(), loss_args(in), counted, loss);
    CHECK_LAUNCH();
}

/* One thread per row: cross-entropy needs the row's log-sum-exp for every class. */
__global__ void loss_backward_kernel(LossArgs a, const double *counted, const double *loss, real *dlogits) {
    int poison = loss && !isfinite(*loss); /* loss.h: a non-finite loss, NaN gradients */
    double inv = *counted ? 1.0 / *counted : 0;
    GRID_STRIDE_LOOP(n, a.N) {
        const real *x = a.logits + n * a.C;
        real *dx = dlogits + n * a.C;
        if (poison) {
            for (int c = 0; c < a.C; c++) dx[c] = NAN;
        } else if (!row_counts(a, (int)n)) {
            for (int c = 0; c < a.C; c++) dx[c] = 0;
        } else if (a.type == LOSS_CROSS_ENTROPY) {
            double lse = log_sum_exp(x, a.C);
            for (int c = 0; c < a.C; c++)
                dx[c] = (real)((exp((double)x[c] - lse) - (c == a.labels[n])) * inv);
        } else {
            const real *y = a.targets + n * a.C;
            for (int c = 0; c < a.C; c++) dx[c] = (real)(elementwise_grad(a, x[c], y[c]) * inv);
        }
    }
}

void cuda_loss_backward(const LossInput *in, const double *counted, const double *loss, real *dlogits) {
    LAUNCH_ELEMENTWISE(loss_backward_kernel, in->N, loss_args(in), counted, loss, dlogits);
}
