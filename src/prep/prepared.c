/* prepared.c: growing the splits of a PreparedDataset and freeing it (prepared.h). The
 * HDF5 writer is prepared_write.c. */
#include "prepared.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"

void prepared_init(PreparedDataset *d, DatasetTask task, DatasetInput input, const PrepConfig *recipe) {
    memset(d, 0, sizeof *d);
    d->task = task;
    d->input = input;
    d->recipe = recipe;
    vocab_init(&d->vocab);
    vocab_init(&d->classes);
    d->unknown_class = -1;
    for (int k = 0; k < SPLIT_COUNT; k++) {
        PreparedSplit *s = &d->splits[k];
        if (input == INPUT_TOKENS) s->offsets = xcalloc(1, sizeof(int64_t), "offsets");
    }
}

static void free_split(PreparedSplit *s) {
    free(s->offsets), free(s->tokens), free(s->tags), free(s->series), free(s->starts);
    free(s->targets), free(s->labels);
    memset(s, 0, sizeof *s);
}

void prepared_free(PreparedDataset *d) {
    for (int k = 0; k < SPLIT_COUNT; k++) free_split(&d->splits[k]);
    vocab_free(&d->vocab), vocab_free(&d->classes);
    free(d->embedding);
    for (int i = 0; d->feature_names && i < d->num_features; i++) free(d->feature_names[i]);
    free(d->feature_names), free(d->target_features);
    free(d->scale_offset), free(d->scale_factor), free(d->change_factor);
    memset(d, 0, sizeof *d);
}

static void *grow(void *p, long count, size_t elem, const char *what) {
    void *q = realloc(p, (size_t)count * elem);
    if (!q) recur_die(EXIT_RUNTIME, "out of memory growing %s to %ld elements", what, count);
    return q;
}

/* Room for one more example of `len` tokens. */
static void reserve(PreparedSplit *s, long len, int with_tags, int with_label) {
    if (s->n + 1 >= s->cap_n) {
        s->cap_n = s->cap_n ? 2 * s->cap_n : 1024;
        s->offsets = grow(s->offsets, s->cap_n + 1, sizeof(int64_t), "offsets");
        if (with_label) s->labels = grow(s->labels, s->cap_n, sizeof(int32_t), "labels");
    }
    int64_t need = s->offsets[s->n] + len;
    if (need > s->cap_tokens) {
        s->cap_tokens = need > 2 * s->cap_tokens ? need : 2 * s->cap_tokens;
        s->tokens = grow(s->tokens, s->cap_tokens, sizeof(int32_t), "tokens");
        if (with_tags) s->tags = grow(s->tags, s->cap_tokens, sizeof(int32_t), "tags");
    }
}

void prepared_add_tokens(PreparedSplit *s, const int32_t *ids, long len, const int32_t *tags,
                         int32_t label) {
    reserve(s, len, tags != NULL, tags == NULL);
    int64_t at = s->offsets[s->n];
    memcpy(s->tokens + at, ids, sizeof(int32_t) * (size_t)len);
    if (tags) memcpy(s->tags + at, tags, sizeof(int32_t) * (size_t)len);
    else s->labels[s->n] = label;
    s->offsets[++s->n] = at + len;
}
