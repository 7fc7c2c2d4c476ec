/* layer.c: the time loop of one recurrent direction (see layer.h), forward and BPTT,
 * shared by every cell type. Masking of finished samples lives here and only here. */
#include "layer.h"

#include <string.h>

#include "../core/blas.h"

static int state_slot(LayerShape s, int t) { return s.reverse ? t : t + 1; }
static int prev_slot(LayerShape s, int t) { return s.reverse ? t + 1 : t; }
static int time_at(LayerShape s, int step) { return s.reverse ? s.T - 1 - step : step; }

static void copy_row(real *dst, const real *src, int n) { memcpy(dst, src, sizeof(real) * n); }

/* Rows the cell computes at step t. With lengths non-increasing (batch_fill sorts them
 * so) the unfinished samples are the first n rows and the rest are skipped, as packed
 * sequences do; otherwise all B rows are computed and the finished ones masked. */
static int rows_to_compute(LayerShape s, const int32_t *lengths, int t) {
    int n = 0;
    while (n < s.B && lengths[n] > t) n++;
    for (int b = n; b < s.B; b++)
        if (lengths[b] > t) return s.B;
    return n;
}

void direction_forward(const CellKind *cell, LayerShape s, const int32_t *lengths,
                       const real *x, RecurrentParams w, DirectionState st,
                       const LayerScratch *scratch, real *y) {
    int T = s.T, B = s.B, H = s.H, GH = cell->gates * s.H;
    long BH = (long)B * H;
    gemm(0, 1, T * B, GH, s.I, 1, x, s.I, w.w_ih, s.I, 0, st.xp, GH);
    add_row_bias(T * B, GH, w.b_ih, st.xp);
    memset(st.states + prev_slot(s, time_at(s, 0)) * BH, 0, sizeof(real) * BH);
    if (cell->has_cell_state) memset(st.cells + prev_slot(s, time_at(s, 0)) * BH, 0, sizeof(real) * BH);

    for (int step = 0; step < T; step++) {
        int t = time_at(s, step);
        long cur = state_slot(s, t) * BH, prev = prev_slot(s, t) * BH;
        CellForward f = {
            .B = rows_to_compute(s, lengths, t), .H = H, .xp = st.xp + (long)t * B * GH, .h_prev = st.states + prev,
            .c_prev = cell->has_cell_state ? st.cells + prev : 0, .w_hh = w.w_hh, .b_hh = w.b_hh,
            .scratch = scratch->step, .h = st.states + cur,
            .c = cell->has_cell_state ? st.cells + cur : 0,
            .cache = st.cache + (long)t * B * cell->cache_width * H,
        };
        cell->forward(&f);
        for (int b = 0; b < B; b++) {
            real *out = y + ((long)t * B + b) * s.out_stride + s.out_offset;
            if (t >= lengths[b]) {
                copy_row(f.h + (long)b * H, f.h_prev + (long)b * H, H);
                if (f.c) copy_row(f.c + (long)b * H, f.c_prev + (long)b * H, H);
                memset(out, 0, sizeof(real) * H);
            } else {
                copy_row(out, f.h + (long)b * H, H);
            }
        }
    }
}

/* Gradient into step t: carried gradient plus the output's, zero for finished samples. */
static void gather_step_gradient(const CellKind *cell, LayerShape s, const int32_t *lengths,
                                 int t, const real *dy, const LayerScratch *sc) {
    int B = s.B, H = s.H;
    for (int b = 0; b < B; b++) {
        long k = (long)b * H;
        const real *dyr = dy + ((long)t * B + b) * s.out_stride + s.out_offset;
        int active = t < lengths[b];
        for (int j = 0; j < H; j++) sc->dh[k + j] = active ? sc->dh_carry[k + j] + dyr[j] : 0;
        if (cell->has_cell_state)
            for (int j = 0; j < H; j++) sc->dc[k + j] = active ? sc->dc_carry[k + j] : 0;
    }
}

/* Finished samples pass the carried gradient through to the earlier step unchanged. */
static void carry_step_gradient(const CellKind *cell, LayerShape s, const int32_t *lengths,
                                int t, const LayerScratch *sc) {
    int B = s.B, H = s.H;
    for (int b = 0; b < B; b++) {
        long k = (long)b * H;
        if (t < lengths[b]) {
            copy_row(sc->dh_carry + k, sc->dh_prev + k, H);
            if (cell->has_cell_state) copy_row(sc->dc_carry + k, sc->dc_prev + k, H);
        }
    }
}

static void weight_gradients(const CellKind *cell, LayerShape s, const real *x,
                             RecurrentParams w, DirectionState st, const real *dxp,
                             const real *dhp, RecurrentParams grad, real *dx, int accumulate_dx) {
    int rows = s.T * s.B, H = s.H, GH = cell->gates * s.H;
    const real *h_prev_all = st.states + (s.reverse ? (long)s.B * H : 0);
    gemm(1, 0, GH, s.I, rows, 1, dxp, GH, x, s.I, 1, grad.w_ih, s.I);
    add_column_sums(rows, GH, dxp, grad.b_ih);
    if (cell->recurrent_weight_grad)
        cell->recurrent_weight_grad(rows, H, dhp, h_prev_all, st.cache, grad.w_hh);
    else
        gemm(1, 0, GH, H, rows, 1, dhp, GH, h_prev_all, H, 1, grad.w_hh, H);
    add_column_sums(rows, GH, dhp, grad.b_hh);
    if (dx) gemm(0, 0, rows, s.I, GH, 1, dxp, GH, w.w_ih, s.I, accumulate_dx ? 1 : 0, dx, s.I);
}

void direction_backward(const CellKind *cell, LayerShape s, const int32_t *lengths,
                        const real *x, RecurrentParams w, DirectionState st,
                        const LayerScratch *sc, const real *dy, RecurrentParams grad,
                        real *dx, int accumulate_dx) {
    int T = s.T, B = s.B, H = s.H, GH = cell->gates * s.H;
    long BH = (long)B * H;
    real *dhp_all = cell->split_grads ? sc->dhp : sc->dxp;
    memset(sc->dh_carry, 0, sizeof(real) * BH);
    if (cell->has_cell_state) memset(sc->dc_carry, 0, sizeof(real) * BH);

    for (int step = T - 1; step >= 0; step--) {
        int t = time_at(s, step);
        long cur = state_slot(s, t) * BH, prev = prev_slot(s, t) * BH;
        gather_step_gradient(cell, s, lengths, t, dy, sc);
        int rows = rows_to_compute(s, lengths, t);
        CellBackward g = {
            .B = rows, .H = H, .dh = sc->dh, .dc = sc->dc, .h_prev = st.states + prev,
            .c_prev = cell->has_cell_state ? st.cells + prev : 0, .h = st.states + cur,
            .c = cell->has_cell_state ? st.cells + cur : 0,
            .cache = st.cache + (long)t * B * cell->cache_width * H, .w_hh = w.w_hh,
            .dxp = sc->dxp + (long)t * B * GH, .dhp = dhp_all + (long)t * B * GH,
            .dh_prev = sc->dh_prev, .dc_prev = sc->dc_prev, .scratch = sc->cell_scratch,
        };
        cell->backward(&g);
        if (rows < B) { /* skipped rows: no gradient into this step's projections */
            memset(g.dxp + (long)rows * GH, 0, sizeof(real) * (size_t)(B - rows) * GH);
            if (g.dhp != g.dxp) memset(g.dhp + (long)rows * GH, 0, sizeof(real) * (size_t)(B - rows) * GH);
        }
        carry_step_gradient(cell, s, lengths, t, sc);
    }
    weight_gradients(cell, s, x, w, st, sc->dxp, dhp_all, grad, dx, accumulate_dx);
}
