/* recurrence_kernels.cu: the whole time loops (src/model/layer.c's step loops) of a
 * layer's directions as one persistent kernel, forward and backward, for every cell.
 *
 * The grid is co-resident (a cooperative launch); its blocks are split between the
 * directions (both run at once, in lockstep) and own the hidden units in slices: block k
 * of a direction owns units [k*U, k*U + U). The block keeps in shared memory, for all T steps,
 * the part of W_hh its units need — forward, the rows of every gate of its units
 * ([G][U][H]); backward, the columns of its units ([U][G*H]) — instead of reading W_hh
 * from memory in a GEMM per step. A forward step: the recurrent projection of the block's
 * gate rows for every unfinished sample (into the hp scratch), then the cell's unit
 * arithmetic (cell_math.h, as on the CPU) and the freeze of finished samples, then one
 * grid-wide barrier so that every block sees h(t) before step t+1. A backward step: the
 * cell's unit backward for the block's units, one grid barrier, then dh(t-1) of the
 * block's units from every unit's gate gradients. The textbook GRU, whose W_hn multiplies
 * r*h (all units' r), takes one more barrier each way. Buffers and layouts are exactly the
 * step loop's, so the weight gradients after the loop and everything around are shared.
 *
 * The plan (units per block) comes from the device's SM count and shared memory: where a
 * slice of W_hh does not fit, or the grid would not be resident at once, the op declines
 * (returns 0) and layer.c runs the step loop. The steps themselves, and the plan's
 * arithmetic, are recurrence_device.cuh's, shared with the layer wavefront
 * (wavefront_kernels.cu). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cuda_ops.h"
#include "recurrence_device.cuh"

static int recurrence_enabled = 1;

void cuda_ops_set_persistent(int enabled) { recurrence_enabled = enabled; }

int cuda_recurrence_enabled(void) { return recurrence_enabled; }

struct RecurrenceLaunch {
    RecurrenceJob jobs[2]; /* the layer's directions, run together */
    GridPlan grid;
};

__device__ static int time_of(const RecurrenceJob &a, int step) { return a.reverse ? a.T - 1 - step : step; }

__device__ static const RecurrenceJob &block_job(const RecurrenceLaunch &l) {
    return l.jobs[blockIdx.x / l.grid.blocks_per_job];
}

template <int CELL> __global__ void recurrence_forward_kernel(RecurrenceLaunch l) {
    constexpr int G = gates_of(CELL);
    const RecurrenceJob &a = block_job(l);
    const Slice s = block_slice(l.grid, a.H, a.B);
    DYNAMIC_SHARED(real, w); /* [G][U][ldw]: w[(g*U + u)*ldw + k] = W_hh[g*H + j0 + u][k], then the tile */
    real *tile = w + G * l.grid.units * padded_stride(a.H);
    load_rows(w, a.w_hh, G, l.grid.units, a.H, a.H, s);
    __syncthreads();
    cg::grid_group grid = cg::this_grid();
    for (int step = 0; step < a.T; step++) {
        forward_step<CELL>(a, w, l.grid.units, s, time_of(a, step), tile, l.grid.tile_k, grid, true);
        grid.sync(); /* h(t) of every unit before step t+1 */
    }
}

template <int CELL> __global__ void recurrence_backward_kernel(RecurrenceLaunch l) {
    constexpr int G = gates_of(CELL);
    const RecurrenceJob &a = block_job(l);
    const int GH = G * a.H;
    const Slice s = block_slice(l.grid, a.H, a.B);
    DYNAMIC_SHARED(real, wt); /* [U][ldw]: wt[u*ldw + r] = W_hh[r][j0 + u], then the tile */
    real *tile = wt + l.grid.units * padded_stride(GH);
    load_columns(wt, a.w_hh, GH, a.H, s);
    __syncthreads();
    cg::grid_group grid = cg::this_grid();
    for (int step = a.T - 1; step >= 0; step--) {
        int t = time_of(a, step);
        backward_step<CELL>(a, wt, s, t, a.dy + (long)t * a.B * a.out_stride + a.out_offset, a.out_stride, tile,
                            l.grid.tile_k, grid, true);
    }
}

/* ---- the plan and the launch ---- */

typedef CellKernels<RecurrenceLaunch> RecurrenceKernels;

static const RecurrenceKernels *kernels_of(CellType cell) {
    static const RecurrenceKernels table[] = CELL_KERNEL_TABLE(recurrence_forward_kernel, recurrence_backward_kernel);
    return cell_kernels(table, cell);
}

static const cudaDeviceProp *current_device_props(void) {
    static cudaDeviceProp props;
    static int device = -1;
    int now;
    CHECK(CUDA, cudaGetDevice(&now));
    if (now != device) {
        CHECK(CUDA, cudaGetDeviceProperties(&props, now));
        device = now;
    }
    return &props;
}

/* Blocks of a job for `units` units per block, the batch split over the SMs left. */
static void split_grid(int H, int B, int jobs, int sms, int max_samples, int units, RecurrencePlan *p) {
    GridPlan *g = &p->grid;
    g->units = units;
    g->unit_slices = (H + units - 1) / units;
    int batch_slices = sms / (jobs * g->unit_slices), at_least = (B + max_samples - 1) / max_samples;
    batch_slices = batch_slices < at_least ? at_least : batch_slices > B ? B : batch_slices < 1 ? 1 : batch_slices;
    g->samples = (B + batch_slices - 1) / batch_slices;
    g->blocks_per_job = g->unit_slices * ((B + g->samples - 1) / g->samples);
    p->blocks = jobs * g->blocks_per_job;
}

/* Whether both kernels run `p->blocks` blocks resident at once. */
static int resident(const cudaDeviceProp *d, const void *forward, const void *backward, const RecurrencePlan *p) {
    int per_sm = INT_MAX, sms = d->multiProcessorCount > 0 ? d->multiProcessorCount : 1;
    for (const void *kernel : {forward, backward}) {
        int n = 0;
        if (p->shared > d->sharedMemPerBlock)
            CHECK(CUDA, cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)p->shared));
        CHECK(CUDA, cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, kernel, p->threads, p->shared));
        per_sm = n < per_sm ? n : per_sm;
    }
    return (long)per_sm * sms >= p->blocks;
}

/* The grid: about one block per SM, each owning `units` hidden units by `samples` samples.
 * Of the unit counts whose weight slices fit in shared memory (beside an input tile within
 * an eighth of the block's limit), the one with the least work per block (units x samples),
 * and of those the most units: the fewest unit slices, since every block of a batch slice
 * reads all of that slice's h(t-1) each step (L2 traffic). 0 when even the fewest units a
 * block must take (the jobs' units over the SMs) do not fit, or the grid cannot be resident
 * at once. Forward and backward kernels need the same shared memory and threads. */
int plan_recurrence_grid(CellType cell, int H, int B, int jobs, int weights, size_t extra, const void *forward,
                         const void *backward, RecurrencePlan *p) {
    const cudaDeviceProp *d = current_device_props();
    int sms = d->multiProcessorCount > 0 ? d->multiProcessorCount : 1;
    /* a unit's slice of one matrix with padded rows: G * padded_stride(H) forward, padded_stride(G * H) backward */
    size_t unit_bytes = sizeof(real) * (size_t)weights * gates_of(cell) * (H + 1), limit = d->sharedMemPerBlockOptin;
    size_t tile_budget = limit / 8 < 32768 ? limit / 8 : 32768;
    int max_samples = (int)(tile_budget / (2 * sizeof(real))); /* a tile of at least 1 column */
    long fit = limit > tile_budget + extra ? (long)((limit - tile_budget - extra) / unit_bytes) : 0;
    long least = ((long)jobs * H + sms - 1) / sms;
    memset(p, 0, sizeof *p);
    if (fit > H) fit = H;
    if (!forward || max_samples < 1 || fit < least || fit < 1) return 0;
    long best_work = LONG_MAX;
    for (int units = (int)fit; units >= least && units >= 1; units--) {
        RecurrencePlan q;
        split_grid(H, B, jobs, sms, max_samples, units, &q);
        long work = (long)units * q.grid.samples;
        if (work < best_work && q.blocks <= sms) best_work = work, *p = q;
    }
    if (best_work == LONG_MAX) split_grid(H, B, jobs, sms, max_samples, (int)fit, p); /* more blocks than SMs */
    long tile_k = (long)(tile_budget / (sizeof(real) * p->grid.samples)) - 1;
    p->grid.tile_k = (int)(tile_k > 64 ? 64 : tile_k);
    p->shared = extra + unit_bytes * p->grid.units + sizeof(real) * (size_t)p->grid.samples * (p->grid.tile_k + 1);
    long work = (long)p->grid.samples * p->grid.units * gates_of(cell);
    p->threads = work >= 256 ? 256 : (int)((work + 31) / 32 * 32);
    return resident(d, forward, backward, p);
}

static int plan_recurrence(CellType cell, int H, int B, int jobs, RecurrencePlan *p) {
    const RecurrenceKernels *k = kernels_of(cell);
    return plan_recurrence_grid(cell, H, B, jobs, 1, 0, k ? (const void *)k->forward : 0,
                                k ? (const void *)k->backward : 0, p);
}

/* plan_recurrence for the last shape asked: every layer of a model, forward and backward,
 * asks the same one each step, and the plan's device queries need not run each time. */
static int cached_plan(CellType cell, int H, int B, int jobs, RecurrencePlan *p) {
    static struct { int valid, device, cell, H, B, jobs, fits; RecurrencePlan plan; } last;
    int device;
    CHECK(CUDA, cudaGetDevice(&device));
    if (!last.valid || last.device != device || last.cell != (int)cell || last.H != H || last.B != B ||
        last.jobs != jobs) {
        last.fits = plan_recurrence(cell, H, B, jobs, &last.plan);
        last.valid = 1, last.device = device, last.cell = (int)cell, last.H = H, last.B = B, last.jobs = jobs;
    }
    *p = last.plan;
    return last.fits;
}

int recurrence_layer_plan(CellType cell, int H, int B, RecurrencePlan *p) { return cached_plan(cell, H, B, 1, p); }

static int launch_recurrence(const RecurrenceJob *jobs, int count, int backward) {
    RecurrencePlan p;
    const RecurrenceJob *job = &jobs[0];
    if (!recurrence_enabled || count < 1 || count > 2 || job->T == 0 || job->B == 0 ||
        !cached_plan(job->cell, job->H, job->B, count, &p))
        return 0;
    const RecurrenceKernels *k = kernels_of(job->cell);
    RecurrenceLaunch l;
    memset(&l, 0, sizeof l); /* no stale bytes in the padding (see loss_args) */
    memcpy(l.jobs, jobs, sizeof *jobs * (size_t)count);
    l.grid = p.grid;
    int refused = 0;
    int launched = launch_persistent(k, backward, p, l, "the persistent recurrence kernels", "the step loop runs",
                                     &refused);
    if (refused) recurrence_enabled = 0;
    return launched;
}

int cuda_recurrence_forward(const RecurrenceJob *jobs, int count) { return launch_recurrence(jobs, count, 0); }

int cuda_recurrence_backward(const RecurrenceJob *jobs, int count) { return launch_recurrence(jobs, count, 1); }

int cuda_recurrence_plan(CellType cell, int H, int B, int directions, int *blocks, int *units, int *samples,
                         size_t *shared_bytes) {
    RecurrencePlan p;
    int fits = plan_recurrence(cell, H, B, directions, &p);
    *blocks = p.blocks, *units = p.grid.units, *samples = p.grid.samples, *shared_bytes = p.shared;
    return fits && recurrence_enabled;
}
