/* eval_main.c: `recur eval` (eval_main.h): rebuild the model from the checkpoint's own
 * config, load its weights, evaluate one split, print and write the metrics. */
#include "eval_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "data/dataset_fingerprint.h"
#include "core/check.h"
#include "data/dataset_file.h"
#include "evaluate.h"
#include "runtime_args.h"
#include "window_setup.h"

#define EVAL_USAGE "usage: recur eval --checkpoint=FILE.h5 --data=DATA.h5 [--split=test] [--batch_size=N] " \
                   "[--season=N] [--output=FILE] " RUNTIME_ARGS_USAGE

typedef struct EvalArgs {
    const char *checkpoint, *data, *output;
    int split;
    int batch_size;
    int season;      /* -1: the checkpoint's own setting */
} EvalArgs;

static const char *value_of(const char *arg, const char *key) {
    size_t n = strlen(key);
    return !strncmp(arg, key, n) && arg[n] == '=' ? arg + n + 1 : NULL;
}

static EvalArgs parse_args(int argc, char **argv) {
    EvalArgs a = {NULL, NULL, NULL, SPLIT_TEST, 0, -1};
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i], *v;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) printf("%s\n", EVAL_USAGE), exit(0);
        else if (runtime_arg(s)) continue;
        else if ((v = value_of(s, "--checkpoint"))) a.checkpoint = v;
        else if ((v = value_of(s, "--data"))) a.data = v;
        else if ((v = value_of(s, "--output"))) a.output = v;
        else if ((v = value_of(s, "--batch_size"))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (end == v || *end || n < 1 || n > 1 << 20)
                recur_die(EXIT_USAGE, "%s: expected a batch size of 1 to %d", s, 1 << 20);
            a.batch_size = (int)n;
        } else if ((v = value_of(s, "--season"))) {
            char *end;
            long season = strtol(v, &end, 10);
            if (!*v || *end || season < 0 || season > 1000000)
                recur_die(EXIT_USAGE, "%s: expected a season of 0 or more steps", s);
            a.season = (int)season;
        } else if ((v = value_of(s, "--split"))) {
            a.split = -1;
            for (int k = 0; k < SPLIT_COUNT; k++) if (!strcmp(v, split_names[k])) a.split = k;
            if (a.split < 0) recur_die(EXIT_USAGE, "%s: the split must be train, valid or test", s);
        } else recur_die(EXIT_USAGE, "unexpected argument '%s'; " EVAL_USAGE, s);
    }
    if (!a.checkpoint || !a.data) recur_die(EXIT_USAGE, "--checkpoint and --data are required; " EVAL_USAGE);
    return a;
}

/* Per-output scaler of a regression task (identity otherwise), [outputs] each. */
static void target_scaler(const DatasetMeta *m, int outputs, double **offset, double **factor) {
    *offset = *factor = NULL;
    if (m->task != TASK_REGRESS) return;
    *offset = xmalloc(sizeof(double) * (size_t)outputs, "scaler");
    *factor = xmalloc(sizeof(double) * (size_t)outputs, "scaler");
    for (int c = 0; c < outputs; c++) {
        int feature = m->target_features[c % m->num_targets];
        (*offset)[c] = m->scale_offset[feature], (*factor)[c] = m->scale_factor[feature];
    }
}

static void report(EvalResult *e, const EvalArgs *a, const CheckpointState *s, char **classes) {
    char extra[1200];
    snprintf(extra, sizeof extra, "\"checkpoint\": \"%s\"", a->checkpoint);
    EvalLogInfo info = {split_names[a->split], s->step, s->epoch, classes, strchr(a->checkpoint, '"') ? NULL : extra};
    MetricsLog log = {0};
    eval_result_log(e, &info, NULL, stdout); /* the human line first */
    if (a->output) metrics_log_open_file(&log, a->output, 1);
    else log.file = stdout, snprintf(log.path, sizeof log.path, "standard output");
    eval_result_log(e, &info, &log, NULL);
    if (a->output) metrics_log_close(&log);
}

int eval_main(int argc, char **argv) {
    EvalArgs a = parse_args(argc, argv);
    RunConfig cfg;
    DatasetMeta meta;
    checkpoint_read_config(a.checkpoint, &cfg, &meta);
    DatasetFile f;
    dataset_file_open(&f, a.data);
    dataset_fingerprint_verify(&f);
    Model m;
    model_init(&m, &cfg.model, cfg.train.seed);
    CheckpointState s = {0};
    memcpy(s.fingerprint, f.fingerprint, sizeof s.fingerprint);
    checkpoint_load(a.checkpoint, &s, &m, NULL);
    Dataset d;
    dataset_read_shard(&f, (SplitId)a.split, 0, 1, &d);
    if (a.season >= 0) cfg.train.season = a.season;
    WindowTransform window;
    window_setup(&window, &cfg.train, &meta, a.checkpoint);
    if (d.input == INPUT_SERIES) d.window = &window;
    double *offset, *factor;
    target_scaler(&meta, m.cfg.output_size, &offset, &factor);
    EvalResult e;
    eval_result_init(&e, d.task, m.cfg.output_size, offset, factor);
    if (window.horizon) eval_result_init_forecast(&e, window.horizon, window.num_targets, cfg.train.season);
    BatchBuffer buf = {0};
    evaluate_split(&e, &m, &d, &buf, a.batch_size ? a.batch_size : cfg.train.batch_size);
    report(&e, &a, &s, meta.classes);
    eval_result_free(&e), batch_buffer_free(&buf), dataset_free(&d), model_free(&m);
    free(offset), free(factor), dataset_meta_free(&meta), dataset_file_close(&f);
    return 0;
}
