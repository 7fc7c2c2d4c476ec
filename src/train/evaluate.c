/* evaluate.c: one split's loss and metrics, and their JSON and human lines (evaluate.h).
 * The arithmetic of the metrics is metrics.c's and regression_metrics.c's; this file
 * only runs the model, routes its outputs there, and formats the results. */
#include "evaluate.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/json.h"
#include "data/epoch_plan.h"

/* ---- the result ---- */

void eval_result_init(EvalResult *e, DatasetTask task, int outputs, const double *target_offset,
                      const double *target_factor) {
    memset(e, 0, sizeof *e);
    e->task = task;
    if (task == TASK_REGRESS) regression_errors_init(&e->regression, outputs, target_offset, target_factor);
    else confusion_init(&e->confusion, outputs);
}

void eval_result_reset(EvalResult *e) {
    e->loss_sum = 0, e->items = 0, e->examples = 0;
    if (e->task == TASK_REGRESS) regression_errors_reset(&e->regression);
    else confusion_reset(&e->confusion);
}

void eval_result_merge(EvalResult *dst, const EvalResult *src) {
    if (dst->task != src->task)
        recur_die(EXIT_RUNTIME, "eval_result_merge: a %s result against a %s one",
                  dataset_task_names[dst->task], dataset_task_names[src->task]);
    dst->loss_sum += src->loss_sum, dst->items += src->items, dst->examples += src->examples;
    if (dst->task == TASK_REGRESS) regression_errors_merge(&dst->regression, &src->regression);
    else confusion_merge(&dst->confusion, &src->confusion);
}

void eval_result_free(EvalResult *e) {
    if (e->task == TASK_REGRESS) regression_errors_free(&e->regression);
    else confusion_free(&e->confusion);
}

double eval_result_loss(const EvalResult *e) { return e->items ? e->loss_sum / (double)e->items : 0; }

static int result_outputs(const EvalResult *e) {
    return e->task == TASK_REGRESS ? e->regression.outputs : e->confusion.classes;
}

/* ---- running the model ---- */

/* Index of the largest of v[0..n). */
static int argmax(const real *v, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) best = v[k] > v[best] ? k : best;
    return best;
}

/* One prediction: the label of output row `row` against its logits. */
static void count_item(Confusion *c, const Batch *bt, const real *logits, long row, int ignore_index) {
    int truth = bt->labels[row], C = c->classes;
    if (truth == ignore_index) return;
    if (truth < 0 || truth >= C)
        recur_die(EXIT_RUNTIME, "evaluate: label %d at row %ld is outside [0, %d)", truth, row, C);
    confusion_add(c, truth, argmax(logits + row * C, C));
}

/* One per sequence (rows == B), or one per real token (rows == T*B). */
static void count_predictions(Confusion *c, const Batch *bt, const real *logits, int rows, int ignore_index) {
    if (rows == bt->B) {
        for (int b = 0; b < bt->B; b++) count_item(c, bt, logits, b, ignore_index);
        return;
    }
    for (int t = 0; t < bt->T; t++)
        for (int b = 0; b < bt->B; b++)
            if (t < bt->lengths[b]) count_item(c, bt, logits, (long)t * bt->B + b, ignore_index);
}

static void evaluate_batch(EvalResult *e, Model *m, const Batch *bt) {
    double loss = (double)model_forward(m, bt, 0, 0);
    int rows;
    long counted;
    const real *outputs = model_outputs(m, &rows, &counted);
    e->loss_sum += loss * (double)counted;
    e->items += counted, e->examples += bt->B;
    if (e->task != TASK_REGRESS) count_predictions(&e->confusion, bt, outputs, rows, m->cfg.ignore_index);
    else if (rows == bt->B) regression_errors_add(&e->regression, outputs, bt->targets, bt->B);
    else recur_die(EXIT_RUNTIME, "evaluate: a regression model gave %d rows for %d examples", rows, bt->B);
}

void evaluate_split(EvalResult *e, Model *m, const Dataset *d, BatchBuffer *buf, int batch_size) {
    if (d->task != e->task || m->cfg.output_size != result_outputs(e))
        recur_die(EXIT_RUNTIME, "evaluate: a %s split with a %d-output model, but the result is for %s "
                  "with %d outputs", dataset_task_names[d->task], m->cfg.output_size,
                  dataset_task_names[e->task], result_outputs(e));
    eval_result_reset(e);
    EpochPlan plan;
    epoch_plan_make(&plan, d, batch_size, 0, 0, 0);
    for (long k = 0; k < plan.num_batches; k++)
        evaluate_batch(e, m, batch_fill(buf, d, plan.order + plan.batch_first[k], plan.batch_count[k]));
    epoch_plan_free(&plan);
}

/* ---- JSON text ---- */

typedef struct Text {
    char *s;
    size_t len, cap;
} Text;

static void text_add(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(Text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(0, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + (size_t)n + 1) cap *= 2;
        char *grown = xmalloc(cap, "metrics line");
        memcpy(grown, t->s ? t->s : "", t->len + 1);
        free(t->s);
        t->s = grown, t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* `, "name": value`, or null when the value is not finite (JSON has no NaN). */
static void add_number(Text *t, const char *name, double v) {
    if (isfinite(v)) text_add(t, ", \"%s\": %.6g", name, v);
    else text_add(t, ", \"%s\": null", name);
}

/* s as a JSON string (core/json.h). */
static void add_json_string(Text *t, const char *s) {
    char buf[8];
    text_add(t, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        text_add(t, "%s", json_escape_byte(*p, buf));
    text_add(t, "\"");
}

static void add_class_name(Text *t, char *const *names, int k) {
    if (names) add_json_string(t, names[k]);
    else text_add(t, "\"%d\"", k);
}

static void add_per_class(Text *t, const Confusion *c, char *const *names) {
    text_add(t, ", \"per_class\": [");
    for (int k = 0; k < c->classes; k++) {
        ClassScores s = confusion_class_scores(c, k);
        text_add(t, "%s{\"class\": ", k ? ", " : "");
        add_class_name(t, names, k);
        text_add(t, ", \"precision\": %.6g, \"recall\": %.6g, \"f1\": %.6g, \"support\": %" PRId64 "}",
                 s.precision, s.recall, s.f1, s.support);
    }
    text_add(t, "]");
}

static void add_confusion(Text *t, const Confusion *c) {
    text_add(t, ", \"confusion\": [");
    for (int i = 0; i < c->classes; i++) {
        text_add(t, "%s[", i ? ", " : "");
        for (int j = 0; j < c->classes; j++) text_add(t, "%s%" PRId64, j ? ", " : "", confusion_count(c, i, j));
        text_add(t, "]");
    }
    text_add(t, "]");
}

/* ---- the two lines ---- */

/* What both lines show, computed once. */
typedef struct EvalSummary {
    double loss, accuracy, macro_f1, weighted_f1;
    double mae, rmse, median_ae, mape;
} EvalSummary;

static EvalSummary summarize(EvalResult *e) {
    EvalSummary s = {.loss = eval_result_loss(e)};
    if (e->task != TASK_REGRESS) {
        s.accuracy = confusion_accuracy(&e->confusion);
        s.macro_f1 = confusion_macro_f1(&e->confusion);
        s.weighted_f1 = confusion_weighted_f1(&e->confusion);
        return s;
    }
    s.mae = regression_mae(&e->regression), s.rmse = regression_rmse(&e->regression);
    s.median_ae = regression_median_ae(&e->regression), s.mape = regression_mape(&e->regression);
    return s;
}

static void write_json(const EvalResult *e, const EvalSummary *s, const EvalLogInfo *info, MetricsLog *log) {
    Text t = {0};
    text_add(&t, "\"step\": %ld, \"epoch\": %ld, \"split\": ", info->step, info->epoch);
    add_json_string(&t, info->split);
    add_number(&t, "loss", s->loss);
    text_add(&t, ", \"samples\": %" PRId64 ", \"items\": %" PRId64, e->examples, e->items);
    if (e->task != TASK_REGRESS) {
        add_number(&t, "accuracy", s->accuracy), add_number(&t, "macro_f1", s->macro_f1);
        add_number(&t, "weighted_f1", s->weighted_f1);
        add_per_class(&t, &e->confusion, info->class_names);
        add_confusion(&t, &e->confusion);
    } else {
        add_number(&t, "mae", s->mae), add_number(&t, "rmse", s->rmse);
        add_number(&t, "median_ae", s->median_ae), add_number(&t, "mape", s->mape);
        text_add(&t, ", \"mape_excluded\": %" PRId64, e->regression.counts[REG_APE_EXCLUDED]);
    }
    if (info->extra_json && *info->extra_json) text_add(&t, ", %s", info->extra_json);
    metrics_log_write(log, "%s", t.s);
    free(t.s);
}

static void write_human(const EvalResult *e, const EvalSummary *s, const EvalLogInfo *info, FILE *out) {
    fprintf(out, "eval  step %ld %s: loss %.4f", info->step, info->split, s->loss);
    if (e->task != TASK_REGRESS) {
        fprintf(out, "  accuracy %.4f  macro_f1 %.4f\n", s->accuracy, s->macro_f1);
        return;
    }
    fprintf(out, "  mae %.5g  rmse %.5g  median_ae %.5g", s->mae, s->rmse, s->median_ae);
    if (isfinite(s->mape)) fprintf(out, "  mape %.4g%%", s->mape);
    else fprintf(out, "  mape n/a");
    int64_t excluded = e->regression.counts[REG_APE_EXCLUDED];
    if (excluded) fprintf(out, " (%" PRId64 " near-zero targets left out)", excluded);
    fprintf(out, " (real units)\n");
}

void eval_result_log(EvalResult *e, const EvalLogInfo *info, MetricsLog *log, FILE *human) {
    EvalSummary s = summarize(e);
    if (log) write_json(e, &s, info, log);
    if (human) write_human(e, &s, info, human), fflush(human);
}
