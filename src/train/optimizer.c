/* optimizer.c: the torch.optim updates, their state buffers and gradient clipping
 * (optimizer.h). Per step the scalars are computed here; the per-element update is
 * core/optimizer_math.h's, run by one loop per optimizer on the CPU or by one CUDA kernel
 * on a GPU model, with each operation in the order and grouping of torch's single-tensor CPU
 * path: add_(x, alpha=a) is self + a * x, addcmul_(x, y, value=a) is self + a * x * y,
 * addcdiv_(x, y, value=a) is self + a * x / y. It must not allocate per step, read the
 * schedule, or keep anything outside *o. */
#include "optimizer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/blas.h"
#include "core/check.h"
#include "core/cpu_parallel.h"
#include "core/optimizer_math.h"
#ifdef RECUR_HAVE_GPU
#include "cuda_ops.h"
#endif

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
    real *buf = o->ops->alloc(sizeof(real) * (o->n ? o->n : 1), name);
    if (initial != 0) {
        real *host = xmalloc(sizeof(real) * (o->n ? o->n : 1), name);
        for (size_t i = 0; i < o->n; i++) host[i] = (real)initial;
        o->ops->upload(buf, host, sizeof(real) * o->n);
        free(host);
    }
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
    optimizer_init_on(o, cfg, num_params, cpu_model_ops());
}

void optimizer_init_on(Optimizer *o, const TrainConfig *cfg, size_t num_params, const ModelOps *ops) {
    if (cfg->optimizer == OPT_SGD && cfg->nesterov && cfg->momentum == 0)
        recur_die(EXIT_USAGE, "optimizer: nesterov = 1 needs momentum > 0 (as torch.optim.SGD)");
    *o = (Optimizer){.type = cfg->optimizer, .lr = cfg->lr, .momentum = cfg->momentum,
                     .weight_decay = cfg->weight_decay, .beta1 = cfg->beta1, .beta2 = cfg->beta2,
                     .eps = cfg->eps > 0 ? cfg->eps : default_eps(cfg->optimizer),
                     .alpha = cfg->alpha, .rho = cfg->rho, .lr_decay = cfg->lr_decay,
                     .nesterov = cfg->nesterov, .centered = cfg->centered, .n = num_params,
                     .ops = ops};
    add_states(o, cfg->initial_accumulator);
    o->update = ops->alloc(sizeof *o->update, "optimizer step scalars");
}

void optimizer_free(Optimizer *o) {
    for (int i = 0; i < o->num_states; i++) o->ops->release(o->states[i]), o->states[i] = NULL;
    o->num_states = 0;
    if (o->update) o->ops->release(o->update), o->update = NULL;
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

/* This step's scalars; o->step has been incremented. */
static OptimizerUpdate update_scalars(const Optimizer *o) {
    const double t = (double)o->step;
    OptimizerUpdate u = {.type = o->type, .first = o->step == 1, .nesterov = o->nesterov,
                         .decoupled = o->type == OPT_ADAMW, .lr = (real)o->lr,
                         .mu = (real)o->momentum, .wd = (real)o->weight_decay, .eps = (real)o->eps,
                         .alpha = (real)o->alpha, .one_minus_alpha = (real)(1 - o->alpha),
                         .rho = (real)o->rho, .one_minus_rho = (real)(1 - o->rho)};
    if (o->type == OPT_ADAM || o->type == OPT_ADAMW) {
        u.step_size = (real)(o->lr / (1 - pow(o->beta1, t)));
        u.bias_correction2_sqrt = (real)sqrt(1 - pow(o->beta2, t));
        /* optimizer_math.h divide_by_scalar: exact while eps rounds away its one-ulp corner */
        u.inv_bias_correction2_sqrt = o->eps >= 0x1p-40 ? 1 / u.bias_correction2_sqrt : 0;
        u.shrink = u.decoupled ? (real)(1 - o->lr * o->weight_decay) : 1;
        u.wd = u.decoupled ? 0 : u.wd;
        u.beta1 = (real)o->beta1, u.beta2 = (real)o->beta2;
        u.one_minus_beta1 = (real)(1 - o->beta1), u.one_minus_beta2 = (real)(1 - o->beta2);
    }
    if (o->type == OPT_ADAGRAD) u.lr = (real)(o->lr / (1 + (double)(o->step - 1) * o->lr_decay));
    return u;
}

static OptimizerBuffers state_buffers(Optimizer *o) {
    return (OptimizerBuffers){
        .momentum_buffer = optimizer_state_by_name(o, "momentum_buffer"),
        .exp_avg = optimizer_state_by_name(o, "exp_avg"),
        .exp_avg_sq = optimizer_state_by_name(o, "exp_avg_sq"),
        .square_avg = optimizer_state_by_name(o, "square_avg"),
        .grad_avg = optimizer_state_by_name(o, "grad_avg"),
        .acc_delta = optimizer_state_by_name(o, "acc_delta"), .sum = optimizer_state_by_name(o, "sum")};
}

/* The CPU loop: one loop per optimizer, so the type is not tested per element. Compiled
 * for AVX-512, FMA (with AVX) and the baseline, picked at load time (the same bits: ISO C mode
 * contracts nothing, and fmaf is fused everywhere). */
__attribute__((target_clones("avx512f", "fma", "default")))
static void update_range(const OptimizerUpdate *update, OptimizerBuffers s, long i0, long i1, real *w,
                         const real *g) {
    const OptimizerUpdate copy = *update, *u = &copy; /* its fields stay in registers */
    switch (u->type) {
    case OPT_SGD: for (long i = i0; i < i1; i++) sgd_element(u, s, i, w, g); break;
    case OPT_ADAM:
    case OPT_ADAMW: for (long i = i0; i < i1; i++) adam_element(u, s, i, w, g); break;
    case OPT_RMSPROP: for (long i = i0; i < i1; i++) rmsprop_element(u, s, i, w, g); break;
    case OPT_ADADELTA: for (long i = i0; i < i1; i++) adadelta_element(u, s, i, w, g); break;
    case OPT_ADAGRAD: for (long i = i0; i < i1; i++) adagrad_element(u, s, i, w, g); break;
    }
}

typedef struct UpdateCall {
    const OptimizerUpdate *u;
    OptimizerBuffers s;
    long n;
    int parts;
    real *w;
    const real *g;
} UpdateCall;

static void update_part(void *arg, int i) {
    const UpdateCall *c = arg;
    update_range(c->u, c->s, cpu_part_start(c->n, i, c->parts), cpu_part_start(c->n, i + 1, c->parts), c->w, c->g);
}

/* Element by element, so split over the CPU threads (same bits) when the parts are large. */
static void update_on_cpu(const OptimizerUpdate *u, OptimizerBuffers s, long n, real *w, const real *g) {
    UpdateCall c = {u, s, n, cpu_parallel_parts(n, CPU_PARALLEL_MAX, blas_threads()), w, g};
    cpu_parallel(c.parts, c.parts > 1, update_part, &c);
}

void optimizer_begin_step(Optimizer *o, OptimizerUpdate *u) {
    o->step++;
    *u = update_scalars(o);
}

void optimizer_apply(Optimizer *o, const OptimizerUpdate *u, real *weights, const real *grads,
                     const double *guard) {
#ifdef RECUR_HAVE_GPU
    if (o->ops->cuda) {
        cuda_optimizer_update(u, state_buffers(o), (long)o->n, weights, grads, guard);
        return;
    }
#endif
    if (guard && !isfinite(*guard)) return;
    update_on_cpu(u, state_buffers(o), (long)o->n, weights, grads);
}

void optimizer_step_guarded(Optimizer *o, real *weights, const real *grads, const double *guard) {
    OptimizerUpdate u;
    optimizer_begin_step(o, &u);
    o->ops->upload(o->update, &u, sizeof u);
    optimizer_apply(o, o->update, weights, grads, guard);
}

void optimizer_step(Optimizer *o, real *weights, const real *grads) {
    optimizer_step_guarded(o, weights, grads, NULL);
}

void optimizer_step_undo(Optimizer *o) { o->step--; }

/* ---- clipping ---- */

void clip_grads_on(const ModelOps *ops, real *grads, size_t n, double clip_value, double clip_norm,
                   double *sums) {
    ops->sum_squares((long)n, grads, &sums[0]);
    const double *norm_of = &sums[0];
    if (clip_value > 0) {
        ops->clamp((long)n, (real)-clip_value, (real)clip_value, &sums[0], grads);
        ops->sum_squares((long)n, grads, &sums[1]);
        norm_of = &sums[1];
    }
    if (clip_norm > 0) ops->scale_by_norm((long)n, norm_of, clip_norm, grads);
}

double grad_norm(const real *grads, size_t n) {
    double sumsq;
    cpu_model_ops()->sum_squares((long)n, grads, &sumsq);
    return sqrt(sumsq);
}

void clip_grad_norm(real *grads, size_t n, double norm, double max_norm) {
    double coef = max_norm / (norm + 1e-6);
    if (max_norm <= 0 || !(coef < 1)) return;
    real by = (real)coef;
    cpu_model_ops()->scale((long)n, &by, grads);
}

void clip_grad_value(real *grads, size_t n, double max_value) {
    double finite = 0;
    if (max_value > 0) cpu_model_ops()->clamp((long)n, (real)-max_value, (real)max_value, &finite, grads);
}
