/* train_data.h: the splits a training run reads — the generated synthetic corpus, or
 * this rank's shards of a recur dataset file — and the model settings the data fixes
 * (vocabulary, classes or outputs, features per step), checked against the rest of the
 * model's settings so a mismatch is one clear message before any training. */
#ifndef RECUR_TRAIN_DATA_H
#define RECUR_TRAIN_DATA_H

#include "comm/comm.h"
#include "config/config.h"
#include "data/dataset.h"
#include "data/dataset_meta.h"
#include "data/window_transform.h"

typedef struct TrainData {
    Dataset train, valid;
    Dataset test;           /* empty (n = 0) for the synthetic corpus */
    char fingerprint[17];   /* of the dataset file, or of the generated corpus */
    DatasetMeta meta;       /* what predict needs (saved in checkpoints) */
    char **class_names;     /* = meta.classes: [num_classes] (classify, tag) or NULL */
    int num_classes;
    /* regress: output column c (= step h * num_targets + target k) in real units is
     * scaled * target_factor[c] + target_offset[c] (the stored scaler, undone) */
    double *target_offset, *target_factor;
    int num_outputs;
    /* series: how windows reach the model (window_setup.h); the three splits point here */
    WindowTransform window;
    /* pretrained vectors of the dataset (rank 0 reads them; NULL elsewhere or when none) */
    float *embedding;       /* [vocab_size][embedding_dim] */
    int embedding_dim;      /* 0: the dataset has none */
} TrainData;

void train_data_load(TrainData *td, const RunConfig *cfg, const Comm *comm);
void train_data_free(TrainData *td);
/* The configured model with what the data decides filled in; exit 2 when they disagree. */
ModelConfig train_model_config(const RunConfig *cfg, const TrainData *td);

#endif
