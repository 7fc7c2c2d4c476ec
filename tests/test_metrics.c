/* test_metrics.c: evaluation metrics (src/train/metrics.h, regression_metrics.h,
 * evaluate.h) against hand-computed numbers, cross-checked with scikit-learn / numpy.
 *
 *  - a 3-class confusion: accuracy, per-class precision/recall/F1/support, macro and
 *    weighted F1; a 4-class one with a class never predicted and one never present
 *    (zero_division = 0, macro over all classes);
 *  - regression errors with a per-output scaler (real units), odd and even medians, MAPE
 *    exclusion of zero targets, the median selection against a full sort;
 *  - merging partial states equals the state of all items (counts and sorted absolute
 *    errors bit for bit, sums to rounding);
 *  - evaluate_split on tiny models (synthetic classification, hand-built tagging with
 *    padding and an ignored tag, hand-built series regression): loss = counted-item
 *    weighted mean of per-batch model_forward losses, counts and supports from the data,
 *    RMSE/MAE against the MSE/L1 loss times the scaler's factor;
 *  - the metrics.jsonl members and the human line.
 * Prints each failed comparison and exits 1 if any failed. Does not touch the network;
 * writes one temporary directory under /tmp. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/check.h"
#include "core/rng.h"
#include "data/epoch_plan.h"
#include "data/synthetic_corpus.h"
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

static void expect_count(const char *what, int64_t got, int64_t want) {
    if (got == want) return;
    printf("FAIL: %s: got %lld, want %lld\n", what, (long long)got, (long long)want);
    failures++;
}

/* ---- classification ---- */

/* Adds matrix[i][j] items of (truth i, predicted j), in row order. */
static void fill_confusion(Confusion *c, const int *matrix) {
    for (int i = 0; i < c->classes; i++)
        for (int j = 0; j < c->classes; j++)
            for (int n = 0; n < matrix[i * c->classes + j]; n++) confusion_add(c, i, j);
}

typedef struct ExpectedClass {
    double precision, recall, f1;
    int64_t support;
} ExpectedClass;

static void expect_class_scores(const Confusion *c, const ExpectedClass *want) {
    char what[64];
    for (int k = 0; k < c->classes; k++) {
        ClassScores s = confusion_class_scores(c, k);
        snprintf(what, sizeof what, "class %d precision", k), expect_near(what, s.precision, want[k].precision, 1e-15);
        snprintf(what, sizeof what, "class %d recall", k), expect_near(what, s.recall, want[k].recall, 1e-15);
        snprintf(what, sizeof what, "class %d f1", k), expect_near(what, s.f1, want[k].f1, 1e-15);
        snprintf(what, sizeof what, "class %d support", k), expect_count(what, s.support, want[k].support);
    }
}

/* Rows = true class, columns = predicted. By hand: column sums (predicted) 6, 10, 8;
 * class 0: P = 5/6, R = 5/8, F1 = 2*5/(8+6) = 5/7; class 1: P = R = F1 = 6/10;
 * class 2: P = 4/8, R = 4/6, F1 = 8/14 = 4/7; accuracy 15/24; macro (5/7+3/5+4/7)/3 =
 * 22/35; weighted (8*5/7 + 10*3/5 + 6*4/7)/24 = 53/84. sklearn 1.2.1 (Debian
 * python3-sklearn), precision_recall_fscore_support / f1_score(labels=[0,1,2],
 * zero_division=0) on the expanded label lists, printed with %.17g: 0.83333333333333337
 * 0.625 0.7142857142857143 | 0.6 0.6 0.6 | 0.5 0.66666666666666663 0.57142857142857151;
 * accuracy 0.625, macro 0.62857142857142856, weighted 0.63095238095238104. */
static const int MATRIX3[9] = {5, 2, 1, 1, 6, 3, 0, 2, 4};

static void test_confusion_3class(void) {
    Confusion c;
    confusion_init(&c, 3);
    fill_confusion(&c, MATRIX3);
    const ExpectedClass want[3] = {{5.0 / 6, 5.0 / 8, 5.0 / 7, 8}, {0.6, 0.6, 0.6, 10}, {0.5, 4.0 / 6, 4.0 / 7, 6}};
    expect_class_scores(&c, want);
    const ExpectedClass sklearn[3] = {{0.83333333333333337, 0.625, 0.7142857142857143, 8},
                                      {0.59999999999999998, 0.59999999999999998, 0.59999999999999998, 10},
                                      {0.5, 0.66666666666666663, 0.57142857142857151, 6}};
    expect_class_scores(&c, sklearn);
    expect_count("3-class total", confusion_total(&c), 24);
    expect_near("3-class accuracy", confusion_accuracy(&c), 15.0 / 24, 1e-15);
    expect_near("3-class macro F1 (hand)", confusion_macro_f1(&c), 22.0 / 35, 1e-15);
    expect_near("3-class macro F1 (sklearn)", confusion_macro_f1(&c), 0.62857142857142856, 1e-15);
    expect_near("3-class weighted F1 (hand)", confusion_weighted_f1(&c), 53.0 / 84, 1e-15);
    expect_near("3-class weighted F1 (sklearn)", confusion_weighted_f1(&c), 0.63095238095238104, 1e-15);
    confusion_free(&c);
}

/* Class 2 is true 3 times but never predicted (P = 0 by zero_division), class 3 is never
 * true nor predicted (all 0, and still in the macro mean). By hand: class 0: P = 3/6,
 * R = 3/4, F1 = 6/10; classes 1-3: 0; macro 0.6/4 = 0.15; weighted 4*0.6/9. sklearn:
 * f1_score(labels=[0,1,2,3], average="macro", zero_division=0) = 0.14999999999999999,
 * weighted 0.26666666666666666 (with its default labels=None the macro mean is 0.2:
 * class 3 dropped). */
static void test_confusion_absent_classes(void) {
    const int matrix[16] = {3, 1, 0, 0, 2, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0};
    Confusion c;
    confusion_init(&c, 4);
    fill_confusion(&c, matrix);
    const ExpectedClass want[4] = {{0.5, 0.75, 0.6, 4}, {0, 0, 0, 2}, {0, 0, 0, 3}, {0, 0, 0, 0}};
    expect_class_scores(&c, want);
    expect_near("4-class accuracy", confusion_accuracy(&c), 3.0 / 9, 1e-15);
    expect_near("4-class macro F1", confusion_macro_f1(&c), 0.14999999999999999, 1e-15);
    expect_near("4-class weighted F1", confusion_weighted_f1(&c), 0.26666666666666666, 1e-15);
    confusion_reset(&c);
    expect_near("empty: accuracy", confusion_accuracy(&c), 0, 0);
    expect_near("empty: weighted F1", confusion_weighted_f1(&c), 0, 0);
    confusion_free(&c);
}

/* Items split over two partial matrices, merged, equal the whole matrix exactly. */
static void test_confusion_merge(void) {
    Confusion all, part[2];
    confusion_init(&all, 3), confusion_init(&part[0], 3), confusion_init(&part[1], 3);
    fill_confusion(&all, MATRIX3);
    long item = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int n = 0; n < MATRIX3[i * 3 + j]; n++) confusion_add(&part[item++ % 3 == 0], i, j);
    confusion_merge(&part[0], &part[1]);
    expect(!memcmp(part[0].counts, all.counts, sizeof(int64_t) * 9), "merged confusion equals the whole one");
    expect_near("merged macro F1", confusion_macro_f1(&part[0]), confusion_macro_f1(&all), 0);
    confusion_free(&all), confusion_free(&part[0]), confusion_free(&part[1]);
}

/* ---- regression ---- */

/* 3 examples x 2 outputs, scaler real = scaled * {2, 0.5} + {10, -5}.
 * real targets 10 0 | 12 -3 | 6 5; real predictions 11 1 | 12 -5 | 1 8;
 * |e| = 1 1 | 0 2 | 5 3: MAE 12/6 = 2, RMSE sqrt(40/6), median of 0 1 1 2 3 5 = 1.5;
 * MAPE over the 5 non-zero targets: (1/10 + 0/12 + 2/3 + 5/6 + 3/5)/5 = 2.2/5 = 44%,
 * 1 excluded (target 0). numpy: np.median([1,1,0,2,5,3]) = 1.5,
 * np.sqrt(np.mean(np.square([1,1,0,2,5,3]))) = 2.5819888974716112. */
enum { REG_ROWS = 3, REG_OUT = 2 };
static const double REG_OFFSET[REG_OUT] = {10, -5}, REG_FACTOR[REG_OUT] = {2, 0.5};
static const real REG_TARGET[REG_ROWS * REG_OUT] = {0, 10, 1, 4, -2, 20};
static const real REG_PREDICTED[REG_ROWS * REG_OUT] = {0.5, 12, 1, 0, -4.5, 26};

static void test_regression_scaled(void) {
    RegressionErrors r;
    regression_errors_init(&r, REG_OUT, REG_OFFSET, REG_FACTOR);
    regression_errors_add(&r, REG_PREDICTED, REG_TARGET, REG_ROWS);
    expect_count("items", r.counts[REG_ITEMS], 6);
    expect_near("MAE (real units)", regression_mae(&r), 2, 1e-15);
    expect_near("RMSE (real units)", regression_rmse(&r), 2.5819888974716112, 1e-15);
    expect_near("MAPE (percent)", regression_mape(&r), 44, 1e-14);
    expect_count("MAPE counted", r.counts[REG_APE_COUNTED], 5);
    expect_count("MAPE excluded", r.counts[REG_APE_EXCLUDED], 1);
    expect_near("median of an even count", regression_median_ae(&r), 1.5, 0);
    regression_errors_free(&r);
}

/* Identity scaler, 5 items |e| = 3 1 4 1 5: median 3 (odd count); all targets 0: MAPE
 * has nothing to count (NaN, 5 excluded). */
static void test_regression_odd_and_zero_targets(void) {
    const real predicted[5] = {3, -1, 4, 1, -5}, target[5] = {0, 0, 0, 0, 0};
    RegressionErrors r;
    regression_errors_init(&r, 1, NULL, NULL);
    regression_errors_add(&r, predicted, target, 5);
    expect_near("median of an odd count", regression_median_ae(&r), 3, 0);
    expect_near("MAE, identity scaler", regression_mae(&r), 14.0 / 5, 1e-15);
    expect(isnan(regression_mape(&r)), "MAPE with every target 0 is NaN");
    expect_count("MAPE excluded (all)", r.counts[REG_APE_EXCLUDED], 5);
    regression_errors_reset(&r);
    expect_near("empty median", regression_median_ae(&r), 0, 0);
    expect_near("empty MAE", regression_mae(&r), 0, 0);
    regression_errors_free(&r);
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median by selection equals the one read off a full sort, for odd and even
 * counts, with many repeated values and in sorted and reversed inputs. */
static void test_median_selection(void) {
    enum { MAX_N = 301 };
    double v[MAX_N], sorted[MAX_N];
    for (int n = 1; n <= MAX_N; n += 7)
        for (int kind = 0; kind < 3; kind++) {
            for (int i = 0; i < n; i++)
                v[i] = kind == 0 ? (double)(rng_bits(7, (uint64_t)n, (uint64_t)i) % 5)
                     : kind == 1 ? i : n - i + rng_uniform(7, (uint64_t)n, (uint64_t)i);
            memcpy(sorted, v, sizeof(double) * (size_t)n);
            qsort(sorted, (size_t)n, sizeof(double), compare_doubles);
            double want = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            char what[64];
            snprintf(what, sizeof what, "median of %d values (kind %d)", n, kind);
            expect_near(what, median_in_place(v, n), want, 0);
        }
    double with_nan[3] = {1, NAN, 2};
    expect(isnan(median_in_place(with_nan, 3)), "median with a NaN is NaN");
}

/* Row 0 in one part, rows 1-2 in the other: merged either way equals all rows. */
static void test_regression_merge(void) {
    RegressionErrors all, a, b;
    regression_errors_init(&all, REG_OUT, REG_OFFSET, REG_FACTOR);
    regression_errors_init(&a, REG_OUT, REG_OFFSET, REG_FACTOR);
    regression_errors_init(&b, REG_OUT, REG_OFFSET, REG_FACTOR);
    regression_errors_add(&all, REG_PREDICTED, REG_TARGET, REG_ROWS);
    regression_errors_add(&a, REG_PREDICTED, REG_TARGET, 1);
    regression_errors_add(&b, REG_PREDICTED + REG_OUT, REG_TARGET + REG_OUT, REG_ROWS - 1);
    regression_errors_merge(&a, &b);
    int64_t n_all, n_merged;
    const double *e_all = regression_errors_abs(&all, &n_all), *e_merged = regression_errors_abs(&a, &n_merged);
    expect_count("merged items", n_merged, n_all);
    expect(!memcmp(e_merged, e_all, sizeof(double) * (size_t)n_all), "merged |e| equal all |e| in order");
    expect(!memcmp(a.counts, all.counts, sizeof all.counts), "merged counts equal");
    for (int k = 0; k < REG_SUMS; k++) expect_near("merged sum", a.sums[k], all.sums[k], 1e-15);
    expect_near("merged median", regression_median_ae(&a), regression_median_ae(&all), 0);
    RegressionErrors reversed; /* rows 1-2 first, then row 0 */
    regression_errors_init(&reversed, REG_OUT, REG_OFFSET, REG_FACTOR);
    regression_errors_add(&reversed, REG_PREDICTED + REG_OUT, REG_TARGET + REG_OUT, REG_ROWS - 1);
    RegressionErrors row0;
    regression_errors_init(&row0, REG_OUT, REG_OFFSET, REG_FACTOR);
    regression_errors_add(&row0, REG_PREDICTED, REG_TARGET, 1);
    regression_errors_merge(&reversed, &row0);
    qsort(reversed.abs_errors, (size_t)reversed.abs_count, sizeof(double), compare_doubles);
    qsort(all.abs_errors, (size_t)all.abs_count, sizeof(double), compare_doubles);
    expect(reversed.abs_count == all.abs_count &&
           !memcmp(reversed.abs_errors, all.abs_errors, sizeof(double) * (size_t)all.abs_count),
           "merged in the other order: same sorted |e|");
    expect_near("merged in the other order: median", regression_median_ae(&reversed), 1.5, 0);
    regression_errors_free(&reversed), regression_errors_free(&row0);
    regression_errors_free(&all), regression_errors_free(&a), regression_errors_free(&b);
}

/* ---- evaluate_split on tiny models ---- */

/* The loss evaluate_split must report, recomputed batch by batch from the same plan. */
static double reference_loss(Model *m, const Dataset *d, int batch_size, long *items) {
    BatchBuffer buf = {0};
    EpochPlan plan;
    epoch_plan_make(&plan, d, batch_size, 0, 0, 0);
    double sum = 0;
    *items = 0;
    for (long k = 0; k < plan.num_batches; k++) {
        const Batch *bt = batch_fill(&buf, d, plan.order + plan.batch_first[k], plan.batch_count[k]);
        double loss = model_forward(m, bt, 0, 0);
        long counted;
        model_outputs(m, 0, &counted);
        sum += loss * (double)counted, *items += counted;
    }
    epoch_plan_free(&plan), batch_buffer_free(&buf);
    return sum / (double)*items;
}

static ModelConfig small_config(int vocab, int input, Pooling pooling, int outputs, LossType loss) {
    return (ModelConfig){.cell = CELL_GRU, .vocab_size = vocab, .input_size = input, .hidden_size = 5,
                         .num_layers = 1, .bidirectional = pooling == POOL_NONE, .pooling = pooling,
                         .dropout = 0.5f, .output_size = outputs, .loss = loss, .ignore_index = -100,
                         .huber_delta = 1};
}

/* Evaluates m on d; checks the loss against the reference and returns the items. */
static int64_t evaluate_and_check_loss(EvalResult *e, Model *m, const Dataset *d, int batch_size, const char *what) {
    BatchBuffer buf = {0};
    evaluate_split(e, m, d, &buf, batch_size);
    batch_buffer_free(&buf);
    long items;
    double want = reference_loss(m, d, batch_size, &items);
    char msg[96];
    snprintf(msg, sizeof msg, "%s: loss = weighted mean of batch losses", what);
    expect_near(msg, eval_result_loss(e), want, 1e-12);
    snprintf(msg, sizeof msg, "%s: items the loss counted", what);
    expect_count(msg, e->items, items);
    snprintf(msg, sizeof msg, "%s: examples", what);
    expect_count(msg, e->examples, d->n);
    return e->items;
}

/* Each class's support equals how often the data holds it (ignored labels left out). */
static void expect_supports(const Confusion *c, const int32_t *labels, long n, const char *what) {
    for (int k = 0; k < c->classes; k++) {
        int64_t want = 0;
        for (long i = 0; i < n; i++) want += labels[i] == k;
        char msg[96];
        snprintf(msg, sizeof msg, "%s: support of class %d", what, k);
        expect_count(msg, confusion_class_scores(c, k).support, want);
    }
}

static void test_evaluate_classify(void) {
    Dataset d;
    synthetic_corpus_make(&d, 37, 12, 5, 1);
    ModelConfig cfg = small_config(SYNTHETIC_VOCAB, 4, POOL_LAST, SYNTHETIC_CLASSES, LOSS_CROSS_ENTROPY);
    Model m;
    model_init(&m, &cfg, 11);
    EvalResult e;
    eval_result_init(&e, TASK_CLASSIFY, SYNTHETIC_CLASSES, NULL, NULL);
    evaluate_and_check_loss(&e, &m, &d, 8, "classify");
    expect_count("classify: one prediction per sequence", confusion_total(&e.confusion), 37);
    expect_supports(&e.confusion, d.labels, d.n, "classify");
    evaluate_and_check_loss(&e, &m, &d, 8, "classify, again"); /* reset, not accumulated */
    expect_count("classify: a second evaluation starts afresh", confusion_total(&e.confusion), 37);
    eval_result_free(&e), model_free(&m), dataset_free(&d);
}

/* 5 sentences of lengths 3 1 6 2 4 over 6 tokens and 3 tags, one tag ignored (-100). */
static void make_tagging(Dataset *d) {
    static const int lengths[5] = {3, 1, 6, 2, 4};
    *d = (Dataset){.task = TASK_TAG, .input = INPUT_TOKENS, .n = 5, .total = 5, .vocab_size = 6, .num_classes = 3};
    d->offsets = xmalloc(sizeof(int64_t) * 6, "test"), d->offsets[0] = 0;
    for (int i = 0; i < 5; i++) d->offsets[i + 1] = d->offsets[i] + lengths[i];
    d->tokens = xmalloc(sizeof(int32_t) * 16, "test"), d->tags = xmalloc(sizeof(int32_t) * 16, "test");
    for (int t = 0; t < 16; t++) d->tokens[t] = 1 + t % 5, d->tags[t] = (t * 7) % 3;
    d->tags[4] = -100;
}

static void test_evaluate_tag(void) {
    Dataset d;
    make_tagging(&d);
    ModelConfig cfg = small_config(6, 3, POOL_NONE, 3, LOSS_CROSS_ENTROPY);
    Model m;
    model_init(&m, &cfg, 12);
    EvalResult e;
    eval_result_init(&e, TASK_TAG, 3, NULL, NULL);
    int64_t items = evaluate_and_check_loss(&e, &m, &d, 2, "tag");
    expect_count("tag: one prediction per real, not ignored token", confusion_total(&e.confusion), 15);
    expect_count("tag: the loss counts the same tokens", items, 15);
    expect_supports(&e.confusion, d.tags, 16, "tag");
    eval_result_free(&e), model_free(&m), dataset_free(&d);
}

/* The <unk> class (prep's unknown_labels = unk): tags equal to num_classes (3) in a split
 * with has_unknown. They are true items no logit predicts: each is a miss in the confusion
 * (row 3, column 3 empty) and in accuracy; the loss leaves them out (it equals the loss
 * of the same data with those tags ignored); macro F1 is the mean over classes 0-2 only. */
static void test_evaluate_tag_unknown(void) {
    Dataset d, ignored;
    make_tagging(&d), make_tagging(&ignored);
    d.has_unknown = 1;
    const int unknown_at[3] = {0, 7, 15};
    for (int i = 0; i < 3; i++) d.tags[unknown_at[i]] = 3, ignored.tags[unknown_at[i]] = -100;
    ModelConfig cfg = small_config(6, 3, POOL_NONE, 3, LOSS_CROSS_ENTROPY);
    Model m;
    model_init(&m, &cfg, 12);
    EvalResult e;
    eval_result_init(&e, TASK_TAG, 3, NULL, NULL);
    BatchBuffer buf = {0};
    evaluate_split(&e, &m, &d, &buf, 2);
    Confusion *c = &e.confusion;
    expect(c->classes == 4 && c->unknown == 1, "unknown: the confusion has a 4th class, <unk>");
    expect_count("unknown: every real, not ignored token is counted", confusion_total(c), 15);
    expect_count("unknown: support of <unk>", confusion_class_scores(c, 3).support, 3);
    expect_count("unknown: <unk> is never predicted", confusion_class_scores(c, 3).predicted, 0);
    int64_t right = 0;
    for (int k = 0; k < 3; k++) right += confusion_count(c, k, k);
    expect_near("unknown: accuracy counts <unk> tokens as misses", confusion_accuracy(c), (double)right / 15, 1e-15);
    double f1 = 0;
    for (int k = 0; k < 3; k++) f1 += confusion_class_scores(c, k).f1;
    expect_near("unknown: macro F1 over the 3 predictable classes", confusion_macro_f1(c), f1 / 3, 1e-15);
    long items;
    double want = reference_loss(&m, &ignored, 2, &items);
    expect_near("unknown: the loss is that of the data with <unk> tags ignored", eval_result_loss(&e), want, 1e-12);
    expect_count("unknown: the loss counts 12 tokens", e.items, 12);
    evaluate_split(&e, &m, &d, &buf, 2); /* a second evaluation keeps the one <unk> class */
    expect(c->classes == 4 && confusion_total(c) == 15, "unknown: a second evaluation starts afresh");
    batch_buffer_free(&buf), eval_result_free(&e), model_free(&m), dataset_free(&d), dataset_free(&ignored);
}

/* 9 windows of 4 steps x 2 features over a 12-row series; 3 outputs each (horizon 3). */
static void make_series(Dataset *d) {
    enum { ROWS = 12, F = 2, N = 9, C = 3 };
    *d = (Dataset){.task = TASK_REGRESS, .input = INPUT_SERIES, .n = N, .total = N, .rows = ROWS,
                   .num_features = F, .input_steps = 4, .horizon = C, .num_targets = 1};
    d->series = xmalloc(sizeof(float) * ROWS * F, "test");
    d->starts = xmalloc(sizeof(int64_t) * N, "test");
    d->targets = xmalloc(sizeof(float) * N * C, "test");
    for (int i = 0; i < ROWS * F; i++) d->series[i] = (float)rng_normal(3, 1, (uint64_t)i);
    for (int i = 0; i < N; i++) d->starts[i] = i;
    for (int i = 0; i < N * C; i++) d->targets[i] = (float)rng_normal(3, 2, (uint64_t)i);
}

/* With factor 2 on every output, real errors are twice the scaled ones: RMSE^2 = 4 x the
 * MSE loss and MAE = 2 x the L1 loss (float32 model: relative 1e-5). */
static void test_evaluate_regress(void) {
    Dataset d;
    make_series(&d);
    const double offset[3] = {100, -7, 0.5}, factor[3] = {2, 2, 2};
    for (int loss = LOSS_MSE; loss <= LOSS_L1; loss++) {
        ModelConfig cfg = small_config(0, 2, POOL_LAST, 3, (LossType)loss);
        Model m;
        model_init(&m, &cfg, 13);
        EvalResult e;
        eval_result_init(&e, TASK_REGRESS, 3, offset, factor);
        evaluate_and_check_loss(&e, &m, &d, 4, loss_type_names[loss]);
        expect_count("regress: every output of every window", e.regression.counts[REG_ITEMS], 27);
        if (loss == LOSS_MSE)
            expect_near("RMSE^2 = factor^2 x MSE loss", pow(regression_rmse(&e.regression), 2),
                        4 * eval_result_loss(&e), 1e-5);
        else
            expect_near("MAE = factor x L1 loss", regression_mae(&e.regression), 2 * eval_result_loss(&e), 1e-5);
        eval_result_free(&e), model_free(&m);
    }
    dataset_free(&d);
}

/* ---- the two lines ---- */

static char *read_all(const char *path) {
    FILE *f = fopen(path, "r");
    static char text[8192];
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

/* A classification line (with a name that needs escaping) and a regression line. */
static void test_log_lines(void) {
    char dir[] = "/tmp/recur_test_metrics_XXXXXX";
    if (!mkdtemp(dir)) return (void)expect(0, "mkdtemp");
    MetricsLog log;
    metrics_log_open(&log, dir, -1);
    EvalResult c, r;
    eval_result_init(&c, TASK_CLASSIFY, 3, NULL, NULL);
    fill_confusion(&c.confusion, MATRIX3);
    c.loss_sum = 12, c.items = 24, c.examples = 24;
    char *names[3] = {"World", "Sci \"Tech\"", "a\\b"};
    char human[512] = "";
    FILE *out = fmemopen(human, sizeof human, "w");
    eval_result_log(&c, &(EvalLogInfo){"valid", 1500, 3, names, "\"wall_s\": 1.5"}, &log, out);
    fclose(out);
    expect(!strcmp(human, "eval  step 1500 valid: loss 0.5000  accuracy 0.6250  macro_f1 0.6286\n"), human);
    eval_result_init(&r, TASK_REGRESS, REG_OUT, REG_OFFSET, REG_FACTOR);
    regression_errors_add(&r.regression, REG_PREDICTED, REG_TARGET, REG_ROWS);
    r.loss_sum = 3, r.items = 6, r.examples = 3;
    out = fmemopen(human, sizeof human, "w");
    eval_result_log(&r, &(EvalLogInfo){.split = "test", .step = 20, .epoch = 1}, &log, out);
    fclose(out);
    expect(!strcmp(human, "eval  step 20 test: loss 0.5000  mae 2  rmse 2.582  median_ae 1.5  mape 44% "
                          "(1 near-zero targets left out) (real units)\n"), human);
    metrics_log_close(&log);
    char path[64];
    snprintf(path, sizeof path, "%s/metrics.jsonl", dir);
    const char *text = read_all(path);
    expect_contains(text, "{\"step\": 1500, \"epoch\": 3, \"split\": \"valid\", \"loss\": 0.5, \"samples\": 24, "
                          "\"items\": 24, \"accuracy\": 0.625, \"macro_f1\": 0.628571, \"weighted_f1\": 0.630952, ");
    expect_contains(text, "\"per_class\": [{\"class\": \"World\", \"precision\": 0.833333, \"recall\": 0.625, "
                          "\"f1\": 0.714286, \"support\": 8}, {\"class\": \"Sci \\\"Tech\\\"\", ");
    expect_contains(text, "{\"class\": \"a\\\\b\", \"precision\": 0.5, ");
    expect_contains(text, "\"confusion\": [[5, 2, 1], [1, 6, 3], [0, 2, 4]], \"wall_s\": 1.5}\n");
    expect_contains(text, "{\"step\": 20, \"epoch\": 1, \"split\": \"test\", \"loss\": 0.5, \"samples\": 3, "
                          "\"items\": 6, \"mae\": 2, \"rmse\": 2.58199, \"median_ae\": 1.5, \"mape\": 44, "
                          "\"mape_excluded\": 1}\n");
    eval_result_free(&c), eval_result_free(&r);
    unlink(path), rmdir(dir);
}

int main(void) {
    test_confusion_3class();
    test_confusion_absent_classes();
    test_confusion_merge();
    test_regression_scaled();
    test_regression_odd_and_zero_targets();
    test_median_selection();
    test_regression_merge();
    test_evaluate_classify();
    test_evaluate_tag();
    test_evaluate_tag_unknown();
    test_evaluate_regress();
    test_log_lines();
    printf(failures ? "test_metrics: %d failure(s)\n" : "test_metrics: all passed\n", failures);
    return failures ? 1 : 0;
}
