/* dataset_file.h: opening a recur dataset file (docs/FORMATS.md), checking its schema,
 * and reading one rank's shard of a split by hyperslab — never the whole file.
 *
 * Shards: with W ranks, rank r holds examples [floor(N*r/W), floor(N*(r+1)/W)) of a split
 * of N examples: contiguous, sizes differ by at most one, every example in exactly one
 * shard. A rank reads only its examples' rows of each array (plus a few index
 * entries), so its memory is its shard's size. Anything not as the schema says — not
 * HDF5, truncated, another format, another version, inconsistent sizes, ids out of
 * range — ends the process with exit 2 naming the file and the HDF5 path. */
#ifndef RECUR_DATASET_FILE_H
#define RECUR_DATASET_FILE_H

#include <stdint.h>

#include "dataset.h"
#include "io/h5_tensor.h"

typedef struct DatasetFile {
    H5File h5;
    DatasetTask task;
    DatasetInput input;
    int version;
    char fingerprint[17];
    long examples[SPLIT_COUNT];
    int vocab_size, num_classes, embedding_dim;
    int has_unknown;     /* 1: root attribute unknown_class (= num_classes): valid/test labels
                          * or tags of that id are the <unk> class, never predicted */
    int num_features, num_targets, input_steps, horizon, stride;
} DatasetFile;

void dataset_file_open(DatasetFile *f, const char *path);
void dataset_file_close(DatasetFile *f);

/* Examples [first, first+count) of the split that rank `rank` of `world` reads. */
void dataset_shard_range(long total, int rank, int world, long *first, long *count);
/* Reads rank's shard of a split into d (checked: ids and labels in range, every example
 * at least one step long). */
void dataset_read_shard(const DatasetFile *f, SplitId split, int rank, int world, Dataset *d);

/* Strings of /vocab, /classes or /features ("" -> NULL, *count = 0 when absent). */
char **dataset_read_names(const DatasetFile *f, const char *path, int64_t *count);
/* The scaler (series): kind name and per-feature offset and factor, malloc'd. */
char *dataset_read_scaler(const DatasetFile *f, double **offset, double **factor);
/* Feature index of each target column (regress), malloc'd [num_targets]. */
int32_t *dataset_read_target_features(const DatasetFile *f);

#endif
