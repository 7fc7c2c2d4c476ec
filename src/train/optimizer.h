/* optimizer.h: parameter updates from averaged gradients over the model's flat buffers, as
 * torch.optim (1.13) defines them, and gradient clipping as torch.nn.utils does.
 *
 * Per element, with g the (clipped) gradient, w the weight, lr the CURRENT rate (o->lr:
 * the trainer sets it from schedule_lr before each step) and t the step count after the
 * increment (1 at the first update). "wd" is weight_decay; every optimizer but adamw adds
 * it to the gradient first, g += wd * w (L2, coupled).
 *   sgd       b = g at t = 1, else b = mu * b + g  (dampening 0; only when mu > 0)
 *             nesterov: g = g + mu * b, else g = b;          w -= lr * g
 *   adam      m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *             w -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
 *   adamw     the same without the L2 term, after w *= 1 - lr * wd (decoupled)
 *   rmsprop   s = alpha s + (1-alpha) g^2;  centered: a = alpha a + (1-alpha) g,
 *             d = sqrt(s - a^2) + eps, else d = sqrt(s) + eps
 *             mu > 0: b = mu b + g / d, w -= lr * b;  else w -= lr * g / d
 *   adadelta  s = rho s + (1-rho) g^2;  delta = sqrt(u + eps) / sqrt(s + eps) * g
 *             u = rho u + (1-rho) delta^2;  w -= lr * delta
 *   adagrad   sum += g^2 (starting at initial_accumulator);
 *             w -= lr / (1 + (t-1) lr_decay) * g / (sqrt(sum) + eps)
 * eps = 0 in the config means PyTorch's default for the optimizer (1e-8 adam, adamw,
 * rmsprop; 1e-6 adadelta; 1e-10 adagrad). amsgrad, maximize, dampening are not offered.
 *
 * State: only the buffers the chosen optimizer needs, each [n] and named as in torch's
 * state dict — sgd: momentum_buffer (mu > 0); adam, adamw: exp_avg, exp_avg_sq; rmsprop:
 * square_avg, then momentum_buffer (mu > 0), then grad_avg (centered); adadelta:
 * square_avg, acc_delta; adagrad: sum — plus the step count o->step. A checkpoint that
 * saves them by name and o->step and restores them into an optimizer made from the same
 * config continues exactly. Arithmetic is in `real`, in PyTorch's order of operations.
 * No allocation per step; no global state. */
#ifndef RECUR_OPTIMIZER_H
#define RECUR_OPTIMIZER_H

#include <stddef.h>

#include "config/config.h"
#include "core/optimizer_math.h"
#include "core/real.h"
#include "model/ops.h"

enum { OPTIMIZER_MAX_STATES = 3 };

typedef struct Optimizer {
    OptimizerType type;
    double lr;                 /* the rate of the next step; set by the trainer */
    double momentum, weight_decay, beta1, beta2, eps, alpha, rho, lr_decay;
    int nesterov, centered;
    size_t n;                  /* parameters */
    const ModelOps *ops;       /* the backend whose memory holds the state buffers */
    long step;                 /* updates applied (torch's state["step"]) */
    int num_states;
    const char *state_names[OPTIMIZER_MAX_STATES];
    real *states[OPTIMIZER_MAX_STATES]; /* [n] each */
    OptimizerUpdate *update;   /* [1] backend memory: optimizer_step's scalars, uploaded */
} Optimizer;

/* Reads the optimizer keys of cfg (not its schedule); o->lr starts at cfg->lr. Zeroed
 * state, except adagrad's sum = initial_accumulator. */
void optimizer_init(Optimizer *o, const TrainConfig *cfg, size_t num_params); /* CPU */
/* State in `ops`'s memory; weights and grads given to optimizer_step must be there too. */
void optimizer_init_on(Optimizer *o, const TrainConfig *cfg, size_t num_params, const ModelOps *ops);
/* One update of weights[n] from grads[n] with rate o->lr; grads are not modified. */
void optimizer_step(Optimizer *o, real *weights, const real *grads);
/* The same, queued, except that the backend applies nothing when *guard (a double in the
 * backend's memory: the squared gradient norm) is not finite; the host learns it later and
 * then calls optimizer_step_undo, which puts the step count back. */
void optimizer_step_guarded(Optimizer *o, real *weights, const real *grads, const double *guard);
void optimizer_step_undo(Optimizer *o);
/* optimizer_step_guarded in two halves, for a trainer that uploads a step's scalars with
 * the others (model/step_scalars.h) and queues the same work at every step:
 * optimizer_begin_step counts the step and writes its scalars into *u (host memory);
 * optimizer_apply queues the update with scalars *u read from the backend's memory. */
void optimizer_begin_step(Optimizer *o, OptimizerUpdate *u);
void optimizer_apply(Optimizer *o, const OptimizerUpdate *u, real *weights, const real *grads,
                     const double *guard);
void optimizer_free(Optimizer *o);

/* State buffers for checkpoints: i in [0, optimizer_state_count). */
int optimizer_state_count(const Optimizer *o);
const char *optimizer_state_name(const Optimizer *o, int i);
real *optimizer_state(Optimizer *o, int i); /* in the backend's memory */
/* The buffer named `name`, or NULL when this optimizer keeps none by that name. */
real *optimizer_state_by_name(Optimizer *o, const char *name);

/* One step's clipping on a backend's memory, queued without waiting, the norms kept there:
 * sums[0] = the squared norm of the gradients as they came (the trainer's non-finite guard),
 * sums[1] = after clip_value (what clip_norm divides by; only written when clip_value > 0).
 * clip_value first, then clip_norm, as below; when sums[0] is not finite, clip_value leaves
 * the gradients as they are. sums: 2 doubles of backend memory. */
void clip_grads_on(const ModelOps *ops, real *grads, size_t n, double clip_value, double clip_norm,
                   double *sums);

/* Global L2 norm of grads (accumulated in double). */
double grad_norm(const real *grads, size_t n);
/* torch.nn.utils.clip_grad_norm_: grads *= max_norm / (norm + 1e-6) when that is below 1
 * (and max_norm > 0); `norm` is grad_norm(grads, n). */
void clip_grad_norm(real *grads, size_t n, double norm, double max_norm);
/* torch.nn.utils.clip_grad_value_: every element into [-max_value, max_value] (when
 * max_value > 0); NaN stays NaN. The trainer clips by value first, then by norm. */
void clip_grad_value(real *grads, size_t n, double max_value);

#endif
