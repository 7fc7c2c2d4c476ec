/* train.c: the training run — data, model, optimizer and schedule; batches from the
 * epoch plans; the non-finite guard; clipping; periodic and end-of-epoch evaluation on
 * the valid and test splits; checkpoints (newest K and the best) and exact resume.
 * Data-parallel: every rank trains on its shard, gradients are averaged over the global
 * batch (grad_reduce.h) so every rank applies the same update; rank 0 alone writes
 * metrics, checkpoints and the screen. It wires the pieces together; the arithmetic
 * lives in model/, optimizer.c, schedule.c, evaluate.c; files in checkpoint.c and
 * metrics_log.c; the screen in progress.c; the ranks in comm/. */
#include "core/blas.h"
#include "core/clock.h"
#include "train.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "comm/grad_reduce.h"
#include "core/check.h"
#include "core/hash.h"
#include "core/rng.h"
#include "data/epoch_plan.h"
#include "eval_reduce.h"
#include "evaluate.h"
#include "grad_reduce_ops.h"
#include "io/durable_file.h"
#include "io/run_lock.h"
#include "metrics_log.h"
#include "optimizer.h"
#include "progress.h"
#include "rank_agreement.h"
#include "resume_settings.h"
#include "schedule.h"
#include "step_graph.h"
#include "train_data.h"
#include "train_device.h"
#include "unk_replace.h"

enum { DROPOUT_STREAM = 1 << 25 };

/* Set by SIGTERM / SIGINT (Slurm's time limit and requeue, scancel, Ctrl-C). */
static volatile sig_atomic_t stop_requested;
static void request_stop(int sig) { (void)sig, stop_requested = 1; }

typedef struct Run {
    const RunConfig *cfg;
    const Comm *comm;
    int root;               /* rank 0: the one that writes */
    GradReducer reducer;
    long per_epoch;         /* examples each rank trains on per epoch (the smallest shard) */
    real *frozen;           /* freeze_embedding: its weights, restored after each update */
    double *step_sums;      /* [STEP_SUMS] backend memory: this step's loss and squared norms */
    int stopping;           /* a rank got SIGTERM/SIGINT: every rank stops after this step */
    TrainData data;
    Model model;
    Optimizer opt;
    BatchBuffer batches;
    BatchBuffer ahead;      /* a GPU model's next batch, filled and uploaded during this step */
    StepGraphs *graphs;     /* a GPU step as one CUDA graph per batch shape (gpu_graph) */
    const Batch *step_batch; /* this step's batch (host memory) */
    const Batch *next;      /* that batch (NULL: none), for epoch next_epoch, index next_index */
    long next_epoch, next_index;
    UnkReplace unk;         /* rare training tokens to <unk> (unk_replace.h); off: no change */
    EpochPlan plan;         /* the batches of state.epoch */
    CheckpointState state;  /* step, epoch, next_batch, skipped, best: all a resume needs */
    ResumeChanges resume_changes; /* rank 0: the settings a resume changed on purpose */
    int resumed_ranks;      /* the rank count of the checkpoint resumed from (0: none, unknown) */
    long total_steps;
    int lower_is_better;    /* of the best_metric */
    EvalResult eval;
    MetricsLog log;
    Progress progress;
    char checkpoint_dir[1100];
    double start_s;
    /* the training loss since the last log line */
    double loss_sum;
    long loss_steps, loss_samples;
    double loss_since_s;
} Run;

/* ---- evaluation and the best metric ---- */

static double metric_value(const Run *r, EvalResult *e) {
    const char *name = r->cfg->train.best_metric;
    if (!strcmp(name, "loss")) return eval_result_loss(e);
    if (!strcmp(name, "accuracy")) return confusion_accuracy(&e->confusion);
    if (!strcmp(name, "macro_f1")) return confusion_macro_f1(&e->confusion);
    if (!strcmp(name, "mae")) return regression_mae(&e->regression);
    return regression_rmse(&e->regression); /* "rmse": checked in resolve_best_metric */
}

/* Turns best_metric = auto into the task's default and checks the name fits the task. */
static void resolve_best_metric(Run *r, RunConfig *cfg) {
    char *name = cfg->train.best_metric;
    int regress = r->data.train.task == TASK_REGRESS;
    if (!strcmp(name, "auto")) snprintf(name, sizeof cfg->train.best_metric, "%s", regress ? "loss" : "accuracy");
    int for_classes = !strcmp(name, "accuracy") || !strcmp(name, "macro_f1");
    int for_values = !strcmp(name, "mae") || !strcmp(name, "rmse");
    if (!for_classes && !for_values && strcmp(name, "loss"))
        recur_die(EXIT_USAGE, "best_metric must be loss, accuracy, macro_f1, mae, rmse or auto (got '%s')", name);
    if ((for_classes && regress) || (for_values && !regress))
        recur_die(EXIT_USAGE, "best_metric: %s does not apply to a %s dataset", name,
                  dataset_task_names[r->data.train.task]);
    r->lower_is_better = !for_classes;
}

/* Every rank evaluates its shard; rank 0 logs the metrics of the whole split. */
static void evaluate(Run *r, const Dataset *split, const char *name) {
    if (split->total == 0) return; /* the synthetic corpus has no test split */
    evaluate_split(&r->eval, &r->model, split, &r->batches, r->cfg->train.batch_size);
    eval_result_reduce(&r->eval, r->comm);
    if (!r->root) return;
    char extra[64];
    snprintf(extra, sizeof extra, "\"wall_s\": %.3f", now_s() - r->start_s);
    EvalLogInfo info = {name, r->state.step, r->state.epoch, r->data.class_names, extra};
    progress_clear(&r->progress);
    eval_result_log(&r->eval, &info, &r->log, stdout);
}

/* ---- checkpoints ---- */

/* new_best: the valid metric improved. Without a valid split there is nothing to choose
 * by, and best.h5 follows the newest checkpoint (said once at start). */
static void save_checkpoint(Run *r, int new_best) {
    if (!r->root) return;
    if (r->data.valid.total == 0) new_best = 1;
    char path[1200];
    RunConfig resolved = *r->cfg; /* the model's sizes as the data fixed them */
    resolved.model = r->model.cfg;
    r->state.log_loss_sum = r->loss_sum, r->state.log_loss_steps = r->loss_steps;
    checkpoint_save(r->checkpoint_dir, &r->state, &r->model, &r->opt, &resolved, &r->data.meta, path, sizeof path);
    if (new_best) checkpoint_mark_best(r->checkpoint_dir, path);
    checkpoint_prune(r->checkpoint_dir, r->cfg->train.keep_checkpoints);
}

/* Validation (which may name a new best), test, then a checkpoint. */
/* Every rank must hold the same parameters: checked at each evaluation. */
static void check_ranks_agree(Run *r) {
    if (r->comm->size == 1) return;
    real *w = host_mirror(r->model.ops, r->model.weights, r->model.num_params, 1);
    uint64_t h = fnv1a64(FNV1A64_START, w, sizeof(real) * r->model.num_params);
    host_mirror_done(r->model.ops, r->model.weights, w, r->model.num_params, 0);
    comm_check_same(r->comm, "parameters (after identical updates; a bug or a faulty node)", &h, sizeof h);
}

/* Rank 0's values of a buffer in the model's backend memory, on every rank. */
static void bcast_backend(Run *r, real *buf, size_t n) {
    if (r->comm->size == 1) return;
    real *host = host_mirror(r->model.ops, buf, n, r->root);
    comm_bcast_real(r->comm, host, n, 0);
    host_mirror_done(r->model.ops, buf, host, n, 1);
}

static void evaluate_and_save(Run *r) {
    int new_best = 0;
    check_ranks_agree(r);
    if (r->data.valid.total > 0) {
        evaluate(r, &r->data.valid, "valid");
        double v = metric_value(r, &r->eval); /* meaningful on rank 0, the one that uses it */
        new_best = isfinite(v) && (r->lower_is_better ? v < r->state.best_value : v > r->state.best_value);
        if (new_best) r->state.best_value = v;
    }
    evaluate(r, &r->data.test, "test");
    save_checkpoint(r, new_best);
}

/* The run's settings as a checkpoint stores them: the model's sizes as the data fixed them. */
static char *resolved_settings(const Run *r) {
    RunConfig resolved = *r->cfg;
    resolved.model = r->model.cfg;
    return config_text(&resolved);
}

/* Rank 0 checks the newest checkpoint's data and settings against this run's
 * (resume_settings.h) and reads it; every rank receives its state, weights and optimizer
 * buffers. */
static void resume_if_asked(Run *r) {
    char path[1200];
    if (!r->cfg->train.resume) return;
    int found = r->root && checkpoint_find_latest(r->checkpoint_dir, path, sizeof path);
    if (found) {
        char *settings = resolved_settings(r);
        resume_settings_check(path, r->data.fingerprint, settings, &r->resume_changes);
        free(settings);
        checkpoint_load(path, &r->state, &r->model, &r->opt);
    }
    comm_bcast(r->comm, &found, sizeof found, 0);
    if (!found) {
        progress_print(&r->progress, "resume: no checkpoint in %s yet; starting from step 0\n", r->checkpoint_dir);
        return;
    }
    comm_bcast(r->comm, &r->state, sizeof r->state, 0);
    bcast_backend(r, r->model.weights, r->model.num_params);
    comm_bcast(r->comm, &r->opt.step, sizeof r->opt.step, 0);
    for (int i = 0; i < r->opt.num_states; i++) bcast_backend(r, r->opt.states[i], r->opt.n);
    r->loss_sum = r->state.log_loss_sum, r->loss_steps = r->state.log_loss_steps;
    r->resumed_ranks = r->state.ranks ? r->state.ranks : r->comm->size;
    r->state.ranks = r->comm->size;
    progress_print(&r->progress, "resume: %s (step %ld, epoch %ld)\n", r->root ? path : "checkpoint",
                   r->state.step, r->state.epoch);
}

/* Resumed with another rank count: the epoch's plan has other batches, so the run goes on
 * at the batch where as many examples of the epoch are done; the change is reported. */
static void continue_with_other_ranks(Run *r) {
    int was = r->resumed_ranks, now = r->comm->size;
    if (!was || was == now) return;
    long k = (r->state.next_batch * was + now / 2) / now;
    r->state.next_batch = k < r->plan.num_batches ? k : r->plan.num_batches;
    char was_text[16], now_text[16];
    snprintf(was_text, sizeof was_text, "%d", was), snprintf(now_text, sizeof now_text, "%d", now);
    resume_changes_add(&r->resume_changes, "ranks", was_text, now_text);
}

/* ---- one step ---- */

/* Name of the first parameter tensor with a non-finite gradient ("" when none). */
static const char *first_nonfinite_param(const Model *m) {
    real *grads = host_mirror(m->ops, m->grads, m->num_params, 1);
    const char *name = "";
    for (int i = 0; i < m->num_tensors && !*name; i++) {
        const ParamTensor *t = &m->tensors[i];
        for (size_t k = 0; k < tensor_size(t); k++)
            if (!isfinite(grads[t->offset + k])) {
                name = t->name;
                break;
            }
    }
    host_mirror_done(m->ops, m->grads, grads, m->num_params, 0);
    return name;
}

/* A NaN/Inf loss or gradient at `step` (the update was not applied): stop, saving the
 * weights as they were before this step (the last good state), or go on without it. */
static void handle_nonfinite(Run *r, long step, double loss, const char *param) {
    const char *what = *param ? "gradient of" : "loss";
    if (r->cfg->train.nonfinite == NONFINITE_SKIP) {
        r->state.skipped_steps++;
        progress_print(&r->progress, "step %ld: non-finite %s %s; update skipped (%ld so far)\n", step,
                       what, *param ? param : "", r->state.skipped_steps);
        return;
    }
    char loss_text[32] = "null"; /* also in the message: "nan" reads better than "-nan" */
    if (isfinite(loss)) snprintf(loss_text, sizeof loss_text, "%.6g", loss);
    else snprintf(loss_text, sizeof loss_text, "%s", isnan(loss) ? "nan" : loss > 0 ? "inf" : "-inf");
    if (r->root)
        metrics_log_write(&r->log, "\"step\": %ld, \"epoch\": %ld, \"event\": \"nonfinite\", \"loss\": %s, "
                          "\"in\": \"%s\"", step, r->state.epoch, isfinite(loss) ? loss_text : "null",
                          *param ? param : "loss");
    r->state.next_batch--; /* the saved state is before this batch */
    save_checkpoint(r, 0);
    progress_finish(&r->progress);
    if (r->comm->size > 1) { /* every rank is here (the decision is on averaged values) */
        comm_barrier(r->comm);
        if (r->root)
            fprintf(stderr, "recur: step %ld: the %s%s%s is not finite (loss %s): training diverged; the "
                    "weights before this step are in %s\n", step, what, *param ? " " : "", param, loss_text,
                    r->checkpoint_dir);
        comm_exit((Comm *)r->comm, EXIT_RUNTIME);
    }
    recur_die(EXIT_RUNTIME, "step %ld: the %s%s%s is not finite (loss %s): training diverged. The weights "
              "before this step are in %s; lower lr, set clip_norm or use an lstm/gru cell, then resume=1 "
              "continues from them", step, what, *param ? " " : "", param, loss_text, r->checkpoint_dir);
}

/* Batch k of this epoch's plan into buf, with its rare tokens replaced (unk_replace.h). */
static const Batch *fill_train_batch(Run *r, BatchBuffer *buf, long k) {
    const Batch *bt = batch_fill(buf, &r->data.train, r->plan.order + r->plan.batch_first[k], r->plan.batch_count[k]);
    unk_replace_apply(&r->unk, buf, &r->data.train, r->state.epoch);
    return bt;
}

/* The next batch, starting the next epoch's plan when this one is used up. */
static const Batch *next_batch(Run *r) {
    if (r->state.next_batch >= r->plan.num_batches) {
        r->state.epoch++, r->state.next_batch = 0;
        epoch_plan_free(&r->plan);
        epoch_plan_make_limited(&r->plan, &r->data.train, r->cfg->train.batch_size, r->cfg->train.seed,
                                r->state.epoch, 1, r->per_epoch);
    }
    long k = r->state.next_batch++;
    const Batch *ahead = r->next;
    r->next = NULL;
    if (ahead && r->next_epoch == r->state.epoch && r->next_index == k) return ahead;
    const Batch *bt = fill_train_batch(r, &r->batches, k);
    model_stage(&r->model, bt); /* where every training batch lands (batch_staging.h) */
    return bt;
}

/* A GPU model: the next batch of this epoch is filled and its upload queued while the
 * device still runs this step (model_stage); the next step's forward then finds it there.
 * The run's state is not advanced, so checkpoints and resume are as without it. */
static void prepare_next_batch(Run *r) {
    long k = r->state.next_batch;
    if (r->model.ops->host_memory || k >= r->plan.num_batches) return;
    r->next = fill_train_batch(r, &r->ahead, k);
    r->next_epoch = r->state.epoch, r->next_index = k;
    model_stage(&r->model, r->next);
}

/* A step's scalars stay on the backend until one read at its end (ops.h). */
enum { SUM_LOSS, SUM_SQUARES, SUM_SQUARES_CLIPPED, STEP_SUMS };

/* The frozen embedding (freeze_embedding), or NULL. */
static const ParamTensor *frozen_tensor(const Run *r) {
    return r->cfg->train.freeze_embedding ? model_find_tensor(&r->model, "embedding.weight") : NULL;
}

/* The optimizer step with the scalars uploaded with the step's others, skipped by the
 * backend when the gradients are not finite; a frozen embedding is put back as it was. */
static void update_weights(Run *r) {
    const ParamTensor *e = frozen_tensor(r);
    size_t n = e ? tensor_size(e) : 0;
    const ModelOps *ops = r->model.ops;
    if (n) ops->copy(r->frozen, r->model.weights + e->offset, sizeof(real) * n);
    optimizer_apply(&r->opt, &model_device_scalars(&r->model)->update, r->model.weights, r->model.grads,
                    &r->step_sums[SUM_SQUARES]);
    if (n) ops->copy(r->model.weights + e->offset, r->frozen, sizeof(real) * n);
}

/* The mean loss of the global batch (every rank's items), from this rank's `loss` over
 * `counted` of the `global_counted` items. */
static double global_loss(const Run *r, double loss, long counted, double global_counted) {
    if (r->comm->size == 1 || global_counted <= 0) return loss;
    double sum = loss * (double)counted;
    comm_sum_double(r->comm, &sum, 1);
    return sum / global_counted;
}

/* A layer ran the step loop, whose launches follow each batch's lengths: no graphs. */
static void stop_graphs(Run *r) {
    step_graphs_disable(r->graphs);
    progress_print(&r->progress, "recur: step graphs: off from step %ld: a layer runs the step loop, whose "
                   "launches follow each batch's lengths\n", r->state.step + 1);
}

/* The step's work on the backend, queued without waiting and the same for every batch of
 * a shape (step_graph.h): forward, backward (its hook starts each layer's all-reduce),
 * clipping and the update, which the backend skips by itself when the gradients are not
 * finite (a non-finite loss makes them so: loss.h). Not captured, the next batch is staged
 * while the device runs backward. */
static void queue_step(void *ctx, int capturing) {
    Run *r = ctx;
    const TrainConfig *t = &r->cfg->train;
    model_zero_grads(&r->model);
    model_forward_queued(&r->model, &r->step_sums[SUM_LOSS]);
    grad_reduce_begin(&r->reducer, r->comm->size > 1 ? &model_device_scalars(&r->model)->grad_scale : NULL);
    model_backward(&r->model, r->step_batch);
    if (!capturing) prepare_next_batch(r);
    grad_reduce_finish(&r->reducer);
    clip_grads_on(r->model.ops, r->model.grads, r->model.num_params, t->clip_value, t->clip_norm,
                  &r->step_sums[SUM_SQUARES]);
    update_weights(r);
}

/* The values of step `step` that change from step to step (step_scalars.h) — this rank's
 * share of the global batch, the optimizer's rate and corrections, the dropout seed —
 * uploaded with its batch. */
static void prepare_step(Run *r, long step, const Batch *bt, double counted, double global_counted) {
    const TrainConfig *t = &r->cfg->train;
    StepScalars *scalars = model_step_scalars(&r->model);
    scalars->grad_scale = grad_reduce_share(counted, global_counted);
    r->opt.lr = schedule_lr(t, step, r->state.epoch, r->total_steps);
    optimizer_begin_step(&r->opt, &scalars->update);
    model_prepare(&r->model, bt, 1, rng_bits(t->seed, DROPOUT_STREAM, (uint64_t)step));
    r->step_batch = bt;
}

/* The step's work (run, or one graph launch), then its one read into sums. A graph holds
 * the NCCL all-reduce, so with ranks that read is the wait on them, timed by the watchdog. */
static void run_step_work(Run *r, const Batch *bt, double *sums) {
    StepHow how = step_graphs_run(r->graphs, bt->T, bt->B, queue_step, r);
    if (how != STEP_RAN) prepare_next_batch(r);
    else if (step_graphs_on(r->graphs) && !model_launches_fixed(&r->model)) stop_graphs(r);
    int timed = how != STEP_RAN && r->comm->size > 1;
    if (timed) comm_wait_begin("the step's CUDA graph (its NCCL gradient all-reduce)");
    r->model.ops->download(sums, r->step_sums, sizeof(double) * STEP_SUMS); /* the step's one wait */
    if (timed) comm_wait_end();
}

/* One step: its batch and the global batch's items, its values uploaded, its work, then one
 * read of its loss and norm, which decides, the same on every rank, what the host does. */
static void train_step(Run *r) {
    long step = r->state.step + 1;
    const Batch *bt = next_batch(r);
    int samples = bt->B; /* bt may be refilled by prepare_next_batch */
    long counted = model_count_items(&r->model, bt);
    /* the items of the global batch, and whether any rank has been asked to stop */
    double global[2] = {(double)counted, (double)stop_requested};
    comm_sum_double(r->comm, global, 2);
    r->stopping = global[1] > 0;
    double lr_before = r->opt.lr, sums[STEP_SUMS];
    prepare_step(r, step, bt, (double)counted, global[0]);
    run_step_work(r, bt, sums);
    double loss = global_loss(r, sums[SUM_LOSS], counted, global[0]);
    if (!isfinite(loss) || !isfinite(sums[SUM_SQUARES])) { /* the backend skipped the update */
        optimizer_step_undo(&r->opt), r->opt.lr = lr_before;
        handle_nonfinite(r, step, loss, isfinite(loss) ? first_nonfinite_param(&r->model) : "");
    } else {
        r->loss_sum += loss, r->loss_steps++;
    }
    r->loss_samples += samples;
    r->state.step = step;
}

static void write_train_line(Run *r, double loss, double rate) {
    char loss_text[32] = "null"; /* every step of the interval skipped: JSON has no NaN */
    if (isfinite(loss)) snprintf(loss_text, sizeof loss_text, "%.6g", loss);
    metrics_log_write(&r->log, "\"step\": %ld, \"epoch\": %ld, \"split\": \"train\", \"loss\": %s, \"lr\": %.6g, "
                      "\"samples_per_s\": %.1f, \"skipped\": %ld, \"wall_s\": %.3f", r->state.step, r->state.epoch,
                      loss_text, r->opt.lr, rate, r->state.skipped_steps, now_s() - r->start_s);
}

static void log_training(Run *r) {
    double since = now_s() - r->loss_since_s;
    double rate = (double)r->loss_samples * r->comm->size / (since > 0 ? since : 1e-9); /* all ranks */
    double loss = r->loss_steps ? r->loss_sum / (double)r->loss_steps : NAN;
    progress_log(&r->progress, r->state.step, r->state.epoch, loss, rate, r->opt.lr);
    if (r->root) write_train_line(r, loss, rate);
    r->loss_sum = 0, r->loss_steps = 0, r->loss_samples = 0, r->loss_since_s = now_s();
}

/* Asked to stop (SIGTERM/SIGINT on any rank): a checkpoint of this step, then every rank
 * leaves with 128 + SIGTERM; `resume = 1` continues without losing a step. No train line
 * is written here: the partial loss average goes into the checkpoint, and the resumed run
 * writes the line a straight run would have written. */
static _Noreturn void stop_now(Run *r) {
    save_checkpoint(r, 0);
    progress_finish(&r->progress);
    progress_print(&r->progress, "stopped by a signal after step %ld; checkpoint written to %s; "
                   "resume=1 continues from it\n", r->state.step, r->checkpoint_dir);
    comm_barrier(r->comm);
    comm_exit((Comm *)r->comm, 128 + SIGTERM);
}

static void run_loop(Run *r) {
    const TrainConfig *t = &r->cfg->train;
    r->loss_since_s = now_s();
    while (r->state.step < r->total_steps) {
        train_step(r);
        long step = r->state.step;
        double loss = r->loss_steps ? r->loss_sum / (double)r->loss_steps : NAN;
        progress_step(&r->progress, step, r->state.epoch, loss, (double)r->loss_samples / (now_s() - r->loss_since_s));
        int epoch_end = r->state.next_batch == r->plan.num_batches, last = step == r->total_steps;
        if (step % t->log_every == 0 || last) log_training(r);
        int eval = (t->eval_every > 0 && step % t->eval_every == 0) || epoch_end || last;
        if (eval) evaluate_and_save(r);
        else if (t->checkpoint_every > 0 && step % t->checkpoint_every == 0) save_checkpoint(r, 0);
        if (r->stopping && !last) stop_now(r);
    }
}

/* ---- set-up ---- */

/* Turns unk_replace = auto into the alpha it means for this data (stored so in checkpoints,
 * so a resume compares values, not spellings) and counts the training tokens. */
static void resolve_unk_replace(Run *r, RunConfig *cfg) {
    double alpha = unk_replace_alpha(cfg->train.unk_replace, r->data.train.task);
    snprintf(cfg->train.unk_replace, sizeof cfg->train.unk_replace, "%g", alpha);
    unk_replace_init(&r->unk, alpha, cfg->train.seed, &r->data.train, r->comm);
}

/* The pretrained vectors of the dataset into the embedding (on the model's backend). */
static void load_pretrained_embedding(Run *r) {
    Model *m = &r->model;
    real *w = host_mirror(m->ops, m->weights, m->num_params, 1);
    const ParamTensor *e = model_find_tensor(m, "embedding.weight");
    for (size_t i = 0; i < tensor_size(e); i++) w[e->offset + i] = (real)r->data.embedding[i];
    host_mirror_done(m->ops, m->weights, w, m->num_params, 1);
}

static void setup_model(Run *r, RunConfig *cfg) {
    ModelConfig mc = train_model_config(cfg, &r->data);
    const ModelOps *ops = train_device_open(&cfg->train, &mc, r->comm);
    model_init_on(&r->model, &mc, cfg->train.seed, ops);
    if (r->data.embedding && cfg->train.pretrained_embedding && mc.vocab_size == r->data.train.vocab_size)
        load_pretrained_embedding(r);
    bcast_backend(r, r->model.weights, r->model.num_params); /* rank 0's, exactly */
    optimizer_init_on(&r->opt, &cfg->train, r->model.num_params, ops);
    r->step_sums = ops->alloc(sizeof(double) * STEP_SUMS, "step sums");
    const ParamTensor *e = frozen_tensor(r);
    if (e) r->frozen = ops->alloc(sizeof(real) * tensor_size(e), "frozen embedding");
    r->graphs = step_graphs_new(ops, cfg->train.gpu_graph && cfg->train.gpu_recurrence != GPU_RECURRENCE_STEPS);
    grad_reduce_init(&r->reducer, r->comm, ops, r->model.grads, r->model.num_params,
                     cfg->train.allreduce_overlap);
    r->model.grads_ready = grad_reduce_ready, r->model.grads_ready_ctx = &r->reducer;
    eval_result_init(&r->eval, r->data.train.task, mc.output_size, r->data.target_offset, r->data.target_factor);
    if (r->data.window.horizon) /* series regression: the baselines on the same windows */
        eval_result_init_forecast(&r->eval, r->data.window.horizon, r->data.window.num_targets, cfg->train.season);
}

/* Rank 0 owns the run directory: its lock first, then the temporary files of killed
 * runs are removed (io/run_lock.h, io/durable_file.h). */
static void claim_run_dir(Run *r, const RunConfig *cfg) {
    snprintf(r->checkpoint_dir, sizeof r->checkpoint_dir, "%s/checkpoints", cfg->train.run_dir);
    if (!r->root) return;
    run_lock_acquire(cfg->train.run_dir);
    durable_remove_stale_temps(cfg->train.run_dir, "");
    durable_remove_stale_temps(r->checkpoint_dir, "");
}

static void setup(Run *r, RunConfig *cfg) {
    claim_run_dir(r, cfg);
    if (cfg->train.threads > 0) blas_set_threads(cfg->train.threads);
    train_data_load(&r->data, cfg, r->comm);
    rank_agreement_check(r->comm, cfg, r->data.fingerprint);
    resolve_best_metric(r, cfg);
    resolve_unk_replace(r, cfg);
    setup_model(r, cfg);
    progress_init(&r->progress, cfg->train.progress, !r->root);
    r->state = (CheckpointState){.best_value = r->lower_is_better ? INFINITY : -INFINITY, .ranks = r->comm->size};
    memcpy(r->state.fingerprint, r->data.fingerprint, sizeof r->state.fingerprint);
    resume_if_asked(r);
    r->per_epoch = r->data.train.total / r->comm->size;
    epoch_plan_make_limited(&r->plan, &r->data.train, cfg->train.batch_size, cfg->train.seed, r->state.epoch, 1,
                            r->per_epoch);
    continue_with_other_ranks(r);
    r->total_steps = cfg->train.epochs > 0 ? cfg->train.epochs * r->plan.num_batches : cfg->train.steps;
    progress_start(&r->progress, r->state.step, r->total_steps);
    if (r->root) metrics_log_open(&r->log, cfg->train.run_dir, cfg->train.resume ? r->state.step : -1);
    resume_changes_report(&r->resume_changes, r->state.step, r->state.epoch, r->root ? &r->log : NULL, &r->progress);
    if (r->data.valid.total == 0)
        progress_print(&r->progress, "recur: note: the dataset has no valid split: nothing to select by "
                       "(best_metric = %s unused); best.h5 follows the newest checkpoint\n", cfg->train.best_metric);
    const ModelConfig *mc = &r->model.cfg;
    progress_print(&r->progress, "recur: %s, %d layer(s)%s, hidden %d: %zu parameters; %ld train / %ld valid / "
                   "%ld test examples (data %s) on %d rank(s); %ld steps of %d x %d (%ld per epoch)\n",
                   cell_type_names[mc->cell], mc->num_layers, mc->bidirectional ? " bidirectional" : "",
                   mc->hidden_size, r->model.num_params, r->data.train.total, r->data.valid.total,
                   r->data.test.total, r->data.fingerprint, r->comm->size, r->total_steps, cfg->train.batch_size,
                   r->comm->size, r->plan.num_batches);
    if (step_graphs_on(r->graphs))
        progress_print(&r->progress, "recur: step graphs: on: each batch shape (T, B) runs once, then its whole step "
                       "is captured as one CUDA graph and replayed (%d shapes kept; gpu_graph = 0 turns it off)\n",
                       STEP_GRAPH_SHAPES);
    else if (r->model.ops->cuda)
        progress_print(&r->progress, "recur: step graphs: off (%s): every operation launched by itself\n",
                       cfg->train.gpu_graph ? "gpu_recurrence = steps, whose launches follow each batch's lengths"
                                            : "gpu_graph = 0");
    if (r->unk.alpha > 0)
        progress_print(&r->progress, "recur: unk_replace = %g: a training token seen n times becomes <unk> with "
                       "probability %g / (%g + n) (n = 1: %.3f)\n", r->unk.alpha, r->unk.alpha, r->unk.alpha,
                       r->unk.alpha / (r->unk.alpha + 1));
}

/* How the steps ran, when graphs were on at the start. */
static void report_graphs(Run *r) {
    long captured, replayed;
    step_graphs_counts(r->graphs, &captured, &replayed);
    if (captured || replayed)
        progress_print(&r->progress, "recur: step graphs: %ld step(s) captured, %ld replayed\n", captured, replayed);
}

int train_run(const RunConfig *config, const Comm *comm) {
    RunConfig cfg = *config;
    Run r = {.cfg = &cfg, .comm = comm, .root = comm->rank == 0, .start_s = now_s()};
    struct sigaction stop = {.sa_handler = request_stop};
    sigemptyset(&stop.sa_mask);
    sigaction(SIGTERM, &stop, NULL), sigaction(SIGINT, &stop, NULL);
    setup(&r, &cfg);
    if (r.state.step >= r.total_steps)
        progress_print(&r.progress, "nothing to do: the checkpoint is at step %ld of %ld\n", r.state.step, r.total_steps);
    run_loop(&r);
    progress_finish(&r.progress);
    report_graphs(&r);
    if (r.root) metrics_log_close(&r.log);
    if (r.frozen) r.model.ops->release(r.frozen);
    r.model.ops->release(r.step_sums);
    eval_result_free(&r.eval), epoch_plan_free(&r.plan), optimizer_free(&r.opt), model_free(&r.model);
    grad_reduce_free(&r.reducer), batch_buffer_free(&r.batches), batch_buffer_free(&r.ahead);
    step_graphs_free(r.graphs);
    unk_replace_free(&r.unk), train_data_free(&r.data);
    return 0;
}
