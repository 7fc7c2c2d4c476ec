/* cell_lstm.c: the LSTM step with PyTorch's gate order i,f,g,o:
 *   i,f,o = sigmoid(.), g = tanh(.), c = f*c_prev + i*g, h = o*tanh(c).
 * Cache per sample: the four activated gates [i|f|g|o], 4H. */
#include "cell.h"

static void lstm_forward(const CellForward *f) {
    int H = f->H;
    cell_recurrent_projection(f, 4, 0, 4 * H, f->h_prev, H);
    for (int b = 0; b < f->B; b++) {
        const real *xp = f->xp + (long)b * 4 * H, *hp = f->scratch + (long)b * 4 * H;
        real *gates = f->cache + (long)b * 4 * H;
        for (int j = 0; j < H; j++) {
            real i = sigmoid_r(xp[j] + hp[j]);
            real fg = sigmoid_r(xp[H + j] + hp[H + j]);
            real g = real_tanh(xp[2 * H + j] + hp[2 * H + j]);
            real o = sigmoid_r(xp[3 * H + j] + hp[3 * H + j]);
            long k = (long)b * H + j;
            real c = fg * f->c_prev[k] + i * g;
            f->c[k] = c;
            f->h[k] = o * real_tanh(c);
            gates[j] = i, gates[H + j] = fg, gates[2 * H + j] = g, gates[3 * H + j] = o;
        }
    }
}

static void lstm_backward(const CellBackward *g) {
    int H = g->H;
    for (int b = 0; b < g->B; b++) {
        const real *gates = g->cache + (long)b * 4 * H;
        real *d = g->dxp + (long)b * 4 * H;
        for (int j = 0; j < H; j++) {
            long k = (long)b * H + j;
            real i = gates[j], f = gates[H + j], gg = gates[2 * H + j], o = gates[3 * H + j];
            real tc = real_tanh(g->c[k]);
            real dc = g->dc[k] + g->dh[k] * o * (1 - tc * tc);
            d[j] = dc * gg * i * (1 - i);
            d[H + j] = dc * g->c_prev[k] * f * (1 - f);
            d[2 * H + j] = dc * i * (1 - gg * gg);
            d[3 * H + j] = g->dh[k] * tc * o * (1 - o);
            g->dc_prev[k] = dc * f;
        }
    }
    cell_recurrent_backprop(g, 4, 0, 4 * H, 0);
}

const CellKind cell_lstm = {"lstm", 4, 4, 1, 0, lstm_forward, lstm_backward, 0};
