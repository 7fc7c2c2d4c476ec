/* test_recurrence_cpu.c: the CPU's fused time loop (model/recurrence_cpu.c) against
 * layer.c's step loop (RECUR_CPU_RECURRENCE=steps, OpenBLAS per step), for every cell,
 * one and two directions, two layers, ragged lengths sorted longest first (rows skipped)
 * and unsorted (rows masked), with sizes that fill no tile evenly (B 13, H 19): loss,
 * outputs and every gradient within float32 rounding of the step loop (the recurrent
 * products sum in another order), for each packed kernel this CPU runs. Then the thread
 * plan: with 2 and 3 threads and the size threshold off, the loop must really split
 * (directions, row ranges) and give the 1-thread result (to the bit here: a row's
 * arithmetic does not depend on which rows share its tile or thread; asserted within
 * 2e-6, since where OpenBLAS still runs, split by rows, it may pick other kernels). The textbook GRU is declined
 * (its step loop still uses the packed products). Also packed_gemm alone against
 * a double reference at odd shapes, both packings, with bias and accumulation; and the
 * CPU backend's pointwise loops compiled per instruction set (ops_cpu.c) giving the
 * portable copy's bits through the step loop; and the fused loop projecting each step's
 * inputs itself (recurrence_projects) giving the bits of projecting all steps first. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/blas.h"
#include "core/packed_gemm.h"
#include "core/rng.h"
#include "model/model.h"
#include "model/recurrence_cpu.h"

enum { T = 11, B = 13, V = 23, C = 4 };
static const char *const KERNELS[] = {"avx512", "avx2", "portable"};
static int failures;

static void check(int ok, const char *label, const char *what, double detail) {
    printf("%-4s %-40s %-44s %.3g\n", ok ? "ok" : "FAIL", label, what, detail);
    failures += !ok;
}

/* Largest |a - b| over n values, relative to the largest |a|. */
static double rel_diff(const real *a, const real *b, size_t n) {
    double d = 0, scale = 1e-30;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs((double)a[i] - b[i]));
        scale = fmax(scale, fabs((double)a[i]));
    }
    return d / scale;
}

typedef struct Result {
    real loss, *out, *grads;
    size_t n_out, n_grads;
} Result;

/* ops: NULL for the CPU backend as the trainer gets it. */
static Result run_on(const ModelConfig *mc, const int32_t *lengths, const ModelOps *ops) {
    int32_t tokens[T * B], labels[T * B];
    for (int i = 0; i < T * B; i++) {
        tokens[i] = (int32_t)(rng_bits(7, 1, (uint64_t)i) % V);
        labels[i] = (int32_t)(rng_bits(7, 2, (uint64_t)i) % C);
    }
    Batch bt = {.T = T, .B = B, .tokens = tokens, .lengths = (int32_t *)lengths, .labels = labels};
    Model m;
    if (ops) model_init_on(&m, mc, 3, ops);
    else model_init(&m, mc, 3);
    model_zero_grads(&m);
    Result r = {.loss = model_forward(&m, &bt, 1, 5)};
    model_backward(&m, &bt);
    int rows;
    const real *out = model_outputs(&m, &rows, NULL);
    r.n_out = (size_t)rows * mc->output_size, r.n_grads = m.num_params;
    r.out = malloc(sizeof(real) * r.n_out), r.grads = malloc(sizeof(real) * r.n_grads);
    memcpy(r.out, out, sizeof(real) * r.n_out), memcpy(r.grads, m.grads, sizeof(real) * r.n_grads);
    model_free(&m);
    return r;
}

static Result run(const ModelConfig *mc, const int32_t *lengths) { return run_on(mc, lengths, NULL); }

static void release(Result *r) { free(r->out), free(r->grads); }

static int same_bits(const Result *a, const Result *b) {
    return a->loss == b->loss && !memcmp(a->out, b->out, sizeof(real) * a->n_out) &&
           !memcmp(a->grads, b->grads, sizeof(real) * a->n_grads);
}

static void compare_case(const ModelConfig *mc, const int32_t *lengths, const char *label) {
    setenv("RECUR_CPU_RECURRENCE", "steps", 1);
    packed_gemm_use("portable");
    Result ref = run(mc, lengths);
    for (int k = 0; k < 2; k++) /* the step loop's pointwise loops: same bits on every ISA */
        if (packed_gemm_use(KERNELS[k])) {
            Result other = run(mc, lengths);
            char what[80];
            snprintf(what, sizeof what, "%s loops: step loop, same bits as portable", KERNELS[k]);
            check(same_bits(&ref, &other), label, what, 0);
            release(&other);
        }
    setenv("RECUR_CPU_RECURRENCE", "fused", 1);
    for (int k = 0; k < 3; k++) {
        if (!packed_gemm_use(KERNELS[k])) {
            printf("skip %-40s %s: not on this CPU\n", label, KERNELS[k]);
            continue;
        }
        char what[80];
        blas_set_threads(1);
        Result one = run(mc, lengths);
        int declined = cpu_recurrence_last_tasks() == 0; /* textbook GRU: step loop, packed products */
        double dl = fabs((double)one.loss - ref.loss) / fabs((double)ref.loss);
        double dout = rel_diff(ref.out, one.out, ref.n_out), dg = rel_diff(ref.grads, one.grads, ref.n_grads);
        snprintf(what, sizeof what, "%s: loss, outputs, grads vs step loop%s", KERNELS[k], declined ? " (declined)" : "");
        check(dl < 1e-5 && dout < 1e-5 && dg < 2e-5, label, what, fmax(dl, fmax(dout, dg)));
        if (!declined) { /* the projections inside the loop, or all steps' first: same bits */
            ModelOps first = *cpu_model_ops();
            first.recurrence_projects = 0;
            Result other = run_on(mc, lengths, &first);
            snprintf(what, sizeof what, "%s: projecting in the loop = before it", KERNELS[k]);
            check(same_bits(&one, &other), label, what, 0);
            release(&other);
        }
        for (int threads = 2; threads <= 3 && !declined; threads++) {
            blas_set_threads(threads);
            setenv("RECUR_CPU_TASK_MIN_MFLOP", "0", 1);
            Result many = run(mc, lengths);
            unsetenv("RECUR_CPU_TASK_MIN_MFLOP");
            /* the fused loop's rows and the packed products' elements never depend on the
             * split; OpenBLAS, where it still runs, may pick other kernels for smaller parts */
            double d = fmax(rel_diff(one.grads, many.grads, one.n_grads), rel_diff(one.out, many.out, one.n_out));
            snprintf(what, sizeof what, "%s, %d threads: split in %d, as 1 thread%s", KERNELS[k], threads,
                     cpu_recurrence_last_tasks(), same_bits(&one, &many) ? " (same bits)" : "");
            check(cpu_recurrence_last_tasks() >= 2 && d < 2e-6, label, what, d);
            release(&many);
        }
        blas_set_threads(1);
        release(&one);
    }
    unsetenv("RECUR_CPU_RECURRENCE");
    release(&ref);
}

/* One row of packed_gemm's product, computed alone (a 1-row tile): the bits it has in
 * any larger product, whatever tile (full or the rows left) holds it there. */
static int rows_alone_match(const PackedMatrix *p, int M, int K, int N, const real *a, const real *c, int acc) {
    real *row = malloc(sizeof(real) * N);
    int ok = 1;
    for (int m = 0; m < M && ok; m++) {
        for (int n = 0; n < N; n++) row[n] = (real)(m * N + n);
        packed_gemm(p, 1, a + (long)m * K, K, row, N, acc);
        ok = !memcmp(row, c + (long)m * N, sizeof(real) * N);
    }
    free(row);
    return ok;
}

/* packed_gemm_tn_direct (B read in place, strided A and B) against packed_gemm_tn on B
 * packed: the same bits, for every remainder of tile rows and 1 and 3 tile widths. */
static void packed_gemm_direct_case(const char *kernel) {
    int width = packed_gemm_kernel_width(), same = 1;
    for (int M = 1; M <= 14; M++)
        for (int tiles = 1; tiles <= 3; tiles += 2) {
            int N = tiles * width, K = 37, lda = M + 5, ldb = N + 3;
            real *a = malloc(sizeof(real) * K * lda), *b = malloc(sizeof(real) * K * ldb);
            real *c1 = malloc(sizeof(real) * M * N), *c2 = malloc(sizeof(real) * M * N);
            for (int i = 0; i < K * lda; i++) a[i] = (real)rng_normal(12, 1, (uint64_t)i);
            for (int i = 0; i < K * ldb; i++) b[i] = (real)rng_normal(12, 2, (uint64_t)i);
            for (int i = 0; i < M * N; i++) c1[i] = c2[i] = (real)rng_normal(12, 3, (uint64_t)i);
            PackedMatrix p = {0};
            packed_gemm_pack(&p, K, N, b, ldb, 0, 0);
            for (int acc = 0; acc <= 1; acc++) {
                packed_gemm_tn(&p, M, a, lda, c1, N, acc);
                packed_gemm_tn_direct(M, N, K, a, lda, b, ldb, c2, N, acc);
                same &= !memcmp(c1, c2, sizeof(real) * M * N);
            }
            packed_gemm_free(&p);
            free(a), free(b), free(c1), free(c2);
        }
    char what[80];
    snprintf(what, sizeof what, "%s: B in place = B packed, same bits", kernel);
    check(same, "packed_gemm_tn_direct, M 1..14, 1 and 3 widths", what, 0);
}

/* packed_gemm and packed_gemm_tn against a double reference: odd M (every remainder of
 * the tile rows, and the rests the tile plan splits between the last two tiles), N, K; W
 * as [N][K] and [K][N]; and each row alone with the same bits. */
static void packed_gemm_case(const char *kernel) {
    static const int shapes[][3] = {{1, 1, 1},  {2, 17, 3},  {3, 33, 19}, {4, 100, 64}, {5, 8, 40},
                                    {7, 64, 9}, {8, 20, 7},  {9, 33, 5},  {11, 70, 5}, {13, 33, 19},
                                    {14, 40, 33}, {25, 8, 40}, {64, 128, 24}};
    double worst = 0, worst_tn = 0;
    int alone = 1;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        real *a = malloc(sizeof(real) * M * K), *at = malloc(sizeof(real) * M * K), *w = malloc(sizeof(real) * N * K);
        real *bias = malloc(sizeof(real) * N), *c = malloc(sizeof(real) * M * N);
        for (int i = 0; i < M * K; i++) a[i] = (real)rng_normal(11, 1, (uint64_t)i);
        for (int m = 0; m < M; m++)
            for (int k = 0; k < K; k++) at[k * M + m] = a[m * K + k];
        for (int i = 0; i < N * K; i++) w[i] = (real)rng_normal(11, 2, (uint64_t)i);
        for (int i = 0; i < N; i++) bias[i] = (real)rng_normal(11, 3, (uint64_t)i);
        for (int nk = 0; nk <= 1; nk++)
            for (int acc = 0; acc <= 1; acc++)
                for (int tn = 0; tn <= 1; tn++) {
                    PackedMatrix p = {0};
                    packed_gemm_pack(&p, K, N, w, nk ? K : N, nk, acc ? 0 : bias);
                    for (int i = 0; i < M * N; i++) c[i] = (real)i;
                    if (tn) packed_gemm_tn(&p, M, at, M, c, N, acc);
                    else packed_gemm(&p, M, a, K, c, N, acc);
                    for (int m = 0; m < M; m++)
                        for (int n = 0; n < N; n++) {
                            double e = acc ? (double)(m * N + n) : bias[n], mag = fabs(e);
                            for (int k = 0; k < K; k++) {
                                double t = (double)a[m * K + k] * (nk ? w[n * K + k] : w[k * N + n]);
                                e += t, mag += fabs(t);
                            }
                            double err = fabs(e - c[m * N + n]) / mag;
                            if (tn) worst_tn = fmax(worst_tn, err);
                            else worst = fmax(worst, err);
                        }
                    if (!tn) alone &= rows_alone_match(&p, M, K, N, a, c, acc);
                    packed_gemm_free(&p);
                }
        free(a), free(at), free(w), free(bias), free(c);
    }
    char what[80];
    snprintf(what, sizeof what, "%s: packed_gemm vs double reference", kernel);
    check(worst < 4 * 1.2e-7 * 64, "odd shapes, both packings, bias, accumulate", what, worst);
    snprintf(what, sizeof what, "%s: packed_gemm_tn vs double reference", kernel);
    check(worst_tn < 4 * 1.2e-7 * 64, "odd shapes, both packings, bias, accumulate", what, worst_tn);
    snprintf(what, sizeof what, "%s: each row alone, same bits", kernel);
    check(alone, "odd shapes, every remainder of tile rows", what, 0);
    packed_gemm_direct_case(kernel);
}

/* recur's thread budget is its own; OpenBLAS stays on one thread whatever it is (each
 * change of OpenBLAS's count woke its workers to spin on recur's cores). */
static void threads_case(void) {
    blas_set_threads(3);
    int ok = blas_threads() == 3 && openblas_get_num_threads() == 1;
    blas_set_threads(1);
    ok &= blas_threads() == 1 && openblas_get_num_threads() == 1;
    check(ok, "threads", "budget 3 and 1, OpenBLAS on 1", 0);
}

int main(void) {
    threads_case();
    for (int k = 0; k < 3; k++)
        if (packed_gemm_use(KERNELS[k])) packed_gemm_case(KERNELS[k]);
    int32_t sorted[B], unsorted[B];
    for (int b = 0; b < B; b++) sorted[b] = T - (b * T) / (B + 2), unsorted[b] = 1 + (b * 5) % T;
    unsorted[3] = T;
    static const CellType cells[] = {CELL_RNN_TANH, CELL_RNN_RELU, CELL_LSTM, CELL_GRU, CELL_GRU_TEXTBOOK};
    for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++)
        for (int bi = 0; bi <= 1; bi++)
            for (int sorted_lengths = 0; sorted_lengths <= 1; sorted_lengths++) {
                ModelConfig mc = {.cell = cells[c], .vocab_size = V, .input_size = 6, .hidden_size = 19,
                                  .num_layers = 2, .bidirectional = bi, .pooling = POOL_NONE,
                                  .output_size = C, .loss = LOSS_CROSS_ENTROPY, .ignore_index = -100,
                                  .huber_delta = 1};
                char label[80];
                snprintf(label, sizeof label, "%s, %s, %s lengths", cell_type_names[cells[c]],
                         bi ? "bidirectional" : "one direction", sorted_lengths ? "sorted" : "unsorted");
                compare_case(&mc, sorted_lengths ? sorted : unsorted, label);
            }
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
