/* cell_kernels.cu: the pointwise part of every cell step on the GPU, one thread per hidden
 * unit of one sample. The arithmetic is cell_math.h's, the very functions the CPU loops
 * call; these kernels only map a flat index to (sample b, unit j) and the row pointers. */
#include "model/cell_math.h"
#include "cuda_kernels.h"
#include "launch.cuh"

__global__ void rnn_forward_kernel(long n, int relu, const real *xp, const real *hp, real *h) {
    GRID_STRIDE_LOOP(i, n) h[i] = rnn_unit_forward(relu, xp[i] + hp[i]);
}

__global__ void rnn_backward_kernel(long n, int relu, const real *h, const real *dh, real *dxp) {
    GRID_STRIDE_LOOP(i, n) dxp[i] = rnn_unit_backward(relu, h[i], dh[i]);
}

void cuda_rnn_forward(int B, int H, int relu, const real *xp, const real *hp, real *h) {
    LAUNCH_ELEMENTWISE(rnn_forward_kernel, (long)B * H, (long)B * H, relu, xp, hp, h);
}

void cuda_rnn_backward(int B, int H, int relu, const real *h, const real *dh, real *dxp) {
    LAUNCH_ELEMENTWISE(rnn_backward_kernel, (long)B * H, (long)B * H, relu, h, dh, dxp);
}

__global__ void lstm_forward_kernel(int B, int H, const real *xp, const real *hp,
                                    const real *c_prev, real *c, real *h, real *cache) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H;
        int j = (int)(i % H);
        lstm_unit_forward(H, j, xp + 4 * b * H, hp + 4 * b * H, c_prev + b * H, c + b * H,
                          h + b * H, cache + 5 * b * H);
    }
}

__global__ void lstm_backward_kernel(int B, int H, const real *cache, const real *dh,
                                     const real *dc, const real *c_prev, real *dxp,
                                     real *dc_prev) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H;
        int j = (int)(i % H);
        lstm_unit_backward(H, j, cache + 5 * b * H, dh + b * H, dc + b * H, c_prev + b * H,
                           dxp + 4 * b * H, dc_prev + b * H);
    }
}

void cuda_lstm_forward(int B, int H, const real *xp, const real *hp, const real *c_prev, real *c,
                       real *h, real *cache) {
    LAUNCH_ELEMENTWISE(lstm_forward_kernel, (long)B * H, B, H, xp, hp, c_prev, c, h, cache);
}

void cuda_lstm_backward(int B, int H, const real *cache, const real *dh, const real *dc,
                        const real *c_prev, real *dxp, real *dc_prev) {
    LAUNCH_ELEMENTWISE(lstm_backward_kernel, (long)B * H, B, H, cache, dh, dc, c_prev, dxp, dc_prev);
}

/* r and z: 2H units per sample. */
__global__ void gru_gates_kernel(int B, int H, const real *xp, const real *hp, real *cache) {
    GRID_STRIDE_LOOP(i, (long)B * 2 * H) {
        long b = i / (2 * H);
        int j = (int)(i % (2 * H));
        gru_unit_gates(j, xp + 3 * b * H, hp + 3 * b * H, cache + 4 * b * H);
    }
}

__global__ void gru_reset_hidden_kernel(int B, int H, const real *h_prev, real *cache) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H;
        gru_unit_reset_hidden(H, (int)(i % H), h_prev + b * H, cache + 4 * b * H);
    }
}

__global__ void gru_textbook_candidate_kernel(int B, int H, const real *xp, const real *hp,
                                              const real *h_prev, real *h, real *cache) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H;
        gru_unit_candidate(H, (int)(i % H), 1, xp + 3 * b * H, hp + 3 * b * H,
                           h_prev + b * H, h + b * H, cache + 4 * b * H);
    }
}

__global__ void gru_update_candidate_backward_kernel(int B, int H, const real *cache,
                                                     const real *dh, const real *h_prev,
                                                     real *dxp, real *dh_prev) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H;
        gru_unit_update_candidate_backward(H, (int)(i % H), cache + 4 * b * H, dh + b * H,
                                           h_prev + b * H, dxp + 3 * b * H, dh_prev + b * H);
    }
}

__global__ void gru_forward_kernel(int B, int H, const real *xp, const real *hp, const real *h_prev,
                                   real *h, real *cache) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H;
        gru_unit_forward(H, (int)(i % H), xp + 3 * b * H, hp + 3 * b * H, h_prev + b * H, h + b * H,
                         cache + 4 * b * H);
    }
}

__global__ void gru_backward_kernel(int B, int H, const real *cache, const real *dh, const real *h_prev,
                                    real *dxp, real *dhp, real *dh_prev) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H;
        gru_unit_backward(H, (int)(i % H), cache + 4 * b * H, dh + b * H, h_prev + b * H, dxp + 3 * b * H,
                          dhp + 3 * b * H, dh_prev + b * H);
    }
}

__global__ void gru_textbook_reset_backward_kernel(int B, int H, const real *cache,
                                                   const real *drh, const real *h_prev,
                                                   real *dxp, real *dh_prev) {
    GRID_STRIDE_LOOP(i, (long)B * H) {
        long b = i / H;
        gru_unit_textbook_reset_backward((int)(i % H), cache + 4 * b * H, drh + b * H,
                                         h_prev + b * H, dxp + 3 * b * H, dh_prev + b * H);
    }
}

void cuda_gru_gates(int B, int H, const real *xp, const real *hp, real *cache) {
    LAUNCH_ELEMENTWISE(gru_gates_kernel, (long)B * 2 * H, B, H, xp, hp, cache);
}

void cuda_gru_reset_hidden(int B, int H, const real *h_prev, real *cache) {
    LAUNCH_ELEMENTWISE(gru_reset_hidden_kernel, (long)B * H, B, H, h_prev, cache);
}

void cuda_gru_textbook_candidate(int B, int H, const real *xp, const real *hp, const real *h_prev, real *h,
                                 real *cache) {
    LAUNCH_ELEMENTWISE(gru_textbook_candidate_kernel, (long)B * H, B, H, xp, hp, h_prev, h, cache);
}

void cuda_gru_update_candidate_backward(int B, int H, const real *cache, const real *dh,
                                        const real *h_prev, real *dxp, real *dh_prev) {
    LAUNCH_ELEMENTWISE(gru_update_candidate_backward_kernel, (long)B * H, B, H, cache, dh, h_prev,
                       dxp, dh_prev);
}

void cuda_gru_forward(int B, int H, const real *xp, const real *hp, const real *h_prev, real *h,
                      real *cache) {
    LAUNCH_ELEMENTWISE(gru_forward_kernel, (long)B * H, B, H, xp, hp, h_prev, h, cache);
}

void cuda_gru_backward(int B, int H, const real *cache, const real *dh, const real *h_prev, real *dxp,
                       real *dhp, real *dh_prev) {
    LAUNCH_ELEMENTWISE(gru_backward_kernel, (long)B * H, B, H, cache, dh, h_prev, dxp, dhp, dh_prev);
}

void cuda_gru_textbook_reset_backward(int B, int H, const real *cache, const real *drh,
                                      const real *h_prev, real *dxp, real *dh_prev) {
    LAUNCH_ELEMENTWISE(gru_textbook_reset_backward_kernel, (long)B * H, B, H, cache, drh, h_prev,
                       dxp, dh_prev);
}
