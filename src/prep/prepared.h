/* prepared.h: a dataset being built by a converter, in memory, in the shape of the file
 * format (docs/FORMATS.md): splits of ragged token ids with labels or tags, or of numeric
 * series windows with targets or labels; vocabulary, classes, embedding, scaler. One
 * writer (prepared_write) turns it into the HDF5 file, so every converter writes the same
 * schema. It knows nothing of source formats. */
#ifndef RECUR_PREPARED_H
#define RECUR_PREPARED_H

#include <stdint.h>

#include "config/prep_config.h"
#include "data/dataset_schema.h"
#include "data/vocab.h"

typedef struct PreparedSplit {
    long n;                  /* examples */
    /* token input: example i is tokens[offsets[i] .. offsets[i+1]) */
    int64_t *offsets;        /* [n+1] */
    int32_t *tokens;         /* [offsets[n]] */
    int32_t *tags;           /* [offsets[n]] (task tag), else NULL */
    /* series input: example i is rows starts[i] .. starts[i]+input_steps-1 of series */
    long rows;
    float *series;           /* [rows][num_features], scaled */
    int64_t *starts;         /* [n] */
    float *targets;          /* [n][horizon][num_targets], scaled (task regress) */
    /* classification (task classify) */
    int32_t *labels;         /* [n] */
    long cap_n, cap_tokens;  /* growth of the token arrays */
} PreparedSplit;

typedef struct PreparedDataset {
    DatasetTask task;
    DatasetInput input;
    PreparedSplit splits[SPLIT_COUNT];
    /* token input */
    Vocab vocab;             /* ids of the tokens (specials first) */
    float *embedding;        /* [vocab.size][embedding_dim] or NULL */
    int embedding_dim;
    long embedding_hits;     /* vocabulary entries found in the vectors file */
    /* classes (classify) or tags (tag): names in id order */
    Vocab classes;
    int unknown_class;       /* valid/test labels of this id (= classes.size) are the <unk>
                              * class (prep's unknown_labels = unk); -1: none */
    /* series input */
    int num_features, num_targets, input_steps, horizon, stride;
    char **feature_names;    /* [num_features] */
    int *target_features;    /* [num_targets] feature index of each target */
    ScaleKind scale;
    double *scale_offset, *scale_factor; /* [num_features]: scaled = (x - offset) / factor */
    double *change_factor;   /* [horizon][num_targets] (regress): RMS of the scaled change
                              * from the window's last value over the training windows */
    const PrepConfig *recipe; /* written into the file as text */
} PreparedDataset;

void prepared_init(PreparedDataset *d, DatasetTask task, DatasetInput input, const PrepConfig *recipe);
void prepared_free(PreparedDataset *d);

/* Appends one token example: `len` ids, its tags (task tag) or label (task classify). */
void prepared_add_tokens(PreparedSplit *s, const int32_t *ids, long len, const int32_t *tags,
                         int32_t label);

/* Writes the HDF5 file (temp file + rename: never a half-written file at `path`) with its
 * fingerprint, and prints a summary on stdout. Exit 1 on a write failure. */
void prepared_write(const PreparedDataset *d, const char *path);

#endif
