/* evaluate.h: evaluating a model on one split — loss and the task's metrics — and
 * writing them as one metrics.jsonl line and one human line.
 *
 * evaluate_split runs the model in eval mode (no dropout) over this rank's shard in the
 * length-grouped, unshuffled order of epoch_plan.h and fills an EvalResult:
 *   loss: sum over batches of (mean batch loss x items the loss counted), and those items;
 *   classify: one prediction per sequence (argmax of the logits) into a Confusion;
 *   tag: one per real token (position t*B+b only when t < lengths[b]);
 *   both skip labels equal to the model's ignore_index, as the loss does;
 *   a split with the <unk> class (d->has_unknown: labels equal to num_classes) adds it to
 *     the confusion as a last class no prediction goes to (each such item a miss), and
 *     the loss leaves those items out (there is no logit for them);
 *   regress: every output of every example against its target, in real units; a series
 *     split's outputs are mapped back through its window transform (d->window) first, and
 *     with eval_result_init_forecast the baselines are scored on the same windows.
 * Every field of an EvalResult is a sum (double, int64), a count matrix, or the list of
 * absolute errors, so per-rank results combine exactly with eval_result_merge (the
 * doubles up to summation order). Only rank 0 should call eval_result_log.
 * This module does not read files or talk to other ranks. */
#ifndef RECUR_EVALUATE_H
#define RECUR_EVALUATE_H

#include <stdint.h>
#include <stdio.h>

#include "data/dataset.h"
#include "forecast_metrics.h"
#include "metrics.h"
#include "metrics_log.h"
#include "model/model.h"
#include "regression_metrics.h"

typedef struct EvalResult {
    DatasetTask task;
    double loss_sum;              /* sum over batches of mean loss x counted items */
    int64_t items;                /* items the loss counted */
    int64_t examples;             /* examples evaluated */
    Confusion confusion;          /* classify, tag: [outputs][outputs] */
    RegressionErrors regression;  /* regress: `outputs` per example */
    ForecastErrors forecast;      /* series regress after eval_result_init_forecast: the model
                                   * and the baselines per horizon step; else horizon 0 */
} EvalResult;

/* outputs: the model's output size (classes, or values per example). target_offset and
 * target_factor [outputs] undo the scaler of a regression task (NULL: identity); they
 * are copied. */
void eval_result_init(EvalResult *e, DatasetTask task, int outputs, const double *target_offset,
                      const double *target_factor);
/* A series regression result also scores persistence and (season > 0) seasonal naive on
 * the same windows, per horizon step (forecast_metrics.h); call after eval_result_init. */
void eval_result_init_forecast(EvalResult *e, int horizon, int num_targets, int season);
void eval_result_reset(EvalResult *e);
/* dst += src; exit 1 when the two are of different tasks or sizes. */
void eval_result_merge(EvalResult *dst, const EvalResult *src);
void eval_result_free(EvalResult *e);
/* Mean loss per counted item; 0 when nothing was counted. */
double eval_result_loss(const EvalResult *e);

/* Resets e, then evaluates m on all of d in batches of batch_size, using buf for the
 * padded batches. Exit 1 when d's task or the model's output size is not e's. */
void evaluate_split(EvalResult *e, Model *m, const Dataset *d, BatchBuffer *buf, int batch_size);

/* Where an evaluation sits in a run, and what to call its classes. */
typedef struct EvalLogInfo {
    const char *split;           /* "valid", "test" */
    long step, epoch;
    char *const *class_names;    /* [outputs] for classify/tag, or NULL: the class index */
    const char *extra_json;      /* more JSON members appended as they are, or NULL */
} EvalLogInfo;

/* Writes one metrics.jsonl line to log (unless NULL):
 *   "step", "epoch", "split", "loss", "samples" (examples), "items", then
 *   classify/tag: "accuracy", "macro_f1", "weighted_f1",
 *     "per_class": [{"class", "precision", "recall", "f1", "support"}...],
 *     "confusion": [[row = true class, column = predicted]...];
 *   regress: "mae", "rmse", "median_ae", "mape" (percent; null when no item counted),
 *     "mape_excluded" (items with a near-zero real target, regression_metrics.h), all in real units;
 *     with baselines: "persistence_mae", "persistence_rmse", "persistence_median_ae",
 *     "skill_persistence", the same four for "seasonal" and "season", and "per_step":
 *     {"mae": [h = 1..H], "rmse", "median_ae", "persistence_mae", ..., "skill_seasonal"};
 * and one line to human (unless NULL):
 *   eval  step 1500 valid: loss 0.8765  accuracy 0.7766  macro_f1 0.7642
 *   eval  step 1500 valid: loss 0.1234  mae 1.23  rmse 2  median_ae 0.9  mape 4.5% (real units)
 *     | persistence mae 1.5 (skill 0.18)  seasonal(24) mae 2 (skill 0.385)  | step 48: mae 2.1, ...
 * Non-finite numbers are written as null. The median reorders e's absolute errors. */
void eval_result_log(EvalResult *e, const EvalLogInfo *info, MetricsLog *log, FILE *human);

#endif
