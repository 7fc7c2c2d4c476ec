/* optimizer.h: parameter updates from averaged gradients, over the model's flat buffers.
 * SGD with optional momentum and (coupled, L2) weight decay, as torch.optim.SGD:
 *   g += wd * w;  v = mu * v + g (v = g at the first step);  w -= lr * v.
 * State is one buffer the size of the parameters. No allocation per step. */
#ifndef RECUR_OPTIMIZER_H
#define RECUR_OPTIMIZER_H

#include <stddef.h>

#include "config/config.h"
#include "core/real.h"

typedef struct Optimizer {
    OptimizerType type;
    double lr, momentum, weight_decay;
    size_t n;
    real *velocity; /* [n] */
    long steps;     /* updates applied */
} Optimizer;

void optimizer_init(Optimizer *o, const TrainConfig *cfg, size_t num_params);
void optimizer_step(Optimizer *o, real *weights, real *grads);
void optimizer_free(Optimizer *o);

/* Global L2 norm of grads (accumulated in double). */
double grad_norm(const real *grads, size_t n);
/* Scales grads so their norm is at most max_norm (when max_norm > 0 and norm > max_norm). */
void clip_grad_norm(real *grads, size_t n, double norm, double max_norm);

#endif
