/* test_fused_bias_ops.c: the CPU backend's fused bias ops (ops.h gemm_bias, gemm_tn_sums,
 * called through linear.c as the model calls them) against the unfused ones they replace,
 * for every packed kernel this CPU runs, on 1 and 2 threads (split threshold off), and
 * with the packed products off (the ops decline, and linear.c runs the unfused ones):
 * gemm_tn_sums' product and both bias sums have the same bits as gemm and
 * add_column_sums (the sums keep row order while they ride in the product's chunks,
 * K = 600 spans three), also for two products fed the same dy in one call; gemm_bias is
 * within float32 rounding of gemm + add_row_bias (the bias now starts each sum instead of
 * ending it). Odd sizes that fill no tile evenly; and a dW wide enough that 2 threads
 * split it by columns, against 1 thread's bits. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/blas.h"
#include "core/packed_gemm.h"
#include "core/rng.h"
#include "model/linear.h"
#include "model/ops.h"

enum { ROWS = 600, COLS = 57, IN = 19 }; /* T*B rows, G*H columns, input width */
static int failures;

static void check(int ok, const char *label, const char *what, double detail) {
    printf("%-4s %-36s %-40s %.3g\n", ok ? "ok" : "FAIL", label, what, detail);
    failures += !ok;
}

static real *filled(long n, uint64_t stream) {
    real *x = malloc(sizeof(real) * n);
    for (long i = 0; i < n; i++) x[i] = (real)rng_normal(21, stream, (uint64_t)i);
    return x;
}

static int same(const real *a, const real *b, long n) { return !memcmp(a, b, sizeof(real) * n); }

/* dW += dy^T x with the bias sums, fused and not. */
static void tn_case(const ModelOps *ops, const char *label, int packed) {
    real *dy = filled(ROWS * COLS, 1), *x = filled(ROWS * IN, 2);
    real *dw = filled(COLS * IN, 3), *db = filled(COLS, 4), *db2 = filled(COLS, 5);
    real *rw = filled(COLS * IN, 3), *rb = filled(COLS, 4), *rb2 = filled(COLS, 5);
    linear_weight_grad(ops, ROWS, IN, COLS, x, dy, dw, db, db2);
    ops->gemm(1, 0, COLS, IN, ROWS, 1, dy, COLS, x, IN, 1, rw, IN);
    ops->add_column_sums(ROWS, COLS, dy, rb);
    ops->add_column_sums(ROWS, COLS, dy, rb2);
    check(same(dw, rw, COLS * IN), label, "gemm_tn_sums product: gemm's bits", 0);
    check(same(db, rb, COLS) && same(db2, rb2, COLS), label, "both sums: add_column_sums' bits", 0);
    real *probe = filled(COLS * IN, 3);
    TnRight in = {x, IN, IN, probe, IN};
    check(!ops->gemm_tn_sums(COLS, ROWS, dy, COLS, 1, &in, db, 0) == !packed, label,
          packed ? "gemm_tn_sums fuses" : "gemm_tn_sums declines", 0);
    free(probe);
    free(dy), free(x), free(dw), free(db), free(db2), free(rw), free(rb), free(rb2);
}

/* Two weight gradients fed the same dy (an RNN's or LSTM's W_ih and W_hh; `gates` columns),
 * in one call: each product and both sums have the bits of gemm and add_column_sums alone.
 * One right side narrower than a tile and one of whole tile widths and a remainder. 2
 * threads split 57 gate rows by rows, and 8 (too few) by the column pieces (3 in all)
 * across the two products. */
enum { WIDE = 150 };
static void pair_case(const ModelOps *ops, const char *label, int gates) {
    real *dy = filled(ROWS * gates, 1), *x1 = filled(ROWS * IN, 2), *x2 = filled(ROWS * WIDE, 6);
    real *dw1 = filled(gates * IN, 3), *dw2 = filled(gates * WIDE, 7), *db = filled(gates, 4), *db2 = filled(gates, 5);
    real *rw1 = filled(gates * IN, 3), *rw2 = filled(gates * WIDE, 7), *rb = filled(gates, 4), *rb2 = filled(gates, 5);
    TnRight in[2] = {{x1, IN, IN, dw1, IN}, {x2, WIDE, WIDE, dw2, WIDE}};
    linear_weight_grads(ops, ROWS, gates, dy, 2, in, db, db2);
    ops->gemm(1, 0, gates, IN, ROWS, 1, dy, gates, x1, IN, 1, rw1, IN);
    ops->gemm(1, 0, gates, WIDE, ROWS, 1, dy, gates, x2, WIDE, 1, rw2, WIDE);
    ops->add_column_sums(ROWS, gates, dy, rb);
    ops->add_column_sums(ROWS, gates, dy, rb2);
    int narrow = gates < 12; /* fewer than two 6-row tiles: 2 threads split by columns */
    check(same(dw1, rw1, gates * IN) && same(dw2, rw2, gates * WIDE), label,
          narrow ? "two, 8 gate rows: gemm's bits" : "two products in one: gemm's bits", 0);
    check(same(db, rb, gates) && same(db2, rb2, gates), label,
          narrow ? "two, 8 gate rows: sums' bits" : "their sums: add_column_sums' bits", 0);
    free(dy), free(x1), free(x2), free(dw1), free(dw2), free(db), free(db2);
    free(rw1), free(rw2), free(rb), free(rb2);
}

/* A wide dW (WIDE columns: whole tile widths and a remainder) of `gates` rows, which more
 * threads split by rows (100: packed, and OpenBLAS's whole row groups) or, with too few
 * rows (8), by its columns (packed: each part packing only its columns of x): the bits of
 * one thread. */
static void wide_tn_case(const char *label, int threads, int gates) {
    real *dy = filled(ROWS * gates, 1), *x = filled(ROWS * WIDE, 2);
    real *dw[2], *db[2], *db2[2];
    for (int run = 0; run < 2; run++) {
        blas_set_threads(run ? threads : 1);
        dw[run] = filled(gates * WIDE, 3), db[run] = filled(gates, 4), db2[run] = filled(gates, 5);
        linear_weight_grad(cpu_model_ops(), ROWS, WIDE, gates, x, dy, dw[run], db[run], db2[run]);
    }
    check(same(dw[0], dw[1], gates * WIDE) && same(db[0], db[1], gates) && same(db2[0], db2[1], gates), label,
          gates > 8 ? "wide dW and sums: 1 thread's bits" : "wide dW, 8 rows: 1 thread's bits", 0);
    for (int run = 0; run < 2; run++) free(dw[run]), free(db[run]), free(db2[run]);
    free(dy), free(x);
}

/* y = x W^T + b, fused and not: within rounding (largest difference over largest |y|). */
static void bias_case(const ModelOps *ops, const char *label, int packed) {
    real *x = filled(ROWS * IN, 6), *w = filled(COLS * IN, 7), *b = filled(COLS, 8);
    real *y = malloc(sizeof(real) * ROWS * COLS), *r = malloc(sizeof(real) * ROWS * COLS);
    linear_forward(ops, ROWS, IN, COLS, x, w, b, y);
    ops->gemm(0, 1, ROWS, COLS, IN, 1, x, IN, w, IN, 0, r, COLS);
    ops->add_row_bias(ROWS, COLS, b, r);
    double d = 0, scale = 1e-30;
    for (long i = 0; i < (long)ROWS * COLS; i++) d = fmax(d, fabs((double)y[i] - r[i])), scale = fmax(scale, fabs(r[i]));
    check(d / scale < 1e-6, label, "gemm_bias vs gemm + add_row_bias", d / scale);
    check(!ops->gemm_bias(ROWS, COLS, IN, x, IN, w, IN, b, y, COLS) == !packed, label,
          packed ? "gemm_bias fuses" : "gemm_bias declines", 0);
    free(x), free(w), free(b), free(y), free(r);
}

/* The CPU backend's buffers: zeroed, on a cache line whatever the size (the cell loops'
 * and the tiles' 64-byte vectors then never straddle two lines), writable to the end. */
static void alloc_case(void) {
    const ModelOps *ops = cpu_model_ops();
    int ok = 1;
    for (size_t bytes = 1; bytes <= (1u << 22); bytes = bytes * 3 + 5) {
        unsigned char *p = ops->alloc(bytes, "test buffer");
        ok &= (uintptr_t)p % 64 == 0 && p[0] == 0 && p[bytes - 1] == 0;
        memset(p, 0xab, bytes);
        ops->release(p);
    }
    ops->release(0);
    check(ok, "cpu alloc", "zeroed, 64-byte aligned, 1 B .. 4 MB", 0);
}

int main(void) {
    static const char *const kernels[] = {"avx512", "avx2", "portable"};
    alloc_case();
    setenv("RECUR_CPU_TASK_MIN_MFLOP", "0", 1);
    for (int k = 0; k < 3; k++) {
        if (!packed_gemm_use(kernels[k])) continue;
        for (int path = 0; path < 2; path++) {
            setenv("RECUR_CPU_RECURRENCE", path ? "steps" : "fused", 1);
            for (int threads = 1; threads <= 2; threads++) {
                blas_set_threads(threads);
                char label[80];
                snprintf(label, sizeof label, "%s, %s, %d thread(s)", kernels[k], path ? "steps" : "packed", threads);
                const ModelOps *ops = cpu_model_ops();
                tn_case(ops, label, !path);
                pair_case(ops, label, COLS);
                pair_case(ops, label, 8);
                bias_case(ops, label, !path);
                if (threads > 1) wide_tn_case(label, threads, 100), wide_tn_case(label, threads, 8);
            }
        }
    }
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
