/* cuda_kernels.h: the host-side entry points of the CUDA kernels, one per op of
 * src/model/ops.h (same arguments, device pointers), gathered into the table by
 * cuda_context.cu. Grouped by the file that defines them. */
#ifndef RECUR_CUDA_KERNELS_H
#define RECUR_CUDA_KERNELS_H

#include "model/ops.h"

/* cell_kernels.cu */
void cuda_rnn_forward(int B, int H, int relu, const real *xp, const real *hp, real *h);
void cuda_rnn_backward(int B, int H, int relu, const real *h, const real *dh, real *dxp);
void cuda_lstm_forward(int B, int H, const real *xp, const real *hp, const real *c_prev, real *c,
                       real *h, real *cache);
void cuda_lstm_backward(int B, int H, const real *cache, const real *dh, const real *dc,
                        const real *c_prev, real *dxp, real *dc_prev);
void cuda_gru_gates(int B, int H, const real *xp, const real *hp, real *cache);
void cuda_gru_reset_hidden(int B, int H, const real *h_prev, real *cache);
void cuda_gru_textbook_candidate(int B, int H, const real *xp, const real *hp, const real *h_prev, real *h,
                                 real *cache);
void cuda_gru_update_candidate_backward(int B, int H, const real *cache, const real *dh,
                                        const real *h_prev, real *dxp, real *dh_prev);
void cuda_gru_forward(int B, int H, const real *xp, const real *hp, const real *h_prev, real *h,
                      real *cache);
void cuda_gru_backward(int B, int H, const real *cache, const real *dh, const real *h_prev, real *dxp,
                       real *dhp, real *dh_prev);
void cuda_gru_textbook_reset_backward(int B, int H, const real *cache, const real *drh,
                                      const real *h_prev, real *dxp, real *dh_prev);

/* gemm_epilogue.cu: ops.h gemm_bias, gemm_tn_sums through cuBLASLt epilogues; 0 where it
 * has no algorithm */
void cuda_lt_open(void);
void cuda_lt_set_tf32(int enabled);
int cuda_lt_gemm_bias(int M, int N, int K, const real *A, int lda, const real *W, int ldw, const real *bias,
                      real *C, int ldc);
int cuda_lt_gemm_tn_sums(int M, int N, int K, const real *A, int lda, const real *B, int ldb, real *C, int ldc,
                         real *sums, real *sums2);

/* recurrence_kernels.cu: the directions' whole time loops, persistent; 0 when declined */
int cuda_recurrence_forward(const RecurrenceJob *jobs, int count);
int cuda_recurrence_backward(const RecurrenceJob *jobs, int count);

/* wavefront_kernels.cu: a unidirectional stack's time loops as one layer wavefront */
int cuda_wavefront_fits(CellType cell, int B, int H, int layers);
int cuda_wavefront_forward(const RecurrenceJob *layers, int count);
int cuda_wavefront_backward(const RecurrenceJob *layers, int count);

/* sequence_kernels.cu: masking, embedding, pooling */
void cuda_mark_valid(int T, int B, const int32_t *lengths, uint8_t *valid);
void cuda_step_freeze(int B, int H, int t, const int32_t *lengths, const real *h_prev,
                      const real *c_prev, real *h, real *c, real *out, int out_stride);
void cuda_step_gather_gradient(int B, int H, int t, const int32_t *lengths, const real *dh_carry,
                               const real *dc_carry, const real *dy_t, int dy_stride, real *dh,
                               real *dc);
void cuda_step_carry_gradient(int B, int H, int t, const int32_t *lengths, const real *dh_prev,
                              const real *dc_prev, real *dh_carry, real *dc_carry);
void cuda_embedding_forward(int N, int E, const int32_t *tokens, const real *table, real *out);
void cuda_embedding_backward(int max_heads, const int32_t *num_heads, int E, const int32_t *tokens,
                             const int32_t *heads, const int32_t *next, const real *dout, real *grad_table);
void cuda_pool_forward(Pooling kind, int T, int B, int D, int directions, const int32_t *lengths,
                       const real *y, real *pooled, int32_t *argmax);
void cuda_pool_backward(Pooling kind, int T, int B, int D, int directions,
                        const int32_t *lengths, const int32_t *argmax, const real *dpooled,
                        real *dy);

/* head_kernels.cu: bias rows, dropout, tanh, losses */
void cuda_add_row_bias(int rows, int cols, const real *bias, real *Y);
void cuda_set_rows(int rows, int cols, const real *row, real *Y, int ldy);
void cuda_dropout_forward(long n, real p, const uint64_t *seed, uint64_t stream, const real *in,
                          real *out, real *mask);
void cuda_dropout_backward(long n, const real *mask, const real *dout, real *din);
void cuda_tanh_forward(long n, real *y);
void cuda_tanh_backward(long n, const real *y, real *dy);
void cuda_loss_forward(const LossInput *in, const double *counted, double *loss);
void cuda_loss_backward(const LossInput *in, const double *counted, const double *loss, real *dlogits);

/* vector_kernels.cu */
void cuda_sum_squares(long n, const real *x, double *out);
void cuda_scale(long n, const real *a, real *x);
void cuda_scale_by_norm(long n, const double *sumsq, double max_norm, real *x);
void cuda_clamp(long n, real lo, real hi, const double *guard, real *x);

#endif
