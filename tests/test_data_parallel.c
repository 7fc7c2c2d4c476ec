/* test_data_parallel.c: data parallelism is exact (run under mpirun with 1, 2, 4 ranks).
 * For K steps, rank r of N trains on examples [k*N*b + r*b, +b) of a fixed order while,
 * on rank 0, a reference model (same initial weights) trains alone on the whole global
 * batch [k*N*b, (k+1)*N*b) — the same global sample order at batch N*b. Both take the
 * trainer's path: forward, the global loss, the gradient reduction started from the
 * model's grads_ready hook (overlapped buckets, then the flat variant), clipping,
 * Adam (SGD with momentum for tagging). After K steps the parameters must agree to 1e-5 relative, for a classification
 * task (GRU, mean pooling) and for tagging (bidirectional LSTM, one loss item per token,
 * a different number per rank: the reduction must weight ranks by their items). Then the
 * validation split is evaluated shard by shard and reduced: the confusion matrix must
 * equal the single-process one exactly, the loss to 1e-6.
 *   mpirun -n N test_data_parallel      (exit 0: all good; 1: a mismatch, printed) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm/comm.h"
#include "comm/grad_reduce.h"
#include "core/check.h"
#include "data/synthetic_corpus.h"
#include "train/eval_reduce.h"
#include "train/grad_reduce_ops.h"
#include "train/optimizer.h"

enum { LOCAL_B = 4, STEPS = 6 };

static int failures;

/* One trainer step on examples ids[0..count) (reducer NULL: no ranks involved). */
static void step(Model *m, Optimizer *o, const Dataset *d, BatchBuffer *buf, const long *ids, int count,
                 const Comm *comm, GradReducer *g) {
    const Batch *bt = batch_fill(buf, d, ids, count);
    model_zero_grads(m);
    double loss = model_forward(m, bt, 1, 0);
    long counted = model_counted(m);
    double global[2] = {loss * (double)counted, (double)counted};
    if (g) comm_sum_double(comm, global, 2);
    real share = grad_reduce_share((double)counted, global[1]);
    if (g) grad_reduce_begin(g, &share);
    model_backward(m, bt);
    if (g) grad_reduce_finish(g);
    clip_grad_norm(m->grads, m->num_params, grad_norm(m->grads, m->num_params), 1.0);
    optimizer_step(o, m->weights, m->grads);
}

static double max_rel_error(const real *a, const real *b, size_t n) {
    double peak = 0, worst = 0;
    for (size_t i = 0; i < n; i++) peak = fmax(peak, fabs((double)b[i]));
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs((double)a[i] - b[i]) / fmax(fabs((double)b[i]), 0.1 * peak));
    return worst;
}

/* A tagging set from the synthetic corpus: tag = the token's class (marker) or 0. */
static void make_tags(Dataset *d) {
    d->task = TASK_TAG;
    d->tags = xmalloc(sizeof(int32_t) * (size_t)d->offsets[d->n], "tags");
    for (int64_t i = 0; i < d->offsets[d->n]; i++) d->tags[i] = d->tokens[i] >= 4 && d->tokens[i] < 8 ? d->tokens[i] - 3 : 0;
    d->num_classes = 5;
}

static void run_case(const char *name, const ModelConfig *mc, int tagging, int overlap, OptimizerType opt,
                     const Comm *comm) {
    int N = comm->size;
    Dataset train, valid;
    synthetic_corpus_make(&train, (long)STEPS * N * LOCAL_B, 20, 3, 0);
    synthetic_corpus_make(&valid, 101, 20, 3, 1);
    if (tagging) make_tags(&train), make_tags(&valid);
    TrainConfig tc;
    RunConfig rc;
    config_set_defaults(&rc);
    tc = rc.train;
    tc.optimizer = opt, tc.lr = opt == OPT_ADAM ? 0.01 : 0.1, tc.momentum = 0.9;
    Model dist, ref;
    model_init(&dist, mc, 11), model_init(&ref, mc, 11);
    Optimizer od, orf;
    optimizer_init(&od, &tc, dist.num_params), optimizer_init(&orf, &tc, ref.num_params);
    GradReducer g;
    grad_reduce_init(&g, comm, dist.ops, dist.grads, dist.num_params, overlap);
    dist.grads_ready = grad_reduce_ready, dist.grads_ready_ctx = &g;
    BatchBuffer buf = {0};
    long ids[4 * LOCAL_B * 64];
    for (int k = 0; k < STEPS; k++) {
        for (int i = 0; i < LOCAL_B; i++) ids[i] = (long)k * N * LOCAL_B + comm->rank * LOCAL_B + i;
        step(&dist, &od, &train, &buf, ids, LOCAL_B, comm, &g);
        if (comm->rank != 0) continue;
        for (int i = 0; i < N * LOCAL_B; i++) ids[i] = (long)k * N * LOCAL_B + i;
        step(&ref, &orf, &train, &buf, ids, N * LOCAL_B, comm, NULL);
    }
    double err = comm->rank == 0 ? max_rel_error(dist.weights, ref.weights, dist.num_params) : 0;
    if (comm->rank == 0) {
        printf("%s %-28s %d rank(s) x batch %d vs 1 x %d, %d %s steps: max relative difference %.2e (limit 1e-5)\n",
               err <= 1e-5 ? "ok  " : "FAIL", name, N, LOCAL_B, N * LOCAL_B, STEPS, optimizer_names[opt], err);
        failures += err > 1e-5;
    }
    /* evaluation: shards reduced == the whole split in one process */
    Dataset shard = valid;
    shard.offsets = xmalloc(sizeof(int64_t) * (size_t)(valid.n + 1), "copy");
    shard.tokens = xmalloc(sizeof(int32_t) * (size_t)valid.offsets[valid.n], "copy");
    shard.labels = xmalloc(sizeof(int32_t) * (size_t)valid.n, "copy");
    shard.tags = tagging ? xmalloc(sizeof(int32_t) * (size_t)valid.offsets[valid.n], "copy") : NULL;
    memcpy(shard.offsets, valid.offsets, sizeof(int64_t) * (size_t)(valid.n + 1));
    memcpy(shard.tokens, valid.tokens, sizeof(int32_t) * (size_t)valid.offsets[valid.n]);
    memcpy(shard.labels, valid.labels, sizeof(int32_t) * (size_t)valid.n);
    if (tagging) memcpy(shard.tags, valid.tags, sizeof(int32_t) * (size_t)valid.offsets[valid.n]);
    if (tagging) { /* keep_shard moves labels, tags by offsets: do tags by hand */
        long first = (long)((__int128)valid.n * comm->rank / N);
        int64_t base = valid.offsets[first];
        dataset_keep_shard(&shard, comm->rank, N);
        memmove(shard.tags, valid.tags + base, sizeof(int32_t) * (size_t)shard.offsets[shard.n]);
    } else {
        dataset_keep_shard(&shard, comm->rank, N);
    }
    comm_bcast_real(comm, dist.weights, dist.num_params, 0); /* evaluate one model everywhere */
    EvalResult part, whole;
    eval_result_init(&part, train.task, mc->output_size, NULL, NULL);
    eval_result_init(&whole, train.task, mc->output_size, NULL, NULL);
    evaluate_split(&part, &dist, &shard, &buf, 16);
    eval_result_reduce(&part, comm);
    if (comm->rank == 0) {
        evaluate_split(&whole, &dist, &valid, &buf, 16);
        int k = whole.confusion.classes;
        int same = part.items == whole.items &&
                   !memcmp(part.confusion.counts, whole.confusion.counts, sizeof(int64_t) * (size_t)(k * k));
        double dl = fabs(eval_result_loss(&part) - eval_result_loss(&whole)) / fmax(eval_result_loss(&whole), 1e-12);
        printf("%s %-28s evaluation over %d shard(s): confusion %s, %lld items, loss differs by %.1e\n",
               same && dl < 1e-6 ? "ok  " : "FAIL", name, N, same ? "identical" : "DIFFERS",
               (long long)part.items, dl);
        failures += !(same && dl < 1e-6);
    }
    eval_result_free(&part), eval_result_free(&whole);
    dataset_free(&shard), dataset_free(&train), dataset_free(&valid);
    batch_buffer_free(&buf), grad_reduce_free(&g);
    optimizer_free(&od), optimizer_free(&orf), model_free(&dist), model_free(&ref);
}

int main(int argc, char **argv) {
    Comm comm;
    comm_init(&comm, &argc, &argv);
    ModelConfig gru = {.cell = CELL_GRU, .vocab_size = SYNTHETIC_VOCAB, .input_size = 8, .hidden_size = 16,
                       .num_layers = 2, .pooling = POOL_MEAN, .head_hidden = 8, .output_size = SYNTHETIC_CLASSES,
                       .loss = LOSS_CROSS_ENTROPY, .ignore_index = -100, .huber_delta = 1};
    ModelConfig tagger = gru;
    tagger.cell = CELL_LSTM, tagger.bidirectional = 1, tagger.pooling = POOL_NONE, tagger.head_hidden = 0;
    tagger.output_size = 5;
    run_case("gru classify, overlapped", &gru, 0, 1, OPT_ADAM, &comm);
    run_case("gru classify, flat", &gru, 0, 0, OPT_ADAM, &comm);
    run_case("bi-lstm tagging, overlapped", &tagger, 1, 1, OPT_SGD, &comm);
    comm_bcast(&comm, &failures, sizeof failures, 0);
    comm_finalize(&comm);
    return failures ? 1 : 0;
}
