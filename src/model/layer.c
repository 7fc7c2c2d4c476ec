/* layer.c: one recurrent layer (see layer.h), forward and BPTT: the input projections,
 * each direction's time loop, the weight gradients; shared by every cell type and both
 * backends. Masking of finished samples is decided here and only here (the step_* ops
 * carry it out). A backend with whole-sequence recurrence ops (the GPU's persistent
 * kernels) may take the time loops over, both directions at once; the projections before
 * and the weight gradients after stay here. */
#include "layer.h"

#include <stdlib.h>
#include <string.h>

#include "../core/check.h"
#include "linear.h"

static int state_slot(LayerShape s, int t) { return s.reverse ? t : t + 1; }
static int prev_slot(LayerShape s, int t) { return s.reverse ? t + 1 : t; }
static int time_at(LayerShape s, int step) { return s.reverse ? s.T - 1 - step : step; }

int layer_rows_to_compute(int B, const int32_t *host_lengths, int t) {
    int n = 0;
    while (n < B && host_lengths[n] > t) n++;
    for (int b = n; b < B; b++)
        if (host_lengths[b] > t) return B;
    return n;
}

static int rows_to_compute(LayerShape s, const int32_t *host_lengths, int t) {
    return layer_rows_to_compute(s.B, host_lengths, t);
}

/* The loop's buffers for a backend's recurrence op (ops.h); zeroed whole, padding too,
 * since a device backend passes it to a kernel by value. */
static RecurrenceJob recurrence_job(const CellKind *cell, LayerShape s, const int32_t *lengths,
                                    RecurrentParams w, DirectionState st) {
    RecurrenceJob j;
    memset(&j, 0, sizeof j);
    j.cell = cell->type, j.T = s.T, j.B = s.B, j.H = s.H, j.reverse = s.reverse;
    j.out_stride = s.out_stride, j.out_offset = s.out_offset, j.lengths = lengths;
    j.w_hh = w.w_hh, j.b_hh = w.b_hh, j.w_ih = w.w_ih, j.b_ih = w.b_ih, j.xp = st.xp, j.states = st.states;
    j.cells = cell->has_cell_state ? st.cells : 0, j.cache = st.cache;
    return j;
}

/* The initial state h0 (c0) = 0. */
static void zero_initial_state(const LayerPass *p, int d) {
    LayerShape s = p->shape[d];
    DirectionState st = p->st[d];
    long BH = (long)s.B * s.H;
    p->ops->zero(st.states + prev_slot(s, time_at(s, 0)) * BH, sizeof(real) * BH);
    if (p->cell->has_cell_state) p->ops->zero(st.cells + prev_slot(s, time_at(s, 0)) * BH, sizeof(real) * BH);
}

/* The input projection of all T steps, and the initial state. */
static void project_inputs(const LayerPass *p, int d) {
    const ModelOps *ops = p->ops;
    LayerShape s = p->shape[d];
    int GH = p->cell->gates * s.H;
    linear_forward(ops, s.T * s.B, s.I, GH, p->x, p->w[d].w_ih, p->w[d].b_ih, p->st[d].xp);
    zero_initial_state(p, d);
}

/* The time loop of direction d, a cell step and a freeze per step. */
static void steps_forward(const LayerPass *p, int d, real *y) {
    const ModelOps *ops = p->ops;
    const CellKind *cell = p->cell;
    LayerShape s = p->shape[d];
    DirectionState st = p->st[d];
    int B = s.B, H = s.H, GH = cell->gates * s.H;
    long BH = (long)B * H;
    for (int step = 0; step < s.T; step++) {
        int t = time_at(s, step);
        long cur = state_slot(s, t) * BH, prev = prev_slot(s, t) * BH;
        CellForward f = {
            .ops = ops, .B = rows_to_compute(s, p->host_lengths, t), .H = H,
            .xp = st.xp + (long)t * B * GH, .h_prev = st.states + prev,
            .c_prev = cell->has_cell_state ? st.cells + prev : 0, .w_hh = p->w[d].w_hh, .b_hh = p->w[d].b_hh,
            .scratch = p->scratch[d]->step, .h = st.states + cur,
            .c = cell->has_cell_state ? st.cells + cur : 0,
            .cache = st.cache + (long)t * B * cell->cache_width * H,
        };
        cell->forward(&f);
        ops->step_freeze(B, H, t, p->lengths, f.h_prev, f.c_prev, f.h, f.c,
                         y + (long)t * B * s.out_stride + s.out_offset, s.out_stride);
    }
}

/* The directions' time loops at once through the backend's recurrence op; 0 when it
 * declines (or directions share a scratch, so they cannot run at once). projecting: the
 * op is given x and computes each step's input projections itself (the CPU: read while in
 * cache, none for the rows it skips), where the backend offers that. */
static int recurrence_forward(const LayerPass *p, real *y, int projecting) {
    RecurrenceJob jobs[2];
    if (!p->ops->recurrence_forward || (projecting && !p->ops->recurrence_projects) ||
        (p->directions == 2 && p->scratch[0] == p->scratch[1]))
        return 0;
    for (int d = 0; d < p->directions; d++) {
        if (projecting) zero_initial_state(p, d);
        jobs[d] = recurrence_job(p->cell, p->shape[d], p->lengths, p->w[d], p->st[d]);
        if (projecting) jobs[d].xp = 0, jobs[d].x = p->x, jobs[d].input_size = p->shape[d].I;
        jobs[d].y = y, jobs[d].hp = p->scratch[d]->step;
    }
    return p->ops->recurrence_forward(jobs, p->directions);
}

void layer_forward(const LayerPass *p, real *y) {
    if (recurrence_forward(p, y, 1)) return;
    for (int d = 0; d < p->directions; d++) project_inputs(p, d);
    if (recurrence_forward(p, y, 0)) return;
    if (p->step_loop) *p->step_loop = 1;
    for (int d = 0; d < p->directions; d++) steps_forward(p, d, y);
}

/* The stack's layers at once through the backend's wavefront op: layer 0's projection
 * here, the others' in the op. */
int layer_stack_forward(const LayerPass *p, int layers, real *const *y, RecurrenceJob *jobs) {
    const ModelOps *ops = p[0].ops;
    if (!ops->wavefront_forward) return 0;
    for (int l = 0; l < layers; l++) {
        if (l == 0) project_inputs(&p[0], 0);
        else zero_initial_state(&p[l], 0);
        jobs[l] = recurrence_job(p[l].cell, p[l].shape[0], p[l].lengths, p[l].w[0], p[l].st[0]);
        jobs[l].y = y[l], jobs[l].hp = p[l].scratch[0]->step;
    }
    return ops->wavefront_forward(jobs, layers);
}

static void weight_gradients(const ModelOps *ops, const CellKind *cell, LayerShape s,
                             const real *x, RecurrentParams w, DirectionState st,
                             const real *dxp, const real *dhp, RecurrentParams grad, real *dx,
                             int accumulate_dx) {
    int rows = s.T * s.B, H = s.H, GH = cell->gates * s.H;
    const real *h_prev_all = st.states + (s.reverse ? (long)s.B * H : 0);
    int shared = dhp == dxp; /* b_hh's gradient is b_ih's: both summed in one pass */
    if (shared && !cell->recurrent_weight_grad) { /* W_ih's and W_hh's from one read of dxp */
        TnRight in[2] = {{x, s.I, s.I, grad.w_ih, s.I}, {h_prev_all, H, H, grad.w_hh, H}};
        linear_weight_grads(ops, rows, GH, dxp, 2, in, grad.b_ih, grad.b_hh);
    } else {
        linear_weight_grad(ops, rows, s.I, GH, x, dxp, grad.w_ih, grad.b_ih, shared ? grad.b_hh : 0);
        if (cell->recurrent_weight_grad) {
            cell->recurrent_weight_grad(ops, rows, H, dhp, h_prev_all, st.cache, grad.w_hh);
            if (!shared) ops->add_column_sums(rows, GH, dhp, grad.b_hh);
        } else {
            linear_weight_grad(ops, rows, H, GH, h_prev_all, dhp, grad.w_hh, grad.b_hh, 0);
        }
    }
    if (dx) ops->gemm(0, 0, rows, s.I, GH, 1, dxp, GH, w.w_ih, s.I, accumulate_dx ? 1 : 0, dx, s.I);
}

/* Gate gradients of every step of direction d: [T*B][G*H] (dhp: differs from dxp only
 * for a cell that splits them). */
static real *dhp_of(const LayerPass *p, int d) {
    return p->cell->split_grads ? p->scratch[d]->dhp : p->scratch[d]->dxp;
}

/* BPTT through direction d's time loop: the gate gradients of every step into dxp/dhp. */
static void steps_backward(const LayerPass *p, int d, const real *dy) {
    const ModelOps *ops = p->ops;
    const CellKind *cell = p->cell;
    const LayerScratch *sc = p->scratch[d];
    LayerShape s = p->shape[d];
    DirectionState st = p->st[d];
    int B = s.B, H = s.H, GH = cell->gates * s.H;
    long BH = (long)B * H;
    real *dhp_all = dhp_of(p, d);
    real *dc = cell->has_cell_state ? sc->dc : 0, *dc_carry = cell->has_cell_state ? sc->dc_carry : 0;
    for (int step = s.T - 1; step >= 0; step--) {
        int t = time_at(s, step);
        long cur = state_slot(s, t) * BH, prev = prev_slot(s, t) * BH;
        ops->step_gather_gradient(B, H, t, p->lengths, sc->dh_carry, dc_carry,
                                  dy + (long)t * B * s.out_stride + s.out_offset, s.out_stride,
                                  sc->dh, dc);
        int rows = rows_to_compute(s, p->host_lengths, t);
        CellBackward g = {
            .ops = ops, .B = rows, .H = H, .dh = sc->dh, .dc = dc, .h_prev = st.states + prev,
            .c_prev = cell->has_cell_state ? st.cells + prev : 0, .h = st.states + cur,
            .c = cell->has_cell_state ? st.cells + cur : 0,
            .cache = st.cache + (long)t * B * cell->cache_width * H, .w_hh = p->w[d].w_hh,
            .dxp = sc->dxp + (long)t * B * GH, .dhp = dhp_all + (long)t * B * GH,
            .dh_prev = sc->dh_prev, .dc_prev = sc->dc_prev, .scratch = sc->cell_scratch,
        };
        cell->backward(&g);
        if (rows < B) { /* skipped rows: no gradient into this step's projections */
            ops->zero(g.dxp + (long)rows * GH, sizeof(real) * (size_t)(B - rows) * GH);
            if (g.dhp != g.dxp) ops->zero(g.dhp + (long)rows * GH, sizeof(real) * (size_t)(B - rows) * GH);
        }
        ops->step_carry_gradient(B, H, t, p->lengths, sc->dh_prev, sc->dc_prev, sc->dh_carry, dc_carry);
    }
}

/* The gradient carried into the last step: none. */
static void zero_carries(const LayerPass *p, int d) {
    long BH = (long)p->shape[d].B * p->shape[d].H;
    p->ops->zero(p->scratch[d]->dh_carry, sizeof(real) * BH);
    if (p->cell->has_cell_state) p->ops->zero(p->scratch[d]->dc_carry, sizeof(real) * BH);
}

/* Direction d's BPTT as a backend's recurrence op sees it, the carries zeroed. */
static RecurrenceJob backward_job(const LayerPass *p, int d, const real *dy) {
    zero_carries(p, d);
    const LayerScratch *sc = p->scratch[d];
    int lstm = p->cell->has_cell_state;
    RecurrenceJob j = recurrence_job(p->cell, p->shape[d], p->lengths, p->w[d], p->st[d]);
    j.dy = dy, j.dxp = sc->dxp, j.dhp = dhp_of(p, d), j.dh = sc->dh, j.dc = lstm ? sc->dc : 0;
    j.dh_prev = sc->dh_prev, j.dc_prev = lstm ? sc->dc_prev : 0;
    j.dh_carry = sc->dh_carry, j.dc_carry = lstm ? sc->dc_carry : 0, j.drh = sc->cell_scratch;
    return j;
}

/* Both directions' BPTT at once through the backend's recurrence op; 0 when declined. */
static int recurrence_backward(const LayerPass *p, const real *dy) {
    RecurrenceJob jobs[2];
    if (!p->ops->recurrence_backward || (p->directions == 2 && p->scratch[0] == p->scratch[1])) return 0;
    for (int d = 0; d < p->directions; d++) jobs[d] = backward_job(p, d, dy);
    return p->ops->recurrence_backward(jobs, p->directions);
}

void layer_weight_gradients(const LayerPass *p, const RecurrentParams *grad, real *dx) {
    for (int d = 0; d < p->directions; d++)
        weight_gradients(p->ops, p->cell, p->shape[d], p->x, p->w[d], p->st[d], p->scratch[d]->dxp,
                         dhp_of(p, d), grad[d], dx, d > 0);
}

void layer_backward(const LayerPass *p, const real *dy, const RecurrentParams *grad, real *dx) {
    if (!recurrence_backward(p, dy)) {
        if (p->step_loop) *p->step_loop = 1;
        for (int d = 0; d < p->directions; d++) zero_carries(p, d), steps_backward(p, d, dy);
    }
    layer_weight_gradients(p, grad, dx);
}

/* The stack's BPTT at once through the backend's wavefront op (the gate gradients of
 * every layer; the weight gradients are layer_weight_gradients'). */
int layer_stack_backward(const LayerPass *p, int layers, const real *dy, RecurrenceJob *jobs) {
    const ModelOps *ops = p[0].ops;
    if (!ops->wavefront_backward) return 0;
    for (int l = 0; l < layers; l++) jobs[l] = backward_job(&p[l], 0, l == layers - 1 ? dy : 0);
    return ops->wavefront_backward(jobs, layers);
}
