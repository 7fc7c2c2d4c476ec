/* optimizer_math.h: one element's update for every optimizer of train/optimizer.h, written
 * once for the CPU loop (train/optimizer.c) and the CUDA kernel
 * (kernels/optimizer_kernels.cu). A leaf: it includes only core/ headers (the optimizer is
 * named by core/optimizer_type.h, not the config), and must not allocate, read the
 * schedule or know about the trainer.
 *
 * The per-step scalars (rate, bias corrections, decay factors) are computed once on the
 * host into an OptimizerUpdate; an element's update then needs only them, its weight and
 * gradient, and its slots in the state buffers. Each operation keeps the order and
 * grouping of torch's single-tensor path (see optimizer.c). */
#ifndef RECUR_OPTIMIZER_MATH_H
#define RECUR_OPTIMIZER_MATH_H

#include <math.h>

#include "core/hd.h"
#include "core/optimizer_type.h"
#include "core/real.h"

typedef struct OptimizerUpdate {
    OptimizerType type;
    int first, nesterov, decoupled;   /* first: the first step (sgd's buffer starts at g) */
    real lr, mu, wd, eps;             /* wd is 0 for adamw (its decay is `shrink`) */
    real beta1, beta2, one_minus_beta1, one_minus_beta2, step_size, bias_correction2_sqrt, shrink;
    real inv_bias_correction2_sqrt;   /* its reciprocal, correctly rounded; 0: divide (eps < 2^-40) */
    real alpha, one_minus_alpha;      /* rmsprop */
    real rho, one_minus_rho;          /* adadelta */
} OptimizerUpdate;

/* The state buffers, by torch's names; NULL where this optimizer keeps none. */
typedef struct OptimizerBuffers {
    real *momentum_buffer, *exp_avg, *exp_avg_sq, *square_avg, *grad_avg, *acc_delta, *sum;
} OptimizerBuffers;

/* torch's `grad = grad.add(param, alpha=weight_decay)`, skipped when weight_decay is 0. */
RECUR_HD static inline real coupled_decay(real g, real w, real wd) { return wd != 0 ? g + wd * w : g; }

RECUR_HD static inline real real_sqrt(real x) { return (real)sqrt(x); }

#ifdef RECUR_REAL_DOUBLE
RECUR_HD static inline real real_fma(real a, real b, real c) { return fma(a, b, c); }
#else
RECUR_HD static inline real real_fma(real a, real b, real c) { return fmaf(a, b, c); }
#endif

/* a / b for a per-step scalar b, given inv_b = 1 / b correctly rounded: the product a * inv_b
 * corrected by its residual, a - b q exact in one fused multiply-add (Markstein). That is
 * the correctly rounded quotient, a / b's bits, for every a >= 2^-100 (test_optim checks
 * 3 M pairs); below, where the residual underflows, it can be one ulp off, which Adam's
 * `+ eps` (>= 2^-40, else it divides) then rounds away (a = sqrt(v) only gets there at 0).
 * It leaves the divider, which bounds Adam's loop, to the one division per element that has
 * no scalar divisor. */
RECUR_HD static inline real divide_by_scalar(real a, real b, real inv_b) {
    real q = a * inv_b;
    return real_fma(real_fma(-q, b, a), inv_b, q);
}

RECUR_HD static inline void sgd_element(const OptimizerUpdate *u, OptimizerBuffers s, long i,
                                        real *w, const real *g) {
    real d = coupled_decay(g[i], w[i], u->wd);
    if (s.momentum_buffer) {
        real b = s.momentum_buffer[i] = u->first ? d : s.momentum_buffer[i] * u->mu + d;
        d = u->nesterov ? d + u->mu * b : b;
    }
    w[i] = w[i] + -u->lr * d;
}

/* Adam, and AdamW (decoupled: w *= 1 - lr * wd first, no L2 term). */
RECUR_HD static inline void adam_element(const OptimizerUpdate *u, OptimizerBuffers s, long i,
                                         real *w, const real *g) {
    if (u->decoupled) w[i] *= u->shrink;
    real gi = coupled_decay(g[i], w[i], u->wd);
    s.exp_avg[i] = s.exp_avg[i] * u->beta1 + u->one_minus_beta1 * gi;
    s.exp_avg_sq[i] = s.exp_avg_sq[i] * u->beta2 + u->one_minus_beta2 * gi * gi;
    real root = real_sqrt(s.exp_avg_sq[i]), b = u->bias_correction2_sqrt, inv_b = u->inv_bias_correction2_sqrt;
    real denom = (inv_b != 0 ? divide_by_scalar(root, b, inv_b) : root / b) + u->eps;
    w[i] = w[i] + -u->step_size * s.exp_avg[i] / denom;
}

RECUR_HD static inline void rmsprop_element(const OptimizerUpdate *u, OptimizerBuffers s, long i,
                                            real *w, const real *g) {
    real gi = coupled_decay(g[i], w[i], u->wd);
    s.square_avg[i] = s.square_avg[i] * u->alpha + u->one_minus_alpha * gi * gi;
    real variance = s.square_avg[i];
    if (s.grad_avg) {
        s.grad_avg[i] = s.grad_avg[i] * u->alpha + u->one_minus_alpha * gi;
        variance = s.square_avg[i] + -1 * s.grad_avg[i] * s.grad_avg[i];
    }
    real avg = real_sqrt(variance) + u->eps;
    if (s.momentum_buffer) {
        s.momentum_buffer[i] = s.momentum_buffer[i] * u->mu + gi / avg;
        w[i] = w[i] + -u->lr * s.momentum_buffer[i];
    } else {
        w[i] = w[i] + -u->lr * gi / avg;
    }
}

RECUR_HD static inline void adadelta_element(const OptimizerUpdate *u, OptimizerBuffers s, long i,
                                             real *w, const real *g) {
    real gi = coupled_decay(g[i], w[i], u->wd);
    s.square_avg[i] = s.square_avg[i] * u->rho + u->one_minus_rho * gi * gi;
    real std = real_sqrt(s.square_avg[i] + u->eps);
    real delta = real_sqrt(s.acc_delta[i] + u->eps) / std * gi;
    s.acc_delta[i] = s.acc_delta[i] * u->rho + u->one_minus_rho * delta * delta;
    w[i] = w[i] + -u->lr * delta;
}

/* u->lr is adagrad's decayed rate lr / (1 + (t-1) lr_decay). */
RECUR_HD static inline void adagrad_element(const OptimizerUpdate *u, OptimizerBuffers s, long i,
                                            real *w, const real *g) {
    real gi = coupled_decay(g[i], w[i], u->wd);
    s.sum[i] = s.sum[i] + 1 * gi * gi;
    real std = real_sqrt(s.sum[i]) + u->eps;
    w[i] = w[i] + -u->lr * gi / std;
}

/* Dispatch on the type: a uniform branch (every element takes the same one). */
RECUR_HD static inline void optimizer_element(const OptimizerUpdate *u, OptimizerBuffers s, long i,
                                              real *w, const real *g) {
    switch (u->type) {
    case OPT_SGD: sgd_element(u, s, i, w, g); break;
    case OPT_ADAM:
    case OPT_ADAMW: adam_element(u, s, i, w, g); break;
    case OPT_RMSPROP: rmsprop_element(u, s, i, w, g); break;
    case OPT_ADADELTA: adadelta_element(u, s, i, w, g); break;
    case OPT_ADAGRAD: adagrad_element(u, s, i, w, g); break;
    }
}

#endif
