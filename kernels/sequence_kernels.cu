/* sequence_kernels.cu: the GPU side of what depends on each sample's length — the valid
 * mask, freezing finished samples in the time loop and routing their gradients — plus
 * the embedding gather and its linked-rows backward, and the three poolings. Same semantics as the CPU
 * functions in src/model (ops_cpu.c, embedding.c, pooling.c), one thread per element;
 * pooling's forward is pooling.h's pool_unit_forward, shared with the CPU. */
#include "cuda_kernels.h"
#include "model/embedding.h"
#include "model/pooling.h"
#include "launch.cuh"

__global__ void mark_valid_kernel(int T, int B, const int32_t *lengths, uint8_t *valid) {
    GRID_STRIDE_LOOP(i, (long)T * B) valid[i] = (i / B) < lengths[i % B];
}

void cuda_mark_valid(int T, int B, const int32_t *lengths, uint8_t *valid) {
    LAUNCH_ELEMENTWISE(mark_valid_kernel, (long)T * B, T, B, lengths, valid);
}

__global__ void step_freeze_kernel(int B, int H, int t, const int32_t *lengths,
                                   const real *h_prev, const real *c_prev, real *h, real *c,
                                   real *out, int out_stride) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H, j = i % H;
        real *o = out + b * out_stride + j;
        if (t >= lengths[b]) {
            h[i] = h_prev[i];
            if (c) c[i] = c_prev[i];
            *o = 0;
        } else {
            *o = h[i];
        }
    }
}

void cuda_step_freeze(int B, int H, int t, const int32_t *lengths, const real *h_prev,
                      const real *c_prev, real *h, real *c, real *out, int out_stride) {
    LAUNCH_ELEMENTWISE(step_freeze_kernel, (long)B * H, B, H, t, lengths, h_prev, c_prev, h, c,
                       out, out_stride);
}

__global__ void step_gather_gradient_kernel(int B, int H, int t, const int32_t *lengths,
                                            const real *dh_carry, const real *dc_carry,
                                            const real *dy_t, int dy_stride, real *dh, real *dc) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H, j = i % H;
        int active = t < lengths[b];
        dh[i] = active ? dh_carry[i] + dy_t[b * dy_stride + j] : 0;
        if (dc) dc[i] = active ? dc_carry[i] : 0;
    }
}

void cuda_step_gather_gradient(int B, int H, int t, const int32_t *lengths, const real *dh_carry,
                               const real *dc_carry, const real *dy_t, int dy_stride, real *dh,
                               real *dc) {
    LAUNCH_ELEMENTWISE(step_gather_gradient_kernel, (long)B * H, B, H, t, lengths, dh_carry,
                       dc_carry, dy_t, dy_stride, dh, dc);
}

__global__ void step_carry_gradient_kernel(int B, int H, int t, const int32_t *lengths,
                                           const real *dh_prev, const real *dc_prev,
                                           real *dh_carry, real *dc_carry) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        if (t >= lengths[i / H]) continue;
        dh_carry[i] = dh_prev[i];
        if (dc_carry) dc_carry[i] = dc_prev[i];
    }
}

void cuda_step_carry_gradient(int B, int H, int t, const int32_t *lengths, const real *dh_prev,
                              const real *dc_prev, real *dh_carry, real *dc_carry) {
    LAUNCH_ELEMENTWISE(step_carry_gradient_kernel, (long)B * H, B, H, t, lengths, dh_prev, dc_prev,
                       dh_carry, dc_carry);
}

/* ---- embedding ---- */

__global__ void embedding_forward_kernel(long N, int E, const int32_t *tokens, const real *table,
                                         real *out) {
    GRID_STRIDE_LOOP(i, N * E) out[i] = table[(long)tokens[i / E] * E + i % E];
}

void cuda_embedding_forward(int N, int E, const int32_t *tokens, const real *table, real *out) {
    LAUNCH_ELEMENTWISE(embedding_forward_kernel, (long)N * E, (long)N, E, tokens, table, out);
}

/* One thread per (token, column), down the token's linked rows in ascending order
 * (embedding.h): no atomics, the CPU's sums to the bit. Sized for the bound (every row a
 * head); the batch's own count is read on the device, so the launch is the same for
 * every batch of a shape. */
__global__ void embedding_backward_kernel(long max_heads, const int32_t *num_heads, int E,
                                          const int32_t *tokens, const int32_t *heads,
                                          const int32_t *next, const real *dout, real *grad_table) {
    long n = *num_heads < max_heads ? *num_heads : max_heads;
    GRID_STRIDE_LOOP(i, n * E)
        embedding_add_linked(E, (int)(i % E), heads[i / E], tokens, next, dout, grad_table);
}

void cuda_embedding_backward(int max_heads, const int32_t *num_heads, int E, const int32_t *tokens,
                             const int32_t *heads, const int32_t *next, const real *dout, real *grad_table) {
    LAUNCH_ELEMENTWISE(embedding_backward_kernel, (long)max_heads * E, (long)max_heads, num_heads, E, tokens,
                       heads, next, dout, grad_table);
}

/* ---- pooling: one thread per (sample, column) ---- */

__global__ void pool_forward_kernel(Pooling kind, int B, int D, int directions,
                                    const int32_t *lengths, const real *y, real *pooled,
                                    int32_t *argmax) {
    GRID_STRIDE_LOOP(i, (long)B * D) {
        long b = i / D;
        pooled[i] = pool_unit_forward(kind, B, D, directions, lengths[b], b, (int)(i % D), y, argmax + i);
    }
}

void cuda_pool_forward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                       const real *y, real *pooled, int32_t *argmax) {
    (void)T;
    LAUNCH_ELEMENTWISE(pool_forward_kernel, (long)B * D, kind, B, D, directions, lengths, y,
                       pooled, argmax);
}

/* One thread per element of dy [T*B][D]: each decides its own value, so no zeroing pass
 * and no two threads write the same place. */
__global__ void pool_backward_kernel(Pooling kind, int T, int B, int D, int directions,
                                     const int32_t *lengths, const int32_t *argmax,
                                     const real *dpooled, real *dy) {
    GRID_STRIDE_LOOP(i, (long)T * B * D) {
        long tb = i / D;
        int j = (int)(i % D), t = (int)(tb / B), b = (int)(tb % B), len = lengths[b];
        long k = (long)b * D + j;
        real g = 0;
        if (kind == POOL_LAST) g = t == pool_last_time(j, D, directions, len) ? dpooled[k] : 0;
        else if (kind == POOL_MEAN) g = t < len ? dpooled[k] / (real)len : 0;
        else g = t == argmax[k] ? dpooled[k] : 0;
        dy[i] = g;
    }
}

void cuda_pool_backward(Pooling kind, int T, int B, int D, int directions,
                        const int32_t *lengths, const int32_t *argmax, const real *dpooled,
                        real *dy) {
    LAUNCH_ELEMENTWISE(pool_backward_kernel, (long)T * B * D, kind, T, B, D, directions, lengths,
                       argmax, dpooled, dy);
}
