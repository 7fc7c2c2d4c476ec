/* optimizer.c: SGD (momentum, weight decay) and global-norm clipping (optimizer.h). */
#include "optimizer.h"

#include <math.h>
#include <stdlib.h>

#include "core/check.h"

void optimizer_init(Optimizer *o, const TrainConfig *cfg, size_t num_params) {
    if (cfg->optimizer != OPT_SGD)
        recur_die(EXIT_USAGE, "optimizer: %s is not implemented yet (sgd is)", optimizer_names[cfg->optimizer]);
    *o = (Optimizer){.type = cfg->optimizer, .lr = cfg->lr, .momentum = cfg->momentum,
                     .weight_decay = cfg->weight_decay, .n = num_params};
    o->velocity = xcalloc(num_params, sizeof(real), "optimizer state");
}

void optimizer_step(Optimizer *o, real *weights, real *grads) {
    real lr = (real)o->lr, mu = (real)o->momentum, wd = (real)o->weight_decay;
    int first = o->steps == 0;
    for (size_t i = 0; i < o->n; i++) {
        real g = grads[i] + wd * weights[i];
        if (mu > 0) g = o->velocity[i] = first ? g : mu * o->velocity[i] + g;
        weights[i] -= lr * g;
    }
    o->steps++;
}

void optimizer_free(Optimizer *o) {
    free(o->velocity);
    o->velocity = 0;
}

double grad_norm(const real *grads, size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)grads[i] * grads[i];
    return sqrt(sum);
}

void clip_grad_norm(real *grads, size_t n, double norm, double max_norm) {
    if (max_norm <= 0 || !(norm > max_norm)) return;
    real scale = (real)(max_norm / (norm + 1e-6));
    for (size_t i = 0; i < n; i++) grads[i] *= scale;
}
