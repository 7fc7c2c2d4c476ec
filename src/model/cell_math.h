/* cell_math.h: the per-unit arithmetic of every cell step, forward and backward, written
 * once for both backends: the CPU loops (ops_cpu.c) and the CUDA kernels
 * (kernels/cell_kernels.cu) call these same functions for unit j of one sample's rows.
 *
 * Row layouts (one sample; H hidden units; gate blocks follow PyTorch):
 *   xp, hp   [G*H]  input and recurrent projections (biases included)
 *   RNN:  no cache;                      h = act(xp + hp)
 *   LSTM: cache [i|f|g|o|tanh c] (5H);   c = f*c_prev + i*g, h = o*tanh(c)
 *   GRU:  cache [r|z|n|extra] (4H);      h = (1-z)*n + z*h_prev, extra = W_hn h + b_hn
 *         (PyTorch variant) or r*h_prev (textbook variant, the input of its W_hn GEMM).
 * Backward writes d(loss)/d(pre-activation) per gate into dxp (and dhp where the
 * recurrent projection's gradient differs, the PyTorch GRU's n gate). */
#ifndef RECUR_CELL_MATH_H
#define RECUR_CELL_MATH_H

#include "../core/activations.h"
#include "../core/hd.h"
#include "../core/real.h"

/* ---- Elman RNN ---- */

RECUR_HD static inline real rnn_unit_forward(int relu, real pre) {
    return relu ? (pre > 0 ? pre : 0) : act_tanh(pre);
}

/* d(pre) from dh and the output h (both activations' derivatives are functions of h). */
RECUR_HD static inline real rnn_unit_backward(int relu, real h, real dh) {
    return dh * (relu ? (h > 0 ? 1 : 0) : 1 - h * h);
}

/* ---- LSTM ---- */

/* c, h and tanh c of unit j from its gate values (the CPU's loops read them back from the
 * cache, where a first loop over the gate columns put them). */
RECUR_HD static inline void lstm_unit_state(int H, int j, real i, real f, real g, real o,
                                            const real *c_prev, real *c, real *h, real *cache) {
    real cj = f * c_prev[j] + i * g, tc = act_tanh(cj);
    c[j] = cj;
    h[j] = o * tc;
    cache[4 * H + j] = tc;
}

RECUR_HD static inline void lstm_unit_forward(int H, int j, const real *xp, const real *hp,
                                              const real *c_prev, real *c, real *h,
                                              real *cache) {
    real i = act_sigmoid(xp[j] + hp[j]);
    real f = act_sigmoid(xp[H + j] + hp[H + j]);
    real g = act_tanh(xp[2 * H + j] + hp[2 * H + j]);
    real o = act_sigmoid(xp[3 * H + j] + hp[3 * H + j]);
    cache[j] = i, cache[H + j] = f, cache[2 * H + j] = g, cache[3 * H + j] = o;
    lstm_unit_state(H, j, i, f, g, o, c_prev, c, h, cache);
}

RECUR_HD static inline void lstm_unit_backward(int H, int j, const real *cache, const real *dh,
                                               const real *dc_in, const real *c_prev, real *d,
                                               real *dc_prev) {
    real i = cache[j], f = cache[H + j], g = cache[2 * H + j], o = cache[3 * H + j];
    real tc = cache[4 * H + j];
    real dc = dc_in[j] + dh[j] * o * (1 - tc * tc);
    d[j] = dc * g * i * (1 - i);
    d[H + j] = dc * c_prev[j] * f * (1 - f);
    d[2 * H + j] = dc * i * (1 - g * g);
    d[3 * H + j] = dh[j] * tc * o * (1 - o);
    dc_prev[j] = dc * f;
}

/* ---- GRU ---- */

/* r and z (the first 2H units of the row). */
RECUR_HD static inline void gru_unit_gates(int j, const real *xp, const real *hp, real *cache) {
    cache[j] = act_sigmoid(xp[j] + hp[j]);
}

/* Textbook only: the input of the W_hn GEMM, r * h_prev, into the cache's extra block. */
RECUR_HD static inline void gru_unit_reset_hidden(int H, int j, const real *h_prev, real *cache) {
    cache[3 * H + j] = cache[j] * h_prev[j];
}

/* n and h from r, z in the cache; the PyTorch variant keeps W_hn h + b_hn. */
RECUR_HD static inline void gru_unit_candidate(int H, int j, int textbook, const real *xp,
                                               const real *hp, const real *h_prev, real *h,
                                               real *cache) {
    real r = cache[j], z = cache[H + j];
    real n = act_tanh(xp[2 * H + j] + (textbook ? hp[2 * H + j] : r * hp[2 * H + j]));
    h[j] = (1 - z) * n + z * h_prev[j];
    cache[2 * H + j] = n;
    if (!textbook) cache[3 * H + j] = hp[2 * H + j];
}

/* dz_pre, dn_pre into dxp, and the direct term dh*z into dh_prev. */
RECUR_HD static inline void gru_unit_update_candidate_backward(int H, int j, const real *cache,
                                                               const real *dh,
                                                               const real *h_prev, real *dxp,
                                                               real *dh_prev) {
    real z = cache[H + j], n = cache[2 * H + j];
    dxp[H + j] = dh[j] * (h_prev[j] - n) * z * (1 - z);
    dxp[2 * H + j] = dh[j] * (1 - z) * (1 - n * n);
    dh_prev[j] = dh[j] * z;
}

/* PyTorch GRU: r scales W_hn h + b_hn, so d(hp)_n = dn_pre * r differs from d(xp)_n. */
RECUR_HD static inline void gru_unit_reset_backward(int H, int j, const real *cache, real *dxp,
                                                    real *dhp) {
    real r = cache[j], hn = cache[3 * H + j], dn_pre = dxp[2 * H + j];
    dxp[j] = dn_pre * hn * r * (1 - r);
    dhp[j] = dxp[j];
    dhp[H + j] = dxp[H + j];
    dhp[2 * H + j] = dn_pre * r;
}

/* The PyTorch GRU's whole step for unit j in one pass over the row: r, z, then n and h. */
RECUR_HD static inline void gru_unit_forward(int H, int j, const real *xp, const real *hp,
                                             const real *h_prev, real *h, real *cache) {
    gru_unit_gates(j, xp, hp, cache);
    gru_unit_gates(H + j, xp, hp, cache);
    gru_unit_candidate(H, j, 0, xp, hp, h_prev, h, cache);
}

/* Its backward for unit j in one pass: z and n, then r and the recurrent gradients. */
RECUR_HD static inline void gru_unit_backward(int H, int j, const real *cache, const real *dh,
                                              const real *h_prev, real *dxp, real *dhp,
                                              real *dh_prev) {
    gru_unit_update_candidate_backward(H, j, cache, dh, h_prev, dxp, dh_prev);
    gru_unit_reset_backward(H, j, cache, dxp, dhp);
}

/* Textbook GRU: r enters through d(r*h_prev) = drh, from the W_hn GEMM. */
RECUR_HD static inline void gru_unit_textbook_reset_backward(int j, const real *cache,
                                                             const real *drh,
                                                             const real *h_prev, real *dxp,
                                                             real *dh_prev) {
    real r = cache[j];
    dxp[j] = drh[j] * h_prev[j] * r * (1 - r);
    dh_prev[j] += drh[j] * r;
}

#endif
