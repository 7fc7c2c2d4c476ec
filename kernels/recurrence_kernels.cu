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
 * (returns 0) and layer.c runs the step loop. */
#include <cooperative_groups.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "model/cell_math.h"
#include "cuda_kernels.h"
#include "cuda_ops.h"
#include "launch.cuh"

namespace cg = cooperative_groups;

static int recurrence_enabled = 1;

void cuda_ops_set_persistent(int enabled) { recurrence_enabled = enabled; }

/* ---- per-cell shape and unit arithmetic, at compile time ---- */

__host__ __device__ constexpr int gates_of(int cell) {
    return cell == CELL_LSTM ? 4 : cell == CELL_GRU || cell == CELL_GRU_TEXTBOOK ? 3 : 1;
}
__host__ __device__ constexpr int cache_width_of(int cell) {
    return cell == CELL_LSTM ? 5 : cell == CELL_GRU || cell == CELL_GRU_TEXTBOOK ? 4 : 0;
}
/* Rows of W_hh whose gradient reaches h(t-1) through the recurrent projection (the
 * textbook GRU's W_hn reaches it through r*h instead), and whether the cell's own unit
 * backward already wrote part of dh(t-1) (the GRU's z*dh). */
__host__ __device__ constexpr int backprop_rows_of(int cell) {
    return cell == CELL_GRU_TEXTBOOK ? 2 : gates_of(cell);
}
__host__ __device__ constexpr int adds_to_dh_prev(int cell) {
    return cell == CELL_GRU || cell == CELL_GRU_TEXTBOOK;
}

/* One sample's rows at one step (the layouts of cell_math.h). */
struct StepRows {
    const real *xp, *hp, *h_prev, *c_prev;
    real *h, *c, *cache;
};

/* The forward unit arithmetic of unit j; the textbook GRU's second half is its own. */
template <int CELL> __device__ static void unit_forward(int H, int j, StepRows r) {
    if constexpr (CELL == CELL_RNN_TANH || CELL == CELL_RNN_RELU) {
        r.h[j] = rnn_unit_forward(CELL == CELL_RNN_RELU, r.xp[j] + r.hp[j]);
    } else if constexpr (CELL == CELL_LSTM) {
        lstm_unit_forward(H, j, r.xp, r.hp, r.c_prev, r.c, r.h, r.cache);
    } else if constexpr (CELL == CELL_GRU) {
        gru_unit_gates(j, r.xp, r.hp, r.cache);
        gru_unit_gates(H + j, r.xp, r.hp, r.cache);
        gru_unit_candidate(H, j, 0, r.xp, r.hp, r.h_prev, r.h, r.cache);
    } else { /* textbook GRU, after its r*h projection */
        gru_unit_candidate(H, j, 1, r.xp, r.hp, r.h_prev, r.h, r.cache);
    }
}

/* One sample's gradient rows at one step. */
struct GradRows {
    const real *cache, *dh, *dc, *h_prev, *c_prev, *h;
    real *dxp, *dhp, *dh_prev, *dc_prev;
};

template <int CELL> __device__ static void unit_backward(int H, int j, GradRows g) {
    if constexpr (CELL == CELL_RNN_TANH || CELL == CELL_RNN_RELU) {
        g.dxp[j] = rnn_unit_backward(CELL == CELL_RNN_RELU, g.h[j], g.dh[j]);
    } else if constexpr (CELL == CELL_LSTM) {
        lstm_unit_backward(H, j, g.cache, g.dh, g.dc, g.c_prev, g.dxp, g.dc_prev);
    } else if constexpr (CELL == CELL_GRU) {
        gru_unit_update_candidate_backward(H, j, g.cache, g.dh, g.h_prev, g.dxp, g.dh_prev);
        gru_unit_reset_backward(H, j, g.cache, g.dxp, g.dhp);
    } else { /* textbook GRU: r's gradient needs every unit's dn first */
        gru_unit_update_candidate_backward(H, j, g.cache, g.dh, g.h_prev, g.dxp, g.dh_prev);
    }
}

/* ---- the block's slice ---- */

struct RecurrenceLaunch {
    RecurrenceJob jobs[2]; /* the layer's directions, run together */
    int units;             /* U, hidden units per block */
    int samples;           /* samples per block (the batch is split too) */
    int unit_slices;       /* ceil(H / U); a job's blocks: unit slice fastest, then batch slice */
    int blocks_per_job;    /* block k works on jobs[k / blocks_per_job] */
    int tile_k;            /* columns of the input tile in shared memory (slice_matvec) */
};

struct Slice {
    int j0, n;  /* first unit, units (the last unit slice may be narrower than U) */
    int b0, nb; /* first sample, samples (likewise) */
};

__device__ static Slice block_slice(const RecurrenceLaunch &l) {
    int H = l.jobs[0].H, B = l.jobs[0].B, k = (int)(blockIdx.x % l.blocks_per_job);
    int j0 = k % l.unit_slices * l.units, b0 = k / l.unit_slices * l.samples;
    return {j0, H - j0 < l.units ? H - j0 : l.units, b0, B - b0 < l.samples ? B - b0 : l.samples};
}

__device__ static const RecurrenceJob &block_job(const RecurrenceLaunch &l) {
    return l.jobs[blockIdx.x / l.blocks_per_job];
}

__device__ static int time_of(const RecurrenceJob &a, int step) { return a.reverse ? a.T - 1 - step : step; }
__device__ static long prev_slot(const RecurrenceJob &a, int t) { return a.reverse ? t + 1 : t; }
__device__ static long state_slot(const RecurrenceJob &a, int t) { return a.reverse ? t : t + 1; }

/* The block's share of a step's product: for its R weight rows r (row r at
 * w + (r / n) * g_stride + (r % n) * u_stride, n the slice's units) and every unfinished
 * sample b of its slice, sum_k in[b][k] * row_r[k] over k < K, handed to emit(b, r, sum). `in` is read
 * once per block, in tiles of B x tile_k columns staged in shared memory with coalesced
 * loads (rows padded to tile_k + 1). Register blocking: each thread owns MATVEC_ROWS rows x
 * MATVEC_SAMPLES samples of the output and keeps their sums in registers across the tiles,
 * so each weight and input value it loads from shared memory serves 2 or 4 products
 * instead of one (6 loads per 8 FMAs, was 16). Threads next to each other take samples
 * next to each other (a thread's samples are sample_groups apart), so a warp reads the
 * input tile without bank conflicts and broadcasts the weight rows. Each sum adds k in
 * ascending order, as before the blocking: the results are the same to the bit. Every
 * thread of the block must call it (it passes barriers). */
enum { MATVEC_ROWS = 4, MATVEC_SAMPLES = 2 };

/* The stride of a weight row in shared memory: odd, so the row groups a warp spans (rows
 * MATVEC_ROWS apart) fall in different banks. The plan allows G * (H + 1) reals per unit. */
__host__ __device__ static inline long padded_stride(long n) { return n | 1; }

struct MatvecRows {
    const real *w;
    long g_stride, u_stride;
    int n, R;
};

/* One thread's block of the output: its rows and samples, clamped into range (a clamped
 * row or sample is computed on valid memory and never emitted). */
struct MatvecBlock {
    int r[MATVEC_ROWS], b[MATVEC_SAMPLES];
    bool row_ok[MATVEC_ROWS], sample_ok[MATVEC_SAMPLES];
};

__device__ static MatvecBlock matvec_block(int group, int sample_groups, int R, int B) {
    MatvecBlock m;
    int r0 = group / sample_groups * MATVEC_ROWS, sg = group % sample_groups;
    UNROLL for (int i = 0; i < MATVEC_ROWS; i++) m.row_ok[i] = r0 + i < R, m.r[i] = m.row_ok[i] ? r0 + i : 0;
    UNROLL for (int j = 0; j < MATVEC_SAMPLES; j++) {
        int b = sg + j * sample_groups;
        m.sample_ok[j] = b < B, m.b[j] = m.sample_ok[j] ? b : 0;
    }
    return m;
}

template <typename Emit>
__device__ static void slice_matvec(const RecurrenceJob &a, Slice s, int t, const real *in, long ld, int K,
                                    MatvecRows m, real *tile, int tile_k, Emit emit) {
    const int B = s.nb, sample_groups = (B + MATVEC_SAMPLES - 1) / MATVEC_SAMPLES;
    const int groups = (m.R + MATVEC_ROWS - 1) / MATVEC_ROWS * sample_groups;
    in += (long)s.b0 * ld;
    for (int base = 0; base < groups; base += (int)blockDim.x) {
        const int group = base + (int)threadIdx.x;
        const MatvecBlock blk = matvec_block(group < groups ? group : 0, sample_groups, m.R, B);
        const real *wr[MATVEC_ROWS];
        UNROLL for (int i = 0; i < MATVEC_ROWS; i++)
            wr[i] = m.w + (blk.r[i] / m.n) * m.g_stride + (blk.r[i] % m.n) * m.u_stride;
        real sums[MATVEC_ROWS][MATVEC_SAMPLES];
        UNROLL for (int i = 0; i < MATVEC_ROWS; i++) UNROLL for (int j = 0; j < MATVEC_SAMPLES; j++) sums[i][j] = 0;
        for (int k0 = 0; k0 < K; k0 += tile_k) {
            int kc = K - k0 < tile_k ? K - k0 : tile_k;
            __syncthreads(); /* the previous tile is used up */
            for (int i = threadIdx.x; i < B * kc; i += blockDim.x)
                tile[(long)(i / kc) * (tile_k + 1) + i % kc] = in[(long)(i / kc) * ld + k0 + i % kc];
            __syncthreads();
            if (group >= groups) continue;
            for (int k = 0; k < kc; k++) {
                real wv[MATVEC_ROWS], xv[MATVEC_SAMPLES];
                UNROLL for (int i = 0; i < MATVEC_ROWS; i++) wv[i] = wr[i][k0 + k];
                UNROLL for (int j = 0; j < MATVEC_SAMPLES; j++) xv[j] = tile[(long)blk.b[j] * (tile_k + 1) + k];
                UNROLL for (int i = 0; i < MATVEC_ROWS; i++)
                    UNROLL for (int j = 0; j < MATVEC_SAMPLES; j++) sums[i][j] += wv[i] * xv[j];
            }
        }
        if (group >= groups) continue;
        UNROLL for (int i = 0; i < MATVEC_ROWS; i++) UNROLL for (int j = 0; j < MATVEC_SAMPLES; j++) {
            int b = s.b0 + blk.b[j];
            if (blk.row_ok[i] && blk.sample_ok[j] && t < a.lengths[b]) emit(b, blk.r[i], sums[i][j]);
        }
    }
}

/* hp[b][g*H + j] = input[b] . W_hh[g*H + j] + b_hh[g*H + j] for the slice's units j, gates
 * [g0, g1), unfinished samples b; w is the block's [G][U][H] copy of its rows. */
__device__ static void project_slice(const RecurrenceJob &a, const real *w, int G, int U, Slice s, int g0, int g1,
                                     int t, const real *input, long ld_input, real *tile, int tile_k) {
    int H = a.H;
    long ldw = padded_stride(H);
    MatvecRows rows = {w + g0 * U * ldw, U * ldw, ldw, s.n, (g1 - g0) * s.n};
    slice_matvec(a, s, t, input, ld_input, H, rows, tile, tile_k, [&](int b, int r, real sum) {
        int col = (g0 + r / s.n) * H + s.j0 + r % s.n;
        a.hp[(long)b * G * H + col] = sum + a.b_hh[col];
    });
}

/* The unit arithmetic for the slice's units of unfinished samples, and the freeze of
 * finished ones (they keep h_prev, c_prev and output zeros), as layer.c's step_freeze. */
template <int CELL> __device__ static void step_units(const RecurrenceJob &a, Slice s, int t, long prev, long cur) {
    constexpr int G = gates_of(CELL), CW = cache_width_of(CELL);
    int H = a.H, B = a.B;
    for (int o = threadIdx.x; o < s.n * s.nb; o += blockDim.x) {
        int b = s.b0 + o % s.nb, j = s.j0 + o / s.nb;
        long row = (long)b * H;
        real *h = a.states + cur + row, *c = a.cells ? a.cells + cur + row : 0;
        const real *h_prev = a.states + prev + row, *c_prev = a.cells ? a.cells + prev + row : 0;
        real *out = a.y + ((long)t * B + b) * a.out_stride + a.out_offset;
        if (t >= a.lengths[b]) {
            h[j] = h_prev[j];
            if (c) c[j] = c_prev[j];
            out[j] = 0;
            continue;
        }
        StepRows r = {a.xp + ((long)t * B + b) * G * H, a.hp + (long)b * G * H, h_prev, c_prev, h, c,
                      a.cache + ((long)t * B + b) * CW * H};
        unit_forward<CELL>(H, j, r);
        out[j] = h[j];
    }
}

/* Textbook GRU, first half of a step: r and z of the slice's units, and r*h_prev (the
 * input of the W_hn projection) into the cache's last block. */
__device__ static void textbook_gates(const RecurrenceJob &a, Slice s, int t, long prev) {
    int H = a.H, B = a.B;
    for (int o = threadIdx.x; o < s.n * s.nb; o += blockDim.x) {
        int b = s.b0 + o % s.nb, j = s.j0 + o / s.nb;
        if (t >= a.lengths[b]) continue;
        const real *xp = a.xp + ((long)t * B + b) * 3 * H, *hp = a.hp + (long)b * 3 * H;
        real *cache = a.cache + ((long)t * B + b) * 4 * H;
        gru_unit_gates(j, xp, hp, cache);
        gru_unit_gates(H + j, xp, hp, cache);
        gru_unit_reset_hidden(H, j, a.states + prev + (long)b * H, cache);
    }
}

template <int CELL> __global__ void recurrence_forward_kernel(RecurrenceLaunch l) {
    constexpr int G = gates_of(CELL);
    const RecurrenceJob &a = block_job(l);
    const int H = a.H, U = l.units;
    const long BH = (long)a.B * H;
    const Slice s = block_slice(l);
    const long ldw = padded_stride(H);
    DYNAMIC_SHARED(real, w); /* [G][U][ldw]: w[(g*U + u)*ldw + k] = W_hh[g*H + j0 + u][k], then the tile */
    real *tile = w + G * U * ldw;
    for (long i = threadIdx.x; i < (long)G * s.n * H; i += blockDim.x) {
        int row = (int)(i / H), k = (int)(i % H), g = row / s.n, u = row % s.n;
        w[((long)g * U + u) * ldw + k] = a.w_hh[((long)g * H + s.j0 + u) * H + k];
    }
    __syncthreads();
    cg::grid_group grid = cg::this_grid();
    for (int step = 0; step < a.T; step++) {
        int t = time_of(a, step);
        long prev = prev_slot(a, t) * BH, cur = state_slot(a, t) * BH;
        if constexpr (CELL == CELL_GRU_TEXTBOOK) {
            project_slice(a, w, G, U, s, 0, 2, t, a.states + prev, H, tile, l.tile_k);
            __syncthreads();
            textbook_gates(a, s, t, prev);
            grid.sync(); /* every unit's r*h_prev */
            project_slice(a, w, G, U, s, 2, 3, t, a.cache + (long)t * a.B * 4 * H + 3 * H, 4 * H, tile, l.tile_k);
        } else {
            project_slice(a, w, G, U, s, 0, G, t, a.states + prev, H, tile, l.tile_k);
        }
        __syncthreads();
        step_units<CELL>(a, s, t, prev, cur);
        grid.sync(); /* h(t) of every unit before step t+1 */
    }
}

/* ---- backward ---- */

/* The unit backward for the slice's units: dh = dh_carry + dy for unfinished samples
 * (layer.c's step_gather_gradient), then the cell's arithmetic into dxp/dhp (and dc_prev,
 * and the direct part of dh_prev); finished samples get zero gate gradients. */
template <int CELL> __device__ static void backward_units(const RecurrenceJob &a, Slice s, int t, long prev, long cur) {
    constexpr int G = gates_of(CELL), CW = cache_width_of(CELL);
    int H = a.H, B = a.B, GH = G * H;
    for (int o = threadIdx.x; o < s.n * s.nb; o += blockDim.x) {
        int b = s.b0 + o % s.nb, j = s.j0 + o / s.nb;
        long row = (long)b * H;
        real *dxp = a.dxp + ((long)t * B + b) * GH, *dhp = a.dhp + ((long)t * B + b) * GH;
        if (t >= a.lengths[b]) {
            for (int g = 0; g < G; g++) dxp[g * H + j] = 0, dhp[g * H + j] = 0;
            continue;
        }
        a.dh[row + j] = a.dh_carry[row + j] + a.dy[((long)t * B + b) * a.out_stride + a.out_offset + j];
        if (a.dc) a.dc[row + j] = a.dc_carry[row + j];
        GradRows g = {a.cache + ((long)t * B + b) * CW * H, a.dh + row, a.dc ? a.dc + row : 0,
                      a.states + prev + row, a.cells ? a.cells + prev + row : 0, a.states + cur + row,
                      dxp, dhp, a.dh_prev + row, a.dc_prev ? a.dc_prev + row : 0};
        unit_backward<CELL>(H, j, g);
    }
}

/* Textbook GRU: d(r*h_prev) = dn W_hn for the slice's units (every unit's dn), then r's
 * gradient and its part of dh_prev. */
__device__ static void textbook_reset_backward(const RecurrenceJob &a, const real *wt, Slice s, int t, long prev,
                                               real *tile, int tile_k) {
    int H = a.H, B = a.B, GH = 3 * H;
    const real *dxp_t = a.dxp + (long)t * B * GH;
    MatvecRows rows = {wt + 2 * H, 0, padded_stride(GH), s.n, s.n};
    slice_matvec(a, s, t, dxp_t + 2 * H, GH, H, rows, tile, tile_k, [&](int b, int u, real drh) {
        long row = (long)b * H;
        a.drh[row + s.j0 + u] = drh;
    });
    __syncthreads(); /* this block's drh */
    for (int o = threadIdx.x; o < s.n * s.nb; o += blockDim.x) {
        int b = s.b0 + o % s.nb, k = s.j0 + o / s.nb;
        if (t >= a.lengths[b]) continue;
        long row = (long)b * H;
        gru_unit_textbook_reset_backward(k, a.cache + ((long)t * B + b) * 4 * H, a.drh + row,
                                         a.states + prev + row, a.dxp + ((long)t * B + b) * GH, a.dh_prev + row);
    }
}

/* dh_prev of the slice's units from every unit's gate gradients (dhp . W_hh[:, k]), then
 * carried to step t-1 for unfinished samples (layer.c's step_carry_gradient). */
template <int CELL>
__device__ static void carry_units(const RecurrenceJob &a, const real *wt, Slice s, int t, real *tile, int tile_k) {
    constexpr int G = gates_of(CELL), R = backprop_rows_of(CELL);
    int H = a.H, B = a.B, GH = G * H;
    MatvecRows rows = {wt, 0, padded_stride(GH), s.n, s.n};
    slice_matvec(a, s, t, a.dhp + (long)t * B * GH, GH, R * H, rows, tile, tile_k, [&](int b, int u, real sum) {
        long at = (long)b * H + s.j0 + u;
        real dh_prev = adds_to_dh_prev(CELL) ? sum + a.dh_prev[at] : sum;
        a.dh_prev[at] = dh_prev;
        a.dh_carry[at] = dh_prev;
        if (a.dc_carry) a.dc_carry[at] = a.dc_prev[at];
    });
}

template <int CELL> __global__ void recurrence_backward_kernel(RecurrenceLaunch l) {
    constexpr int G = gates_of(CELL);
    const RecurrenceJob &a = block_job(l);
    const int H = a.H, GH = G * H;
    const long BH = (long)a.B * H;
    const Slice s = block_slice(l);
    const long ldw = padded_stride(GH);
    DYNAMIC_SHARED(real, wt); /* [U][ldw]: wt[u*ldw + r] = W_hh[r][j0 + u], then the tile */
    real *tile = wt + l.units * ldw;
    for (long i = threadIdx.x; i < (long)s.n * GH; i += blockDim.x) {
        int u = (int)(i / GH), r = (int)(i % GH);
        wt[u * ldw + r] = a.w_hh[(long)r * H + s.j0 + u];
    }
    __syncthreads();
    cg::grid_group grid = cg::this_grid();
    for (int step = a.T - 1; step >= 0; step--) {
        int t = time_of(a, step);
        long prev = prev_slot(a, t) * BH, cur = state_slot(a, t) * BH;
        backward_units<CELL>(a, s, t, prev, cur);
        if constexpr (CELL == CELL_GRU_TEXTBOOK) {
            grid.sync(); /* every unit's dn */
            textbook_reset_backward(a, wt, s, t, prev, tile, l.tile_k);
        }
        grid.sync(); /* every unit's gate gradients at t */
        carry_units<CELL>(a, wt, s, t, tile, l.tile_k);
        __syncthreads(); /* dh_carry before the next step's units read it */
    }
}

/* ---- the plan and the launch ---- */

typedef void (*RecurrenceKernel)(RecurrenceLaunch);

struct RecurrenceKernels {
    RecurrenceKernel forward, backward;
    const char *forward_name, *backward_name;
};

#define RECURRENCE_KERNELS(CELL, name)                                                     \
    {recurrence_forward_kernel<CELL>, recurrence_backward_kernel<CELL>,                  \
     "recurrence_forward_kernel<" name ">", "recurrence_backward_kernel<" name ">"}

static const RecurrenceKernels *kernels_of(CellType cell) {
    static const RecurrenceKernels table[] = {
        RECURRENCE_KERNELS(CELL_RNN_TANH, "rnn_tanh"), RECURRENCE_KERNELS(CELL_RNN_RELU, "rnn_relu"),
        RECURRENCE_KERNELS(CELL_LSTM, "lstm"), RECURRENCE_KERNELS(CELL_GRU, "gru"),
        RECURRENCE_KERNELS(CELL_GRU_TEXTBOOK, "gru_textbook"),
    };
    return (unsigned)cell < sizeof table / sizeof *table ? &table[cell] : 0;
}

struct RecurrencePlan {
    int units, samples, unit_slices, blocks_per_job, blocks, threads, tile_k;
    size_t shared;
};

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
    p->units = units;
    p->unit_slices = (H + units - 1) / units;
    int batch_slices = sms / (jobs * p->unit_slices), at_least = (B + max_samples - 1) / max_samples;
    batch_slices = batch_slices < at_least ? at_least : batch_slices > B ? B : batch_slices < 1 ? 1 : batch_slices;
    p->samples = (B + batch_slices - 1) / batch_slices;
    p->blocks_per_job = p->unit_slices * ((B + p->samples - 1) / p->samples);
    p->blocks = jobs * p->blocks_per_job;
}

/* The grid: about one block per SM, each owning `units` hidden units by `samples` samples.
 * Of the unit counts whose W_hh rows fit in shared memory (beside an input tile within an
 * eighth of the block's limit), the one with the least work per block (units x samples),
 * and of those the most units: the fewest unit slices, since every block of a batch slice
 * reads all of that slice's h(t-1) each step (L2 traffic). 0 when even the fewest units a
 * block must take (a job's units over the SMs) do not fit, or the grid cannot be resident
 * at once. Forward and backward kernels need the same shared memory and threads. */
static int plan_recurrence(CellType cell, int H, int B, int jobs, RecurrencePlan *p) {
    const cudaDeviceProp *d = current_device_props();
    const RecurrenceKernels *k = kernels_of(cell);
    int sms = d->multiProcessorCount > 0 ? d->multiProcessorCount : 1;
    /* a unit's weights with padded rows: G * padded_stride(H) forward, padded_stride(G * H) backward */
    size_t unit_bytes = sizeof(real) * (size_t)gates_of(cell) * (H + 1), limit = d->sharedMemPerBlockOptin;
    size_t tile_budget = limit / 8 < 32768 ? limit / 8 : 32768;
    int max_samples = (int)(tile_budget / (2 * sizeof(real))); /* a tile of at least 1 column */
    long fit = (long)((limit - tile_budget) / unit_bytes), least = ((long)jobs * H + sms - 1) / sms;
    memset(p, 0, sizeof *p);
    if (fit > H) fit = H;
    if (!k || max_samples < 1 || fit < least || fit < 1) return 0;
    long best_work = LONG_MAX;
    for (int units = (int)fit; units >= least && units >= 1; units--) {
        RecurrencePlan q;
        split_grid(H, B, jobs, sms, max_samples, units, &q);
        long work = (long)units * q.samples;
        if (work < best_work && q.blocks <= sms) best_work = work, *p = q;
    }
    if (best_work == LONG_MAX) split_grid(H, B, jobs, sms, max_samples, (int)fit, p); /* more blocks than SMs */
    long tile_k = (long)(tile_budget / (sizeof(real) * p->samples)) - 1;
    p->tile_k = (int)(tile_k > 64 ? 64 : tile_k);
    p->shared = unit_bytes * p->units + sizeof(real) * (size_t)p->samples * (p->tile_k + 1);
    long work = (long)p->samples * p->units * gates_of(cell);
    p->threads = work >= 256 ? 256 : (int)((work + 31) / 32 * 32);
    int per_sm = INT_MAX;
    for (RecurrenceKernel kernel : {k->forward, k->backward}) {
        int n = 0;
        if (p->shared > d->sharedMemPerBlock)
            CHECK(CUDA, cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)p->shared));
        CHECK(CUDA, cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, kernel, p->threads, p->shared));
        per_sm = n < per_sm ? n : per_sm;
    }
    return (long)per_sm * sms >= p->blocks;
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
    l.units = p.units, l.samples = p.samples, l.unit_slices = p.unit_slices;
    l.blocks_per_job = p.blocks_per_job, l.tile_k = p.tile_k;
    cudaError_t rc = LAUNCH_COOPERATIVE(backward ? k->backward_name : k->forward_name,
                                        backward ? k->backward : k->forward, dim3(p.blocks), dim3(p.threads),
                                        p.shared, cuda_ops_stream(), l);
    if (rc == cudaErrorCooperativeLaunchTooLarge) { /* the plan's occupancy said yes, the device no */
        (void)cudaGetLastError();
        fprintf(stderr, "recur: the GPU refused the persistent recurrence kernels (%d blocks of %d threads, %zu "
                "bytes of shared memory each, not all resident at once); the step loop runs from now on\n",
                p.blocks, p.threads, p.shared);
        recurrence_enabled = 0;
        return 0;
    }
    CHECK(CUDA, rc);
    return 1;
}

int cuda_recurrence_forward(const RecurrenceJob *jobs, int count) { return launch_recurrence(jobs, count, 0); }

int cuda_recurrence_backward(const RecurrenceJob *jobs, int count) { return launch_recurrence(jobs, count, 1); }

int cuda_recurrence_plan(CellType cell, int H, int B, int directions, int *blocks, int *units, int *samples,
                         size_t *shared_bytes) {
    RecurrencePlan p;
    int fits = plan_recurrence(cell, H, B, directions, &p);
    *blocks = p.blocks, *units = p.units, *samples = p.samples, *shared_bytes = p.shared;
    return fits && recurrence_enabled;
}
