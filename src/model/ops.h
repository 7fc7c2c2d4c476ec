/* ops.h: the primitive operations the model is built from, as a table with one
 * implementation per backend: the CPU (ops_cpu.c: OpenBLAS and C loops) and CUDA
 * (kernels/: cuBLAS and kernels, GPU build only).
 *
 * The orchestration — model.c, layer.c and the cell files — is written once against this
 * table, so a GPU run takes exactly the steps a CPU run takes and differs only in the
 * primitives. Every pointer an op takes is in the backend's memory (device memory for
 * CUDA); sizes and flags are host values that stay the same from step to step for a
 * batch shape (T, B), so a step's work can be captured once and replayed (a CUDA graph);
 * values that change between such steps (seeds, counts, rates) are read from backend
 * memory (step_scalars.h). Ops on CUDA are queued on the backend's stream
 * and return at once, except `download`, which waits for its result: scalars the trainer
 * needs (the loss, the gradient norm) stay in the backend's memory until one read per step.
 * Shapes use the conventions of layer.h and cell_math.h (time-major rows t*B+b). */
#ifndef RECUR_OPS_H
#define RECUR_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/real.h"
#include "loss.h"
#include "model_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One right side of gemm_tn_sums: C [M][N] (row stride ldc) += A^T B, B [K][N] (ldb). */
typedef struct TnRight {
    const real *B;
    int N, ldb;
    real *C;
    int ldc;
} TnRight;

/* A direction's whole time loop in one op (ModelOps.recurrence_*): layer.c's step loop,
 * with the same buffers and layouts (layer.h), for backends that run it on the device
 * in one go. All pointers in the backend's memory. */
typedef struct RecurrenceJob {
    CellType cell;
    int T, B, H;
    int reverse, out_stride, out_offset;  /* as LayerShape */
    const int32_t *lengths;               /* [B] */
    const real *w_hh, *b_hh;              /* [G*H][H], [G*H] */
    const real *w_ih, *b_ih;              /* [G*H][I], [G*H]: read by the wavefront, and
                                             by a backend that projects (x below) */
    /* forward: xp [T*B][G*H] in; states, cells, cache, y out (y: this direction's columns);
     * hp [B][G*H] scratch. Or, to a backend with recurrence_projects, x [T*B][I] (the
     * layer's input) instead of xp: it computes each step's x W_ih^T + b_ih itself (rows it
     * computes only), and declines what it cannot (layer.c then projects first). */
    const real *xp, *x;
    int input_size;
    real *states, *cells, *cache, *y, *hp;
    /* backward: dy in (this direction's columns); dxp, dhp [T*B][G*H] out (dhp == dxp
     * unless the cell splits them); [B][H] scratch: dh, dc, dh_prev, dc_prev, dh_carry,
     * dc_carry (zeroed by the caller), drh */
    const real *dy;
    real *dxp, *dhp, *dh, *dc, *dh_prev, *dc_prev, *dh_carry, *dc_carry, *drh;
} RecurrenceJob;

typedef struct ModelOps {
    const char *name;    /* "cpu", "cpu-staged" (tests) or "cuda" */
    int host_memory;     /* 1: buffers are ordinary host memory the caller may touch */
    int cuda;            /* 1: the CUDA backend (the optimizer and NCCL reducer pick theirs) */

    /* ---- memory ---- */
    void *(*alloc)(size_t bytes, const char *what); /* zeroed; dies naming `what` */
    void (*release)(void *p);
    void (*zero)(void *p, size_t bytes);
    void (*copy)(void *dst, const void *src, size_t bytes);
    void (*upload)(void *dst, const void *host_src, size_t bytes);
    void (*download)(void *host_dst, const void *src, size_t bytes); /* waits */

    /* ---- dense algebra, core/blas.h's row-major conventions ---- */
    void (*gemm)(int trans_a, int trans_b, int M, int N, int K, real alpha, const real *A,
                 int lda, const real *B, int ldb, real beta, real *C, int ldc);
    void (*add_row_bias)(int rows, int cols, const real *bias, real *Y);    /* Y[i] += bias */
    void (*add_column_sums)(int rows, int cols, const real *X, real *out);  /* out += colsum */
    void (*set_rows)(int rows, int cols, const real *row, real *Y, int ldy); /* Y[i] = row */
    /* Optional fused forms of a linear map's products (NULL, or returning 0 for products
     * not fused — cuBLASLt may offer no algorithm — and linear.c does gemm, then the bias
     * helper). C = A W^T + bias (A [M][K], W [N][K]); and, for each of `count` right
     * sides, C_r += A^T B_r, with sums (and sums2 when not NULL) += the column sums of A
     * [K][M] (the CPU sums each column in row order, as add_column_sums, and reads each
     * chunk of A once for all the right sides; the GPU sums in the first product's
     * epilogue). */
    int (*gemm_bias)(int M, int N, int K, const real *A, int lda, const real *W, int ldw,
                     const real *bias, real *C, int ldc);
    int (*gemm_tn_sums)(int M, int K, const real *A, int lda, int count, const TnRight *right,
                        real *sums, real *sums2);

    /* ---- cell steps on B sample rows (cell_math.h) ---- */
    void (*rnn_forward)(int B, int H, int relu, const real *xp, const real *hp, real *h);
    void (*rnn_backward)(int B, int H, int relu, const real *h, const real *dh, real *dxp);
    void (*lstm_forward)(int B, int H, const real *xp, const real *hp, const real *c_prev,
                         real *c, real *h, real *cache);
    void (*lstm_backward)(int B, int H, const real *cache, const real *dh, const real *dc,
                          const real *c_prev, real *dxp, real *dc_prev);
    void (*gru_gates)(int B, int H, const real *xp, const real *hp, real *cache);
    void (*gru_reset_hidden)(int B, int H, const real *h_prev, real *cache);
    /* the textbook GRU's n and h (hp's n block: W_hn (r * h_prev) + b_hn) */
    void (*gru_textbook_candidate)(int B, int H, const real *xp, const real *hp, const real *h_prev,
                                   real *h, real *cache);
    void (*gru_update_candidate_backward)(int B, int H, const real *cache, const real *dh,
                                          const real *h_prev, real *dxp, real *dh_prev);
    /* the PyTorch GRU's whole step in one pass: gru_gates + the candidate's arithmetic, and
     * gru_update_candidate_backward + its r gate and recurrent gradients (dhp) */
    void (*gru_forward)(int B, int H, const real *xp, const real *hp, const real *h_prev, real *h,
                        real *cache);
    void (*gru_backward)(int B, int H, const real *cache, const real *dh, const real *h_prev,
                         real *dxp, real *dhp, real *dh_prev);
    void (*gru_textbook_reset_backward)(int B, int H, const real *cache, const real *drh,
                                        const real *h_prev, real *dxp, real *dh_prev);

    /* ---- the time loop's masking of finished samples (layer.c) ---- */
    /* valid[t*B+b] = t < lengths[b] */
    void (*mark_valid)(int T, int B, const int32_t *lengths, uint8_t *valid);
    /* After the step at time t: a finished sample (t >= lengths[b]) keeps h_prev (and
     * c_prev) and outputs zeros; the others output h. out = y + t*B*out_stride + offset;
     * c, c_prev NULL without a cell state. */
    void (*step_freeze)(int B, int H, int t, const int32_t *lengths, const real *h_prev,
                        const real *c_prev, real *h, real *c, real *out, int out_stride);
    /* dh = dh_carry + dy_t (and dc = dc_carry) for unfinished samples, 0 for finished. */
    void (*step_gather_gradient)(int B, int H, int t, const int32_t *lengths,
                                 const real *dh_carry, const real *dc_carry, const real *dy_t,
                                 int dy_stride, real *dh, real *dc);
    /* dh_carry = dh_prev (and dc) for unfinished samples; finished ones pass it through. */
    void (*step_carry_gradient)(int B, int H, int t, const int32_t *lengths,
                                const real *dh_prev, const real *dc_prev, real *dh_carry,
                                real *dc_carry);

    /* ---- the whole time loops of a layer's `count` directions (1 or 2; same cell and
     * sizes) at once (optional: NULL, or returning 0 for jobs it does not take, and
     * layer.c runs the step loops with the ops above) ---- */
    int (*recurrence_forward)(const RecurrenceJob *jobs, int count);
    int (*recurrence_backward)(const RecurrenceJob *jobs, int count);
    int recurrence_projects; /* 1: recurrence_forward may be given x instead of xp */

    /* ---- a unidirectional stack's time loops, all `count` layers (same cell and H, no
     * dropout between them) at once as a layer wavefront (optional: NULL). fits: whether
     * the backend takes a stack of this shape. forward: jobs[l] as recurrence_forward's,
     * with w_ih and b_ih; layer 0's xp is in, the others' are computed from jobs[l-1].y
     * (and written). backward: jobs[count-1].dy is the top layer's; the others' dy is
     * computed from the layer above (dxp W_ih), their dy unused; dxp/dhp out as
     * recurrence_backward's. 0 when declined after all (nothing done then). ---- */
    int (*wavefront_fits)(CellType cell, int B, int H, int count);
    int (*wavefront_forward)(const RecurrenceJob *jobs, int count);
    int (*wavefront_backward)(const RecurrenceJob *jobs, int count);

    /* ---- embedding, dropout, pooling, head activation, loss ---- */
    void (*embedding_forward)(int N, int E, const int32_t *tokens, const real *table, real *out);
    /* grad_table[tokens[n]] += dout[n] down the rows linked by embedding_link_rows
     * (embedding.h): each token's rows in ascending order, on every backend. *num_heads
     * (backend memory, <= max_heads) heads: the launch is sized by the bound alone. */
    void (*embedding_backward)(int max_heads, const int32_t *num_heads, int E, const int32_t *tokens,
                               const int32_t *heads, const int32_t *next, const real *dout,
                               real *grad_table);
    /* *seed in backend memory (a per-step value: step_scalars.h) */
    void (*dropout_forward)(long n, real p, const uint64_t *seed, uint64_t stream, const real *in,
                            real *out, real *mask);
    void (*dropout_backward)(long n, const real *mask, const real *dout, real *din);
    void (*pool_forward)(Pooling kind, int T, int B, int D, int directions,
                         const int32_t *lengths, const real *y, real *pooled, int32_t *argmax);
    void (*pool_backward)(Pooling kind, int T, int B, int D, int directions,
                          const int32_t *lengths, const int32_t *argmax, const real *dpooled,
                          real *dy);
    void (*tanh_forward)(long n, real *y);
    void (*tanh_backward)(long n, const real *y, real *dy);
    /* *loss = the mean over *counted items (loss_count; backend memory, a per-step value),
     * rounded to real as loss.h's; loss_backward makes dlogits NaN when *loss is not
     * finite (loss.h) */
    void (*loss_forward)(const LossInput *in, const double *counted, double *loss);
    void (*loss_backward)(const LossInput *in, const double *counted, const double *loss, real *dlogits);

    /* ---- flat vectors (gradient clipping and checks in the trainer) ---- */
    void (*sum_squares)(long n, const real *x, double *out); /* in double, fixed order */
    void (*scale)(long n, const real *a, real *x); /* x *= *a (backend memory) */
    /* torch's clip_grad_norm_ with the squared norm in backend memory: x *= max_norm /
     * (sqrt(*sumsq) + 1e-6) when that is below 1 (not when *sumsq is NaN) */
    void (*scale_by_norm)(long n, const double *sumsq, double max_norm, real *x);
    /* into [lo, hi], NaN stays NaN; nothing when *guard (a squared norm) is not finite */
    void (*clamp)(long n, real lo, real hi, const double *guard, real *x);
} ModelOps;

/* The CPU backend (always present). */
const ModelOps *cpu_model_ops(void);
/* The CPU backend posing as a device (host_memory 0): the model then stages batches,
 * downloads outputs and goes through host mirrors exactly as on a GPU, with memcpy for
 * the copies. For tests of that data movement on machines without a GPU. */
const ModelOps *cpu_staged_model_ops(void);

/* Host access to n reals of a backend buffer, for file I/O and the broadcast of weights:
 * on a host backend the buffer itself; otherwise a host copy (downloaded when `fetch`).
 * host_mirror_done uploads the copy back when `store`, and frees it. */
real *host_mirror(const ModelOps *ops, real *buf, size_t n, int fetch);
void host_mirror_done(const ModelOps *ops, real *buf, real *mirror, size_t n, int store);

#ifdef __cplusplus
}
#endif

#endif
