/* inspect.c: `recur inspect` (inspect.h): a summary of a dataset file and decoded
 * examples. It reads through dataset_file.h only, so it sees what the trainer sees. */
#include "inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "dataset_file.h"
#include "io/h5_tensor.h"

typedef struct InspectArgs {
    const char *path;
    int split;          /* -1: none asked */
    long examples;
    int recipe;
} InspectArgs;

#define INSPECT_USAGE "usage: recur inspect FILE.h5 [--split=train|valid|test] [--examples=N] [--recipe]"

static InspectArgs parse_args(int argc, char **argv) {
    InspectArgs a = {NULL, -1, 0, 0};
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) printf("%s\n", INSPECT_USAGE), exit(0);
        if (!strncmp(s, "--split=", 8)) {
            for (int k = 0; k < SPLIT_COUNT; k++) if (!strcmp(s + 8, split_names[k])) a.split = k;
            if (a.split < 0) recur_die(EXIT_USAGE, "%s: the split must be train, valid or test", s);
        } else if (!strncmp(s, "--examples=", 11)) {
            char *end;
            a.examples = strtol(s + 11, &end, 10);
            if (*end || end == s + 11 || a.examples < 0) recur_die(EXIT_USAGE, "%s: expected a count >= 0", s);
        } else if (!strcmp(s, "--recipe")) a.recipe = 1;
        else if (s[0] == '-' || a.path) recur_die(EXIT_USAGE, "unexpected argument '%s'; " INSPECT_USAGE, s);
        else a.path = s;
    }
    if (!a.path) recur_die(EXIT_USAGE, "no file given; " INSPECT_USAGE);
    if (a.examples && a.split < 0) a.split = SPLIT_TRAIN;
    return a;
}

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void print_lengths(const Dataset *d) {
    if (d->n == 0) return;
    long *len = xmalloc(sizeof(long) * (size_t)d->n, "lengths");
    for (long i = 0; i < d->n; i++) len[i] = dataset_length(d, i);
    qsort(len, (size_t)d->n, sizeof(long), cmp_long);
    printf("    lengths: min %ld, p50 %ld, p90 %ld, p99 %ld, max %ld; %ld tokens\n", len[0],
           len[d->n / 2], len[d->n * 9 / 10], len[d->n * 99 / 100], len[d->n - 1],
           (long)d->offsets[d->n]);
    free(len);
}

static void print_balance(const Dataset *d, char **classes, int C) {
    long *count = xcalloc((size_t)C, sizeof(long), "class counts"), total = 0;
    if (d->task == TASK_CLASSIFY) for (long i = 0; i < d->n; i++) count[d->labels[i]]++, total++;
    else for (long i = 0; d->tags && i < d->offsets[d->n]; i++) count[d->tags[i]]++, total++;
    printf("    %s:", d->task == TASK_TAG ? "tags" : "classes");
    for (int c = 0; c < C && total; c++)
        printf(" %s %ld (%.1f%%)%s", classes[c], count[c], 100.0 * count[c] / total, c + 1 < C ? "," : "");
    printf("\n");
    free(count);
}

static void print_summary(const DatasetFile *f, char **classes, int C) {
    printf("%s: recur-dataset version %d, task %s, %s input, fingerprint %s\n", f->h5.path, f->version,
           dataset_task_names[f->task], dataset_input_names[f->input], f->fingerprint);
    if (f->input == INPUT_TOKENS)
        printf("vocabulary: %d tokens (4 specials)%s\n", f->vocab_size, f->embedding_dim ? "" : ", no pretrained vectors");
    if (f->embedding_dim) printf("embedding: [%d][%d]\n", f->vocab_size, f->embedding_dim);
    if (f->input == INPUT_SERIES)
        printf("windows: %d steps of %d features -> %s %d step(s) ahead, stride %d\n", f->input_steps,
               f->num_features, f->task == TASK_REGRESS ? "targets" : "class", f->horizon, f->stride);
    for (int k = 0; k < SPLIT_COUNT; k++) {
        Dataset d;
        dataset_read_shard(f, (SplitId)k, 0, 1, &d);
        printf("  %-5s %ld examples\n", split_names[k], d.n);
        if (f->input == INPUT_TOKENS) print_lengths(&d);
        if (f->task != TASK_REGRESS && d.n) print_balance(&d, classes, C);
        dataset_free(&d);
    }
}

static void print_scaler(const DatasetFile *f) {
    double *offset, *factor;
    int64_t F;
    char *kind = dataset_read_scaler(f, &offset, &factor);
    char **names = dataset_read_names(f, "/features", &F);
    printf("scaler: %s (x - offset) / factor, fitted on train:\n", kind);
    for (int64_t i = 0; i < F; i++) printf("    %-24s offset %.6g factor %.6g\n", names[i], offset[i], factor[i]);
    free(kind), free(offset), free(factor), h5_free_names(names, (int)F);
}

static void print_token_example(const Dataset *d, long i, char **vocab, char **classes) {
    printf("[%ld]", i);
    if (d->task == TASK_CLASSIFY) printf(" label=%s", classes[d->labels[i]]);
    printf(":");
    for (int64_t t = d->offsets[i]; t < d->offsets[i + 1]; t++) {
        printf(" %s", vocab[d->tokens[t]]);
        if (d->task == TASK_TAG) printf("/%s", classes[d->tags[t]]);
    }
    printf("\n");
}

static void print_series_example(const DatasetFile *f, const Dataset *d, long i, char **classes) {
    printf("[%ld] start=%ld", i, (long)d->starts[i]);
    if (d->task == TASK_CLASSIFY) {
        printf(" label=%s\n", classes[d->labels[i]]);
        return;
    }
    double *offset, *factor;
    free(dataset_read_scaler(f, &offset, &factor));
    int32_t *target = dataset_read_target_features(f);
    printf(":");
    for (int h = 0; h < f->horizon; h++)
        for (int k = 0; k < f->num_targets; k++) {
            int feature = target[k];
            double v = d->targets[((long)i * f->horizon + h) * f->num_targets + k];
            printf(" %.6g", v * factor[feature] + offset[feature]);
        }
    printf("\n");
    free(offset), free(factor), free(target);
}

static void print_examples(const DatasetFile *f, const InspectArgs *a, char **classes) {
    int64_t V = 0;
    char **vocab = f->input == INPUT_TOKENS ? dataset_read_names(f, "/vocab", &V) : NULL;
    Dataset d;
    dataset_read_shard(f, (SplitId)a->split, 0, 1, &d);
    for (long i = 0; i < d.n && i < a->examples; i++) {
        printf("%s", split_names[a->split]);
        if (f->input == INPUT_TOKENS) print_token_example(&d, i, vocab, classes);
        else print_series_example(f, &d, i, classes);
    }
    dataset_free(&d);
    h5_free_names(vocab, (int)V);
}

/* The class names, and "<unk>" after them when valid/test hold the <unk> class. */
static char **read_class_names(const DatasetFile *f, int64_t *C) {
    char **classes = dataset_read_names(f, "/classes", C);
    if (f->task != TASK_REGRESS && *C != f->num_classes)
        recur_die(EXIT_USAGE, "%s: /classes holds %ld names, num_classes is %d", f->h5.path, (long)*C, f->num_classes);
    if (!f->has_unknown) return classes;
    char **all = xmalloc(sizeof(char *) * (size_t)(*C + 1), "class names");
    memcpy(all, classes, sizeof(char *) * (size_t)*C);
    all[*C] = strcpy(xmalloc(sizeof "<unk>", "class name"), "<unk>");
    free(classes);
    (*C)++;
    return all;
}

int inspect_main(int argc, char **argv) {
    InspectArgs a = parse_args(argc, argv);
    DatasetFile f;
    dataset_file_open(&f, a.path);
    int64_t C = 0;
    char **classes = read_class_names(&f, &C);
    if (a.recipe) {
        char *r = h5_attr_string(&f.h5, "/", "recipe");
        fputs(r, stdout);
        free(r);
    } else if (a.examples) {
        print_examples(&f, &a, classes);
    } else {
        print_summary(&f, classes, (int)C);
        if (f.input == INPUT_SERIES) print_scaler(&f);
    }
    h5_free_names(classes, (int)C);
    dataset_file_close(&f);
    return 0;
}
