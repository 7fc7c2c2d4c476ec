/* cell_rnn.c: the Elman RNN step, h = act(xp + W_hh h_prev + b_hh), act = tanh or relu.
 * Backward needs only h_t itself (act' is a function of the output), so no cache. */
#include "cell.h"

static void rnn_forward(const CellForward *f, int relu) {
    cell_recurrent_projection(f, 1, 0, f->H, f->h_prev, f->H);
    f->ops->rnn_forward(f->B, f->H, relu, f->xp, f->scratch, f->h);
}

static void rnn_backward(const CellBackward *g, int relu) {
    g->ops->rnn_backward(g->B, g->H, relu, g->h, g->dh, g->dxp);
    cell_recurrent_backprop(g, 1, 0, g->H, 0);
}

static void tanh_forward(const CellForward *f) { rnn_forward(f, 0); }
static void tanh_backward(const CellBackward *g) { rnn_backward(g, 0); }
static void relu_forward(const CellForward *f) { rnn_forward(f, 1); }
static void relu_backward(const CellBackward *g) { rnn_backward(g, 1); }

const CellKind cell_rnn_tanh = {CELL_RNN_TANH, "rnn_tanh", 1, 0, 0, 0, tanh_forward, tanh_backward, 0};
const CellKind cell_rnn_relu = {CELL_RNN_RELU, "rnn_relu", 1, 0, 0, 0, relu_forward, relu_backward, 0};
