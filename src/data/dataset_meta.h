/* dataset_meta.h: what a model needs from its dataset to be applied to new raw input —
 * task, tokenizer settings, vocabulary, class names, feature names, target columns and
 * the scaler — without any of the examples. Read from a dataset file (group "/") and
 * stored in every checkpoint (group "/data", same names and attributes), so `recur
 * predict` needs only the checkpoint. For the synthetic corpus only task and input are
 * set. Exit 2 naming the file and path when something is missing or malformed. */
#ifndef RECUR_DATASET_META_H
#define RECUR_DATASET_META_H

#include <stdint.h>

#include "data/dataset_schema.h"
#include "data/tokenizer.h"
#include "io/h5_tensor.h"

typedef struct DatasetMeta {
    DatasetTask task;
    DatasetInput input;
    char fingerprint[17];
    /* token input */
    TokenizerOptions tokenizer;
    int max_len, bos_eos;
    int64_t vocab_size;
    char **vocab;            /* [vocab_size] */
    /* classify, tag */
    int64_t num_classes;
    char **classes;          /* [num_classes] */
    /* series input */
    int64_t num_features;
    char **features;         /* [num_features] */
    int num_targets, input_steps, horizon;
    int32_t *target_features; /* [num_targets] */
    char scale_kind[16];
    double *scale_offset, *scale_factor; /* [num_features] */
    double *change_factor;   /* [horizon * num_targets] (/change_scaler/factor), or NULL in
                              * files made before recur prep wrote one */
} DatasetMeta;

/* group: "/" in a dataset file, "/data" in a checkpoint. */
void dataset_meta_read(DatasetMeta *m, const H5File *f, const char *group);
/* The same without the vocabulary strings when with_vocab is 0 (vocab NULL, vocab_size 0):
 * a training rank other than 0 needs none of them (only rank 0 writes checkpoints). */
void dataset_meta_read_opts(DatasetMeta *m, const H5File *f, const char *group, int with_vocab);
void dataset_meta_write(const DatasetMeta *m, H5File *f, const char *group);
void dataset_meta_free(DatasetMeta *m);

#endif
