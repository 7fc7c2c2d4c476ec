/* cell_rnn.c: the Elman RNN step, h = act(xp + W_hh h_prev + b_hh), act = tanh or relu.
 * Backward needs only h_t itself (act' is a function of the output), so no cache. */
#include "cell.h"

static void tanh_pointwise(const CellForward *f) { f->ops->rnn_forward(f->B, f->H, 0, f->xp, f->scratch, f->h); }
static void relu_pointwise(const CellForward *f) { f->ops->rnn_forward(f->B, f->H, 1, f->xp, f->scratch, f->h); }
static void tanh_pointwise_backward(const CellBackward *g) { g->ops->rnn_backward(g->B, g->H, 0, g->h, g->dh, g->dxp); }
static void relu_pointwise_backward(const CellBackward *g) { g->ops->rnn_backward(g->B, g->H, 1, g->h, g->dh, g->dxp); }

static void tanh_forward(const CellForward *f) {
    cell_recurrent_projection(f, 1, 0, f->H, f->h_prev, f->H);
    tanh_pointwise(f);
}
static void relu_forward(const CellForward *f) {
    cell_recurrent_projection(f, 1, 0, f->H, f->h_prev, f->H);
    relu_pointwise(f);
}
static void tanh_backward(const CellBackward *g) {
    tanh_pointwise_backward(g);
    cell_recurrent_backprop(g, 1, 0, g->H, 0);
}
static void relu_backward(const CellBackward *g) {
    relu_pointwise_backward(g);
    cell_recurrent_backprop(g, 1, 0, g->H, 0);
}

const CellKind cell_rnn_tanh = {
    .type = CELL_RNN_TANH, .name = "rnn_tanh", .gates = 1, .forward = tanh_forward,
    .backward = tanh_backward, .forward_pointwise = tanh_pointwise,
    .backward_pointwise = tanh_pointwise_backward,
};
const CellKind cell_rnn_relu = {
    .type = CELL_RNN_RELU, .name = "rnn_relu", .gates = 1, .forward = relu_forward,
    .backward = relu_backward, .forward_pointwise = relu_pointwise,
    .backward_pointwise = relu_pointwise_backward,
};
