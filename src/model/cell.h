/* cell.h: one recurrent cell step, forward and backward, for every cell type.
 *
 * Shapes (rightmost fastest): B samples, H hidden units, G gates (RNN 1, LSTM 4, GRU 3).
 * The input projection xp = x W_ih^T + b_ih of all timesteps is computed before the time
 * loop by the layer (layer.c); a cell step adds the recurrent projection h_prev W_hh^T +
 * b_hh, applies its gates, and writes h (and c). Gate blocks in W_ih/W_hh rows follow
 * PyTorch: LSTM i,f,g,o; GRU r,z,n. A cell knows nothing about sequence lengths: the
 * layer freezes finished samples after the step and feeds them zero gradients.
 * Cells must not allocate; every buffer comes in the step structs, and all arithmetic goes
 * through the backend's ops (ops.h): a cell here only sequences GEMMs and the per-unit
 * steps of cell_math.h. */
#ifndef RECUR_CELL_H
#define RECUR_CELL_H

#include "../core/real.h"
#include "model_config.h"
#include "ops.h"

typedef struct CellForward {
    const ModelOps *ops;
    int B, H;
    const real *xp;     /* [B][G*H] input projection at this step, b_ih included */
    const real *h_prev; /* [B][H] */
    const real *c_prev; /* [B][H] LSTM only */
    const real *w_hh;   /* [G*H][H] */
    const real *b_hh;   /* [G*H] */
    real *scratch;      /* [B][G*H] room for the recurrent projection */
    real *h;            /* out [B][H] */
    real *c;            /* out [B][H] LSTM only */
    real *cache;        /* out [B][cache_width*H] what backward needs */
} CellForward;

typedef struct CellBackward {
    const ModelOps *ops;
    int B, H;
    const real *dh;     /* [B][H] dL/dh_t (zero rows for finished samples) */
    const real *dc;     /* [B][H] dL/dc_t, LSTM only */
    const real *h_prev; /* [B][H] */
    const real *c_prev; /* [B][H] LSTM only */
    const real *h;      /* [B][H] h_t as the forward step computed it */
    const real *c;      /* [B][H] c_t, LSTM only */
    const real *cache;  /* [B][cache_width*H] from the forward step */
    const real *w_hh;   /* [G*H][H] */
    real *dxp;          /* out [B][G*H] dL/d(input projection) */
    real *dhp;          /* out [B][G*H] dL/d(recurrent projection); == dxp unless split_grads */
    real *dh_prev;      /* out [B][H] dL/dh_{t-1}, overwritten */
    real *dc_prev;      /* out [B][H] dL/dc_{t-1}, LSTM only, overwritten */
    real *scratch;      /* [B][H] */
} CellBackward;

typedef struct CellKind {
    CellType type;
    const char *name;
    int gates;          /* G */
    int cache_width;    /* cache per sample per step, in units of H */
    int has_cell_state; /* LSTM's c */
    int split_grads;    /* dhp differs from dxp (PyTorch GRU: r scales W_hn h + b_hn) */
    void (*forward)(const CellForward *f);
    void (*backward)(const CellBackward *g);
    /* dW_hh += gradient over all T*B rows. NULL: dhp^T h_prev, one GEMM (every cell
     * whose recurrent GEMM input is h_prev). dhp [rows][G*H], h_prev [rows][H]. */
    void (*recurrent_weight_grad)(const ModelOps *ops, int rows, int H, const real *dhp,
                                  const real *h_prev, const real *cache, real *dw_hh);
    /* The step split around its one recurrent product, for a backend that computes that
     * product itself (the CPU's fused time loop, recurrence_cpu.c). forward = projection
     * into f->scratch (h_prev W_hh^T + b_hh, all G*H columns), then forward_pointwise;
     * backward = backward_pointwise, then dh_prev = dhp W_hh, added to what
     * backward_pointwise left in dh_prev when backprop_adds. NULL for a step with two
     * dependent products (textbook GRU). */
    void (*forward_pointwise)(const CellForward *f);
    void (*backward_pointwise)(const CellBackward *g);
    int backprop_adds;
} CellKind;

const CellKind *cell_kind(CellType type);

/* Shared by the cells: scratch[:, row0:row0+n] = input W_hh[row0:row0+n]^T + b_hh[row0:..]
 * for `input` [B][H] with row stride ld_input; scratch keeps its [B][G*H] layout. */
void cell_recurrent_projection(const CellForward *f, int G, int row0, int n, const real *input,
                               int ld_input);
/* dh_prev (+)= dhp[:, row0:row0+n] W_hh[row0:row0+n] ; beta 0 overwrites, 1 adds. */
void cell_recurrent_backprop(const CellBackward *g, int G, int row0, int n, real beta);


#endif
