/* packed_gemm_tile.h: the bodies of the packed-GEMM tile kernels of one instruction set,
 * included by packed_gemm.c once per instruction set with these macros defined:
 *   TILE_NAME  the functions' prefix     TILE_VEC  a vector type of TILE_VL reals
 *   TILE_VL    panel width (reals)       TILE_MR, TILE_NP  rows (at most 6) x panels per tile
 *   TILE_FMA(a, b, c)  a * b + c on vectors    TILE_BCAST(x)  a vector of TILE_VL x
 * out[m * ldo + 0 .. NP*VL) = (accumulate ? that : 0) + bias + sum over k of
 * a[m * rs + k * ks] * panel[p][k] (rows of A: rs = lda, ks = 1; columns of A given as
 * [K][M]: rs = 1, ks = lda). The tile's rows are equally spaced, so two pointers (rows 0-2
 * and 3-5, each row at one of them plus 0, 1 or 2 rs) and one stride address them all: per
 * k two pointer steps, where six row pointers took six and did not all fit in registers.
 * Stored straight from the registers: into C itself for a full-width tile, into a scratch
 * tile for a column edge. One kernel per row count 1..TILE_MR (TILE_NAME_rows[r]), all from
 * one body with the count a constant, so a product whose M is no multiple of TILE_MR ends
 * in shorter tiles (packed_gemm.c's tile_rows_at picks them): each row's sum is the same
 * whichever kernel runs it.
 * All NP panels are always computed (the caller points unused ones at real data and drops
 * their results), so the loops have constant bounds and the accumulators stay in registers.
 * Holds no other code; undefines its parameters at the end, for the next copy. */

#define TILE_CAT2(a, b) a##b
#define TILE_CAT(a, b) TILE_CAT2(a, b)

static inline __attribute__((always_inline)) void TILE_CAT(TILE_NAME, _body)(
    const int MR, int K, const real *a, long rs, long ks, const real *const *panel, long ps,
    const real *const *init, real *out, long ldo, int accumulate) {
    TILE_VEC acc[TILE_MR][TILE_NP], b[TILE_NP];
    const real *a0 = a, *a3 = a + 3 * rs; /* rows 0-2 and 3-5: each a base and rs, 2 rs away */
#pragma GCC unroll 8
    for (int p = 0; p < TILE_NP; p++) {
        if (init) __builtin_memcpy(&b[p], init[p], sizeof b[p]);
        else b[p] = TILE_BCAST((real)0);
    }
#pragma GCC unroll 16
    for (int m = 0; m < MR; m++)
#pragma GCC unroll 8
        for (int p = 0; p < TILE_NP; p++) acc[m][p] = b[p];
    for (int k = 0; k < K; k++, a0 += ks, a3 += ks) {
#pragma GCC unroll 8
        for (int p = 0; p < TILE_NP; p++)
            __builtin_memcpy(&b[p], panel[p] + k * ps, sizeof b[p]);
#pragma GCC unroll 16
        for (int m = 0; m < MR; m++) {
            TILE_VEC av = TILE_BCAST((m < 3 ? a0 : a3)[(m % 3) * rs]);
#pragma GCC unroll 8
            for (int p = 0; p < TILE_NP; p++) acc[m][p] = TILE_FMA(av, b[p], acc[m][p]);
        }
    }
#pragma GCC unroll 16
    for (int m = 0; m < MR; m++)
#pragma GCC unroll 8
        for (int p = 0; p < TILE_NP; p++) {
            real *o = out + m * ldo + p * TILE_VL;
            if (accumulate) { /* C + sum, as the scalar c[n] += t[n] it replaces */
                TILE_VEC c;
                __builtin_memcpy(&c, o, sizeof c);
                acc[m][p] = c + acc[m][p];
            }
            __builtin_memcpy(o, &acc[m][p], sizeof acc[m][p]);
        }
}

#define TILE_ROWS_KERNEL(r)                                                                              \
    static void TILE_CAT(TILE_NAME, _##r)(int K, const real *a, long rs, long ks, const real *const *panel,  \
                                          long ps, const real *const *init, real *out, long ldo,        \
                                          int accumulate) {                                             \
        TILE_CAT(TILE_NAME, _body)(r, K, a, rs, ks, panel, ps, init, out, ldo, accumulate);             \
    }
TILE_ROWS_KERNEL(1)
TILE_ROWS_KERNEL(2)
TILE_ROWS_KERNEL(3)
TILE_ROWS_KERNEL(4)
#if TILE_MR >= 5
TILE_ROWS_KERNEL(5)
#endif
#if TILE_MR >= 6
TILE_ROWS_KERNEL(6)
#endif

static TileKernel *const TILE_CAT(TILE_NAME, _rows)[TILE_MR + 1] = {
    0, TILE_CAT(TILE_NAME, _1), TILE_CAT(TILE_NAME, _2), TILE_CAT(TILE_NAME, _3), TILE_CAT(TILE_NAME, _4),
#if TILE_MR >= 5
    TILE_CAT(TILE_NAME, _5),
#endif
#if TILE_MR >= 6
    TILE_CAT(TILE_NAME, _6),
#endif
};

#undef TILE_ROWS_KERNEL
#undef TILE_CAT
#undef TILE_CAT2
#undef TILE_NAME
#undef TILE_VEC
#undef TILE_VL
#undef TILE_MR
#undef TILE_NP
#undef TILE_FMA
#undef TILE_BCAST
