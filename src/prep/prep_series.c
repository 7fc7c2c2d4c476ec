/* prep_series.c: the series and series-classify converters (converters.h) — one numeric
 * CSV file with a header (Jena climate, Beijing PM2.5, daily stock prices) into windows:
 *
 *   parse (numeric_table) -> split boundaries by rows or dates (train_until, valid_until,
 *   test_until; series_split) -> resample (every) -> missing values (missing) -> split by time (the
 *   boundaries, or valid_fraction and test_fraction) -> scaler fitted on the train rows -> scaled
 *   float rows per split, window starts 0, stride, ... -> targets (series: the next
 *   `horizon` rows of the target columns, scaled) or labels (series-classify: 1 = "rise"
 *   when the target goes up by more than rise_threshold, in real units, `horizon` rows
 *   after the window's last row); for series, the change scaler (RMS of the scaled change
 *   from each training window's last value, per horizon step and target).
 *
 * Windows never cross a split boundary. missing = drop removes rows before windowing, so
 * a window may join the rows on either side of a dropped row. Bad input exits 2 through
 * prep_fail naming the file, the line and the column or option. It must not write files
 * (prep_main does) nor parse CSV itself (numeric_table.c does). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "converters.h"
#include "core/check.h"
#include "data/text_file.h"
#include "numeric_table.h"
#include "series_ops.h"
#include "series_split.h"

/* The target columns of the task, as feature indices. */
typedef struct Targets {
    int count;
    int *feature; /* [count] */
} Targets;

static char delimiter_char(const char *d) {
    if (!strcmp(d, "tab")) return '\t';
    return d[0] ? d[0] : ',';
}

static void check_settings(const PrepConfig *cfg) {
    if (cfg->valid[0] || cfg->test[0]) {
        const char *key = cfg->valid[0] ? "valid" : "test";
        prep_fail(cfg->valid[0] ? cfg->valid : cfg->test, 0,
                  "%s: a series comes as one file (train) and is split by time (valid_fraction and"
                  " test_fraction, or train_until, valid_until and test_until); leave %s out", key, key);
    }
    if (!cfg->train[0]) prep_fail("train", 0, "no input: give the series file as --train=FILE");
    if (cfg->header != 1)
        prep_fail(cfg->train, 0, "header=%d: a series file needs its header line (header=1) to name"
                  " the columns", cfg->header);
    if (cfg->input_steps < 1 || cfg->horizon < 1 || cfg->stride < 1 || cfg->every < 1)
        prep_fail(cfg->train, 0, "input_steps, horizon, stride and every must be at least 1 (got %d, %d, %d, %d)",
                  cfg->input_steps, cfg->horizon, cfg->stride, cfg->every);
    if (cfg->valid_fraction < 0 || cfg->test_fraction < 0 || cfg->valid_fraction + cfg->test_fraction >= 1)
        prep_fail(cfg->train, 0, "valid_fraction %g + test_fraction %g must leave rows for train",
                  cfg->valid_fraction, cfg->test_fraction);
}

static void read_table(const PrepConfig *cfg, NumericTable *t) {
    TextFile f = text_file_read(cfg->train);
    NumericTableOptions o = {.delimiter = delimiter_char(cfg->delimiter), .time_column = cfg->time_column,
                             .columns = cfg->columns, .drop_columns = cfg->drop_columns,
                             .na_values = cfg->na_values};
    ParseError err;
    if (numeric_table_parse(f.data, f.size, &o, t, &err) < 0) prep_fail_parse(cfg->train, &err);
    text_file_free(&f);
    if (!t->rows) prep_fail(cfg->train, t->header_line, "no data rows after the header");
}

static Targets find_targets(const PrepConfig *cfg, const NumericTable *t, DatasetTask task) {
    NameList names;
    name_list_parse(&names, cfg->targets, 0);
    if (!names.count || (task == TASK_CLASSIFY && names.count != 1))
        prep_fail(cfg->train, 0, "targets: name %s (got '%s')",
                  task == TASK_CLASSIFY ? "exactly one column whose rise is the label"
                                        : "the predicted columns, comma-separated",
                  cfg->targets);
    Targets tg = {.count = names.count, .feature = xmalloc(sizeof(int) * (size_t)names.count, "targets")};
    for (int k = 0; k < names.count; k++) {
        tg.feature[k] = numeric_table_column(t, names.items[k]);
        if (tg.feature[k] < 0)
            prep_fail(cfg->train, t->header_line, "targets: '%.60s' is not a feature column (not in the"
                      " header, or it is the time_column or in drop_columns)", names.items[k]);
        if (name_list_find(&names, names.items[k], names.lengths[k]) < k)
            prep_fail(cfg->train, t->header_line, "targets: '%.60s' is listed twice", names.items[k]);
    }
    name_list_free(&names);
    return tg;
}

static int has_value(const double *x, long n) {
    for (long i = 0; i < n; i++)
        if (!isnan(x[i])) return 1;
    return 0;
}

/* Applies cfg->missing to the (resampled) rows; returns the cells filled or rows dropped. */
static long handle_missing(const PrepConfig *cfg, NumericTable *t) {
    long row;
    int col;
    if (!numeric_table_first_missing(t, &row, &col)) return 0;
    if (cfg->missing == MISSING_ERROR)
        prep_fail(cfg->train, t->lines[row], "column '%.60s': missing value (missing=error; set"
                  " missing=ffill, interpolate or drop)", t->names[col]);
    for (int c = 0; c < t->num_columns; c++)
        if (!has_value(t->values[c], t->rows))
            prep_fail(cfg->train, t->header_line, "column '%.60s' has no value in any%s row; leave it"
                      " out with drop_columns", t->names[c], cfg->every > 1 ? " kept (every)" : "");
    if (cfg->missing == MISSING_DROP) return numeric_table_drop_missing(t);
    long filled = 0;
    for (int c = 0; c < t->num_columns; c++) filled += series_fill(t->values[c], t->rows, cfg->missing);
    return filled;
}

static void check_split_fits(const PrepConfig *cfg, const SeriesSplit *split, const long rows[SPLIT_COUNT],
                             long total) {
    int span = cfg->input_steps + cfg->horizon;
    for (int k = 0; k < SPLIT_COUNT; k++)
        if (series_split_wanted(cfg, split, (SplitId)k) && rows[k] < span)
            prep_fail(cfg->train, 0, "split '%s' has %ld of the %ld rows (after every=%d and missing=%s),"
                      " fewer than input_steps + horizon = %d: not one window fits", split_names[k],
                      rows[k], total, cfg->every, missing_rule_names[cfg->missing], span);
}

static char *copy_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = xmalloc(n, "feature name");
    memcpy(c, s, n);
    return c;
}

static void describe_features(PreparedDataset *d, const PrepConfig *cfg, const NumericTable *t,
                              const Targets *tg, long train_rows) {
    int F = t->num_columns;
    d->num_features = F;
    d->num_targets = tg->count;
    d->target_features = tg->feature;
    d->input_steps = cfg->input_steps, d->horizon = cfg->horizon, d->stride = cfg->stride;
    d->feature_names = xmalloc(sizeof(char *) * (size_t)F, "feature names");
    d->scale = cfg->scale;
    d->scale_offset = xmalloc(sizeof(double) * (size_t)F, "scaler");
    d->scale_factor = xmalloc(sizeof(double) * (size_t)F, "scaler");
    for (int f = 0; f < F; f++) {
        d->feature_names[f] = copy_string(t->names[f]);
        series_fit_scaler(t->values[f], train_rows, cfg->scale, &d->scale_offset[f], &d->scale_factor[f]);
        if (!isfinite(d->scale_factor[f]))
            prep_fail(cfg->train, 0, "column '%.60s': its training values span more than a double holds;"
                      " scale it down first", t->names[f]);
    }
}

/* Rows first .. first+rows-1 of t, scaled, as float32 [rows][F]; a value beyond float32's
 * range is an error naming its line. */
static float *scaled_rows(const PreparedDataset *d, const NumericTable *t, long first, long rows) {
    int F = d->num_features;
    float *out = xmalloc(sizeof(float) * (size_t)(rows * F), "series rows");
    for (long r = 0; r < rows; r++)
        for (int f = 0; f < F; f++) {
            double v = (t->values[f][first + r] - d->scale_offset[f]) / d->scale_factor[f];
            if (!(fabs(v) <= FLT_MAX))
                prep_fail(d->recipe->train, t->lines[first + r], "column '%.60s': %g is beyond float32's range"
                          " after scale=%s", t->names[f], t->values[f][first + r], scale_kind_names[d->scale]);
            out[r * F + f] = (float)v;
        }
    return out;
}

/* Split s holds table rows first .. first+rows-1: scaled rows, window starts, and the
 * targets (regress) or labels (classify). */
static void fill_split(PreparedSplit *s, const PreparedDataset *d, const NumericTable *t, long first,
                       long rows, double rise_threshold) {
    int F = d->num_features, K = d->num_targets, H = d->horizon, I = d->input_steps;
    s->rows = rows;
    s->series = scaled_rows(d, t, first, rows);
    s->n = series_window_count(rows, I + H, d->stride);
    s->starts = xmalloc(sizeof(int64_t) * (size_t)s->n, "window starts");
    for (long i = 0; i < s->n; i++) s->starts[i] = (int64_t)i * d->stride;
    if (d->task == TASK_CLASSIFY) {
        s->labels = xmalloc(sizeof(int32_t) * (size_t)s->n, "window labels");
        const double *x = t->values[d->target_features[0]] + first;
        for (long i = 0; i < s->n; i++) s->labels[i] = series_rise_label(x, s->starts[i], I, H, rise_threshold);
        return;
    }
    s->targets = xmalloc(sizeof(float) * (size_t)(s->n * H * K), "window targets");
    for (long i = 0; i < s->n; i++)
        for (int h = 0; h < H; h++)
            for (int k = 0; k < K; k++)
                s->targets[(i * H + h) * K + k] = s->series[(s->starts[i] + I + h) * F + d->target_features[k]];
}

/* Per horizon step and target, the root mean square over the training windows of the
 * scaled change target - last input value (1 where there is none, or it is 0): what
 * target = delta divides the change by (window_transform.h). */
static double *fit_change_scaler(const PreparedDataset *d) {
    const PreparedSplit *s = &d->splits[SPLIT_TRAIN];
    int F = d->num_features, K = d->num_targets, H = d->horizon, I = d->input_steps;
    double *factor = xcalloc((size_t)(H * K), sizeof(double), "change scaler");
    for (long i = 0; i < s->n; i++)
        for (int c = 0; c < H * K; c++) {
            double change = (double)s->targets[i * H * K + c] -
                            (double)s->series[(s->starts[i] + I - 1) * F + d->target_features[c % K]];
            factor[c] += change * change;
        }
    for (int c = 0; c < H * K; c++) {
        factor[c] = s->n ? sqrt(factor[c] / (double)s->n) : 0;
        if (!(factor[c] > 0) || !isfinite(factor[c])) factor[c] = 1;
    }
    return factor;
}

static void print_split(const PreparedDataset *d, const NumericTable *t, SplitId k, long first) {
    const PreparedSplit *s = &d->splits[k];
    printf("series %-5s: %ld rows", split_names[k], s->rows);
    if (s->rows) {
        long last = first + s->rows - 1;
        printf(" (file rows %ld .. %ld", t->row_number[first], t->row_number[last]);
        if (t->has_time) printf(": %s .. %s", numeric_table_time(t, first), numeric_table_time(t, last));
        printf(")");
    }
    printf(", %ld windows", s->n);
    if (d->task == TASK_CLASSIFY) {
        long rises = 0;
        for (long i = 0; i < s->n; i++) rises += s->labels[i];
        printf(" (%ld rise, %ld no_rise)", rises, s->n - rises);
    }
    printf("\n");
}

static void print_until(const PrepConfig *cfg, const SeriesSplit *split) {
    const char *value[SPLIT_COUNT] = {cfg->train_until, cfg->valid_until, cfg->test_until};
    printf("series split:");
    for (int k = 0; k < SPLIT_COUNT && *value[k]; k++)
        printf("%s %s_until = %s (file row %ld)", k ? "," : "", split_names[k], value[k], split->last[k]);
    printf("\n");
}

static void convert(const PrepConfig *cfg, PreparedDataset *d, DatasetTask task) {
    check_settings(cfg);
    NumericTable t;
    read_table(cfg, &t);
    long read_rows = t.rows, read_missing = t.missing;
    Targets tg = find_targets(cfg, &t, task);
    SeriesSplit split;
    series_split_resolve(cfg, &t, &split);
    numeric_table_resample(&t, cfg->every);
    long changed = handle_missing(cfg, &t);
    long rows[SPLIT_COUNT];
    long left_out = series_split_count(cfg, &split, &t, rows);
    check_split_fits(cfg, &split, rows, t.rows);

    prepared_init(d, task, INPUT_SERIES, cfg);
    if (task == TASK_CLASSIFY) {
        vocab_add(&d->classes, "no_rise", 7);
        vocab_add(&d->classes, "rise", 4);
    }
    describe_features(d, cfg, &t, &tg, rows[SPLIT_TRAIN]);
    printf("series %s: %ld rows of %d features (%ld missing cells), %ld kept (every=%d), missing=%s: %ld %s\n",
           cfg->train, read_rows, t.num_columns, read_missing, t.rows, cfg->every,
           missing_rule_names[cfg->missing], changed, cfg->missing == MISSING_DROP ? "rows dropped" : "cells filled");
    if (split.by_until) print_until(cfg, &split);
    long first = 0;
    for (int k = 0; k < SPLIT_COUNT; k++) {
        fill_split(&d->splits[k], d, &t, first, rows[k], cfg->rise_threshold);
        print_split(d, &t, (SplitId)k, first);
        first += rows[k];
    }
    if (left_out) printf("series after test_until: %ld rows left out\n", left_out);
    if (task == TASK_REGRESS) d->change_factor = fit_change_scaler(d);
    numeric_table_free(&t);
}

void convert_series(const PrepConfig *cfg, PreparedDataset *out) { convert(cfg, out, TASK_REGRESS); }

void convert_series_classify(const PrepConfig *cfg, PreparedDataset *out) { convert(cfg, out, TASK_CLASSIFY); }
