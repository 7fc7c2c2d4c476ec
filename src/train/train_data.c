/* train_data.c: loading the training and validation splits and fitting the model's
 * settings to them (train_data.h). Reading is dataset_file.h's; this file only decides
 * which shard and what the model must look like. */
#include "train_data.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "data/dataset_file.h"
#include "data/dataset_fingerprint.h"
#include "io/h5_array.h"
#include "data/synthetic_corpus.h"
#include "model/model.h"
#include "window_setup.h"

/* The dataset's metadata; the scaler of each regression output (identity when unscaled). */
static void read_meta(TrainData *td, const DatasetFile *f, int root) {
    dataset_meta_read_opts(&td->meta, &f->h5, "/", root); /* the vocabulary: rank 0 only */
    td->class_names = td->meta.classes;
    td->num_classes = (int)td->meta.num_classes;
    if (f->task != TASK_REGRESS) return;
    const DatasetMeta *m = &td->meta;
    td->num_outputs = m->horizon * m->num_targets;
    td->target_offset = xmalloc(sizeof(double) * (size_t)td->num_outputs, "target scaler");
    td->target_factor = xmalloc(sizeof(double) * (size_t)td->num_outputs, "target scaler");
    for (int c = 0; c < td->num_outputs; c++) {
        int feature = m->target_features[c % m->num_targets];
        td->target_offset[c] = m->scale_offset[feature], td->target_factor[c] = m->scale_factor[feature];
    }
}

void train_data_load(TrainData *td, const RunConfig *cfg, const Comm *comm) {
    const TrainConfig *t = &cfg->train;
    memset(td, 0, sizeof *td);
    if (!strcmp(t->data, "synthetic")) {
        synthetic_corpus_make(&td->train, t->synthetic_train_size, t->synthetic_max_len, t->seed, 0);
        synthetic_corpus_make(&td->valid, t->synthetic_valid_size, t->synthetic_max_len, t->seed, 1);
        synthetic_corpus_fingerprint(&td->train, &td->valid, td->fingerprint);
        dataset_keep_shard(&td->train, comm->rank, comm->size);
        dataset_keep_shard(&td->valid, comm->rank, comm->size);
        td->meta = (DatasetMeta){.task = TASK_CLASSIFY, .input = INPUT_TOKENS};
        memcpy(td->meta.fingerprint, td->fingerprint, sizeof td->fingerprint);
        return;
    }
    DatasetFile f;
    dataset_file_open(&f, t->data);
    if (comm->rank == 0) dataset_fingerprint_verify(&f); /* the others wait in the settings check */
    read_meta(td, &f, comm->rank == 0);
    if (f.examples[SPLIT_TRAIN] < comm->size)
        recur_die(EXIT_USAGE, "%s: the train split has %ld examples, fewer than the %d ranks",
                  t->data, f.examples[SPLIT_TRAIN], comm->size);
    dataset_read_shard(&f, SPLIT_TRAIN, comm->rank, comm->size, &td->train);
    dataset_read_shard(&f, SPLIT_VALID, comm->rank, comm->size, &td->valid);
    dataset_read_shard(&f, SPLIT_TEST, comm->rank, comm->size, &td->test);
    window_setup(&td->window, t, &td->meta, t->data);
    if (f.input == INPUT_SERIES) td->train.window = td->valid.window = td->test.window = &td->window;
    memcpy(td->fingerprint, f.fingerprint, sizeof td->fingerprint);
    td->embedding_dim = f.embedding_dim;
    if (f.embedding_dim && comm->rank == 0) {
        td->embedding = xmalloc(sizeof(float) * (size_t)f.vocab_size * (size_t)f.embedding_dim, "embedding");
        h5_read_rows(&f.h5, "/embedding", ELEM_FLOAT32, 0, f.vocab_size, f.embedding_dim, td->embedding);
    }
    dataset_file_close(&f);
}

void train_data_free(TrainData *td) {
    dataset_free(&td->train), dataset_free(&td->valid), dataset_free(&td->test);
    dataset_meta_free(&td->meta);
    free(td->target_offset), free(td->target_factor), free(td->embedding);
    memset(td, 0, sizeof *td);
}

/* Exit 2 unless pooling and loss suit the dataset's task. */
static void check_task_fit(const ModelConfig *m, const Dataset *d, const char *data) {
    const char *task = dataset_task_names[d->task];
    int regress_loss = m->loss == LOSS_MSE || m->loss == LOSS_L1 || m->loss == LOSS_HUBER;
    if (m->loss == LOSS_BCE) /* the loss exists (model/loss.c, PyTorch fixtures); no data feeds it */
        recur_die(EXIT_USAGE, "loss = bce: no dataset kind trains with it (it needs 0/1 targets per output: "
                  "binary or multi-label data, which recur prep does not make); %s is a %s dataset: use %s", data,
                  task, d->task == TASK_REGRESS ? "mse, l1 or huber" : "cross_entropy");
    if (d->task == TASK_TAG && (m->pooling != POOL_NONE || m->loss != LOSS_CROSS_ENTROPY))
        recur_die(EXIT_USAGE, "pooling/loss: %s is a tagging dataset (one label per token): "
                  "use pooling = none and loss = cross_entropy", data);
    if (d->task == TASK_CLASSIFY && (m->pooling == POOL_NONE || m->loss != LOSS_CROSS_ENTROPY))
        recur_die(EXIT_USAGE, "pooling/loss: %s is a %s dataset (one label per sequence): use "
                  "pooling last, mean or max and loss = cross_entropy", data, task);
    if (d->task == TASK_REGRESS && (m->pooling == POOL_NONE || !regress_loss))
        recur_die(EXIT_USAGE, "pooling/loss: %s is a regression dataset: use pooling last, mean "
                  "or max and loss mse, l1 or huber", data);
}

ModelConfig train_model_config(const RunConfig *cfg, const TrainData *td) {
    ModelConfig m = cfg->model;
    const Dataset *d = &td->train;
    const char *data = cfg->train.data;
    int outputs = dataset_output_size(d);
    if (d->input == INPUT_SERIES) {
        m.vocab_size = 0; /* dense input: features per step come from the data */
        m.input_size = d->num_features;
    } else if (m.vocab_size == 0) {
        m.vocab_size = d->vocab_size;
        if (td->embedding_dim && cfg->train.pretrained_embedding) m.input_size = td->embedding_dim;
    } else if (m.vocab_size < d->vocab_size) {
        recur_die(EXIT_USAGE, "vocab_size: %d is smaller than the vocabulary of %s (%d)",
                  m.vocab_size, data, d->vocab_size);
    }
    if (m.output_size == 0) m.output_size = outputs;
    else if (m.output_size != outputs)
        recur_die(EXIT_USAGE, "output_size: %d, but %s has %d %s", m.output_size, data, outputs,
                  d->task == TASK_REGRESS ? "targets per example" : "classes");
    check_task_fit(&m, d, data);
    const char *err = model_config_error(&m);
    if (err) recur_die(EXIT_USAGE, "%s", err);
    return m;
}
