/* cell_gru.c: the GRU step, gate order r,z,n, h = (1-z)*n + z*h_prev, in two variants:
 *   PyTorch/cuDNN (default): n = tanh(xn + r * (W_hn h_prev + b_hn))
 *   textbook (Cho et al.):   n = tanh(xn + W_hn (r * h_prev) + b_hn)
 * Cache per sample [r|z|n|extra], 4H: extra is W_hn h_prev + b_hn (PyTorch) or r*h_prev
 * (textbook, the input of its W_hn GEMM). The z/n arithmetic is shared; only where r
 * enters differs. */
#include "cell.h"

#include "../core/blas.h"

/* n and h of one sample from r, z in the cache; PyTorch's n also keeps W_hn h + b_hn. */
static void gru_candidate_row(int H, int textbook, const real *restrict xp,
                              const real *restrict hp, const real *restrict h_prev,
                              real *restrict h, real *restrict cache) {
    for (int j = 0; j < H; j++) {
        real r = cache[j], z = cache[H + j];
        real n = act_tanh(xp[2 * H + j] + (textbook ? hp[2 * H + j] : r * hp[2 * H + j]));
        h[j] = (1 - z) * n + z * h_prev[j];
        cache[2 * H + j] = n;
        if (!textbook) cache[3 * H + j] = hp[2 * H + j];
    }
}

static void gru_pointwise_forward(const CellForward *f, int b, int textbook) {
    long k = (long)b * f->H;
    gru_candidate_row(f->H, textbook, f->xp + 3 * k, f->scratch + 3 * k, f->h_prev + k, f->h + k,
                      f->cache + 4 * k);
}

static void gru_reset_update_gates(const CellForward *f) {
    int H = f->H;
    for (int b = 0; b < f->B; b++) {
        const real *xp = f->xp + (long)b * 3 * H, *hp = f->scratch + (long)b * 3 * H;
        real *cache = f->cache + (long)b * 4 * H;
        for (int j = 0; j < 2 * H; j++) cache[j] = act_sigmoid(xp[j] + hp[j]);
    }
}

static void gru_forward(const CellForward *f) {
    cell_recurrent_projection(f, 3, 0, 3 * f->H, f->h_prev, f->H);
    gru_reset_update_gates(f);
    for (int b = 0; b < f->B; b++) gru_pointwise_forward(f, b, 0);
}

static void gru_textbook_forward(const CellForward *f) {
    int H = f->H;
    cell_recurrent_projection(f, 3, 0, 2 * H, f->h_prev, H);
    gru_reset_update_gates(f);
    for (int b = 0; b < f->B; b++)
        for (int j = 0; j < H; j++)
            f->cache[(long)b * 4 * H + 3 * H + j] = f->cache[(long)b * 4 * H + j] * f->h_prev[(long)b * H + j];
    cell_recurrent_projection(f, 3, 2 * H, H, f->cache + 3 * H, 4 * H);
    for (int b = 0; b < f->B; b++) gru_pointwise_forward(f, b, 1);
}

/* dz_pre, dn_pre into dxp, and the direct term dh*z into dh_prev, for one sample. */
static void gru_update_candidate_row(int H, const real *restrict cache, const real *restrict dh,
                                     const real *restrict h_prev, real *restrict dxp,
                                     real *restrict dh_prev) {
    for (int j = 0; j < H; j++) {
        real z = cache[H + j], n = cache[2 * H + j];
        dxp[H + j] = dh[j] * (h_prev[j] - n) * z * (1 - z);
        dxp[2 * H + j] = dh[j] * (1 - z) * (1 - n * n);
        dh_prev[j] = dh[j] * z;
    }
}

/* PyTorch GRU: r scales W_hn h + b_hn, so d(hp)_n = dn_pre * r differs from d(xp)_n. */
static void gru_reset_row(int H, const real *restrict cache, real *restrict dxp,
                          real *restrict dhp) {
    for (int j = 0; j < H; j++) {
        real r = cache[j], hn = cache[3 * H + j], dn_pre = dxp[2 * H + j];
        dxp[j] = dn_pre * hn * r * (1 - r);
        dhp[j] = dxp[j];
        dhp[H + j] = dxp[H + j];
        dhp[2 * H + j] = dn_pre * r;
    }
}

/* Textbook GRU: r enters through d(r*h_prev) = drh, from the W_hn GEMM. */
static void gru_textbook_reset_row(int H, const real *restrict cache, const real *restrict drh,
                                   const real *restrict h_prev, real *restrict dxp,
                                   real *restrict dh_prev) {
    for (int j = 0; j < H; j++) {
        real r = cache[j];
        dxp[j] = drh[j] * h_prev[j] * r * (1 - r);
        dh_prev[j] += drh[j] * r;
    }
}

static void gru_update_and_candidate_backward(const CellBackward *g) {
    for (int b = 0; b < g->B; b++) {
        long k = (long)b * g->H;
        gru_update_candidate_row(g->H, g->cache + 4 * k, g->dh + k, g->h_prev + k, g->dxp + 3 * k,
                                 g->dh_prev + k);
    }
}

static void gru_backward(const CellBackward *g) {
    int H = g->H;
    gru_update_and_candidate_backward(g);
    for (int b = 0; b < g->B; b++) {
        long k = (long)b * H;
        gru_reset_row(H, g->cache + 4 * k, g->dxp + 3 * k, g->dhp + 3 * k);
    }
    cell_recurrent_backprop(g, 3, 0, 3 * H, 1);
}

static void gru_textbook_backward(const CellBackward *g) {
    int H = g->H;
    gru_update_and_candidate_backward(g);
    /* d(r*h_prev) = dn_pre W_hn, into scratch [B][H] */
    gemm(0, 0, g->B, H, H, 1, g->dxp + 2 * H, 3 * H, g->w_hh + 2L * H * H, H, 0, g->scratch, H);
    for (int b = 0; b < g->B; b++) {
        long k = (long)b * H;
        gru_textbook_reset_row(H, g->cache + 4 * k, g->scratch + k, g->h_prev + k, g->dxp + 3 * k,
                               g->dh_prev + k);
    }
    cell_recurrent_backprop(g, 3, 0, 2 * H, 1);
}

/* W_hr, W_hz multiply h_prev; W_hn multiplies r*h_prev, kept in the cache's last block. */
static void gru_textbook_weight_grad(int rows, int H, const real *dhp, const real *h_prev,
                                     const real *cache, real *dw_hh) {
    gemm(1, 0, 2 * H, H, rows, 1, dhp, 3 * H, h_prev, H, 1, dw_hh, H);
    gemm(1, 0, H, H, rows, 1, dhp + 2 * H, 3 * H, cache + 3 * H, 4 * H, 1, dw_hh + 2L * H * H, H);
}

const CellKind cell_gru = {"gru", 3, 4, 0, 1, gru_forward, gru_backward, 0};
const CellKind cell_gru_textbook = {"gru_textbook", 3, 4, 0, 0, gru_textbook_forward,
                                    gru_textbook_backward, gru_textbook_weight_grad};
