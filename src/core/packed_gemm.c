/* packed_gemm.c: packing, kernel choice and the tile loop of packed_gemm.h. The tile
 * kernels themselves are packed_gemm_tile.h, compiled here once per instruction set
 * (GCC target pragmas), so one body serves every CPU; the choice is made at run time. */
#include "packed_gemm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cpu_isa.h"

/* One tile kernel (packed_gemm_tile.h): its rows x panels of out from K steps. */
typedef void TileKernel(int K, const real *a, long rs, long ks, const real *const *panel, long ps,
                        const real *const *init, real *out, long ldo, int accumulate);

struct PackedKernel {
    CpuIsa isa;
    int vl, mr, np;               /* panel width, rows and panels per full tile */
    int min_rows;                 /* fewest rows whose accumulators (rows x np) hide the FMA
                                     latency: a tile of fewer takes as long as one of these */
    TileKernel *const *tile_rows; /* [r]: the kernel for r rows, r = 1..mr */
};

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && !defined(RECUR_REAL_DOUBLE)
#define RECUR_X86_KERNELS 1
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f")
#define TILE_NAME tile_avx512
#define TILE_VEC __m512
#define TILE_VL 16
#define TILE_MR 6
#define TILE_NP 4
#define TILE_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define TILE_BCAST(x) _mm512_set1_ps(x)
#include "packed_gemm_tile.h"
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define TILE_NAME tile_avx2
#define TILE_VEC __m256
#define TILE_VL 8
#define TILE_MR 6
#define TILE_NP 2
#define TILE_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define TILE_BCAST(x) _mm256_set1_ps(x)
#include "packed_gemm_tile.h"
#pragma GCC pop_options
#endif

/* The portable kernel: the build's baseline vectors, separate multiply and add. */
typedef real portable_vec __attribute__((vector_size(16)));
#define TILE_NAME tile_portable
#define TILE_VEC portable_vec
#define TILE_VL ((int)(16 / sizeof(real)))
#define TILE_MR 4
#define TILE_NP 3
#define TILE_FMA(a, b, c) ((a) * (b) + (c))
#define TILE_BCAST(x) ((TILE_VEC){0} + (x))
#include "packed_gemm_tile.h"

static const PackedKernel kernels[] = {
#ifdef RECUR_X86_KERNELS
    {CPU_ISA_AVX512, 16, 6, 4, 2, tile_avx512_rows},
    {CPU_ISA_AVX2, 8, 6, 2, 4, tile_avx2_rows},
#endif
    {CPU_ISA_PORTABLE, (int)(16 / sizeof(real)), 4, 3, 3, tile_portable_rows},
};

static const PackedKernel *current_kernel(void) {
    CpuIsa isa = cpu_isa();
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
        if (kernels[i].isa == isa) return &kernels[i];
    return &kernels[sizeof kernels / sizeof kernels[0] - 1];
}

int packed_gemm_rows(const PackedMatrix *p) { return p->kernel->mr; }
int packed_gemm_kernel_rows(void) { return current_kernel()->mr; }
int packed_gemm_kernel_width(void) { return current_kernel()->np * current_kernel()->vl; }

const char *packed_gemm_kernel_name(void) { return cpu_isa_name(current_kernel()->isa); }

int packed_gemm_use(const char *name) { return cpu_isa_use(name); }

/* n reals, a panel row: a whole one (16, 8 or 4 reals: a copy of known size, which GCC
 * inlines as vector moves) or an edge one. A plain loop here GCC turns back into a
 * library call per row, which cost more than the copy. */
static void copy_reals(real *restrict dst, const real *restrict src, int n) {
    if (n == 16) __builtin_memcpy(dst, src, 16 * sizeof(real));
    else if (n == 8) __builtin_memcpy(dst, src, 8 * sizeof(real));
    else if (n == 4) __builtin_memcpy(dst, src, 4 * sizeof(real));
    else memcpy(dst, src, sizeof(real) * (size_t)n);
}

void packed_gemm_pack(PackedMatrix *p, int K, int N, const real *W, int ldw, int w_is_nk,
                      const real *bias) {
    const PackedKernel *k = current_kernel();
    int vl = k->vl, panels = (N + vl - 1) / vl;
    long need = (long)panels * (K + 1) * vl;
    p->data = xgrow_aligned(p->data, &p->capacity, sizeof(real) * (size_t)need, "a packed matrix");
    p->kernel = k, p->K = K, p->N = N, p->panels = panels, p->width = vl;
    for (int q = 0; q < panels; q++) {
        real *dst = p->data + (long)q * (K + 1) * vl;
        int n0 = q * vl, w = N - n0 < vl ? N - n0 : vl;
        if (w < vl) memset(dst, 0, sizeof(real) * (size_t)(K + 1) * vl); /* zero padding */
        else if (!bias) memset(dst, 0, sizeof(real) * (size_t)vl);    /* zero bias row */
        if (bias) memcpy(dst, bias + n0, sizeof(real) * (size_t)w);
        if (w_is_nk) /* W [N][K]: each column of the panel is a contiguous row of W */
            for (int c = 0; c < w; c++)
                for (int kk = 0; kk < K; kk++) dst[(long)(kk + 1) * vl + c] = W[(long)(n0 + c) * ldw + kk];
        else /* W [K][N]: each row of the panel is a contiguous piece of a row of W */
            for (int kk = 0; kk < K; kk++) copy_reals(dst + (long)(kk + 1) * vl, W + (long)kk * ldw + n0, w);
    }
}

void packed_gemm_free(PackedMatrix *p) {
    free(p->data);
    memset(p, 0, sizeof *p);
}

/* One tile: rows m0.. (mr of them, at most the kernel's) by panels q0.. (np of them), into
 * C; A's rows, or (a_trans) its columns. The kernel for exactly mr rows runs; a tile of the
 * full width is stored into C by it, a column edge goes through `tile` and only its part
 * inside C is copied (or added). */
static void run_tile(const PackedMatrix *p, int m0, int mr, int q0, int np, const real *A, int lda,
                     int a_trans, real *C, int ldc, int accumulate, real *tile) {
    const PackedKernel *k = p->kernel;
    const real *panel[8], *bias[8], *a = A + (long)m0 * (a_trans ? 1 : lda);
    long rs = a_trans ? 1 : lda, ks = a_trans ? lda : 1;
    for (int q = 0; q < k->np; q++) {
        bias[q] = p->data + (long)(q0 + (q < np ? q : 0)) * (p->K + 1) * p->width;
        panel[q] = bias[q] + p->width;
    }
    int tw = k->np * p->width, n0 = q0 * p->width;
    TileKernel *kernel = k->tile_rows[mr];
    if (n0 + tw <= p->N) {
        kernel(p->K, a, rs, ks, panel, p->width, bias, C + (long)m0 * ldc + n0, ldc, accumulate);
        return;
    }
    kernel(p->K, a, rs, ks, panel, p->width, bias, tile, tw, 0);
    int n1 = n0 + np * p->width < p->N ? n0 + np * p->width : p->N;
    for (int m = 0; m < mr; m++) {
        real *c = C + (long)(m0 + m) * ldc;
        const real *t = tile + (long)m * tw;
        if (accumulate)
            for (int n = n0; n < n1; n++) c[n] += t[n - n0];
        else
            memcpy(c + n0, t, sizeof(real) * (size_t)(n1 - n0));
    }
}

/* Rows of the tile that starts `left` rows before the end: full tiles, except that a rest
 * of fewer than min_rows rows is not left alone: the last two tiles share their rows, the
 * second taking min_rows (AVX2: 8 rows as 4 + 4, not 6 + 2, which costs as long as 6 + 4).
 * A row's sum does not depend on its tile, so the bits are the same. Measured on the AMD
 * EPYC (AVX2), one process alternating the two plans over 201 rounds, median time of the
 * old over the new: 8 x 384 x 128 1.13, 9 rows 1.09, 7 rows 1.05, 14 rows 1.06, 32 x 128 x
 * 128 1.03; 34 and 64 rows (no change) 1.00. */
static int tile_rows_at(const PackedKernel *k, int left) {
    if (left <= k->mr) return left;
    return left - k->mr >= k->min_rows ? k->mr : left - k->min_rows;
}

static void tiles(const PackedMatrix *p, int M, const real *A, int lda, int a_trans, real *C, int ldc,
                  int accumulate) {
    const PackedKernel *k = p->kernel;
    real tile[16 * 8 * 16] __attribute__((aligned(64)));
    for (int m0 = 0, mr; m0 < M; m0 += mr) {
        mr = tile_rows_at(k, M - m0);
        for (int q0 = 0; q0 < p->panels; q0 += k->np)
            run_tile(p, m0, mr, q0, p->panels - q0 < k->np ? p->panels - q0 : k->np, A, lda, a_trans, C,
                     ldc, accumulate, tile);
    }
}

void packed_gemm(const PackedMatrix *p, int M, const real *A, int lda, real *C, int ldc,
                 int accumulate) {
    tiles(p, M, A, lda, 0, C, ldc, accumulate);
}

void packed_gemm_tn(const PackedMatrix *p, int M, const real *A, int lda, real *C, int ldc,
                    int accumulate) {
    tiles(p, M, A, lda, 1, C, ldc, accumulate);
}

void packed_gemm_tn_direct(int M, int N, int K, const real *A, int lda, const real *B, int ldb, real *C,
                           int ldc, int accumulate) {
    const PackedKernel *k = current_kernel();
    int tw = k->np * k->vl;
    for (int m0 = 0, mr; m0 < M; m0 += mr) {
        mr = tile_rows_at(k, M - m0);
        const real *panel[8];
        for (int n0 = 0; n0 + tw <= N; n0 += tw) {
            for (int q = 0; q < k->np; q++) panel[q] = B + n0 + q * k->vl;
            k->tile_rows[mr](K, A + m0, 1, lda, panel, ldb, 0, C + (long)m0 * ldc + n0, ldc, accumulate);
        }
    }
}
