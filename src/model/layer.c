/* layer.c: the time loop of one recurrent direction (see layer.h), forward and BPTT,
 * shared by every cell type and both backends. Masking of finished samples is decided
 * here and only here (the step_* ops carry it out). A backend with a whole-sequence
 * recurrence op (the GPU's persistent kernels) may take the loop over; the projections
 * before it and the weight gradients after it stay here. */
#include "layer.h"

#include <string.h>

static int state_slot(LayerShape s, int t) { return s.reverse ? t : t + 1; }
static int prev_slot(LayerShape s, int t) { return s.reverse ? t + 1 : t; }
static int time_at(LayerShape s, int step) { return s.reverse ? s.T - 1 - step : step; }

/* Rows the cell computes at step t. With lengths non-increasing (batch_fill sorts them
 * so) the unfinished samples are the first n rows and the rest are skipped, as packed
 * sequences do; otherwise all B rows are computed and the finished ones masked. */
static int rows_to_compute(LayerShape s, const int32_t *host_lengths, int t) {
    int n = 0;
    while (n < s.B && host_lengths[n] > t) n++;
    for (int b = n; b < s.B; b++)
        if (host_lengths[b] > t) return s.B;
    return n;
}

/* The loop's buffers for a backend's recurrence op (ops.h); zeroed whole, padding too,
 * since a device backend passes it to a kernel by value. */
static RecurrenceJob recurrence_job(const CellKind *cell, LayerShape s, const int32_t *lengths,
                                    RecurrentParams w, DirectionState st) {
    RecurrenceJob j;
    memset(&j, 0, sizeof j);
    j.cell = cell->type, j.T = s.T, j.B = s.B, j.H = s.H, j.reverse = s.reverse;
    j.out_stride = s.out_stride, j.out_offset = s.out_offset, j.lengths = lengths;
    j.w_hh = w.w_hh, j.b_hh = w.b_hh, j.xp = st.xp, j.states = st.states;
    j.cells = cell->has_cell_state ? st.cells : 0, j.cache = st.cache;
    return j;
}

void direction_forward(const ModelOps *ops, const CellKind *cell, LayerShape s,
                       const int32_t *host_lengths, const int32_t *lengths,
                       const real *x, RecurrentParams w, DirectionState st,
                       const LayerScratch *scratch, real *y) {
    int T = s.T, B = s.B, H = s.H, GH = cell->gates * s.H;
    long BH = (long)B * H;
    ops->gemm(0, 1, T * B, GH, s.I, 1, x, s.I, w.w_ih, s.I, 0, st.xp, GH);
    ops->add_row_bias(T * B, GH, w.b_ih, st.xp);
    ops->zero(st.states + prev_slot(s, time_at(s, 0)) * BH, sizeof(real) * BH);
    if (cell->has_cell_state) ops->zero(st.cells + prev_slot(s, time_at(s, 0)) * BH, sizeof(real) * BH);
    if (ops->recurrence_forward) {
        RecurrenceJob job = recurrence_job(cell, s, lengths, w, st);
        job.y = y, job.hp = scratch->step;
        if (ops->recurrence_forward(&job)) return;
    }

    for (int step = 0; step < T; step++) {
        int t = time_at(s, step);
        long cur = state_slot(s, t) * BH, prev = prev_slot(s, t) * BH;
        CellForward f = {
            .ops = ops, .B = rows_to_compute(s, host_lengths, t), .H = H,
            .xp = st.xp + (long)t * B * GH, .h_prev = st.states + prev,
            .c_prev = cell->has_cell_state ? st.cells + prev : 0, .w_hh = w.w_hh, .b_hh = w.b_hh,
            .scratch = scratch->step, .h = st.states + cur,
            .c = cell->has_cell_state ? st.cells + cur : 0,
            .cache = st.cache + (long)t * B * cell->cache_width * H,
        };
        cell->forward(&f);
        ops->step_freeze(B, H, t, lengths, f.h_prev, f.c_prev, f.h, f.c,
                         y + (long)t * B * s.out_stride + s.out_offset, s.out_stride);
    }
}

static void weight_gradients(const ModelOps *ops, const CellKind *cell, LayerShape s,
                             const real *x, RecurrentParams w, DirectionState st,
                             const real *dxp, const real *dhp, RecurrentParams grad, real *dx,
                             int accumulate_dx) {
    int rows = s.T * s.B, H = s.H, GH = cell->gates * s.H;
    const real *h_prev_all = st.states + (s.reverse ? (long)s.B * H : 0);
    ops->gemm(1, 0, GH, s.I, rows, 1, dxp, GH, x, s.I, 1, grad.w_ih, s.I);
    ops->add_column_sums(rows, GH, dxp, grad.b_ih);
    if (cell->recurrent_weight_grad)
        cell->recurrent_weight_grad(ops, rows, H, dhp, h_prev_all, st.cache, grad.w_hh);
    else
        ops->gemm(1, 0, GH, H, rows, 1, dhp, GH, h_prev_all, H, 1, grad.w_hh, H);
    ops->add_column_sums(rows, GH, dhp, grad.b_hh);
    if (dx) ops->gemm(0, 0, rows, s.I, GH, 1, dxp, GH, w.w_ih, s.I, accumulate_dx ? 1 : 0, dx, s.I);
}

void direction_backward(const ModelOps *ops, const CellKind *cell, LayerShape s,
                        const int32_t *host_lengths, const int32_t *lengths,
                        const real *x, RecurrentParams w, DirectionState st,
                        const LayerScratch *sc, const real *dy, RecurrentParams grad,
                        real *dx, int accumulate_dx) {
    int T = s.T, B = s.B, H = s.H, GH = cell->gates * s.H;
    long BH = (long)B * H;
    real *dhp_all = cell->split_grads ? sc->dhp : sc->dxp;
    real *dc = cell->has_cell_state ? sc->dc : 0, *dc_carry = cell->has_cell_state ? sc->dc_carry : 0;
    ops->zero(sc->dh_carry, sizeof(real) * BH);
    if (dc_carry) ops->zero(dc_carry, sizeof(real) * BH);
    if (ops->recurrence_backward) {
        RecurrenceJob job = recurrence_job(cell, s, lengths, w, st);
        job.dy = dy, job.dxp = sc->dxp, job.dhp = dhp_all, job.dh = sc->dh, job.dc = dc;
        job.dh_prev = sc->dh_prev, job.dc_prev = cell->has_cell_state ? sc->dc_prev : 0;
        job.dh_carry = sc->dh_carry, job.dc_carry = dc_carry, job.drh = sc->cell_scratch;
        if (ops->recurrence_backward(&job)) {
            weight_gradients(ops, cell, s, x, w, st, sc->dxp, dhp_all, grad, dx, accumulate_dx);
            return;
        }
    }

    for (int step = T - 1; step >= 0; step--) {
        int t = time_at(s, step);
        long cur = state_slot(s, t) * BH, prev = prev_slot(s, t) * BH;
        ops->step_gather_gradient(B, H, t, lengths, sc->dh_carry, dc_carry,
                                  dy + (long)t * B * s.out_stride + s.out_offset, s.out_stride,
                                  sc->dh, dc);
        int rows = rows_to_compute(s, host_lengths, t);
        CellBackward g = {
            .ops = ops, .B = rows, .H = H, .dh = sc->dh, .dc = dc, .h_prev = st.states + prev,
            .c_prev = cell->has_cell_state ? st.cells + prev : 0, .h = st.states + cur,
            .c = cell->has_cell_state ? st.cells + cur : 0,
            .cache = st.cache + (long)t * B * cell->cache_width * H, .w_hh = w.w_hh,
            .dxp = sc->dxp + (long)t * B * GH, .dhp = dhp_all + (long)t * B * GH,
            .dh_prev = sc->dh_prev, .dc_prev = sc->dc_prev, .scratch = sc->cell_scratch,
        };
        cell->backward(&g);
        if (rows < B) { /* skipped rows: no gradient into this step's projections */
            ops->zero(g.dxp + (long)rows * GH, sizeof(real) * (size_t)(B - rows) * GH);
            if (g.dhp != g.dxp) ops->zero(g.dhp + (long)rows * GH, sizeof(real) * (size_t)(B - rows) * GH);
        }
        ops->step_carry_gradient(B, H, t, lengths, sc->dh_prev, sc->dc_prev, sc->dh_carry, dc_carry);
    }
    weight_gradients(ops, cell, s, x, w, st, sc->dxp, dhp_all, grad, dx, accumulate_dx);
}
