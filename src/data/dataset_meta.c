/* dataset_meta.c: reading and writing the apply-to-new-input part of a dataset
 * (dataset_meta.h), with the same names in dataset files and checkpoints. */
#include "dataset_meta.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "io/h5_array.h"

/* group + name, e.g. "/data" + "vocab" -> "/data/vocab"; "/" + "vocab" -> "/vocab". */
static const char *at(char *buf, size_t n, const char *group, const char *name) {
    snprintf(buf, n, "%s%s%s", group, group[strlen(group) - 1] == '/' ? "" : "/", name);
    return buf;
}

static int enum_attr(const H5File *f, const char *group, const char *name, const char *const *names) {
    char *v = h5_attr_string(f, group, name);
    int found = -1;
    for (int i = 0; names[i] && found < 0; i++) if (!strcmp(names[i], v)) found = i;
    if (found < 0) recur_die(EXIT_USAGE, "%s: attribute %s of %s is '%.40s', not a known value", f->path, name, group, v);
    free(v);
    return found;
}

static void read_tokens_meta(DatasetMeta *m, const H5File *f, const char *g, int with_vocab) {
    char p[128];
    m->tokenizer.mode = (TokenizeMode)enum_attr(f, g, "tokenize", tokenize_mode_names);
    m->tokenizer.lowercase = (int)h5_attr_int(f, g, "lowercase");
    m->tokenizer.strip_punct = (int)h5_attr_int(f, g, "strip_punct");
    m->tokenizer.strip_html = (int)h5_attr_int(f, g, "strip_html");
    m->max_len = (int)h5_attr_int(f, g, "max_len");
    m->bos_eos = (int)h5_attr_int(f, g, "bos_eos");
    if (with_vocab) m->vocab = h5_read_strings(f, at(p, sizeof p, g, "vocab"), &m->vocab_size);
}

/* The change scaler: [horizon][num_targets], every factor finite and > 0. */
static void read_change_factor(DatasetMeta *m, const H5File *f, const char *path) {
    int64_t C = (int64_t)m->horizon * m->num_targets;
    m->change_factor = xmalloc(sizeof(double) * (size_t)(C ? C : 1), "change scaler");
    h5_read_rows(f, path, ELEM_FLOAT64, 0, m->horizon, m->num_targets, m->change_factor);
    for (int64_t c = 0; c < C; c++)
        if (!(m->change_factor[c] > 0) || !isfinite(m->change_factor[c]))
            recur_die(EXIT_USAGE, "%s: %s[%lld] = %g: a change factor must be finite and above 0", f->path, path,
                      (long long)c, m->change_factor[c]);
}

static void read_series_meta(DatasetMeta *m, const H5File *f, const char *g) {
    char p[128];
    m->features = h5_read_strings(f, at(p, sizeof p, g, "features"), &m->num_features);
    m->num_targets = (int)h5_attr_int(f, g, "num_targets");
    m->input_steps = (int)h5_attr_int(f, g, "input_steps");
    m->horizon = (int)h5_attr_int(f, g, "horizon");
    int64_t F = m->num_features, K = m->num_targets;
    m->target_features = xmalloc(sizeof(int32_t) * (size_t)(K ? K : 1), "target features");
    h5_read_rows(f, at(p, sizeof p, g, "target_features"), ELEM_INT32, 0, K, 1, m->target_features);
    char *kind = h5_attr_string(f, at(p, sizeof p, g, "scaler"), "kind");
    snprintf(m->scale_kind, sizeof m->scale_kind, "%s", kind);
    free(kind);
    m->scale_offset = xmalloc(sizeof(double) * (size_t)F, "scaler");
    m->scale_factor = xmalloc(sizeof(double) * (size_t)F, "scaler");
    h5_read_rows(f, at(p, sizeof p, g, "scaler/offset"), ELEM_FLOAT64, 0, F, 1, m->scale_offset);
    h5_read_rows(f, at(p, sizeof p, g, "scaler/factor"), ELEM_FLOAT64, 0, F, 1, m->scale_factor);
    for (int64_t k = 0; k < K; k++)
        if (m->target_features[k] < 0 || m->target_features[k] >= F)
            recur_die(EXIT_USAGE, "%s: %s[%lld] = %d is not a feature index", f->path,
                      at(p, sizeof p, g, "target_features"), (long long)k, m->target_features[k]);
    if (m->task == TASK_REGRESS && h5_exists(f, at(p, sizeof p, g, "change_scaler/factor")))
        read_change_factor(m, f, p);
}

void dataset_meta_read(DatasetMeta *m, const H5File *f, const char *g) {
    dataset_meta_read_opts(m, f, g, 1);
}

void dataset_meta_read_opts(DatasetMeta *m, const H5File *f, const char *g, int with_vocab) {
    char p[128];
    memset(m, 0, sizeof *m);
    m->task = (DatasetTask)enum_attr(f, g, "task", dataset_task_names);
    m->input = (DatasetInput)enum_attr(f, g, "input", dataset_input_names);
    char *fp = h5_attr_exists(f, g, "fingerprint") ? h5_attr_string(f, g, "fingerprint") : NULL;
    snprintf(m->fingerprint, sizeof m->fingerprint, "%s", fp ? fp : "");
    free(fp);
    if (h5_exists(f, at(p, sizeof p, g, "classes"))) m->classes = h5_read_strings(f, p, &m->num_classes);
    if (m->input == INPUT_TOKENS && h5_exists(f, at(p, sizeof p, g, "vocab"))) read_tokens_meta(m, f, g, with_vocab);
    if (m->input == INPUT_SERIES) read_series_meta(m, f, g);
}

static void write_tokens_meta(const DatasetMeta *m, H5File *f, const char *g) {
    char p[128];
    h5_attr_write_string(f, g, "tokenize", tokenize_mode_names[m->tokenizer.mode]);
    h5_attr_write_int(f, g, "lowercase", m->tokenizer.lowercase);
    h5_attr_write_int(f, g, "strip_punct", m->tokenizer.strip_punct);
    h5_attr_write_int(f, g, "strip_html", m->tokenizer.strip_html);
    h5_attr_write_int(f, g, "max_len", m->max_len);
    h5_attr_write_int(f, g, "bos_eos", m->bos_eos);
    h5_write_strings(f, at(p, sizeof p, g, "vocab"), m->vocab, m->vocab_size);
}

static void write_series_meta(const DatasetMeta *m, H5File *f, const char *g) {
    char p[128];
    TensorShape F = {.rank = 1, .dims = {m->num_features}}, K = {.rank = 1, .dims = {m->num_targets}};
    h5_write_strings(f, at(p, sizeof p, g, "features"), m->features, m->num_features);
    h5_attr_write_int(f, g, "num_targets", m->num_targets);
    h5_attr_write_int(f, g, "input_steps", m->input_steps);
    h5_attr_write_int(f, g, "horizon", m->horizon);
    h5_write_array(f, at(p, sizeof p, g, "target_features"), ELEM_INT32, &K, m->target_features, 0);
    h5_create_group(f, at(p, sizeof p, g, "scaler"));
    h5_attr_write_string(f, p, "kind", m->scale_kind);
    h5_write_array(f, at(p, sizeof p, g, "scaler/offset"), ELEM_FLOAT64, &F, m->scale_offset, 0);
    h5_write_array(f, at(p, sizeof p, g, "scaler/factor"), ELEM_FLOAT64, &F, m->scale_factor, 0);
    if (m->change_factor) {
        TensorShape HK = {.rank = 2, .dims = {m->horizon, m->num_targets}};
        h5_create_group(f, at(p, sizeof p, g, "change_scaler"));
        h5_attr_write_string(f, p, "kind", "rms");
        h5_write_array(f, at(p, sizeof p, g, "change_scaler/factor"), ELEM_FLOAT64, &HK, m->change_factor, 0);
    }
}

void dataset_meta_write(const DatasetMeta *m, H5File *f, const char *g) {
    char p[128];
    if (strcmp(g, "/")) h5_create_group(f, g);
    h5_attr_write_string(f, g, "task", dataset_task_names[m->task]);
    h5_attr_write_string(f, g, "input", dataset_input_names[m->input]);
    h5_attr_write_string(f, g, "fingerprint", m->fingerprint);
    if (m->classes) h5_write_strings(f, at(p, sizeof p, g, "classes"), m->classes, m->num_classes);
    if (m->vocab) write_tokens_meta(m, f, g);
    if (m->input == INPUT_SERIES) write_series_meta(m, f, g);
}

static void free_names(char **names, int64_t n) {
    for (int64_t i = 0; names && i < n; i++) free(names[i]);
    free(names);
}

void dataset_meta_free(DatasetMeta *m) {
    free_names(m->vocab, m->vocab_size), free_names(m->classes, m->num_classes);
    free_names(m->features, m->num_features);
    free(m->target_features), free(m->scale_offset), free(m->scale_factor), free(m->change_factor);
    memset(m, 0, sizeof *m);
}
