/* cell_lstm.c: the LSTM step with PyTorch's gate order i,f,g,o:
 *   i,f,o = sigmoid(.), g = tanh(.), c = f*c_prev + i*g, h = o*tanh(c).
 * Cache per sample: the four activated gates and tanh(c), [i|f|g|o|tanh c], 5H.
 * Inner loops take restrict row pointers so the compiler vectorizes them. */
#include "cell.h"

static void lstm_forward_row(int H, const real *restrict xp, const real *restrict hp,
                             const real *restrict c_prev, real *restrict c, real *restrict h,
                             real *restrict gates) {
    for (int j = 0; j < H; j++) {
        real i = act_sigmoid(xp[j] + hp[j]);
        real f = act_sigmoid(xp[H + j] + hp[H + j]);
        real g = act_tanh(xp[2 * H + j] + hp[2 * H + j]);
        real o = act_sigmoid(xp[3 * H + j] + hp[3 * H + j]);
        real cj = f * c_prev[j] + i * g, tc = act_tanh(cj);
        c[j] = cj;
        h[j] = o * tc;
        gates[j] = i, gates[H + j] = f, gates[2 * H + j] = g, gates[3 * H + j] = o;
        gates[4 * H + j] = tc;
    }
}

static void lstm_forward(const CellForward *f) {
    int H = f->H;
    cell_recurrent_projection(f, 4, 0, 4 * H, f->h_prev, H);
    for (int b = 0; b < f->B; b++) {
        long k = (long)b * H;
        lstm_forward_row(H, f->xp + 4 * k, f->scratch + 4 * k, f->c_prev + k, f->c + k, f->h + k,
                         f->cache + 5 * k);
    }
}

static void lstm_backward_row(int H, const real *restrict gates, const real *restrict dh,
                              const real *restrict dc_in, const real *restrict c_prev,
                              real *restrict d, real *restrict dc_prev) {
    for (int j = 0; j < H; j++) {
        real i = gates[j], f = gates[H + j], g = gates[2 * H + j], o = gates[3 * H + j];
        real tc = gates[4 * H + j];
        real dc = dc_in[j] + dh[j] * o * (1 - tc * tc);
        d[j] = dc * g * i * (1 - i);
        d[H + j] = dc * c_prev[j] * f * (1 - f);
        d[2 * H + j] = dc * i * (1 - g * g);
        d[3 * H + j] = dh[j] * tc * o * (1 - o);
        dc_prev[j] = dc * f;
    }
}

static void lstm_backward(const CellBackward *g) {
    int H = g->H;
    for (int b = 0; b < g->B; b++) {
        long k = (long)b * H;
        lstm_backward_row(H, g->cache + 5 * k, g->dh + k, g->dc + k, g->c_prev + k, g->dxp + 4 * k,
                          g->dc_prev + k);
    }
    cell_recurrent_backprop(g, 4, 0, 4 * H, 0);
}

const CellKind cell_lstm = {"lstm", 4, 5, 1, 0, lstm_forward, lstm_backward, 0};
