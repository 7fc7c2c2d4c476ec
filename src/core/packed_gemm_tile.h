/* packed_gemm_tile.h: the body of one packed-GEMM tile kernel, included by
 * packed_gemm.c once per instruction set with these macros defined:
 *   TILE_NAME  the function's name       TILE_VEC  a vector type of TILE_VL reals
 *   TILE_VL    panel width (reals)       TILE_MR, TILE_NP  rows x panels per tile
 *   TILE_FMA(a, b, c)  a * b + c on vectors    TILE_BCAST(x)  a vector of TILE_VL x
 * out[m * ldo + 0 .. NP*VL) = (accumulate ? that : 0) + bias + sum over k of
 * arow[m][k * ks] * panel[p][k] (ks: 1 for rows of A, lda for columns of A given as [K][M]),
 * stored straight from the registers: into C itself for a full tile, into a scratch tile
 * for an edge one. All MR rows and NP panels are always computed (the caller points
 * unused ones at real data and drops their results), so the loops have constant bounds and
 * the accumulators stay in registers.
 * Holds no other code; undefines its parameters at the end, for the next copy. */

static void TILE_NAME(int K, const real *const *arow, long ks, const real *const *panel, real *out,
                      long ldo, int accumulate) {
    TILE_VEC acc[TILE_MR][TILE_NP], b[TILE_NP];
#pragma GCC unroll 8
    for (int p = 0; p < TILE_NP; p++) __builtin_memcpy(&b[p], panel[p], sizeof b[p]);
#pragma GCC unroll 16
    for (int m = 0; m < TILE_MR; m++)
#pragma GCC unroll 8
        for (int p = 0; p < TILE_NP; p++) acc[m][p] = b[p];
    for (int k = 0; k < K; k++) {
        long ka = k * ks;
#pragma GCC unroll 8
        for (int p = 0; p < TILE_NP; p++)
            __builtin_memcpy(&b[p], panel[p] + (long)(k + 1) * TILE_VL, sizeof b[p]);
#pragma GCC unroll 16
        for (int m = 0; m < TILE_MR; m++) {
            TILE_VEC a = TILE_BCAST(arow[m][ka]);
#pragma GCC unroll 8
            for (int p = 0; p < TILE_NP; p++) acc[m][p] = TILE_FMA(a, b[p], acc[m][p]);
        }
    }
#pragma GCC unroll 16
    for (int m = 0; m < TILE_MR; m++)
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

#undef TILE_NAME
#undef TILE_VEC
#undef TILE_VL
#undef TILE_MR
#undef TILE_NP
#undef TILE_FMA
#undef TILE_BCAST
