/* checkpoint.h: training checkpoints in HDF5 — written by rank 0 to a temporary file,
 * flushed and renamed, so a crash at any moment leaves every earlier checkpoint whole;
 * found again for --resume; refused when they belong to another dataset or model.
 *
 * File (docs/TRAINING.md, "Checkpoints"): root attributes format = "recur-checkpoint", version,
 * step, epoch, next_batch (position in the epoch's plan), skipped_steps, best_value,
 * log_loss_sum and log_loss_steps (the partial train-line average), ranks,
 * dataset fingerprint, the full config text; /model/<name> one dataset per parameter
 * under PyTorch's state_dict names and shapes; /optimizer/<state> the optimizer's
 * buffers (flat, in parameter order) with attributes type and step; /data the dataset's
 * vocabulary, classes, tokenizer settings and scaler (dataset_meta.h), so the checkpoint
 * alone can be applied to new text or series. The config text has the model's sizes as
 * the data fixed them (vocab_size, output_size, input_size), so it rebuilds the model.
 * Checksums (checkpoint_sum.h) on every tensor, the optimizer group and the root are
 * verified on load, and non-finite values refused, naming the tensor (exit 2); a file
 * without them (an older recur's) loads with a note. docs/TRAINING.md has the layout.
 * Names: <dir>/step-000001500.h5; best.h5 is a hard link to the best one. */
#ifndef RECUR_CHECKPOINT_H
#define RECUR_CHECKPOINT_H

#include <stddef.h>

#include "config/config.h"
#include "data/dataset_meta.h"
#include "model/model.h"
#include "optimizer.h"

#define CHECKPOINT_FORMAT "recur-checkpoint"
#define CHECKPOINT_VERSION 1

typedef struct CheckpointState {
    long step;           /* optimizer steps done */
    long epoch;          /* epoch of the next batch */
    long next_batch;     /* index of the next batch in that epoch's plan */
    long skipped_steps;  /* steps skipped for a non-finite loss or gradient */
    double best_value;   /* best value of best_metric so far */
    /* the training loss since the last train line of metrics.jsonl (sum over the steps, and
     * how many), so a resumed run's first line averages the same steps as a straight run */
    double log_loss_sum;
    long log_loss_steps;
    int ranks;           /* the job's rank count (0: unknown, a checkpoint older than it) */
    char fingerprint[17];
} CheckpointState;

/* Writes <dir>/step-<step>.h5 (dir created); its path into path_out. */
void checkpoint_save(const char *dir, const CheckpointState *s, const Model *m, const Optimizer *o,
                     const RunConfig *cfg, const DatasetMeta *meta, char *path_out, size_t size);
/* The config stored in a checkpoint (the model's sizes filled in), and its data meta. */
void checkpoint_read_config(const char *path, RunConfig *cfg, DatasetMeta *meta);
/* The newest whole checkpoint in dir (by step; temporary files ignored): 1 and its path,
 * or 0 when there is none. */
int checkpoint_find_latest(const char *dir, char *path, size_t size);
/* Reads a checkpoint into s, m's weights and o's state. Exit 2 naming the file when it is
 * not a checkpoint, was made from other data (fingerprint differs from s->fingerprint,
 * unless that is empty), holds a model of another shape, fails a checksum or holds a
 * non-finite value. o = NULL: only the weights (eval, predict). */
void checkpoint_load(const char *path, CheckpointState *s, Model *m, Optimizer *o);
/* Only the weights (o = NULL above, no fingerprint check): for eval and predict. */
/* Makes <dir>/best.h5 a link to path (atomically replacing the previous one). */
void checkpoint_mark_best(const char *dir, const char *path);
/* Deletes all but the newest `keep` step-*.h5 files in dir, never the one best.h5 is. */
void checkpoint_prune(const char *dir, int keep);

#endif
