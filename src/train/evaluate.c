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

void eval_result_init_forecast(EvalResult *e, int horizon, int num_targets, int season) {
    if (e->task != TASK_REGRESS || horizon * num_targets != e->regression.outputs)
        recur_die(EXIT_RUNTIME, "eval_result_init_forecast: %d x %d outputs for a result of %d", horizon,
                  num_targets, e->regression.outputs);
    forecast_errors_init(&e->forecast, horizon, num_targets, season, e->regression.offset, e->regression.factor);
}

void eval_result_reset(EvalResult *e) {
    e->loss_sum = 0, e->items = 0, e->examples = 0;
    forecast_errors_reset(&e->forecast);
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
    forecast_errors_merge(&dst->forecast, &src->forecast);
}

void eval_result_free(EvalResult *e) {
    forecast_errors_free(&e->forecast);
    if (e->task == TASK_REGRESS) regression_errors_free(&e->regression);
    else confusion_free(&e->confusion);
}

double eval_result_loss(const EvalResult *e) { return e->items ? e->loss_sum / (double)e->items : 0; }

/* The model outputs the result is for: the classes but <unk>, or values per example. */
static int result_outputs(const EvalResult *e) {
    return e->task == TASK_REGRESS ? e->regression.outputs : e->confusion.classes - e->confusion.unknown;
}

/* ---- running the model ---- */

/* Index of the largest of v[0..n). */
static int argmax(const real *v, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) best = v[k] > v[best] ? k : best;
    return best;
}

/* One prediction: the label of output row `row` against its C logits (the <unk> class, C,
 * is a true class no logit predicts: a miss). */
static void count_item(Confusion *c, const Batch *bt, const real *logits, long row, int ignore_index) {
    int truth = bt->labels[row], C = c->classes - c->unknown;
    if (truth == ignore_index) return;
    if (truth < 0 || truth >= c->classes)
        recur_die(EXIT_RUNTIME, "evaluate: label %d at row %ld is outside [0, %d)", truth, row, c->classes);
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

/* Scratch of one window: centre, spread [F]; base, scale, model, target, baseline [C]. */
typedef struct WindowScratch {
    double *centre, *spread, *base, *scale, *model, *target, *baseline;
} WindowScratch;

static WindowScratch scratch_make(int F, int C) {
    double *p = xmalloc(sizeof(double) * (size_t)(2 * F + 5 * C), "forecast scratch");
    return (WindowScratch){p, p + F, p + 2 * F, p + 2 * F + C, p + 2 * F + 2 * C, p + 2 * F + 3 * C,
                           p + 2 * F + 4 * C};
}

/* Example i of a series split, its model outputs y [C]: the forecast mapped back to levels
 * (when the window is transformed) and both baselines, scored. */
static void add_window(EvalResult *e, const Dataset *d, long i, const real *y, WindowScratch *s) {
    const WindowTransform *w = d->window;
    int C = e->regression.outputs, transformed = !window_transform_is_identity(w);
    const float *rows = d->series + d->starts[i] * d->num_features;
    if (transformed) {
        window_stats(w, rows, s->centre, s->spread);
        window_output_map(w, rows, s->centre, s->spread, s->base, s->scale);
    }
    for (int c = 0; c < C; c++) {
        s->target[c] = d->targets[i * C + c];
        s->model[c] = transformed ? window_level(y[c], s->base[c], s->scale[c]) : (double)y[c];
    }
    if (transformed) regression_errors_add_levels(&e->regression, s->model, s->target);
    if (!e->forecast.horizon) return;
    forecast_errors_add(&e->forecast, FORECAST_MODEL, s->model, s->target);
    window_persistence(w, rows, s->baseline);
    forecast_errors_add(&e->forecast, FORECAST_PERSISTENCE, s->baseline, s->target);
    if (!e->forecast.season) return;
    window_seasonal(w, rows, e->forecast.season, s->baseline);
    forecast_errors_add(&e->forecast, FORECAST_SEASONAL, s->baseline, s->target);
}

static void add_regression(EvalResult *e, const Dataset *d, const BatchBuffer *buf, const real *y, int rows) {
    const Batch *bt = &buf->batch;
    if (rows != bt->B) recur_die(EXIT_RUNTIME, "evaluate: a regression model gave %d rows for %d examples", rows, bt->B);
    int C = e->regression.outputs;
    if (window_transform_is_identity(d->window)) regression_errors_add(&e->regression, y, bt->targets, bt->B);
    if (!d->window || d->input != INPUT_SERIES) return;
    WindowScratch s = scratch_make(d->num_features, C);
    for (int b = 0; b < bt->B; b++) add_window(e, d, buf->order[b], y + (long)b * C, &s);
    free(s.centre);
}

/* The batch's labels with the <unk> class (id d->num_classes) as ignore_index: the loss has
 * no logit for it and leaves it out; NULL when d has no <unk> class. */
static int32_t *loss_labels(const Batch *bt, const Dataset *d, int ignore_index) {
    if (!d->has_unknown || !bt->labels) return NULL;
    long n = d->task == TASK_TAG ? (long)bt->T * bt->B : bt->B;
    int32_t *v = xmalloc(sizeof(int32_t) * (size_t)(n ? n : 1), "loss labels");
    for (long i = 0; i < n; i++) v[i] = bt->labels[i] == d->num_classes ? ignore_index : bt->labels[i];
    return v;
}

static void evaluate_batch(EvalResult *e, Model *m, const Dataset *d, BatchBuffer *buf) {
    Batch *bt = &buf->batch;
    const int32_t *truth = bt->labels;
    int32_t *for_loss = loss_labels(bt, d, m->cfg.ignore_index);
    if (for_loss) bt->labels = for_loss;
    double loss = (double)model_forward(m, bt, 0, 0);
    bt->labels = truth;
    free(for_loss);
    int rows;
    long counted;
    const real *outputs = model_outputs(m, &rows, &counted);
    e->loss_sum += loss * (double)counted;
    e->items += counted, e->examples += bt->B;
    if (e->task != TASK_REGRESS) count_predictions(&e->confusion, bt, outputs, rows, m->cfg.ignore_index);
    else add_regression(e, d, buf, outputs, rows);
}

void evaluate_split(EvalResult *e, Model *m, const Dataset *d, BatchBuffer *buf, int batch_size) {
    if (d->task != e->task || m->cfg.output_size != result_outputs(e))
        recur_die(EXIT_RUNTIME, "evaluate: a %s split with a %d-output model, but the result is for %s "
                  "with %d outputs", dataset_task_names[d->task], m->cfg.output_size,
                  dataset_task_names[e->task], result_outputs(e));
    eval_result_reset(e);
    if (d->has_unknown) confusion_add_unknown(&e->confusion); /* once: valid and test share it */
    EpochPlan plan;
    epoch_plan_make(&plan, d, batch_size, 0, 0, 0);
    for (long k = 0; k < plan.num_batches; k++) {
        batch_fill(buf, d, plan.order + plan.batch_first[k], plan.batch_count[k]);
        evaluate_batch(e, m, d, buf);
    }
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

static void add_class_name(Text *t, const Confusion *c, char *const *names, int k) {
    if (c->unknown && k == c->classes - 1) text_add(t, "\"<unk>\"");
    else if (names) add_json_string(t, names[k]);
    else text_add(t, "\"%d\"", k);
}

static void add_per_class(Text *t, const Confusion *c, char *const *names) {
    text_add(t, ", \"per_class\": [");
    for (int k = 0; k < c->classes; k++) {
        ClassScores s = confusion_class_scores(c, k);
        text_add(t, "%s{\"class\": ", k ? ", " : "");
        add_class_name(t, c, names, k);
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

/* ---- forecasts against the baselines ---- */

static const char *const score_names[] = {"mae", "rmse", "median_ae"};

static double score_field(ForecastScore s, int k) { return k == 0 ? s.mae : k == 1 ? s.rmse : s.median_ae; }

/* The model's per-step scores and each baseline's, computed once (medians reorder). */
typedef struct ForecastTable {
    int sources[FORECAST_SOURCES], count;   /* sources present, model first */
    ForecastScore overall[FORECAST_SOURCES];
    ForecastScore *step;                     /* [FORECAST_SOURCES][horizon] */
} ForecastTable;

static ForecastTable forecast_table(ForecastErrors *f) {
    ForecastTable t = {.step = xcalloc((size_t)(FORECAST_SOURCES * f->horizon), sizeof(ForecastScore), "scores")};
    for (int s = 0; s < FORECAST_SOURCES; s++) {
        if (!forecast_has_source(f, s)) continue;
        t.sources[t.count++] = s;
        t.overall[s] = forecast_score(f, s, -1);
        for (int h = 0; h < f->horizon; h++) t.step[s * f->horizon + h] = forecast_score(f, s, h);
    }
    return t;
}

/* `"name": [v0, v1, ...]` (null where not finite), after ", " unless it is the first member. */
static void add_number_array(Text *t, int first, const char *name, const double *v, int n) {
    text_add(t, "%s\"%s\": [", first ? "" : ", ", name);
    for (int i = 0; i < n; i++) {
        if (isfinite(v[i])) text_add(t, "%s%.6g", i ? ", " : "", v[i]);
        else text_add(t, "%snull", i ? ", " : "");
    }
    text_add(t, "]");
}

/* "per_step": {"mae": [...], ..., "persistence_mae": [...], ..., "skill_persistence": [...]} */
static void add_per_step(Text *t, const ForecastErrors *f, const ForecastTable *ft) {
    int H = f->horizon;
    double *v = xmalloc(sizeof(double) * (size_t)H, "per-step scores");
    char name[64];
    text_add(t, ", \"per_step\": {");
    for (int i = 0; i < ft->count; i++)
        for (int k = 0; k < 3; k++) {
            int s = ft->sources[i];
            snprintf(name, sizeof name, "%s%s%s", s ? forecast_source_names[s] : "", s ? "_" : "", score_names[k]);
            for (int h = 0; h < H; h++) v[h] = score_field(ft->step[s * H + h], k);
            add_number_array(t, i == 0 && k == 0, name, v, H);
        }
    for (int i = 1; i < ft->count; i++) {
        int s = ft->sources[i];
        snprintf(name, sizeof name, "skill_%s", forecast_source_names[s]);
        for (int h = 0; h < H; h++) v[h] = forecast_skill(ft->step[h].mae, ft->step[s * H + h].mae);
        add_number_array(t, 0, name, v, H);
    }
    text_add(t, "}");
    free(v);
}

static void add_forecast_json(Text *t, const ForecastErrors *f, const ForecastTable *ft) {
    char name[64];
    for (int i = 1; i < ft->count; i++) {
        int s = ft->sources[i];
        for (int k = 0; k < 3; k++) {
            snprintf(name, sizeof name, "%s_%s", forecast_source_names[s], score_names[k]);
            add_number(t, name, score_field(ft->overall[s], k));
        }
        snprintf(name, sizeof name, "skill_%s", forecast_source_names[s]);
        add_number(t, name, forecast_skill(ft->overall[FORECAST_MODEL].mae, ft->overall[s].mae));
    }
    if (f->season) text_add(t, ", \"season\": %d", f->season);
    add_per_step(t, f, ft);
}

/* `| persistence mae 58.3 (skill 0.13)  seasonal(24) mae 69.1 (skill 0.27)  | step 48: mae 70.1,
 * persistence 80.2 (skill 0.126)` */
static void write_forecast_human(const ForecastErrors *f, const ForecastTable *ft, FILE *out) {
    double model = ft->overall[FORECAST_MODEL].mae, last = ft->step[f->horizon - 1].mae;
    for (int i = 1; i < ft->count; i++) {
        int s = ft->sources[i];
        fprintf(out, "%s%s", i == 1 ? "  | " : "  ", forecast_source_names[s]);
        if (s == FORECAST_SEASONAL) fprintf(out, "(%d)", f->season);
        fprintf(out, " mae %.5g (skill %.3f)", ft->overall[s].mae, forecast_skill(model, ft->overall[s].mae));
    }
    if (f->horizon < 2) return;
    fprintf(out, "  | step %d: mae %.5g", f->horizon, last);
    for (int i = 1; i < ft->count; i++) {
        int s = ft->sources[i];
        double base = ft->step[s * f->horizon + f->horizon - 1].mae;
        fprintf(out, ", %s %.5g (skill %.3f)", forecast_source_names[s], base, forecast_skill(last, base));
    }
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

static void write_json(const EvalResult *e, const EvalSummary *s, const ForecastTable *ft,
                       const EvalLogInfo *info, MetricsLog *log) {
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
        if (e->forecast.horizon) add_forecast_json(&t, &e->forecast, ft);
    }
    if (info->extra_json && *info->extra_json) text_add(&t, ", %s", info->extra_json);
    metrics_log_write(log, "%s", t.s);
    free(t.s);
}

static void write_human(const EvalResult *e, const EvalSummary *s, const ForecastTable *ft,
                        const EvalLogInfo *info, FILE *out) {
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
    fprintf(out, " (real units)");
    if (e->forecast.horizon) write_forecast_human(&e->forecast, ft, out);
    fprintf(out, "\n");
}

void eval_result_log(EvalResult *e, const EvalLogInfo *info, MetricsLog *log, FILE *human) {
    EvalSummary s = summarize(e);
    ForecastTable ft = {0};
    if (e->forecast.horizon) ft = forecast_table(&e->forecast);
    if (log) write_json(e, &s, &ft, info, log);
    if (human) write_human(e, &s, &ft, info, human), fflush(human);
    free(ft.step);
}
