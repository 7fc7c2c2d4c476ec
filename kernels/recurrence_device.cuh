/* recurrence_device.cuh: the device code both persistent recurrence kernels share —
 * recurrence_kernels.cu (one layer's directions per launch) and wavefront_kernels.cu (a
 * unidirectional stack's layers per launch): the cells' shapes and unit arithmetic
 * (cell_math.h), the block's slice of units and samples, the shared-memory matvec, one
 * forward step and one backward step of a block's units, and the plan of the grid. A
 * step here is layer.c's step loop for the block's units, on the same buffers and
 * layouts; the kernels around them only decide which step a block runs and when the grid
 * waits. Header-only device code (static), included by those two files alone. */
#ifndef RECUR_RECURRENCE_DEVICE_CUH
#define RECUR_RECURRENCE_DEVICE_CUH

#include <cooperative_groups.h>
#include <stddef.h>
#include <stdio.h>

#include "core/check.h"
#include "model/cell_math.h"
#include "cuda_kernels.h"
#include "cuda_ops.h"
#include "launch.cuh"

namespace cg = cooperative_groups;

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
        gru_unit_forward(H, j, r.xp, r.hp, r.h_prev, r.h, r.cache);
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
        gru_unit_backward(H, j, g.cache, g.dh, g.h_prev, g.dxp, g.dhp, g.dh_prev);
    } else { /* textbook GRU: r's gradient needs every unit's dn first */
        gru_unit_update_candidate_backward(H, j, g.cache, g.dh, g.h_prev, g.dxp, g.dh_prev);
    }
}


/* ---- the block's slice ---- */

/* How a launch's blocks split the work: jobs (directions, or layers) of blocks_per_job
 * blocks each, a job's blocks unit slice fastest, then batch slice. */
struct GridPlan {
    int units;          /* U, hidden units per block */
    int samples;        /* samples per block (the batch is split too) */
    int unit_slices;    /* ceil(H / U) */
    int blocks_per_job; /* block k works on job k / blocks_per_job */
    int tile_k;         /* columns of the input tile in shared memory (slice_matvec) */
};

struct Slice {
    int j0, n;  /* first unit, units (the last unit slice may be narrower than U) */
    int b0, nb; /* first sample, samples (likewise) */
};


__device__ static Slice block_slice(const GridPlan &l, int H, int B) {
    int k = (int)(blockIdx.x % l.blocks_per_job);
    int j0 = k % l.unit_slices * l.units, b0 = k / l.unit_slices * l.samples;
    return {j0, H - j0 < l.units ? H - j0 : l.units, b0, B - b0 < l.samples ? B - b0 : l.samples};
}

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

/* ---- backward ---- */

/* The unit backward for the slice's units: dh = dh_carry + dy for unfinished samples (dy
 * of step t: row b at dy_t + b * dy_ld; it may be a.dh itself, each element read before
 * its thread writes it)
 * (layer.c's step_gather_gradient), then the cell's arithmetic into dxp/dhp (and dc_prev,
 * and the direct part of dh_prev); finished samples get zero gate gradients. */
template <int CELL>
__device__ static void backward_units(const RecurrenceJob &a, Slice s, int t, long prev, long cur, const real *dy_t,
                                      long dy_ld) {
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
        a.dh[row + j] = a.dh_carry[row + j] + dy_t[(long)b * dy_ld + j];
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

/* ---- one step of a block's units ---- */

/* W_hh's rows of the slice's units, every gate, into w [G][U][ldw] (forward); the
 * wavefront loads W_ih's likewise. */
__device__ static void load_rows(real *w, const real *weights, int G, int U, int H, int K, Slice s) {
    long ldw = padded_stride(K);
    for (long i = threadIdx.x; i < (long)G * s.n * K; i += blockDim.x) {
        int row = (int)(i / K), k = (int)(i % K), g = row / s.n, u = row % s.n;
        w[((long)g * U + u) * ldw + k] = weights[((long)g * H + s.j0 + u) * K + k];
    }
}

/* The columns of the slice's units of a [GH][H] matrix, into wt [U][ldw] (backward). */
__device__ static void load_columns(real *wt, const real *weights, int GH, int H, Slice s) {
    long ldw = padded_stride(GH);
    for (long i = threadIdx.x; i < (long)s.n * GH; i += blockDim.x) {
        int u = (int)(i / GH), r = (int)(i % GH);
        wt[u * ldw + r] = weights[(long)r * H + s.j0 + u];
    }
}

/* Forward step t of the slice's units (when `active`; an inactive block of the grid
 * still passes the textbook GRU's extra grid barrier with the others). xp(t) must be
 * complete; h(t) is, for the slice, when it returns. */
template <int CELL>
__device__ static void forward_step(const RecurrenceJob &a, const real *w, int U, Slice s, int t, real *tile,
                                    int tile_k, cg::grid_group &grid, bool active) {
    constexpr int G = gates_of(CELL);
    const long BH = (long)a.B * a.H, prev = prev_slot(a, t) * BH, cur = state_slot(a, t) * BH;
    if constexpr (CELL == CELL_GRU_TEXTBOOK) {
        if (active) {
            project_slice(a, w, G, U, s, 0, 2, t, a.states + prev, a.H, tile, tile_k);
            __syncthreads();
            textbook_gates(a, s, t, prev);
        }
        grid.sync(); /* every unit's r*h_prev */
        if (active)
            project_slice(a, w, G, U, s, 2, 3, t, a.cache + (long)t * a.B * 4 * a.H + 3 * a.H, 4 * a.H, tile,
                          tile_k);
    } else if (active) {
        project_slice(a, w, G, U, s, 0, G, t, a.states + prev, a.H, tile, tile_k);
    }
    if (!active) return;
    __syncthreads();
    step_units<CELL>(a, s, t, prev, cur);
}

/* Backward step t of the slice's units, dy of step t at dy_t (row stride dy_ld): the
 * unit backward, one grid barrier (two for the textbook GRU) so that every unit's gate
 * gradients are there, then dh(t-1) of the slice's units carried to step t-1. Inactive
 * blocks pass the barriers only. */
template <int CELL>
__device__ static void backward_step(const RecurrenceJob &a, const real *wt, Slice s, int t, const real *dy_t,
                                     long dy_ld, real *tile, int tile_k, cg::grid_group &grid, bool active) {
    const long BH = (long)a.B * a.H, prev = prev_slot(a, t) * BH, cur = state_slot(a, t) * BH;
    if (active) backward_units<CELL>(a, s, t, prev, cur, dy_t, dy_ld);
    if constexpr (CELL == CELL_GRU_TEXTBOOK) {
        grid.sync(); /* every unit's dn */
        if (active) textbook_reset_backward(a, wt, s, t, prev, tile, tile_k);
    }
    grid.sync(); /* every unit's gate gradients at t */
    if (!active) return;
    carry_units<CELL>(a, wt, s, t, tile, tile_k);
    __syncthreads(); /* dh_carry before the next step's units read it */
}

/* ---- the kernels of a family, by cell ---- */

/* A family's forward and backward kernel of one cell, with the names the launches report
 * (one struct argument each: RecurrenceLaunch or WavefrontLaunch). */
template <typename Launch> struct CellKernels {
    void (*forward)(Launch);
    void (*backward)(Launch);
    const char *forward_name, *backward_name;
};

#define CELL_KERNELS(FORWARD, BACKWARD, CELL, name) {FORWARD<CELL>, BACKWARD<CELL>, #FORWARD "<" name ">", #BACKWARD "<" name ">"}

/* The table of a family's kernels in CellType order: every cell, once. */
#define CELL_KERNEL_TABLE(FORWARD, BACKWARD)                                               \
    {CELL_KERNELS(FORWARD, BACKWARD, CELL_RNN_TANH, "rnn_tanh"),                            \
     CELL_KERNELS(FORWARD, BACKWARD, CELL_RNN_RELU, "rnn_relu"),                            \
     CELL_KERNELS(FORWARD, BACKWARD, CELL_LSTM, "lstm"),                                    \
     CELL_KERNELS(FORWARD, BACKWARD, CELL_GRU, "gru"),                                      \
     CELL_KERNELS(FORWARD, BACKWARD, CELL_GRU_TEXTBOOK, "gru_textbook")}

/* table[cell], or NULL for a cell the table does not have. */
template <typename Launch, size_t N>
static const CellKernels<Launch> *cell_kernels(const CellKernels<Launch> (&table)[N], CellType cell) {
    return (unsigned)cell < N ? &table[cell] : 0;
}

/* ---- the plan (recurrence_kernels.cu) ---- */

struct RecurrencePlan {
    GridPlan grid;
    int blocks, threads;
    size_t shared;
};

/* Launches kernel family k's forward or backward kernel on the planned cooperative grid.
 * 0, with a line on stderr naming `what` and what runs `instead`, and *refused set, when
 * the device refuses a grid that size (the plan's occupancy said yes); other errors abort. */
template <typename Launch>
static int launch_persistent(const CellKernels<Launch> *k, int backward, const RecurrencePlan &p, Launch l,
                             const char *what, const char *instead, int *refused) {
    cudaError_t rc = LAUNCH_COOPERATIVE(backward ? k->backward_name : k->forward_name,
                                        backward ? k->backward : k->forward, dim3(p.blocks), dim3(p.threads),
                                        p.shared, cuda_ops_stream(), l);
    if (rc == cudaErrorCooperativeLaunchTooLarge) {
        (void)cudaGetLastError();
        fprintf(stderr, "recur: the GPU refused %s (%d blocks of %d threads, %zu bytes of shared memory each, "
                "not all resident at once); %s from now on\n", what, p.blocks, p.threads, p.shared, instead);
        *refused = 1;
        return 0;
    }
    CHECK(CUDA, rc);
    return 1;
}

/* The grid for `jobs` jobs of `cell` with H units and B samples, each block holding
 * `weights` matrices' slices ([G*H][H] each: W_hh, and W_ih for the wavefront) and
 * `extra` bytes of shared memory besides; 0 when it does not fit or would not be
 * resident at once for both kernels. */
int plan_recurrence_grid(CellType cell, int H, int B, int jobs, int weights, size_t extra, const void *forward,
                         const void *backward, RecurrencePlan *p);
/* The per-layer kernels' plan for one direction (cached), for the wavefront's rule. */
int recurrence_layer_plan(CellType cell, int H, int B, RecurrencePlan *p);
/* Whether the persistent kernels are on (cuda_ops_set_persistent). */
int cuda_recurrence_enabled(void);

#endif
