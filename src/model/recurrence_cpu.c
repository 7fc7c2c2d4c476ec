/* recurrence_cpu.c: the CPU time loops of recurrence_cpu.h — packing W_hh, the thread
 * plan, and the forward and backward loops over one range of rows. The arithmetic is
 * the cells' own pointwise steps (cell.h, through the CPU ops table) and the packed
 * products; masking follows layer.c's step loop exactly (which rows are computed,
 * frozen, zeroed and carried). */
#include "recurrence_cpu.h"

#include <stdlib.h>
#include <string.h>

#include "../core/blas.h"
#include "../core/check.h"
#include "../core/cpu_isa.h"
#include "../core/cpu_parallel.h"
#include "../core/packed_gemm.h"
#include "cell.h"
#include "layer.h"

enum { MAX_TASKS = CPU_PARALLEL_MAX };

/* W_hh packed per direction: forward (h W_hh^T + b_hh) and backward (dhp W_hh); W_ih
 * (x W_ih^T + b_ih) where the loop projects the inputs itself. Kept between calls so the
 * memory is reused; the ops run on one thread at a time. */
static PackedMatrix packed_fwd[2], packed_bwd[2], packed_ih[2];
static int last_tasks;

/* The largest W_ih the loop projects with (each step's product streams it from cache;
 * beyond this layer.c projects all steps first): ops_cpu.c's limit for packing a product's
 * right side. */
enum { PROJECT_MAX_BYTES = 1 << 20 };

typedef struct Task {
    const RecurrenceJob *j;
    const CellKind *cell;
    const PackedMatrix *w, *w_ih; /* w_ih: when the task projects its rows' inputs */
    int lo, hi, rows_per_block;   /* this task's rows [lo, hi) */
    real *xp;                     /* [hi - lo][G*H]: this step's projections of those rows */
} Task;

/* Per task, the projections of its rows at one step (grown, never freed). */
static real *task_xp[MAX_TASKS];
static size_t task_xp_bytes[MAX_TASKS];

static real *task_xp_buffer(int i, long reals) {
    return task_xp[i] = xgrow_aligned(task_xp[i], &task_xp_bytes[i], sizeof(real) * (size_t)reals,
                                      "step input projections");
}

int cpu_recurrence_last_tasks(void) { return last_tasks; }

static int declined(const RecurrenceJob *jobs) {
    last_tasks = 0;
    return !cell_kind(jobs[0].cell)->forward_pointwise || !cpu_packed_products();
}

/* Whether the loop should project x itself: yes unless W_ih is too large. */
static int projects_fit(const RecurrenceJob *j) {
    return (long)j->input_size * cell_kind(j->cell)->gates * j->H * (long)sizeof(real) <= PROJECT_MAX_BYTES;
}

/* Splits [0, B) into `parts` ranges of whole row blocks with about equal sums of
 * lengths (ragged batches are longest first): each cut at the block boundary nearest its
 * share, the one before or the one after (B 64 in blocks of 6 on 2 threads: 30 + 34 rows,
 * not 36 + 28). */
static void split_rows(const RecurrenceJob *j, int parts, int block, int *cut) {
    long total = 0, acc = 0, prev_acc = 0;
    for (int b = 0; b < j->B; b++) total += j->lengths[b];
    cut[0] = 0;
    int p = 1, prev_cut = 0;
    for (int b = 0; b < j->B && p < parts; b++) {
        acc += j->lengths[b];
        if ((b + 1) % block) continue;
        if (acc * parts >= total * p) {
            int before = prev_cut > cut[p - 1] && total * p - prev_acc * parts < acc * parts - total * p;
            cut[p++] = before ? prev_cut : b + 1;
        }
        prev_acc = acc, prev_cut = b + 1;
    }
    while (p <= parts) cut[p++] = j->B;
}

/* Task 0 runs on the calling thread, which starts at once; a worker starts when it sees
 * the call (from its spin, or woken from sleep: tens of microseconds in a VM). So the task
 * with the most rows goes first: B 64 in blocks of 6 splits 30 + 34, and with the 34 rows
 * on the caller the end-of-pass wait of the 2-thread RNN mid row fell from 0.08-0.10 s to
 * 0.02-0.03 s over 100 steps. Same arithmetic either way. */
static void main_takes_largest(Task *tasks, int n) {
    int largest = 0;
    for (int i = 1; i < n; i++)
        if (tasks[i].hi - tasks[i].lo > tasks[largest].hi - tasks[largest].lo) largest = i;
    Task t = tasks[0];
    tasks[0] = tasks[largest], tasks[largest] = t;
}

/* Tasks: every job whole, or (with threads to spare and enough work) in row ranges;
 * *parallel: run them on threads of their own (else in turn on this one). */
static int plan(const RecurrenceJob *jobs, int count, const CellKind *cell, const PackedMatrix *w,
                Task *tasks, int *parallel) {
    int threads = blas_threads(), block = packed_gemm_rows(&w[0]);
    const RecurrenceJob *j = &jobs[0];
    double flops = 2.0 * j->T * j->B * cell->gates * j->H * j->H;
    *parallel = threads > 1 && flops >= cpu_parallel_min_flops();
    int parts = *parallel ? threads / count : 1;
    while (parts > 1 && (flops / parts < cpu_parallel_min_flops() || parts * block > j->B)) parts--;
    if (parts > MAX_TASKS / 2) parts = MAX_TASKS / 2;
    int n = 0;
    for (int d = 0; d < count; d++) {
        int cut[MAX_TASKS / 2 + 1];
        split_rows(&jobs[d], parts, block, cut);
        for (int p = 0; p < parts; p++)
            if (cut[p + 1] > cut[p])
                tasks[n++] = (Task){&jobs[d], cell, &w[d], 0, cut[p], cut[p + 1], 2 * block, 0};
    }
    main_takes_largest(tasks, n);
    return n;
}

typedef struct TaskList {
    void (*body)(const Task *);
    const Task *tasks;
} TaskList;

static void run_task(void *arg, int i) {
    const TaskList *l = arg;
    l->body(&l->tasks[i]);
}

/* The tasks at once on threads of their own, or in turn on this one. */
static void run_all(void (*body)(const Task *), const Task *tasks, int n, int parallel) {
    last_tasks = parallel ? n : 1;
    TaskList l = {body, tasks};
    cpu_parallel(n, parallel, run_task, &l);
}

static int slot_of(const RecurrenceJob *j, int t) { return j->reverse ? t : t + 1; }
static int prev_of(const RecurrenceJob *j, int t) { return j->reverse ? t + 1 : t; }

/* Forward over rows [lo, hi): per step and block of rows, product, cell step, freeze. */
static void forward_rows(const Task *k) {
    const RecurrenceJob *j = k->j;
    const CellKind *cell = k->cell;
    const ModelOps *ops = cpu_model_ops();
    int B = j->B, H = j->H, GH = cell->gates * H, cw = cell->cache_width * H;
    int lstm = cell->has_cell_state;
    for (int step = 0; step < j->T; step++) {
        int t = j->reverse ? j->T - 1 - step : step;
        int n = layer_rows_to_compute(B, j->lengths, t);
        n = n < k->hi ? n : k->hi;
        real *h = j->states + (long)slot_of(j, t) * B * H, *hp = j->states + (long)prev_of(j, t) * B * H;
        real *c = lstm ? j->cells + (long)slot_of(j, t) * B * H : 0;
        real *cp = lstm ? j->cells + (long)prev_of(j, t) * B * H : 0;
        real *y = j->y + (long)t * B * j->out_stride + j->out_offset;
        if (k->w_ih && n > k->lo) /* this step's projections of the rows computed */
            packed_gemm(k->w_ih, n - k->lo, j->x + ((long)t * B + k->lo) * j->input_size, j->input_size, k->xp, GH, 0);
        for (int m0 = k->lo; m0 < k->hi; m0 += k->rows_per_block) {
            int m1 = m0 + k->rows_per_block < k->hi ? m0 + k->rows_per_block : k->hi;
            int mc = (m1 < n ? m1 : n) - m0; /* rows of this block the cell computes */
            if (mc > 0) {
                packed_gemm(k->w, mc, hp + (long)m0 * H, H, j->hp + (long)m0 * GH, GH, 0);
                CellForward f = {
                    .ops = ops, .B = mc, .H = H,
                    .xp = k->w_ih ? k->xp + (long)(m0 - k->lo) * GH : j->xp + ((long)t * B + m0) * GH,
                    .h_prev = hp + (long)m0 * H, .c_prev = lstm ? cp + (long)m0 * H : 0,
                    .w_hh = j->w_hh, .b_hh = j->b_hh, .scratch = j->hp + (long)m0 * GH,
                    .h = h + (long)m0 * H, .c = lstm ? c + (long)m0 * H : 0,
                    .cache = j->cache + ((long)t * B + m0) * cw,
                };
                cell->forward_pointwise(&f);
            }
            ops->step_freeze(m1 - m0, H, t, j->lengths + m0, hp + (long)m0 * H, lstm ? cp + (long)m0 * H : 0,
                             h + (long)m0 * H, lstm ? c + (long)m0 * H : 0, y + (long)m0 * j->out_stride,
                             j->out_stride);
        }
    }
}

/* Backward over rows [lo, hi): per step and block, gather, cell step, product. The rows a
 * step computes are the unfinished ones, whose carried gradient the step replaces by its
 * dh_prev (and dc_prev): so the cell step and the product write straight into the carries
 * (gather has read them into dh, dc first), where layer.c's step loop writes dh_prev and
 * copies it over (step_carry_gradient). Same values, one copy fewer per step. */
static void backward_rows(const Task *k) {
    const RecurrenceJob *j = k->j;
    const CellKind *cell = k->cell;
    const ModelOps *ops = cpu_model_ops();
    int B = j->B, H = j->H, GH = cell->gates * H, cw = cell->cache_width * H;
    int lstm = cell->has_cell_state;
    for (int step = j->T - 1; step >= 0; step--) {
        int t = j->reverse ? j->T - 1 - step : step;
        int n = layer_rows_to_compute(B, j->lengths, t);
        long cur = (long)slot_of(j, t) * B * H, prev = (long)prev_of(j, t) * B * H;
        const real *dy = j->dy + (long)t * B * j->out_stride + j->out_offset;
        for (int m0 = k->lo; m0 < k->hi; m0 += k->rows_per_block) {
            int m1 = m0 + k->rows_per_block < k->hi ? m0 + k->rows_per_block : k->hi;
            int mc = (m1 < n ? m1 : n) - m0;
            long r = (long)m0 * H, rx = ((long)t * B + m0) * GH;
            if (mc <= 0) { /* skipped rows: no gradient into this step's projections */
                memset(j->dxp + rx, 0, sizeof(real) * (size_t)(m1 - m0) * GH);
                if (j->dhp != j->dxp) memset(j->dhp + rx, 0, sizeof(real) * (size_t)(m1 - m0) * GH);
                continue;
            }
            ops->step_gather_gradient(mc, H, t, j->lengths + m0, j->dh_carry + r, lstm ? j->dc_carry + r : 0,
                                      dy + (long)m0 * j->out_stride, j->out_stride, j->dh + r,
                                      lstm ? j->dc + r : 0);
            CellBackward g = {
                .ops = ops, .B = mc, .H = H, .dh = j->dh + r, .dc = lstm ? j->dc + r : 0,
                .h_prev = j->states + prev + r, .c_prev = lstm ? j->cells + prev + r : 0,
                .h = j->states + cur + r, .c = lstm ? j->cells + cur + r : 0,
                .cache = j->cache + ((long)t * B + m0) * cw, .w_hh = j->w_hh, .dxp = j->dxp + rx,
                .dhp = j->dhp + rx, .dh_prev = j->dh_carry + r, .dc_prev = lstm ? j->dc_carry + r : 0,
                .scratch = j->drh + r,
            };
            cell->backward_pointwise(&g);
            packed_gemm(k->w, mc, g.dhp, GH, g.dh_prev, H, cell->backprop_adds);
            if (m1 - m0 > mc) {
                long z = rx + (long)mc * GH;
                memset(j->dxp + z, 0, sizeof(real) * (size_t)(m1 - m0 - mc) * GH);
                if (j->dhp != j->dxp) memset(j->dhp + z, 0, sizeof(real) * (size_t)(m1 - m0 - mc) * GH);
            }
        }
    }
}

/* Jobs given x: W_ih packed with b_ih, and each task a buffer for its rows' projections. */
static void plan_projections(const RecurrenceJob *jobs, int count, Task *tasks, int n) {
    int GH = cell_kind(jobs[0].cell)->gates * jobs[0].H;
    for (int d = 0; d < count; d++)
        packed_gemm_pack(&packed_ih[d], jobs[d].input_size, GH, jobs[d].w_ih, jobs[d].input_size, 1, jobs[d].b_ih);
    for (int i = 0; i < n; i++) {
        tasks[i].w_ih = &packed_ih[tasks[i].j - jobs];
        tasks[i].xp = task_xp_buffer(i, (long)(tasks[i].hi - tasks[i].lo) * GH);
    }
}

int cpu_recurrence_forward(const RecurrenceJob *jobs, int count) {
    if (declined(jobs) || (jobs[0].x && !projects_fit(&jobs[0]))) return 0;
    const CellKind *cell = cell_kind(jobs[0].cell);
    for (int d = 0; d < count; d++)
        packed_gemm_pack(&packed_fwd[d], jobs[d].H, cell->gates * jobs[d].H, jobs[d].w_hh, jobs[d].H, 1,
                         jobs[d].b_hh);
    Task tasks[MAX_TASKS];
    int parallel, n = plan(jobs, count, cell, packed_fwd, tasks, &parallel);
    if (jobs[0].x) plan_projections(jobs, count, tasks, n);
    run_all(forward_rows, tasks, n, parallel);
    return 1;
}

int cpu_recurrence_backward(const RecurrenceJob *jobs, int count) {
    if (declined(jobs)) return 0;
    const CellKind *cell = cell_kind(jobs[0].cell);
    for (int d = 0; d < count; d++)
        packed_gemm_pack(&packed_bwd[d], cell->gates * jobs[d].H, jobs[d].H, jobs[d].w_hh, jobs[d].H, 0, 0);
    Task tasks[MAX_TASKS];
    int parallel, n = plan(jobs, count, cell, packed_bwd, tasks, &parallel);
    run_all(backward_rows, tasks, n, parallel);
    return 1;
}
