/* predict_main.c: `recur predict` (predict_main.h): rebuild the model from the checkpoint's
 * own config, load its weights, read the input with the checkpoint's tokenizer,
 * vocabulary or scaler (predict_input.c), run it in batches in eval mode and print each
 * example in input order (predict_output.c). It holds no parsing or formatting itself. */
#include "predict_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "core/check.h"
#include "core/record_limit.h"
#include "predict_input.h"
#include "predict_output.h"
#include "runtime_args.h"
#include "window_setup.h"

#define PREDICT_USAGE                                                                              \
    "usage: recur predict --checkpoint=FILE.h5 [--input=FILE|-] [--output-format=text|json] "     \
    "[--batch_size=N] [--delimiter=C|tab] [--max_record_bytes=N] " RUNTIME_ARGS_USAGE

typedef struct PredictArgs {
    const char *checkpoint, *input;
    PredictFormat format;
    int batch_size;
    char delimiter;
} PredictArgs;

/* The value of `--key=value` (key given with its dashes), or NULL for another argument. */
static const char *option(const char *arg, const char *key) {
    size_t n = strlen(key);
    return strncmp(arg, key, n) || arg[n] != '=' ? NULL : arg + n + 1;
}

static PredictFormat parse_format(const char *arg, const char *v) {
    for (int k = 0; predict_format_names[k]; k++)
        if (!strcmp(v, predict_format_names[k])) return (PredictFormat)k;
    recur_die(EXIT_USAGE, "%s: the output format must be text or json", arg);
}

static char parse_delimiter(const char *arg, const char *v) {
    if (!strcmp(v, "tab")) return '\t';
    if (strlen(v) != 1) recur_die(EXIT_USAGE, "%s: the delimiter must be one character or 'tab'", arg);
    return v[0];
}

static PredictArgs parse_args(int argc, char **argv) {
    PredictArgs a = {NULL, "-", PREDICT_TEXT, 64, ','};
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i], *v;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) printf("%s\n", PREDICT_USAGE), exit(0);
        else if (runtime_arg(s)) continue;
        else if ((v = option(s, "--checkpoint"))) a.checkpoint = v;
        else if ((v = option(s, "--input"))) a.input = v;
        else if ((v = option(s, "--output-format")) || (v = option(s, "--output_format"))) a.format = parse_format(s, v);
        else if ((v = option(s, "--delimiter"))) a.delimiter = parse_delimiter(s, v);
        else if ((v = option(s, "--batch_size"))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 1 << 20) recur_die(EXIT_USAGE, "%s: expected a batch size of 1 to %d", s, 1 << 20);
            a.batch_size = (int)n;
        } else if ((v = option(s, "--max_record_bytes"))) {
            char *end;
            long long n = strtoll(v, &end, 10);
            if (*end || n < 1024) recur_die(EXIT_USAGE, "%s: expected a number of bytes, at least 1024", s);
            record_limit_set((size_t)n);
        } else recur_die(EXIT_USAGE, "unexpected argument '%s'; " PREDICT_USAGE, s);
    }
    if (!a.checkpoint) recur_die(EXIT_USAGE, "--checkpoint is required; " PREDICT_USAGE);
    if (!*a.input) recur_die(EXIT_USAGE, "--input: give a file, or - for standard input");
    return a;
}

/* A checkpoint predict can apply: it knows how raw input becomes the model's input. */
static void check_applicable(const char *path, const DatasetMeta *m, const RunConfig *cfg) {
    const ModelConfig *mc = &cfg->model;
    if (m->input == INPUT_TOKENS && !m->vocab && !strcmp(cfg->train.data, "synthetic"))
        recur_die(EXIT_USAGE, "%s: trained on the generated synthetic corpus, which has no vocabulary: there"
                  " is no raw text to apply it to", path);
    if (m->input == INPUT_TOKENS && !m->vocab)
        recur_die(EXIT_USAGE, "%s: the checkpoint holds no vocabulary (/data/vocab is missing: the file was "
                  "damaged or edited; it was trained on %s): it cannot turn text into token ids", path,
                  cfg->train.data);
    int expected = m->task == TASK_REGRESS ? m->horizon * m->num_targets : (int)m->num_classes;
    if (mc->output_size != expected || (m->task != TASK_REGRESS && !m->classes))
        recur_die(EXIT_USAGE, "%s: the model has %d outputs but its data meta describes %d %s", path,
                  mc->output_size, expected, m->task == TASK_REGRESS ? "targets" : "classes");
}

/* Index of example i's first output item among those of a batch starting at example
 * `first`: one item per example, or one per token (tag). */
static long item_of(const Dataset *d, long first, long i) {
    return d->task == TASK_TAG ? (long)(d->offsets[i] - d->offsets[first]) : i - first;
}

/* The last forward's outputs (batch positions in buf->order) into out, in input order:
 * item k of the batch at out + k * outputs. */
static void gather_outputs(const Model *m, const BatchBuffer *buf, const Dataset *d, long first, real *out) {
    int rows, C = m->cfg.output_size;
    long counted;
    const real *y = model_outputs(m, &rows, &counted);
    const Batch *bt = &buf->batch;
    int per_token = d->task == TASK_TAG;
    for (int b = 0; b < bt->B; b++) {
        long at = item_of(d, first, buf->order[b]);
        int items = per_token ? bt->lengths[b] : 1;
        for (int t = 0; t < items; t++)
            memcpy(out + (at + t) * C, y + ((long)t * bt->B * per_token + b) * C, sizeof(real) * (size_t)C);
    }
}

static void run_batches(Model *m, const PredictInput *in, PredictPrinter *p, int batch_size) {
    const Dataset *d = &in->data;
    int C = m->cfg.output_size;
    BatchBuffer buf = {0};
    long *indices = xmalloc(sizeof(long) * (size_t)batch_size, "batch indices");
    real *out = NULL;
    long out_cap = 0;
    for (long first = 0; first < d->n; first += batch_size) {
        int count = d->n - first < batch_size ? (int)(d->n - first) : batch_size;
        long items = item_of(d, first, first + count) * C;
        if (items > out_cap) free(out), out = xmalloc(sizeof(real) * (size_t)items, "outputs"), out_cap = items;
        for (int b = 0; b < count; b++) indices[b] = first + b;
        model_forward(m, batch_fill(&buf, d, indices, count), 0, 0);
        gather_outputs(m, &buf, d, first, out);
        for (long i = first; i < first + count; i++) predict_print(p, i, out + item_of(d, first, i) * C);
    }
    free(indices), free(out), batch_buffer_free(&buf);
}

int predict_main(int argc, char **argv) {
    PredictArgs a = parse_args(argc, argv);
    RunConfig cfg;
    DatasetMeta meta;
    checkpoint_read_config(a.checkpoint, &cfg, &meta);
    check_applicable(a.checkpoint, &meta, &cfg);
    Model m;
    model_init(&m, &cfg.model, cfg.train.seed);
    CheckpointState s = {0};
    checkpoint_load(a.checkpoint, &s, &m, NULL);
    PredictInput in;
    predict_input_read(&in, a.input, &meta, a.delimiter);
    WindowTransform window;
    window_setup(&window, &cfg.train, &meta, a.checkpoint);
    if (meta.input == INPUT_SERIES) in.data.window = &window;
    PredictPrinter p;
    predict_printer_init(&p, stdout, a.format, &meta, &in, m.cfg.output_size);
    run_batches(&m, &in, &p, a.batch_size);
    predict_printer_finish(&p);
    predict_input_free(&in), model_free(&m), dataset_meta_free(&meta);
    return 0;
}
