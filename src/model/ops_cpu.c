/* ops_cpu.c: the CPU backend of ops.h — host memory, OpenBLAS GEMMs, and C loops over the
 * per-unit arithmetic of cell_math.h (cpu_loops_body.h, compiled here once per
 * instruction set, one table each; cpu_model_ops picks by core/cpu_isa.h, and every
 * table gives the same bits); the whole time loops are recurrence_cpu.c's. Embedding, dropout, pooling, tanh and the losses are the
 * CPU functions of their own files. Also the host mirrors of ops.h, for any backend. */
#include "ops.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/blas.h"
#include "../core/check.h"
#include "../core/cpu_isa.h"
#include "../core/cpu_parallel.h"
#include "../core/packed_gemm.h"
#include "cell_math.h"
#include "dropout.h"
#include "embedding.h"
#include "linear.h"
#include "pooling.h"
#include "recurrence_cpu.h"

/* ---- memory ---- */

/* Zeroed buffers starting on a cache line: calloc's memory (a large block is fresh zero
 * pages, touched only when used) with the block's own address kept just before the
 * aligned start. malloc's 16-byte alignment made every 64-byte vector access of the cell
 * loops and the tiles straddle two lines (the GRU backward loop ran at half speed). */
enum { CPU_ALIGN = 64 };

static void *cpu_alloc(size_t bytes, const char *what) {
    char *block = xcalloc(bytes + CPU_ALIGN + sizeof(void *), 1, what);
    uintptr_t start = ((uintptr_t)block + sizeof(void *) + CPU_ALIGN - 1) & ~(uintptr_t)(CPU_ALIGN - 1);
    memcpy((char *)start - sizeof(void *), &block, sizeof block);
    return (void *)start;
}

static void cpu_release(void *p) {
    if (!p) return;
    void *block;
    memcpy(&block, (char *)p - sizeof block, sizeof block);
    free(block);
}
typedef struct ZeroCall {
    char *p;
    long bytes;
    int parts;
} ZeroCall;

static void zero_part(void *arg, int i) {
    const ZeroCall *c = arg;
    long b0 = cpu_part_start(c->bytes, i, c->parts), b1 = cpu_part_start(c->bytes, i + 1, c->parts);
    memset(c->p + b0, 0, (size_t)(b1 - b0));
}

/* memset, by ranges on the CPU threads when large (the gradients before each step). */
static void cpu_zero(void *p, size_t bytes) {
    ZeroCall c = {p, (long)bytes, cpu_parallel_parts((long)(bytes / sizeof(real)), CPU_PARALLEL_MAX, blas_threads())};
    cpu_parallel(c.parts, c.parts > 1, zero_part, &c);
}
static void cpu_copy(void *dst, const void *src, size_t bytes) { memmove(dst, src, bytes); }

static void cpu_set_rows(int rows, int cols, const real *row, real *Y, int ldy) {
    for (int i = 0; i < rows; i++) memcpy(Y + (long)i * ldy, row, sizeof(real) * cols);
}

/* ---- dense products ---- */

/* OpenBLAS is only ever called on one thread: its own worker threads spin for a while
 * after each threaded call and then compete with recur's (the second core made small
 * models slower). A large product is split by rows of C over recur's threads instead,
 * each part one single-threaded OpenBLAS call on whole groups of BLAS_ROW_GROUP rows:
 * OpenBLAS's kernels sum a row the same way only at the same offset within their row
 * blocks (a Zen/Haswell SGEMM gives a row the same bits only when the split is at a
 * multiple of 12 rows; SkylakeX at any row), so each element's sum is then the same
 * whatever the thread count. */
typedef struct BlasCall {
    int trans_a, trans_b, M, N, K, parts;
    real alpha, beta;
    const real *A, *B;
    real *C;
    int lda, ldb, ldc;
} BlasCall;

enum { BLAS_ROW_GROUP = 48 }; /* a multiple of every row block seen: 4, 8, 12, 16, 24 */

static int blas_part_start(const BlasCall *c, int i) {
    int m = (int)cpu_part_start(c->M, i, c->parts) / BLAS_ROW_GROUP * BLAS_ROW_GROUP;
    return i == c->parts ? c->M : m;
}

static void blas_part(void *arg, int i) {
    const BlasCall *c = arg;
    int m0 = blas_part_start(c, i), m1 = blas_part_start(c, i + 1);
    const real *a = c->trans_a ? c->A + m0 : c->A + (long)m0 * c->lda;
    gemm(c->trans_a, c->trans_b, m1 - m0, c->N, c->K, c->alpha, a, c->lda, c->B, c->ldb, c->beta,
         c->C + (long)m0 * c->ldc, c->ldc);
}

static void openblas_gemm(int trans_a, int trans_b, int M, int N, int K, real alpha, const real *A,
                          int lda, const real *B, int ldb, real beta, real *C, int ldc) {
    int threads = blas_threads();
    BlasCall c = {trans_a, trans_b, M, N, K, 1, alpha, beta, A, B, C, lda, ldb, ldc};
    double flops = 2.0 * M * N * K;
    while (c.parts < threads && c.parts < CPU_PARALLEL_MAX && flops / (c.parts + 1) >= cpu_parallel_min_flops() &&
           M >= BLAS_ROW_GROUP * (c.parts + 1))
        c.parts++;
    cpu_parallel(c.parts, c.parts > 1, blas_part, &c); /* OpenBLAS on one thread per part (blas.c) */
}

/* Whole-sequence products go through the packed kernel when it is on: input
 * projections, input gradients and the head (A untransposed: the right side packed once
 * per call, at most 1 MB so it stays in cache, with the bias as its first row when there
 * is one), and the weight gradients (A^T B_r for one or more right sides B_r with K = T*B:
 * each part walks K in chunks of 256, copying A's chunk once to a cache-friendly stride for
 * all its products, reading the B_r's rows in place, and adds those columns of the chunk
 * into the bias gradients while they are in cache). Rows of C (or, for a weight gradient
 * with too few rows, its column pieces) are split over the threads. Anything else stays
 * OpenBLAS.
 *
 * out[j] += X[r][j] for r = 0..rows-1 in order, j in [j0, j1) (X's row stride ldx): one
 * instruction set's copy (cpu_loops_body.h). */
typedef void AddColumns(int rows, int j0, int j1, const real *X, long ldx, real *out);

/* One packed product: A untransposed against B (B, C, N, ldb, ldc), or A^T against each
 * right side (trans_a: right, count; B, C, N, ldb, ldc unused). */
typedef struct PackedCall {
    const real *A, *B; /* A [M][K] (lda), or [K][M] when trans_a; B [K][N] or [N][K] */
    real *C;
    int M, N, K, lda, ldb, ldc, trans_a, trans_b, accumulate, parts, block;
    int split_columns; /* trans_a: parts take column pieces of the products (below) */
    real *sums[2]; /* trans_a: column sums of A to add into (NULL: none) */
    AddColumns *add_columns;
    const TnRight *right; /* trans_a: the products A^T B_r (B, C, N above unused) */
    int count, pieces;    /* trans_a: count of them; their column pieces in all */
} PackedCall;

enum { TN_CHUNK = 256 };
static PackedMatrix part_pack[CPU_PARALLEL_MAX]; /* per part; the ops run one at a time */


/* Per part, the chunk of A (the gate gradients) it reads, copied to a stride that spreads
 * its rows over the cache's sets (grown, never freed). In place, a stride of 8 cache lines
 * or a multiple (gate widths 128, 384, 512) puts the column walk of a tile in a few of
 * L1's sets, which then evict each other: the copy made the mid LSTM step 5.7 % faster. */
static real *part_a[CPU_PARALLEL_MAX];
static size_t part_a_bytes[CPU_PARALLEL_MAX];

static real *part_a_buffer(int i, long reals) {
    return part_a[i] = xgrow_aligned(part_a[i], &part_a_bytes[i], sizeof(real) * (size_t)reals,
                                     "a weight-gradient chunk");
}

/* A row stride for m reals: whole cache lines, an odd number of them. */
static int spread_stride(int m) {
    int per_line = 64 / (int)sizeof(real), lines = (m + per_line - 1) / per_line;
    return (lines | 1) * per_line;
}

/* A^T B_r's columns in pieces: its whole tile widths, the last one also taking the rest
 * (one piece when B_r is narrower than a tile). The pieces of all the products, in order,
 * are what parts split by columns take. */
static int tn_pieces(const TnRight *r) {
    int whole = r->N / packed_gemm_kernel_width();
    return whole > 0 ? whole : 1;
}

/* Rows [m0, m1) of C_r's columns [n0, n1) from one chunk of K: kc rows of the copy `a` of A
 * (row stride la; its column 0 is A's column m0), B_r's rows from k0; whole tile widths
 * read in place, only the rest of the columns packed (into part i's pack). */
static void tn_columns(const PackedCall *c, const TnRight *r, int i, int m0, int m1, int n0, int n1,
                       const real *a, int la, int k0, int kc) {
    int width = packed_gemm_kernel_width(), direct = (n1 - n0) / width * width, acc = c->accumulate || k0 > 0;
    const real *b = r->B + (long)k0 * r->ldb + n0;
    real *out = r->C + (long)m0 * r->ldc + n0;
    if (direct) packed_gemm_tn_direct(m1 - m0, direct, kc, a, la, b, r->ldb, out, r->ldc, acc);
    if (direct < n1 - n0) {
        packed_gemm_pack(&part_pack[i], kc, n1 - n0 - direct, b + direct, r->ldb, 0, 0);
        packed_gemm_tn(&part_pack[i], m1 - m0, a, la, out + direct, r->ldc, acc);
    }
}

/* Pieces [p0, p1) of all the products, rows [m0, m1), from one chunk of K: per product, its
 * pieces in that range as one run of columns. */
static void tn_chunk(const PackedCall *c, int i, int m0, int m1, int p0, int p1, const real *a, int la,
                     int k0, int kc) {
    int width = packed_gemm_kernel_width(), base = 0;
    for (int r = 0; r < c->count; base += tn_pieces(&c->right[r]), r++) {
        int pieces = tn_pieces(&c->right[r]);
        int lo = p0 > base ? p0 - base : 0, hi = p1 - base < pieces ? p1 - base : pieces;
        if (lo >= hi) continue;
        int n1 = hi == pieces ? c->right[r].N : hi * width;
        tn_columns(c, &c->right[r], i, m0, m1, lo * width, n1, a, la, k0, kc);
    }
}

/* Part i of the products A^T B_r split by rows of C or, when too few, by their column
 * pieces. Per chunk of K: A's columns [m0, m1) copied once (spread_stride) for every product
 * the part computes (split by columns, every part copies all of A); part i adds the column
 * sums of its share of A's columns from the copy. */
static void packed_tn_part(const PackedCall *c, int i, int m0, int m1) {
    int p0 = 0, p1 = c->pieces, s0 = m0, s1 = m1;
    if (c->split_columns) {
        p0 = (int)cpu_part_start(c->pieces, i, c->parts), p1 = (int)cpu_part_start(c->pieces, i + 1, c->parts);
        m0 = 0, m1 = c->M;
        s0 = (int)cpu_part_start(c->M, i, c->parts), s1 = (int)cpu_part_start(c->M, i + 1, c->parts);
    }
    int la = spread_stride(m1 - m0);
    for (int k0 = 0; k0 < c->K; k0 += TN_CHUNK) {
        int kc = c->K - k0 < TN_CHUNK ? c->K - k0 : TN_CHUNK;
        real *a = part_a_buffer(i, (long)kc * la);
        for (int k = 0; k < kc; k++)
            memcpy(a + (long)k * la, c->A + (long)(k0 + k) * c->lda + m0, sizeof(real) * (size_t)(m1 - m0));
        tn_chunk(c, i, m0, m1, p0, p1, a, la, k0, kc);
        for (int s = 0; s < 2; s++)
            if (c->sums[s] && s1 > s0) c->add_columns(kc, s0 - m0, s1 - m0, a, la, c->sums[s] + m0);
    }
}

static void packed_part(void *arg, int i) {
    const PackedCall *c = arg;
    if (c->trans_a && c->split_columns) {
        packed_tn_part(c, i, 0, 0);
        return;
    }
    int per = (c->M / c->parts + c->block - 1) / c->block * c->block;
    int m0 = i * per, m1 = m0 + per < c->M && i < c->parts - 1 ? m0 + per : c->M;
    if (m1 <= m0) return;
    if (c->trans_a) {
        packed_tn_part(c, i, m0, m1);
        return;
    } /* B packed whole by the caller, shared */
    packed_gemm(&part_pack[0], m1 - m0, c->A + (long)m0 * c->lda, c->lda, c->C + (long)m0 * c->ldc, c->ldc,
                c->accumulate);
}

/* Whether the packed kernel takes this product (else OpenBLAS does). */
static int packable(int trans_a, int trans_b, int M, int N, int K, real alpha, real beta) {
    return alpha == 1 && (beta == 0 || beta == 1) && M >= 8 && cpu_packed_products() &&
           !(trans_a ? trans_b : (long)K * N * (long)sizeof(real) > (1 << 20));
}

/* The packed product of c (parts and block set here), with `bias` packed in when A is
 * untransposed. */
static void packed_product(PackedCall *c, const real *bias) {
    if (!c->trans_a) packed_gemm_pack(&part_pack[0], c->K, c->N, c->B, c->ldb, c->trans_b, bias);
    int threads = blas_threads(), rows = packed_gemm_kernel_rows(), width = packed_gemm_kernel_width();
    long columns = c->N;
    if (c->trans_a) {
        c->pieces = 0, columns = 0;
        for (int r = 0; r < c->count; r++) c->pieces += tn_pieces(&c->right[r]), columns += c->right[r].N;
    }
    /* By rows first: each part then copies only its own columns of A. Against the
     * column pieces first, 2 threads, one process alternating: mid GRU 1.03-1.05x, mid
     * LSTM 1.01-1.02x, mid RNN and the small rows 0.99-1.02x. */
    double flops = 2.0 * c->M * columns * c->K;
    for (int by_columns = 0; by_columns <= c->trans_a; by_columns++) {
        int extent = by_columns ? c->pieces * width : c->M, unit = by_columns ? width : rows;
        c->split_columns = by_columns, c->block = unit, c->parts = 1;
        while (c->parts < threads && c->parts < CPU_PARALLEL_MAX &&
               flops / (c->parts + 1) >= cpu_parallel_min_flops() && extent >= (c->parts + 1) * unit)
            c->parts++;
        if (c->parts > 1) break;
    }
    if (c->parts == 1) c->split_columns = 0, c->block = rows; /* one part: the whole product */
    cpu_parallel(c->parts, c->parts > 1, packed_part, c);
}

static void cpu_gemm(int trans_a, int trans_b, int M, int N, int K, real alpha, const real *A, int lda,
                     const real *B, int ldb, real beta, real *C, int ldc) {
    if (!packable(trans_a, trans_b, M, N, K, alpha, beta)) {
        openblas_gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    TnRight right = {B, N, ldb, C, ldc}; /* trans_a reads this one */
    PackedCall c = {.A = A, .B = B, .C = C, .M = M, .N = N, .K = K, .lda = lda, .ldb = ldb, .ldc = ldc,
                    .trans_a = trans_a, .trans_b = trans_b, .accumulate = beta != 0, .right = &right, .count = 1};
    packed_product(&c, 0);
}

/* C = A W^T + bias: the bias is the packed panels' first row, so each element's sum
 * starts from it (no second pass over C). */
static int cpu_gemm_bias(int M, int N, int K, const real *A, int lda, const real *W, int ldw,
                         const real *bias, real *C, int ldc) {
    if (!packable(0, 1, M, N, K, 1, 0)) return 0; /* linear.c: OpenBLAS, then the bias pass */
    PackedCall c = {.A = A, .B = W, .C = C, .M = M, .N = N, .K = K, .lda = lda, .ldb = ldw, .ldc = ldc, .trans_b = 1};
    packed_product(&c, bias);
    return 1;
}

/* C_r += A^T B_r for each right side, sums (sums2) += A's column sums: on the packed
 * kernel, in its chunks, each chunk of A copied once for all of them (ops.h gemm_tn_sums,
 * through each instruction set's copy of add_columns); 0 where a product is not packable
 * (linear.c: OpenBLAS, then the column sums). */
static int gemm_tn_sums_with(AddColumns *add_columns, int M, int K, const real *A, int lda, int count,
                             const TnRight *right, real *sums, real *sums2) {
    for (int r = 0; r < count; r++)
        if (!packable(1, 0, M, right[r].N, K, 1, 1)) return 0;
    PackedCall c = {.A = A, .M = M, .K = K, .lda = lda, .trans_a = 1, .accumulate = 1, .sums = {sums, sums2},
                    .add_columns = add_columns, .right = right, .count = count};
    packed_product(&c, 0);
    return 1;
}

/* ---- cells and bias helpers: cpu_loops_body.h, once per instruction set ---- */

/* A pass over a [rows][cols] matrix split into `parts` ranges (the bias helpers). */
typedef struct SplitCall {
    int rows, cols, parts;
    const real *in;
    real *out;
} SplitCall;

/* Parts for a pass over `elements` values split into at most `units` ranges. */
static int split_parts(long elements, int units) { return cpu_parallel_parts(elements, units, blas_threads()); }

/* The gradient's sum of squares goes by blocks of SUM_SQUARES_BLOCK values: each block's
 * sum (cpu_loops_body.h) into its slot here, then the blocks' sums added in order, so the
 * result is the same whichever thread summed which block. */
enum { SUM_SQUARES_BLOCK = 1 << 16 };
static double *block_sums;
static size_t block_sums_bytes;

typedef struct SumSquaresCall {
    long n, blocks;
    int parts;
    const real *x;
    double *sums; /* [blocks] */
} SumSquaresCall;

#define LOOP(name) name##_portable
#include "cpu_loops_body.h"
#undef LOOP
#if defined(__GNUC__) && defined(__x86_64__) && !defined(RECUR_REAL_DOUBLE)
#define RECUR_X86_LOOPS 1
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define LOOP(name) name##_avx2
#include "cpu_loops_body.h"
#undef LOOP
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw")
#define LOOP(name) name##_avx512
#include "cpu_loops_body.h"
#undef LOOP
#pragma GCC pop_options
#endif

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

static void cpu_scale(long n, const real *a, real *x) {
    real by = *a;
    for (long i = 0; i < n; i++) x[i] *= by;
}

static void cpu_scale_by_norm(long n, const double *sumsq, double max_norm, real *x) {
    double coef = max_norm / (sqrt(*sumsq) + 1e-6);
    real by = (real)coef;
    if (coef < 1) cpu_scale(n, &by, x);
}

static void cpu_loss_forward(const LossInput *in, const double *counted, double *loss) {
    long own;
    *loss = loss_forward(in, &own);
    if (own != (long)*counted)
        recur_die(EXIT_RUNTIME, "internal: the loss counted %ld items, not %.0f", own, *counted);
}

static void cpu_loss_backward(const LossInput *in, const double *counted, const double *loss, real *dlogits) {
    loss_backward(in, (long)*counted, loss, dlogits);
}

static void cpu_clamp(long n, real lo, real hi, const double *guard, real *x) {
    if (!isfinite(*guard)) return;
    for (long i = 0; i < n; i++) {
        if (x[i] > hi) x[i] = hi;
        else if (x[i] < lo) x[i] = lo;
    }
}

/* The table for one instruction set's copy of the loops (ISA: its LOOP suffix). */
#define CPU_OPS(ISA)                                                                      \
    {                                                                                     \
        .name = "cpu", .host_memory = 1, .alloc = cpu_alloc, .release = cpu_release,      \
        .zero = cpu_zero, .copy = cpu_copy, .upload = cpu_copy, .download = cpu_copy,     \
        .gemm = cpu_gemm, .gemm_bias = cpu_gemm_bias,                                     \
        .gemm_tn_sums = gemm_tn_sums_##ISA,                                               \
        .add_row_bias = add_row_bias_##ISA,                                               \
        .add_column_sums = add_column_sums_##ISA, .set_rows = cpu_set_rows,               \
        .rnn_forward = rnn_forward_##ISA, .rnn_backward = rnn_backward_##ISA,             \
        .lstm_forward = lstm_forward_##ISA, .lstm_backward = lstm_backward_##ISA,         \
        .gru_gates = gru_gates_##ISA, .gru_reset_hidden = gru_reset_hidden_##ISA,         \
        .gru_textbook_candidate = gru_textbook_candidate_##ISA,                           \
        .gru_update_candidate_backward = gru_update_candidate_backward_##ISA,             \
        .gru_forward = gru_forward_##ISA, .gru_backward = gru_backward_##ISA,             \
        .gru_textbook_reset_backward = gru_textbook_reset_backward_##ISA,                 \
        .mark_valid = cpu_mark_valid, .step_freeze = cpu_step_freeze,                     \
        .step_gather_gradient = step_gather_gradient_##ISA,                             \
        .step_carry_gradient = cpu_step_carry_gradient,                                   \
        .recurrence_forward = cpu_recurrence_forward,                                     \
        .recurrence_backward = cpu_recurrence_backward, .recurrence_projects = 1,         \
        .embedding_forward = embedding_forward, .embedding_backward = embedding_backward, \
        .dropout_forward = dropout_forward, .dropout_backward = dropout_backward,         \
        .pool_forward = pool_forward, .pool_backward = pool_backward,                     \
        .tanh_forward = tanh_forward, .tanh_backward = tanh_backward,                     \
        .loss_forward = cpu_loss_forward, .loss_backward = cpu_loss_backward,             \
        .sum_squares = sum_squares_##ISA, .scale = cpu_scale,                             \
        .scale_by_norm = cpu_scale_by_norm, .clamp = cpu_clamp,                           \
    }

static const ModelOps cpu_ops[CPU_ISAS] = {
#ifdef RECUR_X86_LOOPS
    [CPU_ISA_AVX512] = CPU_OPS(avx512),
    [CPU_ISA_AVX2] = CPU_OPS(avx2),
#endif
    [CPU_ISA_PORTABLE] = CPU_OPS(portable),
};

const ModelOps *cpu_model_ops(void) { return &cpu_ops[cpu_isa()]; }

const ModelOps *cpu_staged_model_ops(void) {
    static ModelOps staged[CPU_ISAS];
    CpuIsa isa = cpu_isa();
    if (!staged[isa].name) staged[isa] = cpu_ops[isa], staged[isa].name = "cpu-staged", staged[isa].host_memory = 0;
    return &staged[isa];
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
