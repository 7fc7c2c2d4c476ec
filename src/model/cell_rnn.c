/* cell_rnn.c: the Elman RNN step, h = act(xp + W_hh h_prev + b_hh), act = tanh or relu.
 * Backward needs only h_t itself (act' is a function of the output), so no cache. */
#include "cell.h"

static void rnn_forward(const CellForward *f, int relu) {
    cell_recurrent_projection(f, 1, 0, f->H, f->h_prev, f->H);
    long n = (long)f->B * f->H;
    for (long i = 0; i < n; i++) {
        real pre = f->xp[i] + f->scratch[i];
        f->h[i] = relu ? (pre > 0 ? pre : 0) : act_tanh(pre);
    }
}

static void rnn_backward(const CellBackward *g, int relu) {
    long n = (long)g->B * g->H;
    for (long i = 0; i < n; i++) {
        real h = g->h[i];
        g->dxp[i] = g->dh[i] * (relu ? (h > 0 ? 1 : 0) : 1 - h * h);
    }
    cell_recurrent_backprop(g, 1, 0, g->H, 0);
}

static void tanh_forward(const CellForward *f) { rnn_forward(f, 0); }
static void tanh_backward(const CellBackward *g) { rnn_backward(g, 0); }
static void relu_forward(const CellForward *f) { rnn_forward(f, 1); }
static void relu_backward(const CellBackward *g) { rnn_backward(g, 1); }

const CellKind cell_rnn_tanh = {"rnn_tanh", 1, 0, 0, 0, tanh_forward, tanh_backward, 0};
const CellKind cell_rnn_relu = {"rnn_relu", 1, 0, 0, 0, relu_forward, relu_backward, 0};
