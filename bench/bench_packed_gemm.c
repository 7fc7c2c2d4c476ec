/* bench_packed_gemm.c: recur's packed small-GEMM kernel (core/packed_gemm.h) against
 * OpenBLAS SGEMM at the shapes of the per-step recurrent products, in one process,
 * interleaved round by round so that load on the machine affects both alike. For each
 * shape M x N x K: C = bias + A W^T with W [N][K] packed once (as the fused time loop does
 * per sequence), against cblas_sgemm on the same operands with C preset to the bias (as the
 * step loop does). Prints GFLOP/s (best round, wall and CPU time) and the ratio.
 *
 *   bench_packed_gemm [--kernel=avx512|avx2|portable] [--threads=N] [MxNxK ...]
 *
 * Default shapes: step_shapes.h (issue 17's mid and small rows). First it prints the
 * core's float FMA peak for the kernel's instruction set (12 independent accumulators in
 * registers, no memory access): the ceiling any kernel's GFLOP/s here is under. Measures
 * only; asserts nothing. */
#include <cblas.h>
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/check.h"
#include "core/packed_gemm.h"
#include "step_shapes.h"

static double clock_ms(clockid_t which) {
    struct timespec ts;
    clock_gettime(which, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

typedef struct Best {
    double wall, cpu;
} Best;

static void keep_best(Best *b, double w0, double c0) {
    double w = clock_ms(CLOCK_MONOTONIC) - w0, c = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (w < b->wall) b->wall = w;
    if (c < b->cpu) b->cpu = c;
}

/* FMA_PEAK_BODY: `iters` rounds of 12 independent fused multiply-adds on VEC registers;
 * returns a sum of the lanes so nothing is optimised away. */
#define FMA_PEAK_BODY(VEC, SET1, FMA)                                                         \
    VEC acc[12], x = SET1(0.999f), y = SET1(1e-4f);                                           \
    for (int i = 0; i < 12; i++) acc[i] = SET1((float)i * 1e-3f);                             \
    for (long it = 0; it < iters; it++) {                                                     \
        _Pragma("GCC unroll 12") for (int i = 0; i < 12; i++) acc[i] = FMA(acc[i], x, y);     \
    }                                                                                         \
    float sum = 0;                                                                            \
    for (int i = 0; i < 12; i++) sum += acc[i][0];                                            \
    return sum;

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("avx2,fma"))) static float fma_rounds_avx2(long iters) {
    FMA_PEAK_BODY(__m256, _mm256_set1_ps, _mm256_fmadd_ps)
}
__attribute__((target("avx512f"))) static float fma_rounds_avx512(long iters) {
    FMA_PEAK_BODY(__m512, _mm512_set1_ps, _mm512_fmadd_ps)
}
#endif

/* The FMA peak of one core for the packed kernel's instruction set, GFLOP/s (best of 7
 * rounds of about 0.1 s); 0 where the kernel is the portable one. */
static double fma_peak_gflops(void) {
#if defined(__GNUC__) && defined(__x86_64__)
    const char *isa = packed_gemm_kernel_name();
    int lanes = !strcmp(isa, "avx512") ? 16 : !strcmp(isa, "avx2") ? 8 : 0;
    if (!lanes) return 0;
    long iters = 50000000L / (lanes / 8);
    double best = 0;
    volatile float sink = 0;
    for (int round = 0; round < 7; round++) {
        double w0 = clock_ms(CLOCK_MONOTONIC);
        sink += lanes == 16 ? fma_rounds_avx512(iters) : fma_rounds_avx2(iters);
        double gf = 2.0 * 12 * lanes * iters / 1e6 / (clock_ms(CLOCK_MONOTONIC) - w0);
        if (gf > best) best = gf;
    }
    (void)sink;
    return best;
#else
    return 0;
#endif
}

static void run_shape(int M, int N, int K) {
    float *a = xmalloc(sizeof(float) * M * K, "A"), *w = xmalloc(sizeof(float) * N * K, "W");
    float *bias = xmalloc(sizeof(float) * N, "bias"), *c = xmalloc(sizeof(float) * M * N, "C");
    for (long i = 0; i < (long)M * K; i++) a[i] = (float)((i * 7) % 13) * 0.01f;
    for (long i = 0; i < (long)N * K; i++) w[i] = (float)((i * 5) % 11) * 0.01f;
    for (int i = 0; i < N; i++) bias[i] = (float)i * 1e-3f;
    PackedMatrix p = {0};
    packed_gemm_pack(&p, K, N, w, K, 1, bias);
    int reps = 1 + (int)(2e8 / (2.0 * M * N * K));
    Best bp = {1e30, 1e30}, bo = {1e30, 1e30};
    for (int round = 0; round < 8; round++) {
        double w0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        for (int r = 0; r < reps; r++) packed_gemm(&p, M, a, K, c, N, 0);
        if (round) keep_best(&bp, w0, c0);
        w0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        for (int r = 0; r < reps; r++) {
            for (int m = 0; m < M; m++) memcpy(c + (long)m * N, bias, sizeof(float) * N);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1, a, K, w, K, 1, c, N);
        }
        if (round) keep_best(&bo, w0, c0);
    }
    double gf = 2.0 * M * N * K * reps / 1e6;
    printf("| %4d x %4d x %4d | %7.1f | %7.1f | %7.1f | %7.1f | %5.2f |\n", M, N, K, gf / bp.wall,
           gf / bp.cpu, gf / bo.wall, gf / bo.cpu, bo.cpu / bp.cpu);
    packed_gemm_free(&p);
    free(a), free(w), free(bias), free(c);
}

int main(int argc, char **argv) {
    int threads = 1, given = 0;
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--kernel=", 9)) {
            if (!packed_gemm_use(argv[i] + 9)) recur_die(EXIT_USAGE, "%s: not a kernel this CPU runs", argv[i]);
        } else if (!strncmp(argv[i], "--threads=", 10)) {
            threads = atoi(argv[i] + 10);
        } else {
            given = 1;
        }
    }
    openblas_set_num_threads(threads);
    printf("packed kernel %s, OpenBLAS %s, %d thread(s); GFLOP/s, best of 7 rounds\n",
           packed_gemm_kernel_name(), openblas_get_config(), threads);
    double peak = fma_peak_gflops();
    if (peak > 0) printf("one core's FMA peak (%s, registers only): %.1f GFLOP/s\n", packed_gemm_kernel_name(), peak);
    printf("\n");
    printf("| M x N x K | packed wall | packed CPU | OpenBLAS wall | OpenBLAS CPU | ratio (CPU) |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (int i = 1; i < argc; i++) {
        int M, N, K;
        if (!strncmp(argv[i], "--", 2)) continue;
        if (sscanf(argv[i], "%dx%dx%d", &M, &N, &K) != 3 || M < 1 || N < 1 || K < 1)
            recur_die(EXIT_USAGE, "shape '%s': expected MxNxK", argv[i]);
        run_shape(M, N, K);
    }
    if (!given)
        for (int i = 0; i < STEP_SHAPES; i++) run_shape(step_shapes[i][0], step_shapes[i][1], step_shapes[i][2]);
    return 0;
}
