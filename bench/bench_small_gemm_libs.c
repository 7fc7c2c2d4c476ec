/* bench_small_gemm_libs.c: recur's packed small-GEMM kernel (core/packed_gemm.h) against
 * the libraries made for small matrix products that Debian ships, at the shapes of the
 * per-step recurrent products, in one process, interleaved round by round so that load on
 * the machine affects all alike:
 *   - BLIS (libblis4-openmp or -pthread, loaded with dlopen so that its BLAS symbols never
 *     meet OpenBLAS's; bli_sgemm with general strides, one thread: its "sup" path for
 *     small products works on A and W in place, without packing);
 *   - libxsmm (libxsmm-dev, linked when CMake finds it: a JIT-generated kernel per shape,
 *     W given already transposed once, as recur packs it once per sequence);
 *   - OpenBLAS cblas_sgemm (packs W on every call), as bench_packed_gemm.
 * Every side computes C = bias + A W^T: recur with the bias in its packed panels, the
 * libraries with C preset to the bias and beta = 1. Each side's C is checked against
 * recur's (largest difference over largest |C|) so the table never times a wrong product.
 * Prints GFLOP/s (best round, wall time) and each side's rate over recur's.
 *
 *   bench_small_gemm_libs [MxNxK ...]
 *
 * Default shapes: step_shapes.h (issue 17's mid and small rows). A library that is
 * not installed gets "-" and a line saying how to install it. Measures; asserts nothing. */
#include <cblas.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/clock.h"
#include "core/packed_gemm.h"
#include "step_shapes.h"

#ifdef HAVE_LIBXSMM
#include <libxsmm.h>
#endif

enum { ROUNDS = 8, SIDES = 4 };
static const char *const side_names[SIDES] = {"recur packed", "BLIS", "libxsmm", "OpenBLAS"};

/* BLIS's typed API with general strides (dim_t and inc_t are 64-bit in Debian's build). */
typedef void BliSgemm(int transa, int transb, long m, long n, long k, const float *alpha, const float *a,
                      long rsa, long csa, const float *b, long rsb, long csb, const float *beta, float *c,
                      long rsc, long csc);
static BliSgemm *bli_sgemm_fn;
static const char *blis_arch = "not installed (apt-get install libblis4-openmp)";

static void load_blis(void) {
    static const char *const names[] = {"libblis.so.4", "libblis.so.3", "libblis.so"};
    void *h = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !h; i++)
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!h) return;
    void (*set_threads)(long) = (void (*)(long))dlsym(h, "bli_thread_set_num_threads");
    int (*arch_id)(void) = (int (*)(void))dlsym(h, "bli_arch_query_id");
    const char *(*arch_string)(int) = (const char *(*)(int))dlsym(h, "bli_arch_string");
    bli_sgemm_fn = (BliSgemm *)dlsym(h, "bli_sgemm");
    if (!bli_sgemm_fn || !set_threads) {
        bli_sgemm_fn = 0, blis_arch = "found, but without bli_sgemm";
        return;
    }
    set_threads(1);
    blis_arch = arch_id && arch_string ? arch_string(arch_id()) : "?";
}

typedef struct Shape {
    int M, N, K;
    const float *a, *w, *wt, *bias; /* A [M][K], W [N][K], W^T [K][N], bias [N] */
    PackedMatrix packed;
#ifdef HAVE_LIBXSMM
    libxsmm_smmfunction xsmm;
#endif
} Shape;

static void preset_bias(const Shape *s, float *c) {
    for (int m = 0; m < s->M; m++) memcpy(c + (long)m * s->N, s->bias, sizeof(float) * s->N);
}

/* One product on side `side` into c; 0 when that side is not available. */
static int run_side(const Shape *s, int side, float *c) {
    const float one = 1;
    switch (side) {
    case 0: packed_gemm(&s->packed, s->M, s->a, s->K, c, s->N, 0); return 1;
    case 1:
        if (!bli_sgemm_fn) return 0;
        preset_bias(s, c); /* B = W^T read through W's strides: element (k, n) at n*K + k */
        bli_sgemm_fn(0, 0, s->M, s->N, s->K, &one, s->a, s->K, 1, s->w, 1, s->K, &one, c, s->N, 1);
        return 1;
    case 2:
#ifdef HAVE_LIBXSMM
        if (!s->xsmm) return 0;
        preset_bias(s, c); /* column-major view: C^T (N x M) += W^T^T (N x K) A^T (K x M) */
        s->xsmm(s->wt, s->a, c);
        return 1;
#else
        return 0;
#endif
    default:
        preset_bias(s, c);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->M, s->N, s->K, 1, s->a, s->K, s->w, s->K, 1, c,
                    s->N);
        return 1;
    }
}

static float *filled(long n, int mul, int mod, float scale) {
    float *x = xmalloc(sizeof(float) * n, "bench operand");
    for (long i = 0; i < n; i++) x[i] = (float)((i * mul) % mod - mod / 2) * scale;
    return x;
}

static void run_shape(int M, int N, int K) {
    Shape s = {.M = M, .N = N, .K = K};
    float *a = filled((long)M * K, 7, 13, 0.01f), *w = filled((long)N * K, 5, 11, 0.01f);
    float *bias = filled(N, 3, 7, 0.001f), *wt = xmalloc(sizeof(float) * N * K, "W^T");
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++) wt[(long)k * N + n] = w[(long)n * K + k];
    s.a = a, s.w = w, s.wt = wt, s.bias = bias;
    packed_gemm_pack(&s.packed, K, N, w, K, 1, bias);
#ifdef HAVE_LIBXSMM
    {
        const libxsmm_blasint lda = N, ldb = K, ldc = N;
        const float alpha = 1, beta = 1;
        const int flags = LIBXSMM_GEMM_FLAG_NONE, prefetch = LIBXSMM_GEMM_PREFETCH_NONE;
        s.xsmm = libxsmm_smmdispatch(N, M, K, &lda, &ldb, &ldc, &alpha, &beta, &flags, &prefetch);
    }
#endif
    float *ref = xmalloc(sizeof(float) * M * N, "C"), *c = xmalloc(sizeof(float) * M * N, "C");
    run_side(&s, 0, ref);
    double scale = 1e-30, err[SIDES] = {0}, best[SIDES];
    for (long i = 0; i < (long)M * N; i++) scale = fmax(scale, fabs(ref[i]));
    int have[SIDES];
    for (int side = 0; side < SIDES; side++) {
        best[side] = 1e30;
        if (!(have[side] = run_side(&s, side, c))) continue;
        for (long i = 0; i < (long)M * N; i++) err[side] = fmax(err[side], fabs((double)c[i] - ref[i]) / scale);
    }
    int reps = 1 + (int)(2e8 / (2.0 * M * N * K));
    for (int round = 0; round < ROUNDS; round++)
        for (int side = 0; side < SIDES; side++) {
            if (!have[side]) continue;
            double t0 = 1e3 * now_s();
            for (int r = 0; r < reps; r++) run_side(&s, side, c);
            double t = 1e3 * now_s() - t0;
            if (round && t < best[side]) best[side] = t; /* round 0 warms up */
        }
    double gf = 2.0 * M * N * K * reps / 1e6;
    printf("| %4d x %4d x %4d |", M, N, K);
    for (int side = 0; side < SIDES; side++)
        if (have[side]) printf(" %6.1f (%4.2f) |", gf / best[side], best[0] / best[side]);
        else printf(" - |");
    for (int side = 1; side < SIDES; side++)
        if (have[side] && err[side] > 1e-5) printf(" %s differs: %.2g", side_names[side], err[side]);
    printf("\n");
    packed_gemm_free(&s.packed);
    free(a), free(w), free(wt), free(bias), free(ref), free(c);
}

int main(int argc, char **argv) {
    openblas_set_num_threads(1);
    load_blis();
#ifdef HAVE_LIBXSMM
    libxsmm_init();
    const char *xsmm = libxsmm_get_target_arch();
#else
    const char *xsmm = "not built in (apt-get install libxsmm-dev, then re-run cmake)";
#endif
    printf("1 thread each; GFLOP/s, best of %d rounds (wall), and in brackets each side's rate over recur's\n",
           ROUNDS - 1);
    printf("recur packed kernel: %s; BLIS: %s; libxsmm: %s; OpenBLAS: %s\n\n", packed_gemm_kernel_name(), blis_arch,
           xsmm, openblas_get_config());
    printf("| M x N x K |");
    for (int side = 0; side < SIDES; side++) printf(" %s |", side_names[side]);
    printf("\n|---|---:|---:|---:|---:|\n");
    int given = 0;
    for (int i = 1; i < argc; i++) {
        int M, N, K;
        if (sscanf(argv[i], "%dx%dx%d", &M, &N, &K) != 3 || M < 1 || N < 1 || K < 1)
            recur_die(EXIT_USAGE, "shape '%s': expected MxNxK", argv[i]);
        run_shape(M, N, K), given = 1;
    }
    if (!given)
        for (int i = 0; i < STEP_SHAPES; i++) run_shape(step_shapes[i][0], step_shapes[i][1], step_shapes[i][2]);
#ifdef HAVE_LIBXSMM
    libxsmm_finalize();
#endif
    return 0;
}
