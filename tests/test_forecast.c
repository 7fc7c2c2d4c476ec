/* test_forecast.c: series forecasting arithmetic (issue 15) — data/window_transform.h,
 * train/forecast_metrics.h and their use in batch_fill and evaluate_split.
 *
 *  - zero change is persistence, bit for bit: a model whose head outputs exactly 0 (head
 *    weights and bias zeroed), evaluated with target = delta under every window_norm (and
 *    level + last), has per-step absolute errors identical to the persistence baseline's,
 *    in real units, and skill exactly 0;
 *  - round trip: the targets batch_fill gives the model, mapped back with window_level,
 *    are the stored levels (to float32 rounding), and the normalised inputs times the spread
 *    plus the centre are the stored inputs; level + none leaves inputs and targets as stored,
 *    bit for bit;
 *  - baselines against a hand computation on an 8-row series (2 windows of 4 steps, 3 steps
 *    ahead, season 2, scaler factor 2): persistence and seasonal-naive MAE, RMSE, median per
 *    step and overall through evaluate_split, the skill of a model 1 off everywhere, and the
 *    metrics.jsonl members and human line that carry them.
 * Prints each failed comparison and exits 1 if any failed. Writes one temporary directory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/check.h"
#include "core/rng.h"
#include "train/evaluate.h"

static int failures;

static void expect(int ok, const char *what) {
    if (!ok) printf("FAIL: %s\n", what), failures++;
}

static void expect_near(const char *what, double got, double want, double rel) {
    if (fabs(got - want) <= rel * fmax(fabs(want), 1e-300) || got == want) return;
    printf("FAIL: %s: got %.17g, want %.17g (rel tol %g)\n", what, got, want, rel);
    failures++;
}

/* ---- a random series: F = 3 features, target features 2 and 0 (K = 2), T = 6, H = 4 ---- */

enum { ROWS = 40, F = 3, T = 6, H = 4, K = 2, N = ROWS - T - H + 1, C = H * K };
static const int32_t TARGETS[K] = {2, 0};
static const double CHANGE[C] = {0.5, 0.25, 0.7, 0.3, 0.9, 0.35, 1.1, 0.4};
static const double OFFSET[C] = {10, -3, 10, -3, 10, -3, 10, -3}, FACTOR[C] = {7, 0.5, 7, 0.5, 7, 0.5, 7, 0.5};

static void make_series(Dataset *d) {
    *d = (Dataset){.task = TASK_REGRESS, .input = INPUT_SERIES, .n = N, .total = N, .rows = ROWS,
                   .num_features = F, .input_steps = T, .horizon = H, .num_targets = K};
    d->series = xmalloc(sizeof(float) * ROWS * F, "test");
    d->starts = xmalloc(sizeof(int64_t) * N, "test");
    d->targets = xmalloc(sizeof(float) * N * C, "test");
    for (int i = 0; i < ROWS * F; i++) d->series[i] = (float)rng_normal(1, 2, (uint64_t)i);
    for (int i = 0; i < N; i++) d->starts[i] = i;
    for (int i = 0; i < N; i++) /* the stored targets are the rows after the window, as recur prep */
        for (int c = 0; c < C; c++) d->targets[i * C + c] = d->series[(i + T + c / K) * F + TARGETS[c % K]];
}

static WindowTransform transform(TargetKind target, WindowNorm norm) {
    return (WindowTransform){target, norm, F, T, H, K, TARGETS, CHANGE};
}

static ModelConfig small_config(void) {
    return (ModelConfig){.cell = CELL_GRU, .input_size = F, .hidden_size = 5, .num_layers = 1,
                         .pooling = POOL_LAST, .output_size = C, .loss = LOSS_MSE, .ignore_index = -100,
                         .huber_delta = 1};
}

static void zero_head(Model *m) {
    const char *names[2] = {"head.out.weight", "head.out.bias"};
    for (int i = 0; i < 2; i++) {
        const ParamTensor *t = model_find_tensor(m, names[i]);
        size_t count = (size_t)t->rows * (size_t)(t->cols ? t->cols : 1);
        memset(m->weights + t->offset, 0, sizeof(real) * count);
    }
}

/* Same count and the same absolute errors, bit for bit. */
static int same_errors(const RegressionErrors *a, const RegressionErrors *b) {
    return a->abs_count == b->abs_count && a->sums[REG_ABS_SUM] == b->sums[REG_ABS_SUM] &&
           a->sums[REG_SQUARED_SUM] == b->sums[REG_SQUARED_SUM] &&
           !memcmp(a->abs_errors, b->abs_errors, sizeof(double) * (size_t)a->abs_count);
}

static void test_zero_change_is_persistence(void) {
    Dataset d;
    make_series(&d);
    ModelConfig cfg = small_config();
    Model m;
    model_init(&m, &cfg, 5);
    zero_head(&m);
    const WindowTransform cases[4] = {transform(TARGET_DELTA, WINDOW_NORM_NONE), transform(TARGET_DELTA, WINDOW_NORM_LAST),
                                      transform(TARGET_DELTA, WINDOW_NORM_STANDARD),
                                      transform(TARGET_LEVEL, WINDOW_NORM_LAST)};
    for (int k = 0; k < 4; k++) {
        d.window = &cases[k];
        EvalResult e;
        eval_result_init(&e, TASK_REGRESS, C, OFFSET, FACTOR);
        eval_result_init_forecast(&e, H, K, 3);
        BatchBuffer buf = {0};
        evaluate_split(&e, &m, &d, &buf, 7);
        char what[128];
        snprintf(what, sizeof what, "target %s, window_norm %s: zero output = persistence (overall, bit for bit)",
                 target_kind_names[cases[k].target], window_norm_names[cases[k].norm]);
        expect(same_errors(&e.forecast.overall[FORECAST_MODEL], &e.forecast.overall[FORECAST_PERSISTENCE]), what);
        expect(same_errors(&e.regression, &e.forecast.overall[FORECAST_PERSISTENCE]), what);
        for (int h = 0; h < H; h++) {
            snprintf(what, sizeof what, "target %s, window_norm %s: step %d = persistence, bit for bit",
                     target_kind_names[cases[k].target], window_norm_names[cases[k].norm], h + 1);
            expect(same_errors(&e.forecast.by_step[FORECAST_MODEL * H + h],
                               &e.forecast.by_step[FORECAST_PERSISTENCE * H + h]), what);
        }
        double model = forecast_score(&e.forecast, FORECAST_MODEL, -1).mae;
        double last = forecast_score(&e.forecast, FORECAST_PERSISTENCE, -1).mae;
        expect(model > 0 && forecast_skill(model, last) == 0, "skill against persistence is exactly 0");
        batch_buffer_free(&buf), eval_result_free(&e);
    }
    model_free(&m), dataset_free(&d);
}

static void test_round_trip(void) {
    Dataset d;
    make_series(&d);
    long idx[N];
    for (int i = 0; i < N; i++) idx[i] = i;
    for (int target = TARGET_LEVEL; target <= TARGET_DELTA; target++)
        for (int norm = WINDOW_NORM_NONE; norm <= WINDOW_NORM_STANDARD; norm++) {
            WindowTransform w = transform((TargetKind)target, (WindowNorm)norm);
            d.window = &w;
            BatchBuffer buf = {0};
            const Batch *bt = batch_fill(&buf, &d, idx, N);
            double centre[F], spread[F], base[C], scale[C];
            double worst_target = 0, worst_input = 0;
            int exact = 1;
            for (int b = 0; b < bt->B; b++) {
                long i = buf.order[b];
                const float *rows = d.series + d.starts[i] * F;
                window_stats(&w, rows, centre, spread);
                window_output_map(&w, rows, centre, spread, base, scale);
                for (int c = 0; c < C; c++) {
                    double back = window_level(bt->targets[b * C + c], base[c], scale[c]);
                    worst_target = fmax(worst_target, fabs(back - d.targets[i * C + c]));
                    exact &= bt->targets[b * C + c] == d.targets[i * C + c];
                }
                for (int t = 0; t < T; t++)
                    for (int f = 0; f < F; f++) {
                        double x = bt->features[((long)t * bt->B + b) * F + f];
                        worst_input = fmax(worst_input, fabs(x * spread[f] + centre[f] - rows[t * F + f]));
                        exact &= x == rows[t * F + f];
                    }
            }
            char what[128];
            snprintf(what, sizeof what, "target %s, window_norm %s: targets map back to the stored levels",
                     target_kind_names[target], window_norm_names[norm]);
            expect(worst_target < 4e-6, what);
            snprintf(what, sizeof what, "target %s, window_norm %s: inputs map back", target_kind_names[target],
                     window_norm_names[norm]);
            expect(worst_input < 4e-6, what);
            if (target == TARGET_LEVEL && norm == WINDOW_NORM_NONE)
                expect(exact, "level + none: inputs and targets exactly as stored");
            else
                expect(!exact, "a transform that changes nothing");
            batch_buffer_free(&buf);
        }
    dataset_free(&d);
}

/* ---- the hand-computed series ---- */

/* One feature, scaled rows 1 3 2 5 4 8 6 7; windows of 4 steps, 3 ahead: window 0 is
 * 1 3 2 5 -> 4 8 6, window 1 is 3 2 5 4 -> 8 6 7. Scaler factor 2, offset 10.
 * Persistence: 5 5 5 and 4 4 4; real errors (x2) 2 6 2 and 8 4 6.
 *   step 1 {2, 8}: MAE 5, RMSE sqrt(34), median 5; step 2 {6, 4}: 5, sqrt(26), 5;
 *   step 3 {2, 6}: 4, sqrt(20), 4; all: MAE 28/6, RMSE sqrt(160/6), median (4+6)/2 = 5.
 * Seasonal, season 2: step k takes row 3 + k - 2 ceil(k/2): rows 2, 3, 2 of the window:
 *   2 5 2 and 5 4 5; real errors 4 6 8 and 6 4 4.
 *   step 1 {4, 6}: 5, sqrt(26), 5; step 2 {6, 4}: 5, sqrt(26), 5; step 3 {8, 4}: 6,
 *   sqrt(40), 6; all: MAE 32/6, RMSE sqrt(184/6), median (4+6)/2 = 5. */
static const float HAND_ROWS[8] = {1, 3, 2, 5, 4, 8, 6, 7};
static const double HAND_PERSIST[4][3] = {{5, sqrt(34), 5}, {5, sqrt(26), 5}, {4, sqrt(20), 4}};
static const double HAND_SEASONAL[4][3] = {{5, sqrt(26), 5}, {5, sqrt(26), 5}, {6, sqrt(40), 6}};

static void make_hand_series(Dataset *d, WindowTransform *w) {
    static const int32_t target[1] = {0};
    static const double change[3] = {1, 1, 1};
    *d = (Dataset){.task = TASK_REGRESS, .input = INPUT_SERIES, .n = 2, .total = 2, .rows = 8,
                   .num_features = 1, .input_steps = 4, .horizon = 3, .num_targets = 1};
    d->series = xmalloc(sizeof HAND_ROWS, "test"), memcpy(d->series, HAND_ROWS, sizeof HAND_ROWS);
    d->starts = xmalloc(sizeof(int64_t) * 2, "test"), d->starts[0] = 0, d->starts[1] = 1;
    d->targets = xmalloc(sizeof(float) * 6, "test");
    for (int i = 0; i < 2; i++)
        for (int h = 0; h < 3; h++) d->targets[i * 3 + h] = HAND_ROWS[i + 4 + h];
    *w = (WindowTransform){TARGET_LEVEL, WINDOW_NORM_NONE, 1, 4, 3, 1, target, change};
    d->window = w;
}

static void expect_score(const char *what, ForecastScore got, const double *want) {
    char name[96];
    snprintf(name, sizeof name, "%s MAE", what), expect_near(name, got.mae, want[0], 1e-15);
    snprintf(name, sizeof name, "%s RMSE", what), expect_near(name, got.rmse, want[1], 1e-15);
    snprintf(name, sizeof name, "%s median", what), expect_near(name, got.median_ae, want[2], 1e-15);
}

static char *read_all(const char *path) {
    static char text[16384];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[n] = 0;
    if (f) fclose(f);
    return text;
}

static void expect_contains(const char *text, const char *part) {
    if (strstr(text, part)) return;
    printf("FAIL: missing %s\n  in: %s\n", part, text);
    failures++;
}

static void test_baselines_by_hand(void) {
    Dataset d;
    WindowTransform w;
    make_hand_series(&d, &w);
    const double offset[3] = {10, 10, 10}, factor[3] = {2, 2, 2};
    ModelConfig cfg = small_config();
    cfg.input_size = 1, cfg.output_size = 3;
    Model m;
    model_init(&m, &cfg, 3);
    EvalResult e;
    eval_result_init(&e, TASK_REGRESS, 3, offset, factor);
    eval_result_init_forecast(&e, 3, 1, 2);
    BatchBuffer buf = {0};
    evaluate_split(&e, &m, &d, &buf, 2);
    char what[64];
    for (int h = 0; h < 3; h++) {
        snprintf(what, sizeof what, "persistence step %d", h + 1);
        expect_score(what, forecast_score(&e.forecast, FORECAST_PERSISTENCE, h), HAND_PERSIST[h]);
        snprintf(what, sizeof what, "seasonal step %d", h + 1);
        expect_score(what, forecast_score(&e.forecast, FORECAST_SEASONAL, h), HAND_SEASONAL[h]);
    }
    expect_score("persistence overall", forecast_score(&e.forecast, FORECAST_PERSISTENCE, -1),
                 (double[]){28.0 / 6, sqrt(160.0 / 6), 5});
    expect_score("seasonal overall", forecast_score(&e.forecast, FORECAST_SEASONAL, -1),
                 (double[]){32.0 / 6, sqrt(184.0 / 6), 5});
    expect_near("the model's overall MAE is the regression MAE", forecast_score(&e.forecast, FORECAST_MODEL, -1).mae,
                regression_mae(&e.regression), 1e-15);

    /* A model 0.5 (scaled) above every target: real error 1 everywhere. Skill against
     * persistence 1 - 1/(28/6) = 11/14, against seasonal 1 - 6/32 = 13/16; at step 3,
     * 1 - 1/4 and 1 - 1/6. */
    forecast_errors_reset(&e.forecast);
    double model[3], truth[3], last[3], seasonal[3];
    for (int i = 0; i < 2; i++) {
        const float *rows = d.series + i;
        for (int h = 0; h < 3; h++) truth[h] = d.targets[i * 3 + h], model[h] = truth[h] + 0.5;
        window_persistence(&w, rows, last), window_seasonal(&w, rows, 2, seasonal);
        forecast_errors_add(&e.forecast, FORECAST_MODEL, model, truth);
        forecast_errors_add(&e.forecast, FORECAST_PERSISTENCE, last, truth);
        forecast_errors_add(&e.forecast, FORECAST_SEASONAL, seasonal, truth);
    }
    double mae = forecast_score(&e.forecast, FORECAST_MODEL, -1).mae;
    expect_near("model MAE", mae, 1, 1e-15);
    expect_near("skill vs persistence", forecast_skill(mae, forecast_score(&e.forecast, FORECAST_PERSISTENCE, -1).mae),
                11.0 / 14, 1e-15);
    expect_near("skill vs seasonal", forecast_skill(mae, forecast_score(&e.forecast, FORECAST_SEASONAL, -1).mae),
                13.0 / 16, 1e-15);
    expect_near("skill vs persistence at step 3",
                forecast_skill(1, forecast_score(&e.forecast, FORECAST_PERSISTENCE, 2).mae), 0.75, 1e-15);

    /* the metrics.jsonl members and the human line */
    regression_errors_reset(&e.regression);
    for (int i = 0; i < 2; i++) {
        for (int h = 0; h < 3; h++) truth[h] = d.targets[i * 3 + h], model[h] = truth[h] + 0.5;
        regression_errors_add_levels(&e.regression, model, truth);
    }
    e.loss_sum = 1.5, e.items = 6, e.examples = 2;
    char dir[] = "/tmp/recur_test_forecast_XXXXXX";
    if (!mkdtemp(dir)) return (void)expect(0, "mkdtemp");
    MetricsLog log;
    metrics_log_open(&log, dir, -1);
    char human[1024] = "";
    FILE *out = fmemopen(human, sizeof human, "w");
    eval_result_log(&e, &(EvalLogInfo){.split = "test", .step = 7, .epoch = 0}, &log, out);
    fclose(out);
    metrics_log_close(&log);
    expect_contains(human, "mae 1  rmse 1  median_ae 1");
    expect_contains(human, "| persistence mae 4.6667 (skill 0.786)  seasonal(2) mae 5.3333 (skill 0.812)"
                           "  | step 3: mae 1, persistence 4 (skill 0.750), seasonal 6 (skill 0.833)\n");
    char path[96];
    snprintf(path, sizeof path, "%s/metrics.jsonl", dir);
    const char *text = read_all(path);
    expect_contains(text, "\"persistence_mae\": 4.66667, \"persistence_rmse\": 5.16398, \"persistence_median_ae\": 5, "
                          "\"skill_persistence\": 0.785714, \"seasonal_mae\": 5.33333, \"seasonal_rmse\": 5.53775, "
                          "\"seasonal_median_ae\": 5, \"skill_seasonal\": 0.8125, \"season\": 2, \"per_step\": "
                          "{\"mae\": [1, 1, 1], \"rmse\": [1, 1, 1], \"median_ae\": [1, 1, 1], "
                          "\"persistence_mae\": [5, 5, 4], ");
    expect_contains(text, "\"seasonal_rmse\": [5.09902, 5.09902, 6.32456], ");
    expect_contains(text, "\"skill_persistence\": [0.8, 0.8, 0.75], \"skill_seasonal\": [0.8, 0.8, 0.833333]}}\n");
    unlink(path), rmdir(dir);
    batch_buffer_free(&buf), eval_result_free(&e), model_free(&m), dataset_free(&d);
}

int main(void) {
    test_zero_change_is_persistence();
    test_round_trip();
    test_baselines_by_hand();
    printf(failures ? "test_forecast: %d failure(s)\n" : "test_forecast: all passed\n", failures);
    return failures ? 1 : 0;
}
