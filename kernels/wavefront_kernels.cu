/* wavefront_kernels.cu: a unidirectional stack's time loops, all layers in one persistent
 * kernel, forward and backward, as a wavefront: at grid step s layer l runs t = s - l
 * (backward, t = T-1 - s + (L-1-l)), so the critical path is T + L - 1 grid steps
 * instead of the per-layer kernels' L*T (recurrence_kernels.cu).
 *
 * The grid's blocks are split between the layers, each layer's as in the per-layer
 * kernel (a slice of units by a slice of samples, recurrence_device.cuh). Forward, a block
 * of layer l >= 1 holds, beside its W_hh rows, its units' rows of W_ih, and computes its
 * units' input projection xp_l(t) from y_{l-1}(t) (written by layer l-1 one grid step
 * before) in place of layer.c's whole-sequence GEMM; layer 0's stays the GEMM, before the
 * launch. Backward, a block of layer l < L-1 holds its units' columns of W_ih_{l+1} and
 * computes its units' dy_l(t) = dxp_{l+1}(t) W_ih_{l+1} (layer l+1's gate gradients, one
 * grid step before) in place of the input-gradient GEMM; the top layer's dy is the
 * head's. One grid barrier per grid step (two for the textbook GRU). Every buffer the
 * per-layer path writes (xp, states, cells, cache, y; dxp, dhp) is written the same, so
 * the weight gradients after the loop are layer.c's.
 *
 * The plan: all layers' weight slices on chip at once and the grid resident, and a gain
 * predicted (cuda_wavefront_plan's rule, docs/PERFORMANCE.md); RECUR_WAVEFRONT=0 or 1
 * overrides the rule (tests). Otherwise wavefront_fits says no and model.c runs the
 * layers one by one. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "cuda_ops.h"
#include "pinned_staging.h"
#include "recurrence_device.cuh"

/* The layers' jobs live in device memory (too many for a kernel argument); what changes
 * from batch to batch (T, B and the lengths, which alternate between two staged sets)
 * comes in the launch instead, so the jobs are uploaded only when a buffer moves. */
struct WavefrontLaunch {
    const RecurrenceJob *layers; /* [L], T, B and lengths left 0 */
    const int32_t *lengths;      /* [B], for every layer */
    int T, B, L;
    GridPlan grid;
};

/* Dynamic shared memory starts with the block's job (16-byte aligned), then the weights. */
enum { JOB_BYTES = (sizeof(RecurrenceJob) + 15) / 16 * 16, JOB_REALS = JOB_BYTES / sizeof(real) };

/* The block's layer's job, copied into shared memory with the launch's batch. */
__device__ static const RecurrenceJob &block_layer(const WavefrontLaunch &l, int layer, real *shared) {
    RecurrenceJob *job = (RecurrenceJob *)shared;
    if (threadIdx.x == 0) {
        *job = l.layers[layer];
        job->T = l.T, job->B = l.B, job->lengths = l.lengths;
    }
    __syncthreads();
    return *job;
}

/* xp(t) of the slice's units, every gate: x(t)[b] . W_ih[g*H + j] + b_ih[g*H + j] (layer.c's
 * projection GEMM and bias, one step) for unfinished samples; finished samples get b_ih,
 * as the GEMM gives for their zero rows of x. x: the layer below's y [T*B][H]; w: the
 * block's [G][U][ldw] W_ih rows. */
__device__ static void project_input(const RecurrenceJob &a, const real *w, int G, int U, Slice s, int t,
                                     const real *x, real *tile, int tile_k) {
    const int H = a.H;
    const long GH = (long)G * H, ldw = padded_stride(H);
    real *xp = const_cast<real *>(a.xp) + (long)t * a.B * GH; /* in for layer 0 only (ops.h) */
    MatvecRows rows = {w, U * ldw, ldw, s.n, G * s.n};
    slice_matvec(a, s, t, x + (long)t * a.B * H, H, H, rows, tile, tile_k, [&](int b, int r, real sum) {
        int col = (r / s.n) * H + s.j0 + r % s.n;
        xp[b * GH + col] = sum + a.b_ih[col];
    });
    for (int o = threadIdx.x; o < G * s.n * s.nb; o += blockDim.x) {
        int b = s.b0 + o % s.nb, r = o / s.nb, col = (r / s.n) * H + s.j0 + r % s.n;
        if (t >= a.lengths[b]) xp[b * GH + col] = a.b_ih[col];
    }
}

template <int CELL> __global__ void wavefront_forward_kernel(WavefrontLaunch l) {
    constexpr int G = gates_of(CELL);
    const int layer = (int)(blockIdx.x / l.grid.blocks_per_job), U = l.grid.units;
    DYNAMIC_SHARED(real, shared); /* the job; W_hh rows [G][U][ldw]; W_ih rows (layers >= 1); the tile */
    const RecurrenceJob &a = block_layer(l, layer, shared);
    const Slice s = block_slice(l.grid, a.H, a.B);
    const long slice = (long)G * U * padded_stride(a.H);
    real *w_hh = shared + JOB_REALS, *w_ih = w_hh + slice, *tile = w_ih + slice;
    const real *x = layer > 0 ? l.layers[layer - 1].y : 0;
    load_rows(w_hh, a.w_hh, G, U, a.H, a.H, s);
    if (x) load_rows(w_ih, a.w_ih, G, U, a.H, a.H, s);
    __syncthreads();
    cg::grid_group grid = cg::this_grid();
    for (int step = 0; step < a.T + l.L - 1; step++) {
        const int t = step - layer;
        const bool active = t >= 0 && t < a.T;
        if (active && x) {
            project_input(a, w_ih, G, U, s, t, x, tile, l.grid.tile_k);
            __syncthreads();
        }
        forward_step<CELL>(a, w_hh, U, s, t, tile, l.grid.tile_k, grid, active);
        grid.sync(); /* h(t) and y(t) of every unit of every layer */
    }
}

/* dy(t) of the slice's units from the layer above: dxp_above(t)[b] . W_ih_above[:, j]
 * (layer.c's input-gradient GEMM, one step) into a.dh for unfinished samples; the
 * backward step then adds dh_carry to it. wt: the block's [U][ldw] columns of
 * W_ih_above. */
__device__ static void input_gradient(const RecurrenceJob &a, int GH, const real *dxp_above, const real *wt,
                                      Slice s, int t, real *tile, int tile_k) {
    MatvecRows rows = {wt, 0, padded_stride(GH), s.n, s.n};
    slice_matvec(a, s, t, dxp_above + (long)t * a.B * GH, GH, GH, rows, tile, tile_k,
                 [&](int b, int u, real sum) { a.dh[(long)b * a.H + s.j0 + u] = sum; });
}

template <int CELL> __global__ void wavefront_backward_kernel(WavefrontLaunch l) {
    constexpr int G = gates_of(CELL);
    const int layer = (int)(blockIdx.x / l.grid.blocks_per_job);
    DYNAMIC_SHARED(real, shared); /* the job; W_hh columns [U][ldw]; W_ih columns of the layer above; the tile */
    const RecurrenceJob &a = block_layer(l, layer, shared);
    const int GH = G * a.H;
    const Slice s = block_slice(l.grid, a.H, a.B);
    const long slice = (long)l.grid.units * padded_stride(GH);
    real *wt_hh = shared + JOB_REALS, *wt_ih = wt_hh + slice, *tile = wt_ih + slice;
    const RecurrenceJob *above = layer + 1 < l.L ? &l.layers[layer + 1] : 0;
    const real *dxp_above = above ? above->dxp : 0;
    load_columns(wt_hh, a.w_hh, GH, a.H, s);
    if (above) load_columns(wt_ih, above->w_ih, GH, a.H, s);
    __syncthreads();
    cg::grid_group grid = cg::this_grid();
    for (int step = 0; step < a.T + l.L - 1; step++) {
        const int t = a.T - 1 - step + (l.L - 1 - layer);
        const bool active = t >= 0 && t < a.T;
        if (active && above) {
            input_gradient(a, GH, dxp_above, wt_ih, s, t, tile, l.grid.tile_k);
            __syncthreads();
        }
        const real *dy_t = above ? a.dh : active ? a.dy + (long)t * a.B * a.out_stride + a.out_offset : 0;
        backward_step<CELL>(a, wt_hh, s, t, dy_t, above ? a.H : a.out_stride, tile, l.grid.tile_k, grid, active);
    }
}

/* ---- the plan, the rule and the launch ---- */

typedef CellKernels<WavefrontLaunch> WavefrontKernels;

static const WavefrontKernels *wavefront_kernels_of(CellType cell) {
    static const WavefrontKernels table[] = CELL_KERNEL_TABLE(wavefront_forward_kernel, wavefront_backward_kernel);
    return cell_kernels(table, cell);
}

static int wavefront_refused = 0; /* the device refused a planned launch: never again */

/* RECUR_WAVEFRONT: unset or empty, the rule decides; 0 never; 1 wherever it fits. */
static int wavefront_override(void) {
    const char *env = getenv("RECUR_WAVEFRONT");
    if (!env || !*env) return -1;
    if (strcmp(env, "0") && strcmp(env, "1"))
        recur_die(EXIT_USAGE, "RECUR_WAVEFRONT=%s: expected 0 (never), 1 (wherever it fits) or unset (the plan "
                  "decides)", env);
    return env[0] == '1';
}

/* The rule's cost of one step of a block: a grid barrier, and its FMAs (its units' rows
 * x samples x H, per weight matrix it multiplies) at the shared-memory-bound rate of
 * slice_matvec. Assumptions as docs/PERFORMANCE.md's table (H200/H100): barrier 1.5 us;
 * 6 one-wavefront shared loads per 256 FMA per warp, 128 B per SM per clock at 1.8 GHz:
 * 76,800 FMA per us per SM. */
static double step_us(const RecurrencePlan *p, CellType cell, int H, int weights) {
    const double barrier_us = 1.5, fma_per_us = 76800;
    double fma = (double)p->grid.units * p->grid.samples * gates_of(cell) * H * weights;
    return barrier_us * (cell == CELL_GRU_TEXTBOOK ? 2 : 1) + fma / fma_per_us;
}

/* The wavefront's plan for L layers, and the rule's two step costs. */
static int plan_wavefront(CellType cell, int H, int B, int L, RecurrencePlan *p, double *wave_us, double *layer_us) {
    const WavefrontKernels *k = wavefront_kernels_of(cell);
    RecurrencePlan per_layer;
    *wave_us = *layer_us = 0;
    if (!k || L < 2) return 0;
    int fits = plan_recurrence_grid(cell, H, B, L, 2, JOB_BYTES, (const void *)k->forward,
                                    (const void *)k->backward, p);
    *wave_us = step_us(p, cell, H, 2);
    if (recurrence_layer_plan(cell, H, B, &per_layer)) *layer_us = step_us(&per_layer, cell, H, 1);
    return fits;
}

/* Whether the wavefront runs: it fits, and (unless RECUR_WAVEFRONT says) the T + L - 1
 * grid steps beat the per-layer kernels' L*T layer-steps for long sequences (T >> L): a
 * grid step under L layer-steps. Where the per-layer kernels decline (the step loop), a
 * wavefront that fits always wins. */
static int wavefront_chosen(int fits, int L, double wave_us, double layer_us) {
    int override = wavefront_override();
    if (!fits || override == 0) return 0;
    return override == 1 || layer_us == 0 || wave_us < L * layer_us;
}

/* The plan and the rule's costs for the last shape asked (every forward and backward
 * asks); whether it is chosen is decided on each call, RECUR_WAVEFRONT as it is now. */
static int cached_wavefront(CellType cell, int H, int B, int L, RecurrencePlan *p) {
    static struct { int valid, device, cell, H, B, L, fits; double wave_us, layer_us; RecurrencePlan plan; } last;
    int device;
    CHECK(CUDA, cudaGetDevice(&device));
    if (!last.valid || last.device != device || last.cell != (int)cell || last.H != H || last.B != B || last.L != L) {
        last.fits = plan_wavefront(cell, H, B, L, &last.plan, &last.wave_us, &last.layer_us);
        last.valid = 1, last.device = device, last.cell = (int)cell, last.H = H, last.B = B, last.L = L;
    }
    *p = last.plan;
    return wavefront_chosen(last.fits, L, last.wave_us, last.layer_us) && cuda_recurrence_enabled() &&
           !wavefront_refused;
}

/* The layers' jobs in device memory, uploaded when they differ from the last upload
 * (T, B and lengths aside: they come in the launch). One table forward, one backward. */
struct JobTable {
    RecurrenceJob *device, *host, *fresh; /* [cap] each: on the device, its host copy, the
                                             next candidate (grown, never per step) */
    int cap, count;
};

static const RecurrenceJob *jobs_on_device(JobTable *table, const RecurrenceJob *jobs, int L) {
    size_t bytes = sizeof *jobs * (size_t)L;
    if (table->cap < L) {
        if (table->device) CHECK(CUDA, cudaFree(table->device)); /* waits for the kernels using it */
        CHECK(CUDA, cudaMalloc((void **)&table->device, bytes));
        free(table->host), free(table->fresh);
        table->host = (RecurrenceJob *)xcalloc((size_t)L, sizeof *jobs, "wavefront jobs");
        table->fresh = (RecurrenceJob *)xcalloc((size_t)L, sizeof *jobs, "wavefront jobs");
        table->cap = L, table->count = 0;
    }
    RecurrenceJob *fresh = table->fresh;
    memcpy(fresh, jobs, bytes);
    for (int i = 0; i < L; i++) fresh[i].T = fresh[i].B = 0, fresh[i].lengths = 0;
    if (table->count == L && !memcmp(fresh, table->host, bytes)) return table->device;
    pinned_upload(table->device, fresh, bytes, cuda_ops_stream());
    table->fresh = table->host, table->host = fresh, table->count = L;
    return table->device;
}

static int launch_wavefront(const RecurrenceJob *jobs, int L, int backward) {
    static JobTable tables[2];
    RecurrencePlan p;
    if (L < 2 || jobs[0].T == 0 || jobs[0].B == 0 || !cached_wavefront(jobs[0].cell, jobs[0].H, jobs[0].B, L, &p))
        return 0;
    const WavefrontKernels *k = wavefront_kernels_of(jobs[0].cell);
    WavefrontLaunch l;
    memset(&l, 0, sizeof l); /* no stale bytes in the padding */
    l.layers = jobs_on_device(&tables[backward], jobs, L);
    l.lengths = jobs[0].lengths, l.T = jobs[0].T, l.B = jobs[0].B, l.L = L, l.grid = p.grid;
    return launch_persistent(k, backward, p, l, "the layer wavefront", "layers run one by one", &wavefront_refused);
}

int cuda_wavefront_fits(CellType cell, int B, int H, int layers) {
    RecurrencePlan p;
    return B > 0 && cached_wavefront(cell, H, B, layers, &p);
}

int cuda_wavefront_forward(const RecurrenceJob *jobs, int layers) { return launch_wavefront(jobs, layers, 0); }

int cuda_wavefront_backward(const RecurrenceJob *jobs, int layers) { return launch_wavefront(jobs, layers, 1); }

int cuda_wavefront_plan(CellType cell, int H, int B, int layers, CudaWavefrontPlan *out) {
    RecurrencePlan p;
    memset(out, 0, sizeof *out);
    int fits = plan_wavefront(cell, H, B, layers, &p, &out->wave_us, &out->layer_us);
    out->blocks = p.blocks, out->units = p.grid.units, out->samples = p.grid.samples, out->shared_bytes = p.shared;
    out->fits = fits;
    out->chosen = wavefront_chosen(fits, layers, out->wave_us, out->layer_us) && cuda_recurrence_enabled() &&
                  !wavefront_refused;
    return out->chosen;
}
