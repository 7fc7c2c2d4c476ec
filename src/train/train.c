/* train.c: the training loop — batches in a seeded order, forward, backward, non-finite
 * check, clipping, optimizer step, periodic evaluation and logging (train.h).
 * Single process for now: data-parallel reduction joins with the distributed trainer.
 * It wires data, model, optimizer and metrics together; the arithmetic lives in those. */
#include "train.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/check.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "data/demo_corpus.h"
#include "metrics.h"
#include "metrics_log.h"
#include "optimizer.h"

enum { ORDER_STREAM = 1 << 24, DROPOUT_STREAM = 1 << 25 };

typedef struct Run {
    const RunConfig *cfg;
    Dataset train, valid;
    Model model;
    Optimizer opt;
    BatchBuffer batches;
    long *order;    /* [train.n] sample order of the current epoch */
    long *eval_ids; /* [batch_size] validation sample indices of one batch */
    Confusion eval;
    MetricsLog log;
    double start_s;
} Run;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void load_data(Run *r) {
    const TrainConfig *t = &r->cfg->train;
    if (strcmp(t->data, "demo") != 0)
        recur_die(EXIT_USAGE, "data: '%s' is not a dataset this version reads; only the built-in "
                  "'demo' corpus is supported until HDF5 datasets land", t->data);
    demo_corpus_make(&r->train, t->demo_train_size, t->demo_max_len, t->seed, 0);
    demo_corpus_make(&r->valid, t->demo_valid_size, t->demo_max_len, t->seed, 1);
}

/* The model as configured, with vocabulary and class count taken from the data when 0. */
static ModelConfig model_config_for(const Run *r) {
    ModelConfig m = r->cfg->model;
    if (m.vocab_size == 0) m.vocab_size = r->train.vocab_size;
    if (m.output_size == 0) m.output_size = r->train.num_classes;
    if (m.vocab_size < r->train.vocab_size)
        recur_die(EXIT_USAGE, "vocab_size: %d is smaller than the dataset's vocabulary (%d)",
                  m.vocab_size, r->train.vocab_size);
    if (m.loss != LOSS_CROSS_ENTROPY || m.pooling == POOL_NONE)
        recur_die(EXIT_USAGE, "loss/pooling: the demo corpus is sequence classification: use "
                  "loss = cross_entropy with pooling last, mean or max");
    const char *err = model_config_error(&m);
    if (err) recur_die(EXIT_USAGE, "%s", err);
    return m;
}

/* Seeded Fisher-Yates shuffle of 0..n-1 for `epoch`. */
static void shuffle_order(long *order, long n, uint64_t seed, long epoch) {
    for (long i = 0; i < n; i++) order[i] = i;
    for (long i = n - 1; i > 0; i--) {
        long j = (long)(rng_bits(seed, ORDER_STREAM + (uint64_t)epoch, (uint64_t)i) % (uint64_t)(i + 1));
        long tmp = order[i];
        order[i] = order[j], order[j] = tmp;
    }
}

static void evaluate(Run *r, long step) {
    Confusion *c = &r->eval;
    confusion_reset(c);
    int B = r->cfg->train.batch_size, C = r->model.cfg.output_size;
    long *idx = r->eval_ids;
    for (long first = 0; first < r->valid.n; first += B) {
        int count = (int)(r->valid.n - first < B ? r->valid.n - first : B);
        for (int b = 0; b < count; b++) idx[b] = first + b;
        const Batch *bt = batch_fill(&r->batches, &r->valid, idx, count);
        c->loss_sum += (double)model_forward(&r->model, bt, 0, 0) * count;
        const real *logits = model_outputs(&r->model, 0, 0);
        for (int b = 0; b < count; b++) {
            int best = 0;
            for (int k = 1; k < C; k++) best = logits[(long)b * C + k] > logits[(long)b * C + best] ? k : best;
            confusion_add(c, bt->labels[b], best);
        }
        c->samples += count;
    }
    double loss = c->loss_sum / (double)c->samples, acc = confusion_accuracy(c), f1 = confusion_macro_f1(c);
    printf("eval  step %ld: valid loss %.4f  accuracy %.4f  macro_f1 %.4f\n", step, loss, acc, f1);
    metrics_log_write(&r->log, "\"step\": %ld, \"split\": \"valid\", \"loss\": %.6g, \"accuracy\": %.6g, "
                      "\"macro_f1\": %.6g, \"samples\": %lld, \"wall_s\": %.3f",
                      step, loss, acc, f1, (long long)c->samples, now_s() - r->start_s);
}

/* One optimizer step on the next batch; returns the batch loss. Ends the run on a
 * non-finite loss or gradient, naming the step. */
static double train_step(Run *r, long step, long *cursor, long *epoch) {
    const TrainConfig *t = &r->cfg->train;
    int B = t->batch_size < r->train.n ? t->batch_size : (int)r->train.n;
    if (*cursor + B > r->train.n) shuffle_order(r->order, r->train.n, t->seed, ++*epoch), *cursor = 0;
    const Batch *bt = batch_fill(&r->batches, &r->train, r->order + *cursor, B);
    *cursor += B;
    model_zero_grads(&r->model);
    double loss = model_forward(&r->model, bt, 1, rng_bits(t->seed, DROPOUT_STREAM, (uint64_t)step));
    if (!isfinite(loss))
        recur_die(EXIT_RUNTIME, "step %ld: the loss is not finite (%g): training diverged; lower lr, set "
                  "clip_norm, or use an lstm/gru cell", step, loss);
    model_backward(&r->model, bt);
    double norm = grad_norm(r->model.grads, r->model.num_params);
    if (!isfinite(norm))
        recur_die(EXIT_RUNTIME, "step %ld: the gradient norm is not finite (%g): exploding gradients; "
                  "set clip_norm or lower lr", step, norm);
    clip_grad_norm(r->model.grads, r->model.num_params, norm, t->clip_norm);
    optimizer_step(&r->opt, r->model.weights, r->model.grads);
    return loss;
}

static void log_training(Run *r, long step, double loss_sum, long steps, double since_s) {
    const TrainConfig *t = &r->cfg->train;
    double rate = (double)steps * t->batch_size / since_s, loss = loss_sum / (double)steps;
    printf("train step %ld/%ld: loss %.4f  %.0f samples/s\n", step, t->steps, loss, rate);
    metrics_log_write(&r->log, "\"step\": %ld, \"split\": \"train\", \"loss\": %.6g, \"lr\": %.6g, "
                      "\"samples_per_s\": %.1f, \"wall_s\": %.3f", step, loss, t->lr, rate,
                      now_s() - r->start_s);
}

static void run_loop(Run *r) {
    const TrainConfig *t = &r->cfg->train;
    long cursor = 0, epoch = 0, since_steps = 0;
    double loss_sum = 0, since_s = now_s();
    shuffle_order(r->order, r->train.n, t->seed, epoch);
    for (long step = 1; step <= t->steps; step++) {
        loss_sum += train_step(r, step, &cursor, &epoch);
        since_steps++;
        if (step % t->log_every == 0 || step == t->steps) {
            log_training(r, step, loss_sum, since_steps, now_s() - since_s);
            loss_sum = 0, since_steps = 0, since_s = now_s();
        }
        if ((t->eval_every > 0 && step % t->eval_every == 0) || step == t->steps) evaluate(r, step);
    }
}

int train_run(const RunConfig *cfg, const Comm *comm) {
    if (comm->size > 1)
        recur_die(EXIT_USAGE, "train: %d ranks: this version trains in one process; run it without "
                  "mpirun -np > 1 until the data-parallel trainer lands", comm->size);
    Run r = {.cfg = cfg, .start_s = now_s()};
    if (cfg->train.threads > 0) openblas_set_num_threads(cfg->train.threads);
    load_data(&r);
    ModelConfig mc = model_config_for(&r);
    model_init(&r.model, &mc, cfg->train.seed);
    optimizer_init(&r.opt, &cfg->train, r.model.num_params);
    r.order = xmalloc(sizeof(long) * (size_t)r.train.n, "sample order");
    r.eval_ids = xmalloc(sizeof(long) * (size_t)cfg->train.batch_size, "evaluation batch");
    confusion_init(&r.eval, mc.output_size);
    metrics_log_open(&r.log, cfg->train.run_dir);
    printf("recur: %s, %d layer(s)%s, hidden %d: %zu parameters; %ld train / %ld valid samples\n",
           cell_type_names[mc.cell], mc.num_layers, mc.bidirectional ? " bidirectional" : "",
           mc.hidden_size, r.model.num_params, r.train.n, r.valid.n);
    run_loop(&r);
    metrics_log_close(&r.log);
    confusion_free(&r.eval), free(r.order), free(r.eval_ids), optimizer_free(&r.opt), model_free(&r.model);
    batch_buffer_free(&r.batches), dataset_free(&r.train), dataset_free(&r.valid);
    return 0;
}
