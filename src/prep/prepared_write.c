/* prepared_write.c: a PreparedDataset into the recur dataset file (docs/FORMATS.md) —
 * root attributes, one group per split, vocabulary, classes, embedding, scaler, the
 * recipe and the content fingerprint; written to a temporary file and renamed. The
 * layout constants are in data/dataset_schema.h; the reader is data/dataset_file.c. */
#include "prepared.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/hash.h"
#include "io/durable_file.h"
#include "io/h5_array.h"

#ifndef RECUR_VERSION
#define RECUR_VERSION "0.1.0"
#endif

/* One array: written to the file and folded into the fingerprint, in call order. */
typedef struct Writer {
    H5File file;
    uint64_t fingerprint;
} Writer;

static const size_t elem_bytes[] = {[ELEM_INT32] = 4, [ELEM_INT64] = 8, [ELEM_FLOAT32] = 4,
                                    [ELEM_FLOAT64] = 8};

static void put_array(Writer *w, const char *path, ElemType type, int rank, const int64_t *dims,
                      const void *data, int64_t chunk_rows) {
    TensorShape shape = {.rank = rank};
    for (int i = 0; i < rank; i++) shape.dims[i] = dims[i];
    h5_write_array(&w->file, path, type, &shape, data, chunk_rows);
    size_t bytes = (size_t)tensor_shape_count(&shape) * elem_bytes[type];
    if (data) w->fingerprint = fnv1a64(w->fingerprint, data, bytes);
}

static void put_strings(Writer *w, const char *path, char *const *strings, int64_t count) {
    h5_write_strings(&w->file, path, strings, count);
    for (int64_t i = 0; i < count; i++)
        w->fingerprint = fnv1a64(w->fingerprint, strings[i], strlen(strings[i]) + 1);
}

static void put_token_split(Writer *w, const PreparedDataset *d, const PreparedSplit *s,
                            const char *group) {
    char path[64];
    int64_t n = s->n, total = s->offsets[s->n], n1 = n + 1;
    snprintf(path, sizeof path, "%s/offsets", group);
    put_array(w, path, ELEM_INT64, 1, &n1, s->offsets, CHUNK_EXAMPLES);
    snprintf(path, sizeof path, "%s/tokens", group);
    put_array(w, path, ELEM_INT32, 1, &total, s->tokens, CHUNK_TOKENS);
    if (d->task == TASK_TAG) {
        snprintf(path, sizeof path, "%s/tags", group);
        put_array(w, path, ELEM_INT32, 1, &total, s->tags, CHUNK_TOKENS);
    }
    h5_attr_write_int(&w->file, group, "tokens", total);
}

static void put_series_split(Writer *w, const PreparedDataset *d, const PreparedSplit *s,
                             const char *group) {
    char path[64];
    int64_t rows[2] = {s->rows, d->num_features}, n = s->n;
    int64_t targets[3] = {s->n, d->horizon, d->num_targets};
    snprintf(path, sizeof path, "%s/series", group);
    put_array(w, path, ELEM_FLOAT32, 2, rows, s->series, 4096);
    snprintf(path, sizeof path, "%s/starts", group);
    put_array(w, path, ELEM_INT64, 1, &n, s->starts, CHUNK_EXAMPLES);
    if (d->task == TASK_REGRESS) {
        snprintf(path, sizeof path, "%s/targets", group);
        put_array(w, path, ELEM_FLOAT32, 3, targets, s->targets, 4096);
    }
    h5_attr_write_int(&w->file, group, "rows", s->rows);
}

static void put_split(Writer *w, const PreparedDataset *d, int k) {
    const PreparedSplit *s = &d->splits[k];
    char group[32];
    snprintf(group, sizeof group, "/%s", split_names[k]);
    h5_create_group(&w->file, group);
    h5_attr_write_int(&w->file, group, "examples", s->n);
    if (d->input == INPUT_TOKENS) put_token_split(w, d, s, group);
    else put_series_split(w, d, s, group);
    if (d->task == TASK_CLASSIFY) {
        char path[64];
        int64_t n = s->n;
        snprintf(path, sizeof path, "%s/labels", group);
        put_array(w, path, ELEM_INT32, 1, &n, s->labels, CHUNK_EXAMPLES);
    }
}

static void put_series_meta(Writer *w, const PreparedDataset *d) {
    H5File *f = &w->file;
    int64_t F = d->num_features, K = d->num_targets;
    put_strings(w, "/features", d->feature_names, F);
    int32_t *targets = xmalloc(sizeof(int32_t) * (size_t)(K ? K : 1), "target features");
    for (int64_t i = 0; i < K; i++) targets[i] = d->target_features[i];
    put_array(w, "/target_features", ELEM_INT32, 1, &K, targets, 0);
    free(targets);
    h5_create_group(f, "/scaler");
    h5_attr_write_string(f, "/scaler", "kind", scale_kind_names[d->scale]);
    put_array(w, "/scaler/offset", ELEM_FLOAT64, 1, &F, d->scale_offset, 0);
    put_array(w, "/scaler/factor", ELEM_FLOAT64, 1, &F, d->scale_factor, 0);
    if (d->change_factor) { /* derived from the train split's arrays: not in the fingerprint */
        TensorShape hk = {.rank = 2, .dims = {d->horizon, K}};
        h5_create_group(f, "/change_scaler");
        h5_attr_write_string(f, "/change_scaler", "kind", "rms");
        h5_write_array(f, "/change_scaler/factor", ELEM_FLOAT64, &hk, d->change_factor, 0);
    }
    h5_attr_write_int(f, "/", "num_features", F);
    h5_attr_write_int(f, "/", "num_targets", K);
    h5_attr_write_int(f, "/", "input_steps", d->input_steps);
    h5_attr_write_int(f, "/", "horizon", d->horizon);
    h5_attr_write_int(f, "/", "stride", d->stride);
}

static void put_token_meta(Writer *w, const PreparedDataset *d) {
    H5File *f = &w->file;
    const TokenizerOptions *t = &d->recipe->tokenizer;
    put_strings(w, "/vocab", d->vocab.words, d->vocab.size);
    h5_attr_write_int(f, "/", "vocab_size", d->vocab.size);
    h5_attr_write_string(f, "/", "tokenize", tokenize_mode_names[t->mode]);
    h5_attr_write_int(f, "/", "lowercase", t->lowercase);
    h5_attr_write_int(f, "/", "strip_punct", t->strip_punct);
    h5_attr_write_int(f, "/", "strip_html", t->strip_html);
    h5_attr_write_int(f, "/", "max_len", d->recipe->max_len);
    h5_attr_write_int(f, "/", "bos_eos", d->recipe->bos_eos);
    if (d->embedding) {
        int64_t dims[2] = {d->vocab.size, d->embedding_dim};
        put_array(w, "/embedding", ELEM_FLOAT32, 2, dims, d->embedding, 4096);
        h5_attr_write_int(f, "/embedding", "hits", d->embedding_hits);
    }
}

static void put_root(Writer *w, const PreparedDataset *d) {
    H5File *f = &w->file;
    h5_attr_write_string(f, "/", "format", DATASET_FORMAT);
    h5_attr_write_int(f, "/", "version", DATASET_VERSION);
    h5_attr_write_string(f, "/", "task", dataset_task_names[d->task]);
    h5_attr_write_string(f, "/", "input", dataset_input_names[d->input]);
    h5_attr_write_string(f, "/", "created_by", "recur " RECUR_VERSION " prep");
    char *recipe = prep_config_text(d->recipe);
    h5_attr_write_string(f, "/", "recipe", recipe);
    free(recipe);
    if (d->task != TASK_REGRESS) {
        put_strings(w, "/classes", d->classes.words, d->classes.size);
        h5_attr_write_int(f, "/", "num_classes", d->classes.size);
        if (d->unknown_class >= 0) h5_attr_write_int(f, "/", "unknown_class", d->unknown_class);
    }
}

void prepared_write(const PreparedDataset *d, const char *path) {
    char tmp[PREP_PATH + 32];
    durable_temp_name(path, tmp, sizeof tmp);
    Writer w = {h5_create(tmp), FNV1A64_START};
    w.fingerprint = fnv1a64(w.fingerprint, dataset_task_names[d->task],
                            strlen(dataset_task_names[d->task]) + 1);
    put_root(&w, d);
    for (int k = 0; k < SPLIT_COUNT; k++) put_split(&w, d, k);
    if (d->input == INPUT_TOKENS) put_token_meta(&w, d);
    else put_series_meta(&w, d);
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, w.fingerprint);
    h5_attr_write_string(&w.file, "/", "fingerprint", hex);
    h5_close(&w.file);
    durable_commit(tmp, path);
    printf("wrote %s: %s %s, %ld train / %ld valid / %ld test examples, fingerprint %s\n", path,
           dataset_task_names[d->task], dataset_input_names[d->input], d->splits[0].n,
           d->splits[1].n, d->splits[2].n, hex);
}
