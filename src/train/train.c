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
#include "data/epoch_plan.h"
#include "metrics.h"
#include "metrics_log.h"
#include "optimizer.h"
#include "train_data.h"

enum { DROPOUT_STREAM = 1 << 25 };

typedef struct Run {
    const RunConfig *cfg;
    TrainData data;
    Model model;
    Optimizer opt;
    BatchBuffer batches;
    EpochPlan plan;  /* the current epoch's batches of the training shard */
    long next_batch; /* in plan */
    long epoch;
    Confusion eval;
    MetricsLog log;
    double start_s;
} Run;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Index of the largest of v[0..n). */
static int argmax(const real *v, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) best = v[k] > v[best] ? k : best;
    return best;
}

/* Adds one evaluated batch's predictions to the confusion matrix: one per sequence, or one
 * per real (unpadded) token when tagging. */
static void count_predictions(Confusion *c, const Batch *bt, const real *logits, int rows, int C) {
    if (rows == bt->B) {
        for (int b = 0; b < bt->B; b++) confusion_add(c, bt->labels[b], argmax(logits + (long)b * C, C));
        return;
    }
    for (int t = 0; t < bt->T; t++)
        for (int b = 0; b < bt->B; b++)
            if (t < bt->lengths[b]) {
                long row = (long)t * bt->B + b;
                confusion_add(c, bt->labels[row], argmax(logits + row * C, C));
            }
}

static void evaluate(Run *r, long step) {
    const Dataset *valid = &r->data.valid;
    Confusion *c = &r->eval;
    confusion_reset(c);
    int C = r->model.cfg.output_size, classify = valid->task != TASK_REGRESS;
    long items = 0;
    EpochPlan plan;
    epoch_plan_make(&plan, valid, r->cfg->train.batch_size, 0, 0, 0);
    for (long k = 0; k < plan.num_batches; k++) {
        const Batch *bt = batch_fill(&r->batches, valid, plan.order + plan.batch_first[k], plan.batch_count[k]);
        double loss = (double)model_forward(&r->model, bt, 0, 0);
        int rows;
        long counted;
        const real *logits = model_outputs(&r->model, &rows, &counted);
        c->loss_sum += loss * (double)counted;
        items += counted;
        if (classify) count_predictions(c, bt, logits, rows, C);
    }
    epoch_plan_free(&plan);
    double loss = c->loss_sum / (double)(items ? items : 1);
    if (!classify) {
        printf("eval  step %ld: valid loss %.4f\n", step, loss);
        metrics_log_write(&r->log, "\"step\": %ld, \"epoch\": %ld, \"split\": \"valid\", \"loss\": %.6g, "
                          "\"samples\": %ld, \"wall_s\": %.3f", step, r->epoch, loss, valid->n, now_s() - r->start_s);
        return;
    }
    double acc = confusion_accuracy(c), f1 = confusion_macro_f1(c);
    printf("eval  step %ld: valid loss %.4f  accuracy %.4f  macro_f1 %.4f\n", step, loss, acc, f1);
    metrics_log_write(&r->log, "\"step\": %ld, \"epoch\": %ld, \"split\": \"valid\", \"loss\": %.6g, "
                      "\"accuracy\": %.6g, \"macro_f1\": %.6g, \"samples\": %ld, \"wall_s\": %.3f",
                      step, r->epoch, loss, acc, f1, valid->n, now_s() - r->start_s);
}

/* The next batch of the training shard, starting a new epoch's plan when one ends. */
static const Batch *next_batch(Run *r) {
    if (r->next_batch >= r->plan.num_batches) {
        epoch_plan_free(&r->plan);
        epoch_plan_make(&r->plan, &r->data.train, r->cfg->train.batch_size, r->cfg->train.seed, ++r->epoch, 1);
        r->next_batch = 0;
    }
    long k = r->next_batch++;
    return batch_fill(&r->batches, &r->data.train, r->plan.order + r->plan.batch_first[k], r->plan.batch_count[k]);
}

/* One optimizer step on the next batch; returns the batch loss. Ends the run on a
 * non-finite loss or gradient, naming the step. */
static double train_step(Run *r, long step) {
    const TrainConfig *t = &r->cfg->train;
    const Batch *bt = next_batch(r);
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

static void log_training(Run *r, long step, double loss_sum, long steps, long samples, double since_s) {
    const TrainConfig *t = &r->cfg->train;
    double rate = (double)samples / since_s, loss = loss_sum / (double)steps;
    printf("train step %ld/%ld (epoch %ld): loss %.4f  %.0f samples/s\n", step, t->steps, r->epoch,
           loss, rate);
    metrics_log_write(&r->log, "\"step\": %ld, \"epoch\": %ld, \"split\": \"train\", \"loss\": %.6g, "
                      "\"lr\": %.6g, \"samples_per_s\": %.1f, \"wall_s\": %.3f", step, r->epoch, loss,
                      t->lr, rate, now_s() - r->start_s);
}

static void run_loop(Run *r) {
    const TrainConfig *t = &r->cfg->train;
    long since_steps = 0, since_samples = 0;
    double loss_sum = 0, since_s = now_s();
    for (long step = 1; step <= t->steps; step++) {
        loss_sum += train_step(r, step);
        since_steps++, since_samples += r->batches.batch.B;
        if (step % t->log_every == 0 || step == t->steps) {
            log_training(r, step, loss_sum, since_steps, since_samples, now_s() - since_s);
            loss_sum = 0, since_steps = 0, since_samples = 0, since_s = now_s();
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
    train_data_load(&r.data, cfg, comm);
    ModelConfig mc = train_model_config(cfg, &r.data);
    model_init(&r.model, &mc, cfg->train.seed);
    optimizer_init(&r.opt, &cfg->train, r.model.num_params);
    epoch_plan_make(&r.plan, &r.data.train, cfg->train.batch_size, cfg->train.seed, 0, 1);
    confusion_init(&r.eval, mc.output_size);
    metrics_log_open(&r.log, cfg->train.run_dir);
    printf("recur: %s, %d layer(s)%s, hidden %d: %zu parameters; %ld train / %ld valid examples "
           "(data %s)\n", cell_type_names[mc.cell], mc.num_layers, mc.bidirectional ? " bidirectional" : "",
           mc.hidden_size, r.model.num_params, r.data.train.n, r.data.valid.n, r.data.fingerprint);
    run_loop(&r);
    metrics_log_close(&r.log);
    confusion_free(&r.eval), epoch_plan_free(&r.plan), optimizer_free(&r.opt), model_free(&r.model);
    batch_buffer_free(&r.batches), train_data_free(&r.data);
    return 0;
}
