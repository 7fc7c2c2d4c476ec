/* cell_lstm.c: the LSTM step with PyTorch's gate order i,f,g,o:
 *   i,f,o = sigmoid(.), g = tanh(.), c = f*c_prev + i*g, h = o*tanh(c).
 * Cache per sample: the four activated gates and tanh(c), [i|f|g|o|tanh c], 5H. The unit
 * arithmetic is lstm_unit_forward/backward in cell_math.h. */
#include "cell.h"

static void lstm_pointwise(const CellForward *f) {
    f->ops->lstm_forward(f->B, f->H, f->xp, f->scratch, f->c_prev, f->c, f->h, f->cache);
}

static void lstm_pointwise_backward(const CellBackward *g) {
    g->ops->lstm_backward(g->B, g->H, g->cache, g->dh, g->dc, g->c_prev, g->dxp, g->dc_prev);
}

static void lstm_forward(const CellForward *f) {
    cell_recurrent_projection(f, 4, 0, 4 * f->H, f->h_prev, f->H);
    lstm_pointwise(f);
}

static void lstm_backward(const CellBackward *g) {
    lstm_pointwise_backward(g);
    cell_recurrent_backprop(g, 4, 0, 4 * g->H, 0);
}

const CellKind cell_lstm = {
    .type = CELL_LSTM, .name = "lstm", .gates = 4, .cache_width = 5, .has_cell_state = 1,
    .forward = lstm_forward, .backward = lstm_backward, .forward_pointwise = lstm_pointwise,
    .backward_pointwise = lstm_pointwise_backward,
};
