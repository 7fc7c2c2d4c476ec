/* ops_cpu.c: the CPU backend of ops.h — host memory, OpenBLAS GEMMs, and C loops over the
 * per-unit arithmetic of cell_math.h; the whole time loops are recurrence_cpu.c's. The row functions take restrict pointers so GCC
 * vectorizes their unit loops. Embedding, dropout, pooling, tanh and the losses are the
 * CPU functions of their own files. Also the host mirrors of ops.h, for any backend. */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#include "../core/blas.h"
#include "../core/check.h"
#include "cell_math.h"
#include "dropout.h"
#include "embedding.h"
#include "linear.h"
#include "pooling.h"
#include "recurrence_cpu.h"

/* ---- memory ---- */

static void *cpu_alloc(size_t bytes, const char *what) { return xcalloc(bytes ? bytes : 1, 1, what); }
static void cpu_release(void *p) { free(p); }
static void cpu_zero(void *p, size_t bytes) { memset(p, 0, bytes); }
static void cpu_copy(void *dst, const void *src, size_t bytes) { memmove(dst, src, bytes); }

static void cpu_set_rows(int rows, int cols, const real *row, real *Y, int ldy) {
    for (int i = 0; i < rows; i++) memcpy(Y + (long)i * ldy, row, sizeof(real) * cols);
}

/* ---- cells: B rows, each through its row function ---- */

static void cpu_rnn_forward(int B, int H, int relu, const real *restrict xp,
                            const real *restrict hp, real *restrict h) {
    long n = (long)B * H;
    for (long i = 0; i < n; i++) h[i] = rnn_unit_forward(relu, xp[i] + hp[i]);
}

static void cpu_rnn_backward(int B, int H, int relu, const real *restrict h,
                             const real *restrict dh, real *restrict dxp) {
    long n = (long)B * H;
    for (long i = 0; i < n; i++) dxp[i] = rnn_unit_backward(relu, h[i], dh[i]);
}

static void lstm_forward_row(int H, const real *restrict xp, const real *restrict hp,
                             const real *restrict c_prev, real *restrict c, real *restrict h,
                             real *restrict cache) {
    for (int j = 0; j < H; j++) lstm_unit_forward(H, j, xp, hp, c_prev, c, h, cache);
}

static void cpu_lstm_forward(int B, int H, const real *xp, const real *hp, const real *c_prev,
                             real *c, real *h, real *cache) {
    for (long b = 0; b < B; b++)
        lstm_forward_row(H, xp + 4 * b * H, hp + 4 * b * H, c_prev + b * H, c + b * H,
                         h + b * H, cache + 5 * b * H);
}

static void lstm_backward_row(int H, const real *restrict cache, const real *restrict dh,
                              const real *restrict dc, const real *restrict c_prev,
                              real *restrict dxp, real *restrict dc_prev) {
    for (int j = 0; j < H; j++) lstm_unit_backward(H, j, cache, dh, dc, c_prev, dxp, dc_prev);
}

static void cpu_lstm_backward(int B, int H, const real *cache, const real *dh, const real *dc,
                              const real *c_prev, real *dxp, real *dc_prev) {
    for (long b = 0; b < B; b++)
        lstm_backward_row(H, cache + 5 * b * H, dh + b * H, dc + b * H, c_prev + b * H,
                          dxp + 4 * b * H, dc_prev + b * H);
}

static void gru_gates_row(int H, const real *restrict xp, const real *restrict hp,
                          real *restrict cache) {
    for (int j = 0; j < 2 * H; j++) gru_unit_gates(j, xp, hp, cache);
}

static void cpu_gru_gates(int B, int H, const real *xp, const real *hp, real *cache) {
    for (long b = 0; b < B; b++) gru_gates_row(H, xp + 3 * b * H, hp + 3 * b * H, cache + 4 * b * H);
}

static void cpu_gru_reset_hidden(int B, int H, const real *h_prev, real *cache) {
    for (long b = 0; b < B; b++)
        for (int j = 0; j < H; j++) gru_unit_reset_hidden(H, j, h_prev + b * H, cache + 4 * b * H);
}

/* Inlined with a constant `textbook` below: the conditional store then disappears and the
 * loop vectorizes. */
static inline __attribute__((always_inline)) void
gru_candidate_row(int H, int textbook, const real *restrict xp, const real *restrict hp,
                  const real *restrict h_prev, real *restrict h, real *restrict cache) {
    for (int j = 0; j < H; j++) gru_unit_candidate(H, j, textbook, xp, hp, h_prev, h, cache);
}

static void cpu_gru_candidate(int B, int H, int textbook, const real *xp, const real *hp,
                              const real *h_prev, real *h, real *cache) {
    for (long b = 0; b < B; b++) {
        long k = b * H;
        if (textbook) gru_candidate_row(H, 1, xp + 3 * k, hp + 3 * k, h_prev + k, h + k, cache + 4 * k);
        else gru_candidate_row(H, 0, xp + 3 * k, hp + 3 * k, h_prev + k, h + k, cache + 4 * k);
    }
}

static void gru_update_candidate_row(int H, const real *restrict cache, const real *restrict dh,
                                     const real *restrict h_prev, real *restrict dxp,
                                     real *restrict dh_prev) {
    for (int j = 0; j < H; j++) gru_unit_update_candidate_backward(H, j, cache, dh, h_prev, dxp, dh_prev);
}

static void cpu_gru_update_candidate_backward(int B, int H, const real *cache, const real *dh,
                                              const real *h_prev, real *dxp, real *dh_prev) {
    for (long b = 0; b < B; b++)
        gru_update_candidate_row(H, cache + 4 * b * H, dh + b * H, h_prev + b * H,
                                 dxp + 3 * b * H, dh_prev + b * H);
}

static void gru_reset_row(int H, const real *restrict cache, real *restrict dxp,
                          real *restrict dhp) {
    for (int j = 0; j < H; j++) gru_unit_reset_backward(H, j, cache, dxp, dhp);
}

static void cpu_gru_reset_backward(int B, int H, const real *cache, real *dxp, real *dhp) {
    for (long b = 0; b < B; b++) gru_reset_row(H, cache + 4 * b * H, dxp + 3 * b * H, dhp + 3 * b * H);
}

static void cpu_gru_textbook_reset_backward(int B, int H, const real *cache, const real *drh,
                                            const real *h_prev, real *dxp, real *dh_prev) {
    for (long b = 0; b < B; b++)
        for (int j = 0; j < H; j++)
            gru_unit_textbook_reset_backward(j, cache + 4 * b * H, drh + b * H, h_prev + b * H,
                                             dxp + 3 * b * H, dh_prev + b * H);
}

/* ---- the time loop's masking ---- */

static void cpu_mark_valid(int T, int B, const int32_t *lengths, uint8_t *valid) {
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) valid[(long)t * B + b] = t < lengths[b];
}

static void copy_row(real *dst, const real *src, int n) { memcpy(dst, src, sizeof(real) * n); }

static void cpu_step_freeze(int B, int H, int t, const int32_t *lengths, const real *h_prev,
                            const real *c_prev, real *h, real *c, real *out, int out_stride) {
    for (long b = 0; b < B; b++) {
        real *o = out + b * out_stride;
        if (t >= lengths[b]) {
            copy_row(h + b * H, h_prev + b * H, H);
            if (c) copy_row(c + b * H, c_prev + b * H, H);
            memset(o, 0, sizeof(real) * H);
        } else {
            copy_row(o, h + b * H, H);
        }
    }
}

static void cpu_step_gather_gradient(int B, int H, int t, const int32_t *lengths,
                                     const real *dh_carry, const real *dc_carry,
                                     const real *dy_t, int dy_stride, real *dh, real *dc) {
    for (long b = 0; b < B; b++) {
        long k = b * H;
        const real *dyr = dy_t + b * dy_stride;
        int active = t < lengths[b];
        for (int j = 0; j < H; j++) dh[k + j] = active ? dh_carry[k + j] + dyr[j] : 0;
        if (dc)
            for (int j = 0; j < H; j++) dc[k + j] = active ? dc_carry[k + j] : 0;
    }
}

static void cpu_step_carry_gradient(int B, int H, int t, const int32_t *lengths,
                                    const real *dh_prev, const real *dc_prev, real *dh_carry,
                                    real *dc_carry) {
    for (long b = 0; b < B; b++) {
        if (t >= lengths[b]) continue;
        copy_row(dh_carry + b * H, dh_prev + b * H, H);
        if (dc_carry) copy_row(dc_carry + b * H, dc_prev + b * H, H);
    }
}

/* ---- flat vectors ---- */

static double cpu_sum_squares(long n, const real *x) {
    double sum = 0;
    for (long i = 0; i < n; i++) sum += (double)x[i] * x[i];
    return sum;
}

static void cpu_scale(long n, real a, real *x) {
    for (long i = 0; i < n; i++) x[i] *= a;
}

static void cpu_clamp(long n, real lo, real hi, real *x) {
    for (long i = 0; i < n; i++) {
        if (x[i] > hi) x[i] = hi;
        else if (x[i] < lo) x[i] = lo;
    }
}

static const ModelOps cpu_ops = {
    .name = "cpu", .host_memory = 1,
    .alloc = cpu_alloc, .release = cpu_release, .zero = cpu_zero, .copy = cpu_copy,
    .upload = cpu_copy, .download = cpu_copy,
    .gemm = gemm, .add_row_bias = add_row_bias, .add_column_sums = add_column_sums,
    .set_rows = cpu_set_rows,
    .rnn_forward = cpu_rnn_forward, .rnn_backward = cpu_rnn_backward,
    .lstm_forward = cpu_lstm_forward, .lstm_backward = cpu_lstm_backward,
    .gru_gates = cpu_gru_gates, .gru_reset_hidden = cpu_gru_reset_hidden,
    .gru_candidate = cpu_gru_candidate,
    .gru_update_candidate_backward = cpu_gru_update_candidate_backward,
    .gru_reset_backward = cpu_gru_reset_backward,
    .gru_textbook_reset_backward = cpu_gru_textbook_reset_backward,
    .mark_valid = cpu_mark_valid, .step_freeze = cpu_step_freeze,
    .step_gather_gradient = cpu_step_gather_gradient,
    .step_carry_gradient = cpu_step_carry_gradient,
    .recurrence_forward = cpu_recurrence_forward, .recurrence_backward = cpu_recurrence_backward,
    .embedding_forward = embedding_forward, .embedding_backward = embedding_backward,
    .dropout_forward = dropout_forward, .dropout_backward = dropout_backward,
    .pool_forward = pool_forward, .pool_backward = pool_backward,
    .tanh_forward = tanh_forward, .tanh_backward = tanh_backward,
    .loss_forward = loss_forward, .loss_backward = loss_backward,
    .sum_squares = cpu_sum_squares, .scale = cpu_scale, .clamp = cpu_clamp,
};

const ModelOps *cpu_model_ops(void) { return &cpu_ops; }

const ModelOps *cpu_staged_model_ops(void) {
    static ModelOps staged;
    if (!staged.name) staged = cpu_ops, staged.name = "cpu-staged", staged.host_memory = 0;
    return &staged;
}

real *host_mirror(const ModelOps *ops, real *buf, size_t n, int fetch) {
    if (ops->host_memory) return buf;
    real *mirror = xmalloc(sizeof(real) * (n ? n : 1), "host copy of a GPU buffer");
    if (fetch) ops->download(mirror, buf, sizeof(real) * n);
    return mirror;
}

void host_mirror_done(const ModelOps *ops, real *buf, real *mirror, size_t n, int store) {
    if (ops->host_memory) return;
    if (store) ops->upload(buf, mirror, sizeof(real) * n);
    free(mirror);
}
