/* optimizer.c: the torch.optim updates, their state buffers and gradient clipping
 * (optimizer.h). One loop per optimizer over the flat buffers, with each operation in the
 * order and grouping of torch's single-tensor CPU path: add_(x, alpha=a) is self + a * x,
 * addcmul_(x, y, value=a) is self + a * x * y, addcdiv_(x, y, value=a) is self + a * x / y.
 * It must not allocate per step, read the schedule, or keep anything outside *o. */
#include "optimizer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"

/* ---- construction and state ---- */

/* torch.optim's default eps of each optimizer (sgd has none). */
static double default_eps(OptimizerType type) {
    switch (type) {
    case OPT_ADADELTA: return 1e-6;
    case OPT_ADAGRAD: return 1e-10;
    case OPT_SGD: return 0;
    default: return 1e-8;
    }
}

static void add_state(Optimizer *o, const char *name, double initial) {
    if (o->num_states == OPTIMIZER_MAX_STATES)
        recur_die(EXIT_RUNTIME, "internal: optimizer state %s: more than %d buffers", name,
                  OPTIMIZER_MAX_STATES);
    real *buf = xmalloc(sizeof(real) * (o->n ? o->n : 1), name);
    for (size_t i = 0; i < o->n; i++) buf[i] = (real)initial;
    o->state_names[o->num_states] = name;
    o->states[o->num_states++] = buf;
}

/* The buffers torch keeps for this optimizer and these settings, in torch's order. */
static void add_states(Optimizer *o, double initial_accumulator) {
    switch (o->type) {
    case OPT_SGD:
        if (o->momentum != 0) add_state(o, "momentum_buffer", 0);
        break;
    case OPT_ADAM:
    case OPT_ADAMW:
        add_state(o, "exp_avg", 0), add_state(o, "exp_avg_sq", 0);
        break;
    case OPT_RMSPROP:
        add_state(o, "square_avg", 0);
        if (o->momentum > 0) add_state(o, "momentum_buffer", 0);
        if (o->centered) add_state(o, "grad_avg", 0);
        break;
    case OPT_ADADELTA:
        add_state(o, "square_avg", 0), add_state(o, "acc_delta", 0);
        break;
    case OPT_ADAGRAD:
        add_state(o, "sum", initial_accumulator);
        break;
    }
}

void optimizer_init(Optimizer *o, const TrainConfig *cfg, size_t num_params) {
    if (cfg->optimizer == OPT_SGD && cfg->nesterov && cfg->momentum == 0)
        recur_die(EXIT_USAGE, "optimizer: nesterov = 1 needs momentum > 0 (as torch.optim.SGD)");
    *o = (Optimizer){.type = cfg->optimizer, .lr = cfg->lr, .momentum = cfg->momentum,
                     .weight_decay = cfg->weight_decay, .beta1 = cfg->beta1, .beta2 = cfg->beta2,
                     .eps = cfg->eps > 0 ? cfg->eps : default_eps(cfg->optimizer),
                     .alpha = cfg->alpha, .rho = cfg->rho, .lr_decay = cfg->lr_decay,
                     .nesterov = cfg->nesterov, .centered = cfg->centered, .n = num_params};
    add_states(o, cfg->initial_accumulator);
}

void optimizer_free(Optimizer *o) {
    for (int i = 0; i < o->num_states; i++) free(o->states[i]), o->states[i] = NULL;
    o->num_states = 0;
}

int optimizer_state_count(const Optimizer *o) { return o->num_states; }

const char *optimizer_state_name(const Optimizer *o, int i) {
    return i >= 0 && i < o->num_states ? o->state_names[i] : NULL;
}

real *optimizer_state(Optimizer *o, int i) {
    return i >= 0 && i < o->num_states ? o->states[i] : NULL;
}

real *optimizer_state_by_name(Optimizer *o, const char *name) {
    for (int i = 0; i < o->num_states; i++)
        if (strcmp(o->state_names[i], name) == 0) return o->states[i];
    return NULL;
}

/* ---- updates ---- */

/* torch's `grad = grad.add(param, alpha=weight_decay)`, skipped when weight_decay is 0. */
static inline real coupled_decay(real g, real w, real wd) { return wd != 0 ? g + wd * w : g; }

static void sgd_update(Optimizer *o, real *w, const real *g) {
    const real lr = (real)o->lr, mu = (real)o->momentum, wd = (real)o->weight_decay;
    real *momentum_buffer = optimizer_state_by_name(o, "momentum_buffer");
    const int first = o->step == 1, nesterov = o->nesterov;
    for (size_t i = 0; i < o->n; i++) {
        real d = coupled_decay(g[i], w[i], wd);
        if (momentum_buffer) {
            real b = momentum_buffer[i] = first ? d : momentum_buffer[i] * mu + d;
            d = nesterov ? d + mu * b : b;
        }
        w[i] = w[i] + -lr * d;
    }
}

/* Adam, and AdamW (decoupled: w *= 1 - lr * wd first, no L2 term). */
static void adam_update(Optimizer *o, real *w, const real *g) {
    const double t = (double)o->step;
    const int decoupled = o->type == OPT_ADAMW;
    const real step_size = (real)(o->lr / (1 - pow(o->beta1, t)));
    const real bias_correction2_sqrt = (real)sqrt(1 - pow(o->beta2, t));
    const real shrink = decoupled ? (real)(1 - o->lr * o->weight_decay) : 1;
    const real wd = decoupled ? 0 : (real)o->weight_decay, eps = (real)o->eps;
    const real beta1 = (real)o->beta1, beta2 = (real)o->beta2;
    const real one_minus_beta1 = (real)(1 - o->beta1), one_minus_beta2 = (real)(1 - o->beta2);
    real *exp_avg = optimizer_state_by_name(o, "exp_avg");
    real *exp_avg_sq = optimizer_state_by_name(o, "exp_avg_sq");
    for (size_t i = 0; i < o->n; i++) {
        if (decoupled) w[i] *= shrink;
        real gi = coupled_decay(g[i], w[i], wd);
        exp_avg[i] = exp_avg[i] * beta1 + one_minus_beta1 * gi;
        exp_avg_sq[i] = exp_avg_sq[i] * beta2 + one_minus_beta2 * gi * gi;
        real denom = (real)sqrt(exp_avg_sq[i]) / bias_correction2_sqrt + eps;
        w[i] = w[i] + -step_size * exp_avg[i] / denom;
    }
}

static void rmsprop_update(Optimizer *o, real *w, const real *g) {
    const real lr = (real)o->lr, alpha = (real)o->alpha, one_minus_alpha = (real)(1 - o->alpha);
    const real mu = (real)o->momentum, wd = (real)o->weight_decay, eps = (real)o->eps;
    real *square_avg = optimizer_state_by_name(o, "square_avg");
    real *momentum_buffer = optimizer_state_by_name(o, "momentum_buffer");
    real *grad_avg = optimizer_state_by_name(o, "grad_avg");
    for (size_t i = 0; i < o->n; i++) {
        real gi = coupled_decay(g[i], w[i], wd);
        square_avg[i] = square_avg[i] * alpha + one_minus_alpha * gi * gi;
        real variance = square_avg[i];
        if (grad_avg) {
            grad_avg[i] = grad_avg[i] * alpha + one_minus_alpha * gi;
            variance = square_avg[i] + -1 * grad_avg[i] * grad_avg[i];
        }
        real avg = (real)sqrt(variance) + eps;
        if (momentum_buffer) {
            momentum_buffer[i] = momentum_buffer[i] * mu + gi / avg;
            w[i] = w[i] + -lr * momentum_buffer[i];
        } else {
            w[i] = w[i] + -lr * gi / avg;
        }
    }
}

static void adadelta_update(Optimizer *o, real *w, const real *g) {
    const real lr = (real)o->lr, rho = (real)o->rho, one_minus_rho = (real)(1 - o->rho);
    const real wd = (real)o->weight_decay, eps = (real)o->eps;
    real *square_avg = optimizer_state_by_name(o, "square_avg");
    real *acc_delta = optimizer_state_by_name(o, "acc_delta");
    for (size_t i = 0; i < o->n; i++) {
        real gi = coupled_decay(g[i], w[i], wd);
        square_avg[i] = square_avg[i] * rho + one_minus_rho * gi * gi;
        real std = (real)sqrt(square_avg[i] + eps);
        real delta = (real)sqrt(acc_delta[i] + eps) / std * gi;
        acc_delta[i] = acc_delta[i] * rho + one_minus_rho * delta * delta;
        w[i] = w[i] + -lr * delta;
    }
}

static void adagrad_update(Optimizer *o, real *w, const real *g) {
    const real clr = (real)(o->lr / (1 + (double)(o->step - 1) * o->lr_decay));
    const real wd = (real)o->weight_decay, eps = (real)o->eps;
    real *sum = optimizer_state_by_name(o, "sum");
    for (size_t i = 0; i < o->n; i++) {
        real gi = coupled_decay(g[i], w[i], wd);
        sum[i] = sum[i] + 1 * gi * gi;
        real std = (real)sqrt(sum[i]) + eps;
        w[i] = w[i] + -clr * gi / std;
    }
}

void optimizer_step(Optimizer *o, real *weights, const real *grads) {
    o->step++;
    switch (o->type) {
    case OPT_SGD: sgd_update(o, weights, grads); break;
    case OPT_ADAM:
    case OPT_ADAMW: adam_update(o, weights, grads); break;
    case OPT_RMSPROP: rmsprop_update(o, weights, grads); break;
    case OPT_ADADELTA: adadelta_update(o, weights, grads); break;
    case OPT_ADAGRAD: adagrad_update(o, weights, grads); break;
    }
}

/* ---- clipping ---- */

double grad_norm(const real *grads, size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)grads[i] * grads[i];
    return sqrt(sum);
}

void clip_grad_norm(real *grads, size_t n, double norm, double max_norm) {
    double coef = max_norm / (norm + 1e-6);
    if (max_norm <= 0 || !(coef < 1)) return;
    real scale = (real)coef;
    for (size_t i = 0; i < n; i++) grads[i] *= scale;
}

void clip_grad_value(real *grads, size_t n, double max_value) {
    if (max_value <= 0) return;
    const real hi = (real)max_value, lo = -hi;
    for (size_t i = 0; i < n; i++) {
        if (grads[i] > hi) grads[i] = hi;
        else if (grads[i] < lo) grads[i] = lo;
    }
}
