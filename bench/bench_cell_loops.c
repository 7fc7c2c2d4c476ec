/* bench_cell_loops.c: the CPU backend's pointwise cell steps (ModelOps rnn/lstm/gru
 * forward and backward: the activations between the per-step products), in nanoseconds per
 * hidden unit, on one [B][G*H] step whose operands stay in cache. Beside the LSTM and GRU
 * forward ops it times the one-loop form, a loop over units calling cell_math.h's
 * lstm_unit_forward / gru_unit_forward (the form the CUDA kernels use), compiled here for
 * the same instruction set: the CPU rows split that loop in one loop per activation over
 * the gate columns, the same arithmetic per unit (the same bits, checked here) in loop
 * bodies short enough for the core to keep more exp and divide chains in flight. Rounds
 * interleave the variants; prints each one's median. Measures only; asserts nothing but
 * the equal bits.
 *
 *   bench_cell_loops [--batch=64] [--hidden=128] [--rounds=200] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/cpu_isa.h"
#include "core/rng.h"
#include "model/cell_math.h"
#include "model/ops.h"
#include "train/regression_metrics.h"

#if defined(__GNUC__) && defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
static void lstm_one_loop_row(int H, const real *restrict xp, const real *restrict hp,
                              const real *restrict c_prev, real *restrict c, real *restrict h,
                              real *restrict cache) {
    for (int j = 0; j < H; j++) lstm_unit_forward(H, j, xp, hp, c_prev, c, h, cache);
}

static void lstm_one_loop(int B, int H, const real *xp, const real *hp, const real *c_prev, real *c, real *h,
                          real *cache) {
    for (long b = 0; b < B; b++)
        lstm_one_loop_row(H, xp + 4 * b * H, hp + 4 * b * H, c_prev + b * H, c + b * H, h + b * H, cache + 5 * b * H);
}

static void gru_one_loop_row(int H, const real *restrict xp, const real *restrict hp,
                             const real *restrict h_prev, real *restrict h, real *restrict cache) {
    for (int j = 0; j < H; j++) gru_unit_forward(H, j, xp, hp, h_prev, h, cache);
}

static void gru_one_loop(int B, int H, const real *xp, const real *hp, const real *h_prev, real *h, real *cache) {
    for (long b = 0; b < B; b++)
        gru_one_loop_row(H, xp + 3 * b * H, hp + 3 * b * H, h_prev + b * H, h + b * H, cache + 4 * b * H);
}
#if defined(__GNUC__) && defined(__x86_64__)
#pragma GCC pop_options
#endif

/* The timed variants; a backward op times on the cache its cell's forward op leaves. */
enum { RNN_FWD, LSTM_FWD, LSTM_ONE_LOOP, GRU_FWD, GRU_ONE_LOOP, LSTM_BWD, GRU_BWD, VARIANTS };
static const char *variant_names[VARIANTS] = {
    "rnn_tanh forward (op)", "lstm forward (op: loop per activation)", "lstm forward (one loop per unit)",
    "gru forward (op: loop per activation)", "gru forward (one loop per unit)", "lstm backward (op)",
    "gru backward (op)"};

typedef struct Operands {
    int B, H;
    real *xp, *hp, *prev, *c, *h, *cache, *h2, *c2, *cache2, *dh, *dxp, *dhp, *dprev;
} Operands;

/* n values uniform in [-scale, scale), the same on every run (core/rng.h). */
static real *values(long n, real scale, uint64_t stream) {
    real *x = malloc(sizeof(real) * (size_t)n);
    for (long i = 0; i < n; i++) x[i] = scale * (real)(2 * rng_uniform(17, stream, (uint64_t)i) - 1);
    return x;
}

static void run_variant(const ModelOps *ops, Operands *o, int v) {
    int B = o->B, H = o->H;
    switch (v) {
    case RNN_FWD: ops->rnn_forward(B, H, 0, o->xp, o->hp, o->h); break;
    case LSTM_FWD: ops->lstm_forward(B, H, o->xp, o->hp, o->prev, o->c, o->h, o->cache); break;
    case LSTM_ONE_LOOP: lstm_one_loop(B, H, o->xp, o->hp, o->prev, o->c2, o->h2, o->cache2); break;
    case GRU_FWD: ops->gru_forward(B, H, o->xp, o->hp, o->prev, o->h, o->cache); break;
    case GRU_ONE_LOOP: gru_one_loop(B, H, o->xp, o->hp, o->prev, o->h2, o->cache2); break;
    case LSTM_BWD: ops->lstm_backward(B, H, o->cache, o->dh, o->dh, o->prev, o->dxp, o->dprev); break;
    default: ops->gru_backward(B, H, o->cache, o->dh, o->prev, o->dxp, o->dhp, o->dprev); break;
    }
}

static int same(const real *a, const real *b, long n) { return !memcmp(a, b, sizeof(real) * (size_t)n); }

int main(int argc, char **argv) {
    int B = 64, H = 128, rounds = 200;
    for (int i = 1; i < argc; i++)
        if (sscanf(argv[i], "--batch=%d", &B) != 1 && sscanf(argv[i], "--hidden=%d", &H) != 1 &&
            sscanf(argv[i], "--rounds=%d", &rounds) != 1) {
            fprintf(stderr, "usage: bench_cell_loops [--batch=64] [--hidden=128] [--rounds=200]\n");
            return 2;
        }
    if (!cpu_isa_use("avx2")) { /* the one-loop form is compiled for AVX2: compare like with like */
        printf("bench_cell_loops: compares AVX2 loops, and this CPU or build has none\n");
        return 0;
    }
    const ModelOps *ops = cpu_model_ops();
    long n = (long)B * H;
    Operands o = {B, H, values(4 * n, 3, 1), values(4 * n, 3, 2), values(n, 1, 3), values(n, 1, 4),
                  values(n, 1, 5), values(5 * n, 1, 6), values(n, 1, 7), values(n, 1, 8), values(5 * n, 1, 9),
                  values(n, 1, 10), values(4 * n, 1, 11), values(4 * n, 1, 12), values(n, 1, 13)};
    double *ns = malloc(sizeof(double) * (size_t)rounds * VARIANTS), median[VARIANTS];
    for (int r = 0; r < rounds; r++)
        for (int v = 0; v < VARIANTS; v++) {
            if (v == LSTM_BWD || v == GRU_BWD) run_variant(ops, &o, v == LSTM_BWD ? LSTM_FWD : GRU_FWD);
            double t0 = now_s();
            run_variant(ops, &o, v);
            ns[(long)v * rounds + r] = (now_s() - t0) * 1e9 / (double)n;
        }
    printf("B %d, H %d, %s kernels, %d interleaved rounds: median ns per hidden unit\n", B, H,
           cpu_isa_name(cpu_isa()), rounds);
    for (int v = 0; v < VARIANTS; v++) {
        median[v] = median_in_place(ns + (long)v * rounds, rounds);
        printf("  %-40s %7.3f\n", variant_names[v], median[v]);
    }
    run_variant(ops, &o, LSTM_FWD), run_variant(ops, &o, LSTM_ONE_LOOP);
    int lstm_same = same(o.h, o.h2, n) && same(o.c, o.c2, n) && same(o.cache, o.cache2, 5 * n);
    run_variant(ops, &o, GRU_FWD), run_variant(ops, &o, GRU_ONE_LOOP);
    int gru_same = same(o.h, o.h2, n) && same(o.cache, o.cache2, 4 * n);
    printf("one loop / loop per activation: lstm %.2f, gru %.2f; same bits: lstm %s, gru %s\n",
           median[LSTM_ONE_LOOP] / median[LSTM_FWD], median[GRU_ONE_LOOP] / median[GRU_FWD],
           lstm_same ? "yes" : "NO", gru_same ? "yes" : "NO");
    return lstm_same && gru_same ? 0 : 1;
}
