/* test_torch_fixtures.c: the C model against PyTorch, case by case, from the fixture file
 * tools/make_fixtures.py writes (tests/fixtures/torch_reference.h5; layout described there).
 *
 *   test_torch_fixtures_f32|_f64 FILE.h5
 *
 * For each case group: a ModelConfig from its attributes, model_init, then every parameter
 * overwritten from params/ (the names and shapes in params/ and grads/ must equal the
 * model's, in both directions); model_forward (train = 0) and model_backward; then the
 * outputs, the loss and every parameter gradient are compared with PyTorch's. Output rows
 * at padding steps (pooling none, t >= lengths[b]) are not compared: no loss sees them.
 *
 * Error per element: |a - b| / max(|b|, FLOOR * max|b| over that tensor), a the model's
 * value, b PyTorch's: relative, and judged against a share of the tensor's largest reference
 * value where an element is near zero (a tensor whose reference is all zero is compared
 * absolutely). A case fails when any tensor's worst error exceeds the tolerance:
 *   float64 build: 1e-10 with FLOOR 1e-2 — it must agree nearly exactly (it does, to
 *                  ~1e-13), which proves the float32 differences are rounding;
 *   float32 build: 1e-5 with FLOOR 1e-1. With FLOOR 1e-2, 1e-5 is beyond float32 itself:
 *                  gradient elements of 1e-3 of their tensor's largest come out of sums
 *                  with cancellation, a few ulps of the tensor's scale off. PyTorch's own
 *                  float32 run of these fixtures misses it in 13 of 85 cases (worst
 *                  3.4e-5), recur's (libm activations) in 14 (worst 4.5e-5); with FLOOR
 *                  1e-1 PyTorch float32's worst is 7.4e-6 and recur's 4.5e-6 (4.7e-6 with
 *                  the vectorized tanh/sigmoid of core/activations.h, 2026-11-23).
 * The reference is read as `real` (rounded to float32 in that build: 6e-8 relative).
 *
 * Prints one line per case (worst tensor, its error, share of the tolerance used), the
 * tensors over tolerance of a failing case, then exactly "N passed, M failed"; exits 1 if
 * any case failed or the file holds none. It must not write to the fixture file, and its
 * tolerances change only with a measurement like the one above, never to make a case pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "io/h5_tensor.h"
#include "model/model.h"

#ifdef RECUR_REAL_DOUBLE
static const double TOLERANCE = 1e-10, FLOOR_SHARE = 1e-2;
#else
static const double TOLERANCE = 1e-5, FLOOR_SHARE = 1e-1;
#endif

typedef struct Worst {
    double err;
    char tensor[96];
} Worst;

typedef struct Case {
    const H5File *f;
    const char *name;
    int failed;
    Worst worst;
} Case;

/* ---- reporting ---- */

/* One line under the case's own line, which follows them. */
static void fail(Case *c, const char *fmt, const char *arg) {
    c->failed = 1;
    printf("     %s: ", c->name);
    printf(fmt, arg);
    printf("\n");
}

/* Worst error of a against reference b over the n elements with use[i] (NULL: all). */
static void compare(Case *c, const char *tensor, const real *a, const real *b, long n, int width,
                    const uint8_t *use) {
    double scale = 0;
    for (long i = 0; i < n; i++)
        if (!use || use[i / width]) scale = fmax(scale, fabs((double)b[i]));
    double floor = scale > 0 ? FLOOR_SHARE * scale : 1, worst = 0;
    long at = -1;
    for (long i = 0; i < n; i++) {
        if (use && !use[i / width]) continue;
        double err = fabs((double)a[i] - (double)b[i]) / fmax(fabs((double)b[i]), floor);
        if (!(err <= worst)) worst = err, at = i; /* NaN is the worst */
    }
    if (at >= 0 && !(worst <= c->worst.err)) {
        c->worst.err = worst;
        snprintf(c->worst.tensor, sizeof c->worst.tensor, "%s", tensor);
    }
    if (at >= 0 && !(worst <= TOLERANCE)) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s: error %.3g at element %ld: recur %.10g, torch %.10g", tensor,
                 worst, at, (double)a[at], (double)b[at]);
        fail(c, "%s", msg);
    }
}

/* ---- the case's configuration ---- */

static int enum_value(Case *c, const char *key, const char *const *names) {
    char *value = h5_attr_string(c->f, c->name, key);
    int found = -1;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], value) == 0) found = i;
    if (found < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "attribute %s = \"%s\" is not a recur value", key, value);
        fail(c, "%s", msg);
        found = 0;
    }
    free(value);
    return found;
}

static int int_attr(Case *c, const char *key) { return (int)h5_attr_int(c->f, c->name, key); }
static real real_attr(Case *c, const char *key) { return (real)h5_attr_double(c->f, c->name, key); }

static ModelConfig read_config(Case *c) {
    ModelConfig cfg = {
        .cell = (CellType)enum_value(c, "cell", cell_type_names),
        .vocab_size = int_attr(c, "vocab_size"), .input_size = int_attr(c, "input_size"),
        .hidden_size = int_attr(c, "hidden_size"), .num_layers = int_attr(c, "num_layers"),
        .bidirectional = int_attr(c, "bidirectional"), .dropout = real_attr(c, "dropout"),
        .pooling = (Pooling)enum_value(c, "pooling", pooling_names),
        .head_hidden = int_attr(c, "head_hidden"), .head_dropout = real_attr(c, "head_dropout"),
        .output_size = int_attr(c, "output_size"),
        .loss = (LossType)enum_value(c, "loss", loss_type_names),
        .ignore_index = int_attr(c, "ignore_index"), .huber_delta = real_attr(c, "huber_delta"),
    };
    return cfg;
}

/* ---- parameters ---- */

static TensorShape param_shape(const ParamTensor *t) {
    TensorShape s = {t->cols ? 2 : 1, {t->rows, t->cols}};
    return s;
}

/* The names and shapes under group ("params" or "grads") equal the model's, both ways. */
static void check_names(Case *c, const Model *m, const char *group) {
    char path[256], msg[320], have[64], want[64];
    for (int i = 0; i < m->num_tensors; i++) {
        const ParamTensor *t = &m->tensors[i];
        snprintf(path, sizeof path, "%s/%s/%s", c->name, group, t->name);
        if (!h5_exists(c->f, path)) {
            snprintf(msg, sizeof msg, "%s/%s: the model has it, the file does not", group, t->name);
            fail(c, "%s", msg);
            continue;
        }
        TensorShape file = h5_shape(c->f, path), model = param_shape(t);
        if (!tensor_shape_equal(&file, &model)) {
            snprintf(msg, sizeof msg, "%s/%s: file shape %s, model shape %s", group, t->name,
                     tensor_shape_format(&file, have, sizeof have),
                     tensor_shape_format(&model, want, sizeof want));
            fail(c, "%s", msg);
        }
    }
    snprintf(path, sizeof path, "%s/%s", c->name, group);
    int count;
    char **names = h5_list(c->f, path, &count);
    for (int i = 0; i < count; i++)
        if (!model_find_tensor(m, names[i])) {
            snprintf(msg, sizeof msg, "%s/%s: the file has it, the model does not", group, names[i]);
            fail(c, "%s", msg);
        }
    h5_free_names(names, count);
}

static void load_params(Case *c, Model *m) {
    char path[256];
    for (int i = 0; i < m->num_tensors; i++) {
        const ParamTensor *t = &m->tensors[i];
        TensorShape s = param_shape(t);
        snprintf(path, sizeof path, "%s/params/%s", c->name, t->name);
        h5_read_real_into(c->f, path, &s, m->weights + t->offset);
    }
}

/* ---- the batch ---- */

typedef struct CaseData {
    int T, B;
    int32_t *tokens, *lengths, *labels;
    real *features, *targets;
    uint8_t *valid; /* [rows] the output row reaches the loss */
} CaseData;

static void *read_dataset(Case *c, const char *what, int is_int, TensorShape want) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", c->name, what);
    void *out = is_int ? xmalloc(sizeof(int32_t) * (size_t)tensor_shape_count(&want), what)
                       : xmalloc(sizeof(real) * (size_t)tensor_shape_count(&want), what);
    if (is_int) h5_read_int32_into(c->f, path, &want, out);
    else h5_read_real_into(c->f, path, &want, out);
    return out;
}

static CaseData load_batch(Case *c, const ModelConfig *cfg) {
    CaseData d = {0};
    char path[256];
    snprintf(path, sizeof path, "%s/lengths", c->name);
    TensorShape s = h5_shape(c->f, path);
    d.B = (int)s.dims[0];
    d.lengths = read_dataset(c, "lengths", 1, (TensorShape){1, {d.B}});
    snprintf(path, sizeof path, "%s/%s", c->name, cfg->vocab_size > 0 ? "tokens" : "features");
    d.T = (int)h5_shape(c->f, path).dims[0];
    if (cfg->vocab_size > 0) d.tokens = read_dataset(c, "tokens", 1, (TensorShape){2, {d.T, d.B}});
    else d.features = read_dataset(c, "features", 0, (TensorShape){3, {d.T, d.B, cfg->input_size}});
    int tagging = cfg->pooling == POOL_NONE, C = cfg->output_size;
    TensorShape per_step_labels = {2, {d.T, d.B}}, per_sample_labels = {1, {d.B}};
    TensorShape per_step_targets = {3, {d.T, d.B, C}}, per_sample_targets = {2, {d.B, C}};
    if (cfg->loss == LOSS_CROSS_ENTROPY)
        d.labels = read_dataset(c, "labels", 1, tagging ? per_step_labels : per_sample_labels);
    else
        d.targets = read_dataset(c, "targets", 0, tagging ? per_step_targets : per_sample_targets);
    for (int b = 0; b < d.B; b++)
        if (d.lengths[b] < 1 || d.lengths[b] > d.T) fail(c, "%s", "lengths outside [1, T]");
    int rows = tagging ? d.T * d.B : d.B;
    d.valid = xcalloc((size_t)rows, 1, "valid rows");
    for (int r = 0; r < rows; r++) d.valid[r] = !tagging || r / d.B < d.lengths[r % d.B];
    return d;
}

static void free_batch(CaseData *d) {
    free(d->tokens), free(d->lengths), free(d->labels), free(d->features), free(d->targets);
    free(d->valid);
}

/* ---- one case ---- */

static void run_case(Case *c) {
    ModelConfig cfg = read_config(c);
    const char *err = model_config_error(&cfg);
    if (err) fail(c, "config: %s", err);
    if (c->failed) return;
    Model m;
    model_init(&m, &cfg, 1);
    check_names(c, &m, "params");
    check_names(c, &m, "grads");
    if (c->failed) {
        model_free(&m);
        return;
    }
    load_params(c, &m);
    CaseData d = load_batch(c, &cfg);
    Batch bt = {.T = d.T, .B = d.B, .tokens = d.tokens, .features = d.features,
                .lengths = d.lengths, .labels = d.labels, .targets = d.targets};
    if (!c->failed) {
        model_zero_grads(&m);
        real loss = model_forward(&m, &bt, 0, 0);
        model_backward(&m, &bt);

        int rows;
        const real *out = model_outputs(&m, &rows, NULL);
        TensorShape out_shape = {2, {rows, cfg.output_size}};
        real *ref = read_dataset(c, "outputs", 0, out_shape);
        compare(c, "outputs", out, ref, (long)rows * cfg.output_size, cfg.output_size, d.valid);
        free(ref);
        ref = read_dataset(c, "loss", 0, (TensorShape){0, {0}});
        compare(c, "loss", &loss, ref, 1, 1, NULL);
        free(ref);
        char name[96];
        for (int i = 0; i < m.num_tensors; i++) {
            const ParamTensor *t = &m.tensors[i];
            snprintf(name, sizeof name, "grads/%s", t->name);
            ref = read_dataset(c, name, 0, param_shape(t));
            compare(c, name, m.grads + t->offset, ref, (long)tensor_size(t), 1, NULL);
            free(ref);
        }
    }
    free_batch(&d);
    model_free(&m);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIXTURES.h5\n", argv[0]);
        return EXIT_USAGE;
    }
    H5File f = h5_open(argv[1]);
    char *format = h5_attr_string(&f, "/", "format");
    if (strcmp(format, "recur-torch-fixtures") != 0)
        recur_die(EXIT_USAGE, "%s: format is \"%s\", expected recur-torch-fixtures", argv[1], format);
    free(format);
    printf("PyTorch fixtures %s, %s build: error |a-b| / max(|b|, %g max|b|), tolerance %g\n",
           argv[1], REAL_NAME, FLOOR_SHARE, TOLERANCE);

    int count, passed = 0, failed = 0;
    char **names = h5_list(&f, "/", &count);
    Worst overall = {0, "-"};
    const char *overall_case = "-";
    for (int i = 0; i < count; i++) {
        Case c = {.f = &f, .name = names[i], .worst = {0, "-"}};
        run_case(&c);
        if (c.worst.tensor[0] == '-')
            printf("%s %-44s not compared\n", c.failed ? "FAIL" : "ok  ", c.name);
        else
            printf("%s %-44s worst %-30s %.2e (%5.1f%% of tolerance)\n", c.failed ? "FAIL" : "ok  ",
                   c.name, c.worst.tensor, c.worst.err, 100 * c.worst.err / TOLERANCE);
        if (c.failed) {
            failed++;
            continue;
        }
        passed++;
        if (c.worst.err > overall.err) overall = c.worst, overall_case = names[i];
    }
    printf("worst of the passing cases: %s %s %.2e (%.1f%% of tolerance)\n", overall_case,
           overall.tensor, overall.err, 100 * overall.err / TOLERANCE);
    printf("%d passed, %d failed\n", passed, failed);
    h5_free_names(names, count);
    h5_close(&f);
    return failed == 0 && passed > 0 ? 0 : 1;
}
