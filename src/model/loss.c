/* loss.c: softmax cross-entropy, BCE with logits, MSE, L1 and Huber, forward and backward.
 * Sums are accumulated in double so a float32 build keeps the mean of large batches exact
 * enough. */
#include "loss.h"

#include <math.h>
#include <string.h>

#include "../core/check.h"

static int label_counts(const LossInput *in, int n) {
    if (in->type != LOSS_CROSS_ENTROPY) return 1;
    int label = in->labels[n];
    if (label == in->ignore_index) return 0;
    if (label < 0 || label >= in->C)
        recur_die(EXIT_USAGE, "label %d at row %d is outside [0, %d) and is not ignore_index %d",
                  label, n, in->C, in->ignore_index);
    return 1;
}

static int row_counts(const LossInput *in, int n) {
    if (in->valid && !in->valid[n]) return 0;
    return label_counts(in, n);
}

long loss_count(const LossInput *in, int B, const int32_t *lengths) {
    long count = 0;
    for (int n = 0; n < in->N; n++)
        if (!lengths || n / B < lengths[n % B]) count += label_counts(in, n);
    return in->type == LOSS_CROSS_ENTROPY ? count : count * in->C;
}

static double log_sum_exp(const real *x, int C) {
    double mx = x[0], s = 0;
    for (int c = 1; c < C; c++) mx = x[c] > mx ? x[c] : mx;
    for (int c = 0; c < C; c++) s += exp((double)x[c] - mx);
    return mx + log(s);
}

/* Loss of one element (prediction x, target y) for the elementwise losses. */
static double elementwise_loss(const LossInput *in, double x, double y) {
    double d = x - y, ad = fabs(d), delta = in->huber_delta;
    switch (in->type) {
    case LOSS_BCE: return (x > 0 ? x : 0) - x * y + log1p(exp(-fabs(x)));
    case LOSS_MSE: return d * d;
    case LOSS_L1: return ad;
    case LOSS_HUBER: return ad <= delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
    case LOSS_CROSS_ENTROPY: break;
    }
    return 0;
}

static double elementwise_grad(const LossInput *in, double x, double y) {
    double d = x - y, delta = in->huber_delta;
    switch (in->type) {
    case LOSS_BCE: return 1 / (1 + exp(-x)) - y;
    case LOSS_MSE: return 2 * d;
    case LOSS_L1: return (d > 0) - (d < 0);
    case LOSS_HUBER: return fabs(d) <= delta ? d : delta * ((d > 0) - (d < 0));
    case LOSS_CROSS_ENTROPY: break;
    }
    return 0;
}

real loss_forward(const LossInput *in, long *counted) {
    double sum = 0;
    long count = 0;
    for (int n = 0; n < in->N; n++) {
        if (!row_counts(in, n)) continue;
        const real *x = in->logits + (long)n * in->C;
        if (in->type == LOSS_CROSS_ENTROPY) {
            sum += log_sum_exp(x, in->C) - x[in->labels[n]];
            count++;
            continue;
        }
        const real *y = in->targets + (long)n * in->C;
        for (int c = 0; c < in->C; c++) sum += elementwise_loss(in, x[c], y[c]);
        count += in->C;
    }
    *counted = count;
    return count ? (real)(sum / (double)count) : 0;
}

void loss_backward(const LossInput *in, long counted, const double *loss, real *dlogits) {
    long n_all = (long)in->N * in->C;
    if (loss && !isfinite(*loss)) { /* every gradient non-finite, so every rank skips alike */
        for (long i = 0; i < n_all; i++) dlogits[i] = NAN;
        return;
    }
    memset(dlogits, 0, sizeof(real) * n_all);
    if (counted == 0) return;
    double inv = 1.0 / (double)counted;
    for (int n = 0; n < in->N; n++) {
        if (!row_counts(in, n)) continue;
        const real *x = in->logits + (long)n * in->C;
        real *dx = dlogits + (long)n * in->C;
        if (in->type == LOSS_CROSS_ENTROPY) {
            double lse = log_sum_exp(x, in->C);
            for (int c = 0; c < in->C; c++)
                dx[c] = (real)((exp((double)x[c] - lse) - (c == in->labels[n])) * inv);
            continue;
        }
        const real *y = in->targets + (long)n * in->C;
        for (int c = 0; c < in->C; c++) dx[c] = (real)(elementwise_grad(in, x[c], y[c]) * inv);
    }
}
