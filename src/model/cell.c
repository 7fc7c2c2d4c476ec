/* cell.c: the cell registry and the recurrent GEMMs every cell step shares. */
#include "cell.h"

extern const CellKind cell_rnn_tanh, cell_rnn_relu, cell_lstm, cell_gru, cell_gru_textbook;

const CellKind *cell_kind(CellType type) {
    switch (type) {
    case CELL_RNN_TANH: return &cell_rnn_tanh;
    case CELL_RNN_RELU: return &cell_rnn_relu;
    case CELL_LSTM: return &cell_lstm;
    case CELL_GRU: return &cell_gru;
    case CELL_GRU_TEXTBOOK: return &cell_gru_textbook;
    }
    return 0;
}

void cell_recurrent_projection(const CellForward *f, int G, int row0, int n, const real *input,
                               int ld_input) {
    int GH = G * f->H;
    real *out = f->scratch + row0;
    f->ops->set_rows(f->B, n, f->b_hh + row0, out, GH);
    f->ops->gemm(0, 1, f->B, n, f->H, 1, input, ld_input, f->w_hh + (long)row0 * f->H, f->H, 1,
                 out, GH);
}

void cell_recurrent_backprop(const CellBackward *g, int G, int row0, int n, real beta) {
    int GH = G * g->H;
    g->ops->gemm(0, 0, g->B, g->H, n, 1, g->dhp + row0, GH, g->w_hh + (long)row0 * g->H, g->H,
                 beta, g->dh_prev, g->H);
}
