/* dataset_fingerprint.c: recomputing a dataset file's fingerprint (dataset_fingerprint.h).
 * FNV-1a 64 over the arrays as stored (little-endian) and the strings with their NULs, in
 * the writer's order; it knows the layout only as that list. */
#include "dataset_fingerprint.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/hash.h"
#include "io/h5_array.h"

enum { SLICE_BYTES = 16 << 20 };

static const size_t elem_bytes[] = {[ELEM_INT32] = 4, [ELEM_INT64] = 8, [ELEM_FLOAT32] = 4, [ELEM_FLOAT64] = 8};

/* Folds the array at path, read in slices of rows as `type`. */
static uint64_t fold_array(const DatasetFile *f, const char *path, ElemType type, uint64_t h) {
    TensorShape s = h5_shape(&f->h5, path);
    int64_t rows = s.rank ? s.dims[0] : 1, row_elems = 1;
    for (int i = 1; i < s.rank; i++) row_elems *= s.dims[i];
    size_t row_bytes = (size_t)row_elems * elem_bytes[type];
    int64_t per_slice = row_bytes ? (int64_t)(SLICE_BYTES / row_bytes) : rows;
    if (per_slice < 1) per_slice = 1;
    void *buf = xmalloc(row_bytes * (size_t)(per_slice < rows ? per_slice : rows), path);
    for (int64_t first = 0; first < rows && row_bytes; first += per_slice) {
        int64_t count = rows - first < per_slice ? rows - first : per_slice;
        h5_read_rows(&f->h5, path, type, first, count, row_elems, buf);
        h = fnv1a64(h, buf, (size_t)count * row_bytes);
    }
    free(buf);
    return h;
}

static uint64_t fold_strings(const DatasetFile *f, const char *path, uint64_t h) {
    int64_t count;
    char **names = dataset_read_names(f, path, &count);
    for (int64_t i = 0; i < count; i++) h = fnv1a64(h, names[i], strlen(names[i]) + 1);
    h5_free_names(names, (int)count);
    return h;
}

static uint64_t fold_split(const DatasetFile *f, int k, uint64_t h) {
    char p[64];
#define ARRAY(name, type)                                       \
    (snprintf(p, sizeof p, "/%s/%s", split_names[k], name), h = fold_array(f, p, type, h))
    if (f->input == INPUT_TOKENS) {
        ARRAY("offsets", ELEM_INT64);
        ARRAY("tokens", ELEM_INT32);
        if (f->task == TASK_TAG) ARRAY("tags", ELEM_INT32);
    } else {
        ARRAY("series", ELEM_FLOAT32);
        ARRAY("starts", ELEM_INT64);
        if (f->task == TASK_REGRESS) ARRAY("targets", ELEM_FLOAT32);
    }
    if (f->task == TASK_CLASSIFY) ARRAY("labels", ELEM_INT32);
#undef ARRAY
    return h;
}

static uint64_t recompute(const DatasetFile *f) {
    const char *task = dataset_task_names[f->task];
    uint64_t h = fnv1a64(FNV1A64_START, task, strlen(task) + 1);
    if (f->task != TASK_REGRESS) h = fold_strings(f, "/classes", h);
    for (int k = 0; k < SPLIT_COUNT; k++) h = fold_split(f, k, h);
    if (f->input == INPUT_TOKENS) {
        h = fold_strings(f, "/vocab", h);
        if (f->embedding_dim) h = fold_array(f, "/embedding", ELEM_FLOAT32, h);
    } else {
        h = fold_strings(f, "/features", h);
        h = fold_array(f, "/target_features", ELEM_INT32, h);
        h = fold_array(f, "/scaler/offset", ELEM_FLOAT64, h);
        h = fold_array(f, "/scaler/factor", ELEM_FLOAT64, h);
    }
    return h;
}

void dataset_fingerprint_verify(const DatasetFile *f) {
    char hex[17];
    if (!strcmp(f->fingerprint, "none")) return; /* no fingerprint stored: nothing to compare */
    snprintf(hex, sizeof hex, "%016" PRIx64, recompute(f));
    if (strcmp(hex, f->fingerprint))
        recur_die(EXIT_USAGE, "%s: its arrays do not match its fingerprint (stored %s, computed %s): the file "
                  "was changed after recur prep wrote it, or is damaged; prepare it again", f->h5.path,
                  f->fingerprint, hex);
}
