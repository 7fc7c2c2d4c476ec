/* dataset_file.c: schema checks on open and hyperslab reads of one shard (dataset_file.h).
 * The layout is docs/FORMATS.md / dataset_schema.h; the writer is src/prep/prepared_write.c.
 * Every HDF5 call is in io/ (CHECK'd there); content errors exit 2 naming file and path. */
#include "dataset_file.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "io/h5_array.h"

static _Noreturn void bad(const DatasetFile *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static _Noreturn void bad(const DatasetFile *f, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    recur_die(EXIT_USAGE, "%s: %s", f->h5.path, msg);
}

static int name_index(const char *const *names, const char *value) {
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], value)) return i;
    return -1;
}

/* A root string attribute that must be one of names[]. */
static int root_enum(DatasetFile *f, const char *attr, const char *const *names) {
    if (!h5_attr_exists(&f->h5, "/", attr)) bad(f, "root attribute '%s' is missing", attr);
    char *v = h5_attr_string(&f->h5, "/", attr);
    int i = name_index(names, v);
    if (i < 0) bad(f, "root attribute %s = '%.40s' is not a value this version knows", attr, v);
    free(v);
    return i;
}

static int root_int(DatasetFile *f, const char *attr, int64_t lo, int64_t hi) {
    if (!h5_attr_exists(&f->h5, "/", attr)) bad(f, "root attribute '%s' is missing", attr);
    int64_t v = h5_attr_int(&f->h5, "/", attr);
    if (v < lo || v > hi)
        bad(f, "root attribute %s = %" PRId64 " is outside [%" PRId64 ", %" PRId64 "]", attr, v, lo, hi);
    return (int)v;
}

static void check_format(DatasetFile *f) {
    char *format = h5_attr_exists(&f->h5, "/", "format") ? h5_attr_string(&f->h5, "/", "format") : NULL;
    int ours = format && !strcmp(format, DATASET_FORMAT);
    free(format);
    if (!ours) bad(f, "not a recur dataset (no root attribute format = \"" DATASET_FORMAT "\"); "
                   "make one with `recur prep`");
    f->version = root_int(f, "version", 0, 1 << 30);
    if (f->version != DATASET_VERSION)
        bad(f, "dataset schema version %d; this recur reads version %d (re-run `recur prep`)",
            f->version, DATASET_VERSION);
}

static int64_t rows_of(const DatasetFile *f, const char *path) {
    if (!h5_exists(&f->h5, path)) bad(f, "%s is missing", path);
    TensorShape s = h5_shape(&f->h5, path);
    if (s.rank < 1) bad(f, "%s is a scalar, expected an array", path);
    return s.dims[0];
}

/* The arrays of one split and their sizes agree with each other. */
static void check_split(DatasetFile *f, int k) {
    char g[32], p[64];
    snprintf(g, sizeof g, "/%s", split_names[k]);
    if (!h5_exists(&f->h5, g)) bad(f, "group %s is missing", g);
    if (!h5_attr_exists(&f->h5, g, "examples")) bad(f, "%s: attribute 'examples' is missing", g);
    int64_t n = h5_attr_int(&f->h5, g, "examples");
    if (n < 0) bad(f, "%s: examples = %" PRId64 " is negative", g, n);
    f->examples[k] = (long)n;
    const char *arrays[] = {f->input == INPUT_TOKENS ? "offsets" : "starts",
                            f->task == TASK_CLASSIFY ? "labels" : NULL,
                            f->task == TASK_REGRESS ? "targets" : NULL};
    for (int a = 0; a < 3; a++) {
        if (!arrays[a]) continue;
        snprintf(p, sizeof p, "%s/%s", g, arrays[a]);
        int64_t want = n + (a == 0 && f->input == INPUT_TOKENS);
        int64_t got = rows_of(f, p);
        if (got != want) bad(f, "%s has %" PRId64 " rows, expected %" PRId64, p, got, want);
    }
    snprintf(p, sizeof p, "%s/%s", g, f->input == INPUT_TOKENS ? "tokens" : "series");
    rows_of(f, p);
    if (f->task == TASK_TAG) {
        char q[64];
        snprintf(q, sizeof q, "%s/tags", g);
        if (rows_of(f, q) != rows_of(f, p)) bad(f, "%s and %s differ in length", q, p);
    }
}

void dataset_file_open(DatasetFile *f, const char *path) {
    memset(f, 0, sizeof *f);
    f->h5 = h5_open(path);
    check_format(f);
    f->task = (DatasetTask)root_enum(f, "task", dataset_task_names);
    f->input = (DatasetInput)root_enum(f, "input", dataset_input_names);
    int known = f->task == TASK_CLASSIFY || (f->task == TASK_TAG) == (f->input == INPUT_TOKENS);
    if (!known)
        bad(f, "task %s with %s input is not a combination recur knows", dataset_task_names[f->task],
            dataset_input_names[f->input]);
    if (f->task != TASK_REGRESS) f->num_classes = root_int(f, "num_classes", 1, 1 << 24);
    if (f->task != TASK_REGRESS && h5_attr_exists(&f->h5, "/", "unknown_class"))
        f->has_unknown = root_int(f, "unknown_class", f->num_classes, f->num_classes) == f->num_classes;
    if (f->input == INPUT_TOKENS) f->vocab_size = root_int(f, "vocab_size", 1, INT32_MAX);
    if (f->input == INPUT_SERIES) {
        f->num_features = root_int(f, "num_features", 1, 1 << 20);
        f->input_steps = root_int(f, "input_steps", 1, 1 << 24);
        f->horizon = root_int(f, "horizon", 1, 1 << 24);
        f->num_targets = root_int(f, "num_targets", f->task == TASK_REGRESS, 1 << 20);
        f->stride = root_int(f, "stride", 1, 1 << 24);
    }
    if (h5_exists(&f->h5, "/embedding")) {
        TensorShape s = h5_shape(&f->h5, "/embedding");
        if (s.rank != 2 || s.dims[0] != f->vocab_size) bad(f, "/embedding is not [vocab_size][dim]");
        f->embedding_dim = (int)s.dims[1];
    }
    char *fp = h5_attr_exists(&f->h5, "/", "fingerprint") ? h5_attr_string(&f->h5, "/", "fingerprint") : NULL;
    snprintf(f->fingerprint, sizeof f->fingerprint, "%s", fp ? fp : "none");
    free(fp);
    for (int k = 0; k < SPLIT_COUNT; k++) check_split(f, k);
}

void dataset_file_close(DatasetFile *f) { h5_close(&f->h5); }

void dataset_shard_range(long total, int rank, int world, long *first, long *count) {
    long lo = (long)((__int128)total * rank / world), hi = (long)((__int128)total * (rank + 1) / world);
    *first = lo, *count = hi - lo;
}

static void split_path(char *out, size_t n, SplitId split, const char *array) {
    snprintf(out, n, "/%s/%s", split_names[split], array);
}

/* Token ids (and tags, labels) within their ranges. */
static void check_ids(const DatasetFile *f, const char *path, const int32_t *v, long n, int limit,
                      long first) {
    for (long i = 0; i < n; i++)
        if (v[i] < 0 || v[i] >= limit)
            bad(f, "%s[%ld] = %d is outside [0, %d)", path, first + i, v[i], limit);
}

/* Labels or tags of a split lie in [0, this): the <unk> class is one more, never in train. */
static int label_limit(const DatasetFile *f, SplitId split) {
    return f->num_classes + (f->has_unknown && split != SPLIT_TRAIN);
}

static void read_token_shard(const DatasetFile *f, SplitId split, Dataset *d) {
    char p[64];
    split_path(p, sizeof p, split, "offsets");
    d->offsets = xmalloc(sizeof(int64_t) * (size_t)(d->n + 1), "offsets");
    h5_read_rows(&f->h5, p, ELEM_INT64, d->first, d->n + 1, 1, d->offsets);
    int64_t base = d->offsets[0];
    for (long i = 0; i < d->n; i++)
        if (d->offsets[i + 1] <= d->offsets[i])
            bad(f, "%s: example %ld is empty or offsets decrease (%" PRId64 " then %" PRId64 ")", p,
                d->first + i, d->offsets[i], d->offsets[i + 1]);
    for (long i = 0; i <= d->n; i++) d->offsets[i] -= base;
    long count = (long)d->offsets[d->n];
    split_path(p, sizeof p, split, "tokens");
    d->tokens = xmalloc(sizeof(int32_t) * (size_t)(count ? count : 1), "tokens");
    h5_read_rows(&f->h5, p, ELEM_INT32, base, count, 1, d->tokens);
    check_ids(f, p, d->tokens, count, f->vocab_size, (long)base);
    if (f->task == TASK_TAG) {
        split_path(p, sizeof p, split, "tags");
        d->tags = xmalloc(sizeof(int32_t) * (size_t)(count ? count : 1), "tags");
        h5_read_rows(&f->h5, p, ELEM_INT32, base, count, 1, d->tags);
        check_ids(f, p, d->tags, count, label_limit(f, split), (long)base);
    }
}

static void read_series_shard(const DatasetFile *f, SplitId split, Dataset *d) {
    char p[64];
    split_path(p, sizeof p, split, "starts");
    d->starts = xmalloc(sizeof(int64_t) * (size_t)(d->n ? d->n : 1), "window starts");
    h5_read_rows(&f->h5, p, ELEM_INT64, d->first, d->n, 1, d->starts);
    int64_t lo = d->n ? d->starts[0] : 0, hi = lo;
    for (long i = 0; i < d->n; i++) {
        lo = d->starts[i] < lo ? d->starts[i] : lo;
        hi = d->starts[i] + f->input_steps > hi ? d->starts[i] + f->input_steps : hi;
    }
    split_path(p, sizeof p, split, "series");
    int64_t rows = rows_of(f, p);
    if (lo < 0 || hi > rows) bad(f, "%s: windows reach rows %" PRId64 "..%" PRId64 " of %" PRId64, p, lo, hi - 1, rows);
    for (long i = 0; i < d->n; i++) d->starts[i] -= lo;
    d->rows = (long)(hi - lo);
    d->series = xmalloc(sizeof(float) * (size_t)(d->rows ? d->rows : 1) * (size_t)f->num_features, "series");
    h5_read_rows(&f->h5, p, ELEM_FLOAT32, lo, d->rows, f->num_features, d->series);
    if (f->task == TASK_REGRESS) {
        long C = (long)f->horizon * f->num_targets;
        split_path(p, sizeof p, split, "targets");
        d->targets = xmalloc(sizeof(float) * (size_t)(d->n ? d->n : 1) * (size_t)C, "targets");
        h5_read_rows(&f->h5, p, ELEM_FLOAT32, d->first, d->n, C, d->targets);
    }
}

void dataset_read_shard(const DatasetFile *f, SplitId split, int rank, int world, Dataset *d) {
    memset(d, 0, sizeof *d);
    d->task = f->task, d->input = f->input, d->total = f->examples[split];
    d->vocab_size = f->vocab_size, d->num_classes = f->num_classes;
    d->has_unknown = split != SPLIT_TRAIN && f->has_unknown;
    d->num_features = f->num_features, d->input_steps = f->input_steps;
    d->horizon = f->horizon, d->num_targets = f->num_targets;
    dataset_shard_range(d->total, rank, world, &d->first, &d->n);
    if (f->input == INPUT_TOKENS) read_token_shard(f, split, d);
    else read_series_shard(f, split, d);
    if (f->task == TASK_CLASSIFY) {
        char p[64];
        split_path(p, sizeof p, split, "labels");
        d->labels = xmalloc(sizeof(int32_t) * (size_t)(d->n ? d->n : 1), "labels");
        h5_read_rows(&f->h5, p, ELEM_INT32, d->first, d->n, 1, d->labels);
        check_ids(f, p, d->labels, d->n, label_limit(f, split), d->first);
    }
}

char **dataset_read_names(const DatasetFile *f, const char *path, int64_t *count) {
    *count = 0;
    if (!h5_exists(&f->h5, path)) return NULL;
    return h5_read_strings(&f->h5, path, count);
}

char *dataset_read_scaler(const DatasetFile *f, double **offset, double **factor) {
    int F = f->num_features;
    *offset = xmalloc(sizeof(double) * (size_t)F, "scaler");
    *factor = xmalloc(sizeof(double) * (size_t)F, "scaler");
    h5_read_rows(&f->h5, "/scaler/offset", ELEM_FLOAT64, 0, F, 1, *offset);
    h5_read_rows(&f->h5, "/scaler/factor", ELEM_FLOAT64, 0, F, 1, *factor);
    return h5_attr_string(&f->h5, "/scaler", "kind");
}

int32_t *dataset_read_target_features(const DatasetFile *f) {
    int32_t *t = xmalloc(sizeof(int32_t) * (size_t)(f->num_targets ? f->num_targets : 1), "targets");
    h5_read_rows(&f->h5, "/target_features", ELEM_INT32, 0, f->num_targets, 1, t);
    for (int i = 0; i < f->num_targets; i++)
        if (t[i] < 0 || t[i] >= f->num_features)
            bad(f, "/target_features[%d] = %d is not a feature index", i, t[i]);
    return t;
}
