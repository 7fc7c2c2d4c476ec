/* cpu_loops_body.h: the CPU backend's per-row loops over the cell arithmetic of
 * cell_math.h, the backward step's gradient gather, the gradient's sum of squares, and the
 * bias helpers of the whole-sequence GEMMs (split over the CPU threads by ranges that keep
 * each element's order); included by ops_cpu.c
 * once per instruction set (LOOP(name) gives each copy its own names). The arithmetic is
 * per element and GCC does not contract a*b+c here (ISO C: -ffp-contract=off), so every
 * copy gives the same bits; only the vector width differs. The row functions take
 * restrict pointers so GCC vectorizes their unit loops. Holds no other code. */

static void LOOP(rnn_forward)(int B, int H, int relu, const real *restrict xp,
                            const real *restrict hp, real *restrict h) {
    long n = (long)B * H;
    for (long i = 0; i < n; i++) h[i] = rnn_unit_forward(relu, xp[i] + hp[i]);
}

static void LOOP(rnn_backward)(int B, int H, int relu, const real *restrict h,
                             const real *restrict dh, real *restrict dxp) {
    long n = (long)B * H;
    for (long i = 0; i < n; i++) dxp[i] = rnn_unit_backward(relu, h[i], dh[i]);
}

/* cache[k] = sigmoid (tanh) of xp[k] + hp[k] for the gate columns k in [k0, k1) of one row:
 * the LSTM's and GRU's gate loops. */
static void LOOP(sigmoid_columns)(int k0, int k1, const real *restrict xp, const real *restrict hp,
                                  real *restrict cache) {
    for (int k = k0; k < k1; k++) cache[k] = act_sigmoid(xp[k] + hp[k]);
}

static void LOOP(tanh_columns)(int k0, int k1, const real *restrict xp, const real *restrict hp,
                               real *restrict cache) {
    for (int k = k0; k < k1; k++) cache[k] = act_tanh(xp[k] + hp[k]);
}

/* The LSTM's step as a loop per activation over the gate columns (i and f, g, o), then c
 * and h: the same arithmetic per unit as lstm_unit_forward, in smaller loop bodies (as
 * gru_forward_row; bench_cell_loops: the one-loop form took 1.01-1.12x as long on Zen 3). */
static void LOOP(lstm_forward_row)(int H, const real *restrict xp, const real *restrict hp,
                             const real *restrict c_prev, real *restrict c, real *restrict h,
                             real *restrict cache) {
    LOOP(sigmoid_columns)(0, 2 * H, xp, hp, cache);
    LOOP(tanh_columns)(2 * H, 3 * H, xp, hp, cache);
    LOOP(sigmoid_columns)(3 * H, 4 * H, xp, hp, cache);
    for (int j = 0; j < H; j++)
        lstm_unit_state(H, j, cache[j], cache[H + j], cache[2 * H + j], cache[3 * H + j], c_prev, c, h, cache);
}

static void LOOP(lstm_forward)(int B, int H, const real *xp, const real *hp, const real *c_prev,
                             real *c, real *h, real *cache) {
    for (long b = 0; b < B; b++)
        LOOP(lstm_forward_row)(H, xp + 4 * b * H, hp + 4 * b * H, c_prev + b * H, c + b * H,
                         h + b * H, cache + 5 * b * H);
}

static void LOOP(lstm_backward_row)(int H, const real *restrict cache, const real *restrict dh,
                              const real *restrict dc, const real *restrict c_prev,
                              real *restrict dxp, real *restrict dc_prev) {
    for (int j = 0; j < H; j++) lstm_unit_backward(H, j, cache, dh, dc, c_prev, dxp, dc_prev);
}

static void LOOP(lstm_backward)(int B, int H, const real *cache, const real *dh, const real *dc,
                              const real *c_prev, real *dxp, real *dc_prev) {
    for (long b = 0; b < B; b++)
        LOOP(lstm_backward_row)(H, cache + 5 * b * H, dh + b * H, dc + b * H, c_prev + b * H,
                          dxp + 4 * b * H, dc_prev + b * H);
}

static void LOOP(gru_gates_row)(int H, const real *restrict xp, const real *restrict hp,
                          real *restrict cache) {
    LOOP(sigmoid_columns)(0, 2 * H, xp, hp, cache); /* r, z: gru_unit_gates */
}

static void LOOP(gru_gates)(int B, int H, const real *xp, const real *hp, real *cache) {
    for (long b = 0; b < B; b++) LOOP(gru_gates_row)(H, xp + 3 * b * H, hp + 3 * b * H, cache + 4 * b * H);
}

static void LOOP(gru_reset_hidden)(int B, int H, const real *h_prev, real *cache) {
    for (long b = 0; b < B; b++)
        for (int j = 0; j < H; j++) gru_unit_reset_hidden(H, j, h_prev + b * H, cache + 4 * b * H);
}

static void LOOP(gru_textbook_candidate_row)(int H, const real *restrict xp, const real *restrict hp,
                                             const real *restrict h_prev, real *restrict h,
                                             real *restrict cache) {
    for (int j = 0; j < H; j++) gru_unit_candidate(H, j, 1, xp, hp, h_prev, h, cache);
}

static void LOOP(gru_textbook_candidate)(int B, int H, const real *xp, const real *hp, const real *h_prev,
                                         real *h, real *cache) {
    for (long b = 0; b < B; b++) {
        long k = b * H;
        LOOP(gru_textbook_candidate_row)(H, xp + 3 * k, hp + 3 * k, h_prev + k, h + k, cache + 4 * k);
    }
}

static void LOOP(gru_update_candidate_row)(int H, const real *restrict cache, const real *restrict dh,
                                     const real *restrict h_prev, real *restrict dxp,
                                     real *restrict dh_prev) {
    for (int j = 0; j < H; j++) gru_unit_update_candidate_backward(H, j, cache, dh, h_prev, dxp, dh_prev);
}

static void LOOP(gru_update_candidate_backward)(int B, int H, const real *cache, const real *dh,
                                              const real *h_prev, real *dxp, real *dh_prev) {
    for (long b = 0; b < B; b++)
        LOOP(gru_update_candidate_row)(H, cache + 4 * b * H, dh + b * H, h_prev + b * H,
                                 dxp + 3 * b * H, dh_prev + b * H);
}

/* The PyTorch GRU's step as two loops, r and z over 2H units, then n and h: the same
 * arithmetic per unit as gru_unit_forward, in loop bodies small enough that the core keeps
 * more of their long exp and divide chains in flight (bench_cell_loops: the one-loop form
 * took 1.2-1.4x as long on Zen 3). */
static void LOOP(gru_forward_row)(int H, const real *restrict xp, const real *restrict hp,
                                  const real *restrict h_prev, real *restrict h, real *restrict cache) {
    LOOP(gru_gates_row)(H, xp, hp, cache);
    for (int j = 0; j < H; j++) gru_unit_candidate(H, j, 0, xp, hp, h_prev, h, cache);
}

static void LOOP(gru_forward)(int B, int H, const real *xp, const real *hp, const real *h_prev, real *h,
                              real *cache) {
    for (long b = 0; b < B; b++)
        LOOP(gru_forward_row)(H, xp + 3 * b * H, hp + 3 * b * H, h_prev + b * H, h + b * H, cache + 4 * b * H);
}

static void LOOP(gru_backward_row)(int H, const real *restrict cache, const real *restrict dh,
                                   const real *restrict h_prev, real *restrict dxp, real *restrict dhp,
                                   real *restrict dh_prev) {
    for (int j = 0; j < H; j++) gru_unit_backward(H, j, cache, dh, h_prev, dxp, dhp, dh_prev);
}

static void LOOP(gru_backward)(int B, int H, const real *cache, const real *dh, const real *h_prev,
                               real *dxp, real *dhp, real *dh_prev) {
    for (long b = 0; b < B; b++)
        LOOP(gru_backward_row)(H, cache + 4 * b * H, dh + b * H, h_prev + b * H, dxp + 3 * b * H,
                               dhp + 3 * b * H, dh_prev + b * H);
}

static void LOOP(gru_textbook_reset_backward)(int B, int H, const real *cache, const real *drh,
                                            const real *h_prev, real *dxp, real *dh_prev) {
    for (long b = 0; b < B; b++)
        for (int j = 0; j < H; j++)
            gru_unit_textbook_reset_backward(j, cache + 4 * b * H, drh + b * H, h_prev + b * H,
                                             dxp + 3 * b * H, dh_prev + b * H);
}

static void LOOP(row_bias_part)(void *arg, int i) {
    const SplitCall *c = arg;
    long r0 = cpu_part_start(c->rows, i, c->parts), r1 = cpu_part_start(c->rows, i + 1, c->parts);
    const real *restrict bias = c->in;
    real *restrict Y = c->out;
    for (long r = r0; r < r1; r++)
        for (int j = 0; j < c->cols; j++) Y[r * c->cols + j] += bias[j];
}

static void LOOP(add_rows)(int H, const real *restrict a, const real *restrict b, real *restrict out) {
    for (int j = 0; j < H; j++) out[j] = a[j] + b[j];
}

/* ops.h step_gather_gradient: dh = dh_carry + dy_t (dc = dc_carry) for unfinished rows,
 * zeros for finished ones; each row's adds in one vectorised pass. */
static void LOOP(step_gather_gradient)(int B, int H, int t, const int32_t *lengths, const real *dh_carry,
                                       const real *dc_carry, const real *dy_t, int dy_stride, real *dh,
                                       real *dc) {
    for (long b = 0; b < B; b++) {
        long k = b * H;
        if (t < lengths[b]) {
            LOOP(add_rows)(H, dh_carry + k, dy_t + b * dy_stride, dh + k);
            if (dc) memcpy(dc + k, dc_carry + k, sizeof(real) * (size_t)H);
        } else {
            memset(dh + k, 0, sizeof(real) * (size_t)H);
            if (dc) memset(dc + k, 0, sizeof(real) * (size_t)H);
        }
    }
}

/* Y[i] += bias, by ranges of rows on the CPU threads. */
static void LOOP(add_row_bias)(int rows, int cols, const real *bias, real *Y) {
    SplitCall c = {rows, cols, split_parts((long)rows * cols, rows), bias, Y};
    cpu_parallel(c.parts, c.parts > 1, LOOP(row_bias_part), &c);
}

static void LOOP(add_columns)(int rows, int j0, int j1, const real *restrict X, long ldx, real *restrict out) {
    for (long r = 0; r < rows; r++)
        for (int j = j0; j < j1; j++) out[j] += X[r * ldx + j];
}

static void LOOP(column_sums_part)(void *arg, int i) {
    const SplitCall *c = arg;
    LOOP(add_columns)(c->rows, (int)cpu_part_start(c->cols, i, c->parts), (int)cpu_part_start(c->cols, i + 1, c->parts),
                      c->in, c->cols, c->out);
}

/* out += column sums of X, by ranges of columns on the CPU threads (each column summed in
 * row order whatever the split). */
static void LOOP(add_column_sums)(int rows, int cols, const real *X, real *out) {
    SplitCall c = {rows, cols, split_parts((long)rows * cols, cols / 16), X, out};
    cpu_parallel(c.parts, c.parts > 1, LOOP(column_sums_part), &c);
}

/* Sum of squares of one block in double, in a fixed order whatever the vector width:
 * element i goes to running sum i % 8, and the 8 sums are added pairwise at the end (one
 * dependent chain of adds per element, as a plain loop has, would keep the vector units
 * idle). */
static double LOOP(block_sum_squares)(long n, const real *restrict x) {
    double s[8] = {0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) s[l] += (double)x[i + l] * x[i + l];
    for (int l = 0; i < n; i++, l++) s[l] += (double)x[i] * x[i];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static void LOOP(sum_squares_part)(void *arg, int i) {
    const SumSquaresCall *c = arg;
    long b1 = cpu_part_start(c->blocks, i + 1, c->parts);
    for (long b = cpu_part_start(c->blocks, i, c->parts); b < b1; b++) {
        long start = b * SUM_SQUARES_BLOCK, n = c->n - start < SUM_SQUARES_BLOCK ? c->n - start : SUM_SQUARES_BLOCK;
        c->sums[b] = LOOP(block_sum_squares)(n, c->x + start);
    }
}

/* ops.h sum_squares: blocks on the CPU threads, their sums added in block order (the
 * same bits on any number of threads). */
static void LOOP(sum_squares)(long n, const real *x, double *out) {
    long blocks = (n + SUM_SQUARES_BLOCK - 1) / SUM_SQUARES_BLOCK;
    block_sums = xgrow_aligned(block_sums, &block_sums_bytes, sizeof(double) * (size_t)(blocks ? blocks : 1),
                               "the gradient's block sums");
    SumSquaresCall c = {n, blocks, split_parts(n, (int)(blocks < CPU_PARALLEL_MAX ? blocks : CPU_PARALLEL_MAX)), x,
                        block_sums};
    cpu_parallel(c.parts, c.parts > 1, LOOP(sum_squares_part), &c);
    double total = 0;
    for (long b = 0; b < blocks; b++) total += block_sums[b];
    *out = total;
}

/* ops.h gemm_tn_sums with this copy's column sums (0: not fused, linear.c's fallback). */
static int LOOP(gemm_tn_sums)(int M, int K, const real *A, int lda, int count, const TnRight *right, real *sums,
                              real *sums2) {
    return gemm_tn_sums_with(LOOP(add_columns), M, K, A, lda, count, right, sums, sums2);
}
