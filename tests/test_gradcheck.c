/* test_gradcheck.c: finite-difference gradient checks of the whole CPU model (float64).
 *
 * For every cell x {1, 2 layers} x {uni, bi} x {last, mean, max, per-token} x each loss,
 * on a ragged batch (lengths 5, 2, 4 or 5, 4, 2 of T = 5), every parameter's analytic gradient is
 * compared with a central difference (steps 1e-4 and 5e-5, Richardson-extrapolated, so the
 * truncation error is O(step^4)). Error per parameter: |a - n| / max(|a|, |n|, FLOOR),
 * FLOOR = 1e-4 (below it the difference's own rounding, ~1e-12 absolute, is what is
 * measured). The test fails if any case's maximum exceeds 1e-6. A parameter whose
 * differences at STEP and STEP/2 disagree sits at a kink (relu, max, L1) and is counted
 * instead of compared; more than 10% of a case's parameters there fail it (a relu unit
 * or max within a step of its switch point puts every parameter upstream of it there). Also checks that padding
 * never reaches the loss: changing a token past a sample's length leaves loss unchanged. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "model/model.h"

enum { T = 5, B = 3, V = 7, E = 3, F = 3, H = 3, C = 3 };
static const double TOLERANCE = 1e-6, FLOOR = 1e-4, STEP = 1e-4;

typedef struct CaseData {
    int32_t tokens[T * B], lengths[B], labels[T * B];
    real features[T * B * F], targets[T * B * C];
} CaseData;

/* Odd seeds: lengths sorted longest first (the layer skips finished rows); even: not
 * (the layer computes and masks them). Both paths must give the same gradients. */
static void make_data(CaseData *d, uint64_t seed, int ignore_index) {
    int unsorted[B] = {5, 2, 4}, sorted[B] = {5, 4, 2};
    for (int b = 0; b < B; b++) d->lengths[b] = (seed & 1) ? sorted[b] : unsorted[b];
    for (int i = 0; i < T * B; i++) {
        d->tokens[i] = (int32_t)(rng_bits(seed, 1, (uint64_t)i) % V);
        d->labels[i] = (int32_t)(rng_bits(seed, 2, (uint64_t)i) % C);
    }
    d->labels[1] = ignore_index; /* one ignored label (tagging: t=0, b=1) */
    for (int i = 0; i < T * B * F; i++) d->features[i] = rng_normal(seed, 3, (uint64_t)i);
    for (int i = 0; i < T * B * C; i++) d->targets[i] = rng_uniform(seed, 4, (uint64_t)i);
}

static Batch batch_of(const CaseData *d, const ModelConfig *cfg) {
    return (Batch){.T = T, .B = B, .tokens = cfg->vocab_size ? d->tokens : 0,
                   .features = cfg->vocab_size ? 0 : d->features, .lengths = d->lengths,
                   .labels = d->labels, .targets = d->targets};
}

/* Central difference of the loss in parameter i with step h. */
static double central_difference(Model *m, const Batch *bt, size_t i, double h) {
    const uint64_t dropout_seed = 99;
    real keep = m->weights[i];
    m->weights[i] = keep + h;
    double up = model_forward(m, bt, 1, dropout_seed);
    m->weights[i] = keep - h;
    double down = model_forward(m, bt, 1, dropout_seed);
    m->weights[i] = keep;
    return (up - down) / (2 * h);
}

/* Max relative error over all parameters of one configuration. Where the loss has a kink
 * (relu, max pooling, L1) within STEP of a parameter's value, differences at STEP and
 * STEP/2 disagree and the parameter is counted in *kinks instead of compared. */
static double check_case(const ModelConfig *cfg, uint64_t seed, int *kinks, int *params) {
    Model m;
    model_init(&m, cfg, seed);
    CaseData d;
    make_data(&d, seed, cfg->ignore_index);
    Batch bt = batch_of(&d, cfg);
    model_zero_grads(&m);
    model_forward(&m, &bt, 1, 99);
    model_backward(&m, &bt);
    double worst = 0;
    *kinks = 0, *params = (int)m.num_params;
    for (size_t i = 0; i < m.num_params; i++) {
        double num = central_difference(&m, &bt, i, STEP);
        double half = central_difference(&m, &bt, i, STEP / 2), ana = m.grads[i];
        if (fabs(num - half) > 1e-4 * fmax(fmax(fabs(num), fabs(half)), FLOOR)) {
            (*kinks)++;
            continue;
        }
        num = (4 * half - num) / 3; /* Richardson: O(STEP^4) truncation error */
        double err = fabs(num - ana) / fmax(fmax(fabs(num), fabs(ana)), FLOOR);
        if (err > worst) worst = err;
        if (err > TOLERANCE && getenv("DEBUG"))
            printf("  param %zu numeric %.10g analytic %.10g\n", i, num, ana);
    }
    model_free(&m);
    return worst;
}

/* Changing what lies past a sample's end must not change the loss. */
static int padding_is_invisible(const ModelConfig *cfg, uint64_t seed) {
    Model m;
    model_init(&m, cfg, seed);
    CaseData d;
    make_data(&d, seed, cfg->ignore_index);
    Batch bt = batch_of(&d, cfg);
    double before = model_forward(&m, &bt, 0, 0);
    for (int t = d.lengths[1]; t < T; t++) {
        d.tokens[t * B + 1] = (d.tokens[t * B + 1] + 1) % V;
        for (int f = 0; f < F; f++) d.features[(t * B + 1) * F + f] += 3;
    }
    double after = model_forward(&m, &bt, 0, 0);
    model_free(&m);
    return before == after;
}

int main(void) {
    int failures = 0, cases = 0, total_kinks = 0;
    double worst_all = 0;
    for (int cell = CELL_RNN_TANH; cell <= CELL_GRU_TEXTBOOK; cell++)
        for (int layers = 1; layers <= 2; layers++)
            for (int bi = 0; bi <= 1; bi++)
                for (int pool = POOL_LAST; pool <= POOL_NONE; pool++)
                    for (int loss = LOSS_CROSS_ENTROPY; loss <= LOSS_HUBER; loss++) {
                        int token_input = loss == LOSS_CROSS_ENTROPY || loss == LOSS_BCE;
                        ModelConfig cfg = {
                            .cell = cell, .vocab_size = token_input ? V : 0,
                            .input_size = token_input ? E : F, .hidden_size = H,
                            .num_layers = layers, .bidirectional = bi,
                            .dropout = (cases % 4 == 1) ? 0.3 : 0, .pooling = pool,
                            .head_hidden = (cases % 2) ? 4 : 0,
                            .head_dropout = (cases % 4 == 3) ? 0.25 : 0, .output_size = C,
                            .loss = loss, .ignore_index = -100, .huber_delta = 0.3};
                        int kinks = 0, params = 0;
                        double err = check_case(&cfg, 2000 + (uint64_t)cases, &kinks, &params);
                        int ok = err < TOLERANCE && kinks * 10 <= params && padding_is_invisible(&cfg, 5) &&
                                 padding_is_invisible(&cfg, 6);
                        total_kinks += kinks;
                        if (!ok || getenv("VERBOSE"))
                            printf("%s %-13s layers=%d bi=%d pool=%-4s loss=%-13s hidden=%d "
                                   "dropout=%d: max rel err %.3e, %d at a kink\n", ok ? "ok  " : "FAIL",
                                   cell_type_names[cell], layers, bi, pooling_names[pool],
                                   loss_type_names[loss], cfg.head_hidden, cfg.dropout > 0, err, kinks);
                        failures += !ok;
                        worst_all = err > worst_all ? err : worst_all;
                        cases++;
                    }
    /* Depth: 25 stacked bidirectional layers must train like one. */
    for (int cell = CELL_RNN_TANH; cell <= CELL_GRU_TEXTBOOK; cell++) {
        ModelConfig deep = {.cell = cell, .vocab_size = V, .input_size = E, .hidden_size = 2,
                            .num_layers = 25, .bidirectional = 1, .dropout = 0.1,
                            .pooling = POOL_MEAN, .output_size = C, .loss = LOSS_CROSS_ENTROPY,
                            .ignore_index = -100, .huber_delta = 1};
        int kinks = 0, params = 0;
        double err = check_case(&deep, 7000 + (uint64_t)cell, &kinks, &params);
        int ok = err < TOLERANCE && kinks * 10 <= params;
        printf("%s %-13s layers=25 bi=1 pool=mean: max rel err %.3e over %d parameters, %d at a kink\n",
               ok ? "ok  " : "FAIL", cell_type_names[cell], err, params, kinks);
        failures += !ok;
        worst_all = err > worst_all ? err : worst_all;
        cases++;
    }
    printf("gradcheck: %d cases, worst max relative error %.3e (tolerance %.0e); %d parameters "
           "skipped at a kink (at most 10%% per case allowed)\n", cases, worst_all, TOLERANCE, total_kinks);
    printf("%d passed, %d failed\n", cases - failures, failures);
    return failures ? 1 : 0;
}
