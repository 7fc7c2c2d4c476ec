/* step_shapes.h: the per-step product shapes M x N x K the GEMM benches time by default:
 * issue 17's mid size (B 64, H 128: GRU 64x384x128, LSTM 64x512x128, RNN 64x128x128, and
 * their backward products 64x128x384 ...) and small size (B 32, H 64). */
#ifndef RECUR_BENCH_STEP_SHAPES_H
#define RECUR_BENCH_STEP_SHAPES_H

static const int step_shapes[][3] = {{64, 384, 128}, {64, 128, 384}, {64, 512, 128}, {64, 128, 512},
                                     {64, 128, 128}, {32, 192, 64},  {32, 64, 192},  {32, 256, 64},
                                     {32, 64, 256},  {32, 64, 64}};
enum { STEP_SHAPES = sizeof step_shapes / sizeof step_shapes[0] };

#endif
