/* cell_gru.c: the GRU step, gate order r,z,n, h = (1-z)*n + z*h_prev, in two variants:
 *   PyTorch/cuDNN (default): n = tanh(xn + r * (W_hn h_prev + b_hn))
 *   textbook (Cho et al.):   n = tanh(xn + W_hn (r * h_prev) + b_hn)
 * Cache per sample [r|z|n|extra], 4H: extra is W_hn h_prev + b_hn (PyTorch) or r*h_prev
 * (textbook, the input of its W_hn GEMM). The z/n arithmetic is shared; only where r
 * enters differs (cell_math.h). */
#include "cell.h"

static void gru_pointwise(const CellForward *f) {
    f->ops->gru_forward(f->B, f->H, f->xp, f->scratch, f->h_prev, f->h, f->cache);
}

static void gru_forward(const CellForward *f) {
    cell_recurrent_projection(f, 3, 0, 3 * f->H, f->h_prev, f->H);
    gru_pointwise(f);
}

static void gru_textbook_forward(const CellForward *f) {
    int H = f->H;
    cell_recurrent_projection(f, 3, 0, 2 * H, f->h_prev, H);
    f->ops->gru_gates(f->B, H, f->xp, f->scratch, f->cache);
    f->ops->gru_reset_hidden(f->B, H, f->h_prev, f->cache);
    cell_recurrent_projection(f, 3, 2 * H, H, f->cache + 3 * H, 4 * H);
    f->ops->gru_textbook_candidate(f->B, H, f->xp, f->scratch, f->h_prev, f->h, f->cache);
}

static void gru_pointwise_backward(const CellBackward *g) {
    g->ops->gru_backward(g->B, g->H, g->cache, g->dh, g->h_prev, g->dxp, g->dhp, g->dh_prev);
}

static void gru_backward(const CellBackward *g) {
    gru_pointwise_backward(g);
    cell_recurrent_backprop(g, 3, 0, 3 * g->H, 1);
}

static void gru_textbook_backward(const CellBackward *g) {
    int H = g->H;
    g->ops->gru_update_candidate_backward(g->B, H, g->cache, g->dh, g->h_prev, g->dxp, g->dh_prev);
    /* d(r*h_prev) = dn_pre W_hn, into scratch [B][H] */
    g->ops->gemm(0, 0, g->B, H, H, 1, g->dxp + 2 * H, 3 * H, g->w_hh + 2L * H * H, H, 0,
                 g->scratch, H);
    g->ops->gru_textbook_reset_backward(g->B, H, g->cache, g->scratch, g->h_prev, g->dxp, g->dh_prev);
    cell_recurrent_backprop(g, 3, 0, 2 * H, 1);
}

/* W_hr, W_hz multiply h_prev; W_hn multiplies r*h_prev, kept in the cache's last block. */
static void gru_textbook_weight_grad(const ModelOps *ops, int rows, int H, const real *dhp,
                                     const real *h_prev, const real *cache, real *dw_hh) {
    ops->gemm(1, 0, 2 * H, H, rows, 1, dhp, 3 * H, h_prev, H, 1, dw_hh, H);
    ops->gemm(1, 0, H, H, rows, 1, dhp + 2 * H, 3 * H, cache + 3 * H, 4 * H, 1,
              dw_hh + 2L * H * H, H);
}

const CellKind cell_gru = {
    .type = CELL_GRU, .name = "gru", .gates = 3, .cache_width = 4, .split_grads = 1,
    .forward = gru_forward, .backward = gru_backward, .forward_pointwise = gru_pointwise,
    .backward_pointwise = gru_pointwise_backward, .backprop_adds = 1,
};
const CellKind cell_gru_textbook = {
    .type = CELL_GRU_TEXTBOOK, .name = "gru_textbook", .gates = 3, .cache_width = 4,
    .forward = gru_textbook_forward, .backward = gru_textbook_backward,
    .recurrent_weight_grad = gru_textbook_weight_grad,
};
