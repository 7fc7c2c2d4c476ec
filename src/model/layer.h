/* layer.h: one recurrent layer (one or two directions) over a whole padded batch.
 *
 * Shapes: T steps, B samples (time-major, row t*B+b), I input width, H hidden, G gates.
 * Forward: one GEMM for the input projection of all T steps, then the time loop of cell
 * steps; a sample past its length keeps its state frozen and outputs zeros, so the reverse
 * direction starts each sample at its own last token (PyTorch's packed sequences). With
 * lengths non-increasing, a step computes only the unfinished rows.
 * Backward: BPTT through the same loop, then the weight gradients as GEMMs over all T*B
 * rows at once. Nothing here allocates; all arithmetic goes through the backend's ops.
 * A backend with whole-sequence recurrence ops (the GPU's persistent kernels) runs the
 * time loops of both directions at once, in one op.
 *
 * Lengths come twice: `lengths` in the backend's memory for the ops, and `host_lengths`
 * (the same values) for the loop's own decisions, so the GPU path never reads device
 * memory back inside the time loop. */
#ifndef RECUR_LAYER_H
#define RECUR_LAYER_H

#include <stdint.h>

#include "cell.h"

typedef struct LayerShape {
    int T, B, I, H;
    int reverse;    /* 1: the time loop runs t = T-1 .. 0 */
    int out_stride; /* row width of y/dy (H, or 2H when bidirectional) */
    int out_offset; /* this direction's column block in y/dy (0 or H) */
} LayerShape;

typedef struct RecurrentParams { /* views into the flat weight or gradient buffer */
    real *w_ih;                  /* [G*H][I] */
    real *w_hh;                  /* [G*H][H] */
    real *b_ih;                  /* [G*H] */
    real *b_hh;                  /* [G*H] */
} RecurrentParams;

typedef struct DirectionState { /* kept from forward for backward */
    real *xp;     /* [T*B][G*H] input projections */
    real *states; /* [(T+1)*B][H] h; slot 0 (forward) or T (reverse) is h0 = 0 */
    real *cells;  /* [(T+1)*B][H] c, LSTM only */
    real *cache;  /* [T*B][cache_width*H] */
} DirectionState;

typedef struct LayerScratch { /* shared by all layers, sized for the largest */
    real *step;               /* [B][G*H] */
    real *dxp, *dhp;          /* [T*B][G*H] each; dhp unused unless split_grads */
    real *dh, *dc;            /* [B][H] gradient into the current step */
    real *dh_prev, *dc_prev;  /* [B][H] gradient out of it */
    real *dh_carry, *dc_carry;/* [B][H] gradient carried from the later step */
    real *cell_scratch;       /* [B][H] */
} LayerScratch;

/* One layer: its directions (1, or 2 with the second reversed), run together. */
typedef struct LayerPass {
    const ModelOps *ops;
    const CellKind *cell;
    int directions;
    int *step_loop;                /* set to 1 when the step loop runs (NULL: not told) */
    const int32_t *host_lengths, *lengths;
    const real *x;                 /* [T*B][I], the layer's input */
    LayerShape shape[2];           /* per direction */
    RecurrentParams w[2];
    DirectionState st[2];
    const LayerScratch *scratch[2]; /* per direction; the same one serves both unless the
                                       backend runs the directions' time loops at once */
} LayerPass;

/* Rows the cell computes at step t. With lengths non-increasing (batch_fill sorts them
 * so) the unfinished samples are the first n rows and the rest are skipped, as packed
 * sequences do; otherwise all B rows are computed and the finished ones masked. */
int layer_rows_to_compute(int B, const int32_t *host_lengths, int t);

/* Forward: y [T*B][out_stride] gets each direction's columns. */
void layer_forward(const LayerPass *p, real *y);

/* BPTT: adds parameter gradients into grad[d]; dx (when not NULL) = the input gradient of
 * all directions. */
void layer_backward(const LayerPass *p, const real *dy, const RecurrentParams *grad, real *dx);
/* layer_backward's second half: after the time loops, the weight gradients and dx. */
void layer_weight_gradients(const LayerPass *p, const RecurrentParams *grad, real *dx);

/* A unidirectional stack of `layers` layers (p[l] reads y[l-1]; each its own scratch;
 * no dropout between them) as the backend's layer wavefront (ops.h), `jobs` [layers] the
 * caller's table for the op (kept between steps: no allocation per step): forward into y[l];
 * backward, from the top layer's dy, the gate gradients of every layer (then
 * layer_weight_gradients per layer, dx of layer 0 only). 0 when the backend declines:
 * the caller then runs layer_forward / layer_backward per layer. */
int layer_stack_forward(const LayerPass *p, int layers, real *const *y, RecurrenceJob *jobs);
int layer_stack_backward(const LayerPass *p, int layers, const real *dy, RecurrenceJob *jobs);

#endif
