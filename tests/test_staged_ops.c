/* test_staged_ops.c: the GPU path's data movement, checked on the CPU. The CPU backend
 * posing as a device (cpu_staged_model_ops: host_memory 0) makes the model stage every
 * batch into its own buffers, return outputs through a download, and makes the optimizer
 * state and checkpoints go through host mirrors, exactly as a CUDA model does, with the
 * CPU's arithmetic. So a staged model must match the plain CPU model bit for bit: loss,
 * outputs, gradients and, after Adam steps with clipping, weights and optimizer state;
 * and a checkpoint written from the staged model must load back into both backends with
 * the same bits. Configurations: bidirectional LSTM with dropout, max pooling and a
 * hidden head; a GRU tagger; a dense-input tanh RNN with MSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/rng.h"
#include "model/model.h"
#include "train/checkpoint.h"
#include "train/optimizer.h"

enum { T = 9, B = 5, V = 30, F = 4, C = 3 };
static int failures;

static void check(int ok, const char *what, const char *label) {
    printf("%-4s %-46s %s\n", ok ? "ok" : "FAIL", label, what);
    failures += !ok;
}

/* Equal bits of n reals of two models' backends (each read through a host mirror). */
static int same_reals(const Model *a, const real *pa, const Model *b, const real *pb, size_t n) {
    real *ha = host_mirror(a->ops, (real *)pa, n, 1), *hb = host_mirror(b->ops, (real *)pb, n, 1);
    int same = memcmp(ha, hb, sizeof(real) * n) == 0;
    host_mirror_done(a->ops, (real *)pa, ha, n, 0), host_mirror_done(b->ops, (real *)pb, hb, n, 0);
    return same;
}

typedef struct Data {
    int32_t tokens[T * B], lengths[B], labels[T * B];
    real features[T * B * F], targets[T * B * C];
} Data;

static Batch make_batch(Data *d, const ModelConfig *c, int t_used, uint64_t seed) {
    for (int b = 0; b < B; b++) d->lengths[b] = b == 0 ? t_used : 1 + (int)(rng_bits(seed, 1, b) % t_used);
    for (int i = 0; i < T * B; i++) {
        d->tokens[i] = (int32_t)(rng_bits(seed, 2, i) % V);
        d->labels[i] = (int32_t)(rng_bits(seed, 3, i) % C);
    }
    for (int i = 0; i < T * B * F; i++) d->features[i] = (real)rng_normal(seed, 4, i);
    for (int i = 0; i < T * B * C; i++) d->targets[i] = (real)rng_uniform(seed, 5, i);
    return (Batch){.T = t_used, .B = B, .tokens = c->vocab_size ? d->tokens : 0,
                   .features = c->vocab_size ? 0 : d->features, .lengths = d->lengths,
                   .labels = d->labels, .targets = d->targets};
}

static void run_case(const ModelConfig *mc, const char *label, const char *dir) {
    RunConfig cfg;
    config_set_defaults(&cfg);
    cfg.model = *mc;
    config_set(&cfg, "optimizer", "adam"), config_set(&cfg, "lr", "0.01");
    Model cpu, staged;
    Optimizer ocpu, ostaged;
    model_init(&cpu, mc, 5), model_init_on(&staged, mc, 5, cpu_staged_model_ops());
    optimizer_init(&ocpu, &cfg.train, cpu.num_params);
    optimizer_init_on(&ostaged, &cfg.train, staged.num_params, staged.ops);
    Data d;
    int same_loss = 1, same_out = 1, same_grads = 1;
    double *norms[2] = {cpu.ops->alloc(2 * sizeof(double), "norms"), staged.ops->alloc(2 * sizeof(double), "norms")};
    for (int step = 0; step < 3; step++) {
        Batch bt = make_batch(&d, mc, step == 1 ? T - 3 : T, 40 + (uint64_t)step);
        Model *m[2] = {&cpu, &staged};
        Optimizer *o[2] = {&ocpu, &ostaged};
        real loss[2];
        for (int k = 0; k < 2; k++) {
            model_zero_grads(m[k]);
            loss[k] = model_forward(m[k], &bt, 1, 9 + (uint64_t)step);
            model_backward(m[k], &bt);
        }
        int rows;
        long counted;
        const real *out_cpu = model_outputs(&cpu, &rows, &counted);
        const real *out_staged = model_outputs(&staged, NULL, NULL);
        same_loss &= memcmp(&loss[0], &loss[1], sizeof(real)) == 0;
        same_out &= memcmp(out_cpu, out_staged, sizeof(real) * (size_t)rows * mc->output_size) == 0;
        same_grads &= same_reals(&cpu, cpu.grads, &staged, staged.grads, cpu.num_params);
        for (int k = 0; k < 2; k++) {
            clip_grads_on(m[k]->ops, m[k]->grads, m[k]->num_params, 0, 0.5, norms[k]);
            optimizer_step_guarded(o[k], m[k]->weights, m[k]->grads, &norms[k][0]);
        }
    }
    check(same_loss, "losses equal bit for bit (3 steps)", label);
    check(same_out, "outputs equal bit for bit", label);
    check(same_grads, "gradients equal bit for bit", label);
    check(same_reals(&cpu, cpu.weights, &staged, staged.weights, cpu.num_params), "weights after 3 Adam steps", label);
    int states = 1;
    for (int i = 0; i < ocpu.num_states; i++)
        states &= same_reals(&cpu, ocpu.states[i], &staged, ostaged.states[i], ocpu.n);
    check(states, "optimizer state", label);

    char path[512];
    CheckpointState cs = {.step = 3};
    DatasetMeta meta = {0};
    checkpoint_save(dir, &cs, &staged, &ostaged, &cfg, &meta, path, sizeof path);
    Model back_cpu, back_staged;
    Optimizer oback;
    model_init(&back_cpu, mc, 77), model_init_on(&back_staged, mc, 77, cpu_staged_model_ops());
    optimizer_init_on(&oback, &cfg.train, back_staged.num_params, back_staged.ops);
    CheckpointState got = cs; /* the fingerprint a load expects */
    checkpoint_load(path, &got, &back_staged, &oback);
    checkpoint_load(path, &got, &back_cpu, NULL);
    check(same_reals(&cpu, cpu.weights, &back_staged, back_staged.weights, cpu.num_params) &&
          same_reals(&cpu, cpu.weights, &back_cpu, back_cpu.weights, cpu.num_params),
          "checkpoint of the staged model loads back (both)", label);
    int back_states = oback.step == ocpu.step;
    for (int i = 0; i < ocpu.num_states; i++)
        back_states &= same_reals(&cpu, ocpu.states[i], &back_staged, oback.states[i], ocpu.n);
    check(back_states, "its optimizer state loads back", label);
    unlink(path);
    optimizer_free(&ocpu), optimizer_free(&ostaged), optimizer_free(&oback);
    cpu.ops->release(norms[0]), staged.ops->release(norms[1]);
    model_free(&cpu), model_free(&staged), model_free(&back_cpu), model_free(&back_staged);
}

int main(void) {
    char dir[] = "/tmp/recur_staged_XXXXXX";
    if (!mkdtemp(dir)) return perror("mkdtemp"), 2;
    ModelConfig base = {.cell = CELL_LSTM, .vocab_size = V, .input_size = 6, .hidden_size = 7,
                        .num_layers = 2, .bidirectional = 1, .dropout = 0.3f, .pooling = POOL_MAX,
                        .head_hidden = 5, .head_dropout = 0.2f, .output_size = C,
                        .loss = LOSS_CROSS_ENTROPY, .ignore_index = -100, .huber_delta = 1};
    run_case(&base, "lstm 2 layers bi, dropout, max, hidden head", dir);
    ModelConfig tagger = base;
    tagger.cell = CELL_GRU, tagger.num_layers = 1, tagger.pooling = POOL_NONE, tagger.head_hidden = 0;
    tagger.dropout = 0, tagger.head_dropout = 0;
    run_case(&tagger, "gru bi tagger", dir);
    ModelConfig dense = base;
    dense.cell = CELL_RNN_TANH, dense.vocab_size = 0, dense.input_size = F, dense.bidirectional = 0;
    dense.pooling = POOL_LAST, dense.loss = LOSS_MSE, dense.head_hidden = 0;
    run_case(&dense, "rnn_tanh dense, last, mse", dir);
    rmdir(dir);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
