/* checkpoint.c: saving, finding, loading, marking and pruning checkpoints (checkpoint.h).
 * HDF5 through io/h5_tensor.h and io/h5_array.h; durability through io/durable_file.h. */
#include "checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/check.h"
#include "io/durable_file.h"
#include "io/h5_array.h"
#include "io/h5_tensor.h"
#include "checkpoint_sum.h"
#include "core/hash.h"

enum { PATH_MAX_LEN = 4096 };

static TensorShape param_shape(const ParamTensor *t) {
    TensorShape s = {.rank = t->cols ? 2 : 1, .dims = {t->rows, t->cols}};
    return s;
}

static void write_state(H5File *f, const CheckpointState *s, const char *config) {
    h5_attr_write_string(f, "/", "format", CHECKPOINT_FORMAT);
    h5_attr_write_int(f, "/", "version", CHECKPOINT_VERSION);
    h5_attr_write_int(f, "/", "step", s->step);
    h5_attr_write_int(f, "/", "epoch", s->epoch);
    h5_attr_write_int(f, "/", "next_batch", s->next_batch);
    h5_attr_write_int(f, "/", "skipped_steps", s->skipped_steps);
    h5_attr_write_double(f, "/", "best_value", s->best_value);
    h5_attr_write_double(f, "/", "log_loss_sum", s->log_loss_sum);
    h5_attr_write_int(f, "/", "log_loss_steps", s->log_loss_steps);
    h5_attr_write_int(f, "/", "ranks", s->ranks);
    h5_attr_write_string(f, "/", "fingerprint", s->fingerprint);
    h5_attr_write_string(f, "/", "config", config);
}

/* The state checksum's tail (checkpoint_sum.h): the root attributes after the tensors. */
static uint64_t fold_state(uint64_t sum, const CheckpointState *s, const char *config) {
    uint64_t best;
    memcpy(&best, &s->best_value, sizeof best);
    uint64_t log_sum;
    memcpy(&log_sum, &s->log_loss_sum, sizeof log_sum);
    int64_t counters[6] = {s->step, s->epoch, s->next_batch, s->skipped_steps, s->log_loss_steps, s->ranks};
    for (int i = 0; i < 6; i++) sum = checkpoint_sum_fold(sum, (uint64_t)counters[i]);
    sum = checkpoint_sum_fold(sum, best);
    sum = checkpoint_sum_fold(sum, log_sum);
    sum = fnv1a64(sum, s->fingerprint, strlen(s->fingerprint) + 1);
    return fnv1a64(sum, config, strlen(config) + 1);
}

static void write_sum(H5File *f, const char *object, uint64_t sum) {
    char hex[17];
    checkpoint_sum_format(sum, hex);
    h5_attr_write_string(f, object, "checksum", hex);
}

/* One tensor and its checksum attribute; returns `sum` with that checksum folded in. */
static uint64_t write_tensor(H5File *f, const char *path, const TensorShape *shape, const real *data,
                             uint64_t sum) {
    h5_write_real(f, path, shape, data);
    uint64_t own = checkpoint_values_sum(data, (size_t)tensor_shape_count(shape), sizeof(real));
    write_sum(f, path, own);
    return checkpoint_sum_fold(sum, own);
}

static uint64_t write_model(H5File *f, const Model *m, uint64_t sum) {
    real *weights = host_mirror(m->ops, m->weights, m->num_params, 1);
    for (int i = 0; i < m->num_tensors; i++) {
        const ParamTensor *t = &m->tensors[i];
        char path[96];
        snprintf(path, sizeof path, "/model/%s", t->name);
        TensorShape shape = param_shape(t);
        sum = write_tensor(f, path, &shape, weights + t->offset, sum);
    }
    host_mirror_done(m->ops, m->weights, weights, m->num_params, 0);
    return sum;
}

/* The buffers, each with its checksum, and the group's checksum over them. */
static uint64_t write_optimizer(H5File *f, const Optimizer *o, uint64_t sum) {
    h5_create_group(f, "/optimizer");
    h5_attr_write_string(f, "/optimizer", "type", optimizer_names[o->type]);
    h5_attr_write_int(f, "/optimizer", "step", o->step);
    TensorShape shape = {.rank = 1, .dims = {(int64_t)o->n}};
    uint64_t group = FNV1A64_START;
    for (int i = 0; i < o->num_states; i++) {
        char path[96];
        snprintf(path, sizeof path, "/optimizer/%s", o->state_names[i]);
        real *state = host_mirror(o->ops, o->states[i], o->n, 1);
        group = write_tensor(f, path, &shape, state, group);
        host_mirror_done(o->ops, o->states[i], state, o->n, 0);
    }
    write_sum(f, "/optimizer", group);
    return checkpoint_sum_fold(sum, group);
}

void checkpoint_save(const char *dir, const CheckpointState *s, const Model *m, const Optimizer *o,
                     const RunConfig *cfg, const DatasetMeta *meta, char *path_out, size_t size) {
    make_directories(dir);
    int n = snprintf(path_out, size, "%s/step-%09ld.h5", dir, s->step);
    if (n < 0 || (size_t)n >= size) recur_die(EXIT_RUNTIME, "%s: checkpoint path too long", dir);
    char tmp[PATH_MAX_LEN];
    durable_temp_name(path_out, tmp, sizeof tmp);
    H5File f = h5_create(tmp);
    char *config = config_text(cfg);
    write_state(&f, s, config);
    uint64_t sum = write_model(&f, m, FNV1A64_START);
    sum = write_optimizer(&f, o, sum);
    write_sum(&f, "/", fold_state(sum, s, config));
    free(config);
    dataset_meta_write(meta, &f, "/data");
    h5_close(&f);
    durable_commit(tmp, path_out);
}

/* step of "step-000001500.h5", or -1 for any other name (temporary files included). */
static long step_of(const char *name) {
    long step;
    int used = 0;
    if (sscanf(name, "step-%ld.h5%n", &step, &used) != 1 || name[used] != 0 || step < 0) return -1;
    return step;
}

static int cmp_long_desc(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x < y) - (x > y);
}

/* The steps of the step-*.h5 files in dir, newest first; *count set. NULL when none. */
static long *list_steps(const char *dir, long *count) {
    DIR *d = opendir(dir);
    *count = 0;
    if (!d) return NULL;
    long *steps = NULL, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        long step = step_of(e->d_name);
        if (step < 0) continue;
        if (*count == cap) steps = realloc(steps, sizeof(long) * (size_t)(cap = cap ? 2 * cap : 64));
        if (!steps) recur_die(EXIT_RUNTIME, "out of memory listing %s", dir);
        steps[(*count)++] = step;
    }
    closedir(d);
    if (steps) qsort(steps, (size_t)*count, sizeof(long), cmp_long_desc);
    return steps;
}

int checkpoint_find_latest(const char *dir, char *path, size_t size) {
    long count, *steps = list_steps(dir, &count);
    int found = 0;
    for (long i = 0; i < count && !found; i++) {
        snprintf(path, size, "%s/step-%09ld.h5", dir, steps[i]);
        found = h5_probe(path); /* a damaged file (disk trouble) is passed over */
        if (!found) fprintf(stderr, "recur: note: %s does not open; trying an older checkpoint\n", path);
    }
    free(steps);
    return found;
}

static void read_state(const H5File *f, CheckpointState *s) {
    char *format = h5_attr_exists(f, "/", "format") ? h5_attr_string(f, "/", "format") : NULL;
    int ours = format && !strcmp(format, CHECKPOINT_FORMAT);
    free(format);
    if (!ours) recur_die(EXIT_USAGE, "%s: not a recur checkpoint", f->path);
    int64_t version = h5_attr_int(f, "/", "version");
    if (version != CHECKPOINT_VERSION)
        recur_die(EXIT_USAGE, "%s: checkpoint version %" PRId64 "; this recur reads %d", f->path,
                  version, CHECKPOINT_VERSION);
    char *fp = h5_attr_string(f, "/", "fingerprint");
    if (*s->fingerprint && strcmp(fp, s->fingerprint))
        recur_die(EXIT_USAGE, "%s: made from dataset %s, but the data given is dataset %s: a "
                  "checkpoint only resumes or evaluates on the data it was trained on", f->path,
                  fp, s->fingerprint);
    snprintf(s->fingerprint, sizeof s->fingerprint, "%s", fp);
    free(fp);
    s->step = h5_attr_int(f, "/", "step");
    s->epoch = h5_attr_int(f, "/", "epoch");
    s->next_batch = h5_attr_int(f, "/", "next_batch");
    s->skipped_steps = h5_attr_int(f, "/", "skipped_steps");
    s->best_value = h5_attr_double(f, "/", "best_value");
    /* absent from checkpoints written before they were stored: no partial sum, ranks unknown */
    s->log_loss_sum = h5_attr_exists(f, "/", "log_loss_sum") ? h5_attr_double(f, "/", "log_loss_sum") : 0;
    s->log_loss_steps = h5_attr_exists(f, "/", "log_loss_steps") ? h5_attr_int(f, "/", "log_loss_steps") : 0;
    s->ranks = h5_attr_exists(f, "/", "ranks") ? (int)h5_attr_int(f, "/", "ranks") : 0;
}

/* Checksums met while reading: verified one by one, folded into the state checksum. */
typedef struct Verifier {
    int has_sums;     /* the file has a state checksum (older recur wrote none) */
    uint64_t state;
} Verifier;

/* The stored checksum attribute of an object: 1 and *sum, or 0 when it has none. */
static int stored_sum(const H5File *f, const char *object, uint64_t *sum) {
    if (!h5_attr_exists(f, object, "checksum")) return 0;
    char *text = h5_attr_string(f, object, "checksum");
    int ok = checkpoint_sum_parse(text, sum);
    free(text);
    if (!ok) recur_die(EXIT_USAGE, "%s: %s: the checksum attribute is not 16 hex digits", f->path, object);
    return 1;
}

/* A tensor just read: finite, and equal to its checksum; returns sum with it folded in. */
static uint64_t verify_tensor(const H5File *f, const char *path, const real *values, size_t n, uint64_t sum) {
    checkpoint_require_finite(f->path, path + 1, values, n);
    uint64_t stored, computed = checkpoint_values_sum(values, n, h5_element_size(f, path));
    if (stored_sum(f, path, &stored) && stored != computed) {
        char want[17], got[17];
        checkpoint_sum_format(stored, want), checkpoint_sum_format(computed, got);
        recur_die(EXIT_USAGE, "%s: tensor %s fails its checksum (stored %s, computed %s): the file is damaged; "
                  "use an earlier checkpoint", f->path, path + 1, want, got);
    }
    return checkpoint_sum_fold(sum, computed);
}

static void read_model(const H5File *f, Model *m, Verifier *v) {
    real *weights = host_mirror(m->ops, m->weights, m->num_params, 0);
    for (int i = 0; i < m->num_tensors; i++) {
        const ParamTensor *t = &m->tensors[i];
        char path[96];
        snprintf(path, sizeof path, "/model/%s", t->name);
        if (!h5_exists(f, path))
            recur_die(EXIT_USAGE, "%s: no parameter %s: the checkpoint holds another model (cell, "
                      "layers, direction or head differ from the config)", f->path, t->name);
        TensorShape shape = param_shape(t);
        h5_read_real_into(f, path, &shape, weights + t->offset);
        v->state = verify_tensor(f, path, weights + t->offset, tensor_size(t), v->state);
    }
    host_mirror_done(m->ops, m->weights, weights, m->num_params, 1);
}

/* The optimizer group's checksum, as stored (eval and predict do not read the buffers). */
static void fold_stored_optimizer_sum(const H5File *f, Verifier *v) {
    uint64_t group;
    if (stored_sum(f, "/optimizer", &group)) v->state = checkpoint_sum_fold(v->state, group);
}

static void read_optimizer(const H5File *f, Optimizer *o, Verifier *v) {
    char *type = h5_attr_string(f, "/optimizer", "type");
    int same = !strcmp(type, optimizer_names[o->type]);
    if (!same)
        recur_die(EXIT_USAGE, "%s: optimizer %s, but the config asks for %s", f->path, type,
                  optimizer_names[o->type]);
    free(type);
    o->step = h5_attr_int(f, "/optimizer", "step");
    int stored = 0;
    char **names = h5_list(f, "/optimizer", &stored);
    h5_free_names(names, stored);
    if (stored != o->num_states)
        recur_die(EXIT_USAGE, "%s: the optimizer state holds %d buffers, the config's %s keeps %d "
                  "(momentum, nesterov or centered differ?)", f->path, stored, optimizer_names[o->type],
                  o->num_states);
    TensorShape shape = {.rank = 1, .dims = {(int64_t)o->n}};
    uint64_t group = FNV1A64_START, group_stored;
    for (int i = 0; i < o->num_states; i++) {
        char path[96];
        snprintf(path, sizeof path, "/optimizer/%s", o->state_names[i]);
        if (!h5_exists(f, path))
            recur_die(EXIT_USAGE, "%s: no optimizer state %s: the config's optimizer settings differ "
                      "from the checkpoint's", f->path, o->state_names[i]);
        real *state = host_mirror(o->ops, o->states[i], o->n, 0);
        h5_read_real_into(f, path, &shape, state);
        group = verify_tensor(f, path, state, o->n, group);
        host_mirror_done(o->ops, o->states[i], state, o->n, 1);
    }
    if (stored_sum(f, "/optimizer", &group_stored) && group_stored != group)
        recur_die(EXIT_USAGE, "%s: the optimizer state fails its checksum: the file is damaged; use an earlier "
                  "checkpoint", f->path);
    v->state = checkpoint_sum_fold(v->state, group);
}

/* The state checksum over everything read, against the stored one; a file without one
 * (written before checksums existed) loads with a note. */
static void verify_state(const H5File *f, const CheckpointState *s, const Verifier *v) {
    if (!v->has_sums) {
        fprintf(stderr, "recur: note: %s has no checksums (written by an older recur): loaded without "
                "verifying its contents\n", f->path);
        return;
    }
    char *config = h5_attr_string(f, "/", "config");
    uint64_t stored, computed = fold_state(v->state, s, config);
    free(config);
    stored_sum(f, "/", &stored);
    if (stored != computed)
        recur_die(EXIT_USAGE, "%s: the checkpoint's state fails its checksum (step, epoch, settings or a "
                  "tensor were changed after it was written): the file is damaged; use an earlier checkpoint",
                  f->path);
}

void checkpoint_load(const char *path, CheckpointState *s, Model *m, Optimizer *o) {
    H5File f = h5_open(path);
    read_state(&f, s);
    Verifier v = {h5_attr_exists(&f, "/", "checksum"), FNV1A64_START};
    read_model(&f, m, &v);
    if (o) read_optimizer(&f, o, &v);
    else fold_stored_optimizer_sum(&f, &v);
    verify_state(&f, s, &v);
    h5_close(&f);
}

void checkpoint_read_config(const char *path, RunConfig *cfg, DatasetMeta *meta) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        recur_die(EXIT_USAGE, "%s is a directory; a checkpoint is a file in it, such as %s/best.h5 or the "
                  "newest step-*.h5", path, path);
    H5File f = h5_open(path);
    CheckpointState s = {0};
    read_state(&f, &s);
    char *text = h5_attr_string(&f, "/", "config");
    config_load_text(cfg, text, path);
    free(text);
    dataset_meta_read(meta, &f, "/data");
    h5_close(&f);
}

void checkpoint_mark_best(const char *dir, const char *path) {
    char best[PATH_MAX_LEN], tmp[PATH_MAX_LEN];
    snprintf(best, sizeof best, "%s/best.h5", dir);
    durable_temp_name(best, tmp, sizeof tmp);
    unlink(tmp);
    if (link(path, tmp) != 0)
        recur_die(EXIT_RUNTIME, "cannot link %s to %s: %s", path, tmp, strerror(errno));
    durable_commit(tmp, best);
}

/* Inode of dir/best.h5, or 0. */
static ino_t best_inode(const char *dir) {
    char best[PATH_MAX_LEN];
    struct stat st;
    snprintf(best, sizeof best, "%s/best.h5", dir);
    return stat(best, &st) == 0 ? st.st_ino : 0;
}

void checkpoint_prune(const char *dir, int keep) {
    durable_remove_stale_temps(dir, "");
    long count, *steps = list_steps(dir, &count);
    ino_t best = best_inode(dir);
    for (long i = keep; i < count; i++) {
        char path[PATH_MAX_LEN];
        struct stat st;
        snprintf(path, sizeof path, "%s/step-%09ld.h5", dir, steps[i]);
        if (stat(path, &st) == 0 && st.st_ino == best) continue;
        if (unlink(path) != 0) recur_die(EXIT_RUNTIME, "cannot delete %s: %s", path, strerror(errno));
    }
    free(steps);
}
