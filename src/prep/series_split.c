/* series_split.c: the rows of each series split, by fractions or by train_until,
 * valid_until and test_until (series_split.h). It reads the table and the keys; it must not change the
 * table, scale, window or print (but for one warning on stderr: a row count that looks like
 * a year). */
#include "series_split.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "converters.h"
#include "core/check.h"
#include "series_ops.h"
#include "series_time.h"

#define DATE_FORMS "YYYY-MM-DD[ HH[:MM[:SS]]], YYYY-MM or DD.MM.YYYY[ HH[:MM[:SS]]]"

static const char *const until_keys[SPLIT_COUNT] = {"train_until", "valid_until", "test_until"};

static const char *until_value(const PrepConfig *cfg, int k) {
    return k == SPLIT_TRAIN ? cfg->train_until : k == SPLIT_VALID ? cfg->valid_until : cfg->test_until;
}

static int is_row_count(const char *v) { return v[0] && strspn(v, "0123456789") == strlen(v); }

/* The fractions and the until keys are two ways to split: one at a time; each until key
 * needs the one before it. */
static void check_keys(const PrepConfig *cfg) {
    for (int k = 1; k < SPLIT_COUNT; k++)
        if (*until_value(cfg, k) && !*until_value(cfg, k - 1))
            prep_fail(cfg->train, 0, "%s = %s needs %s (%s starts after %s)", until_keys[k], until_value(cfg, k),
                      until_keys[k - 1], split_names[k], split_names[k - 1]);
    if (!*cfg->train_until) return;
    PrepConfig *def = xmalloc(sizeof *def, "default settings");
    prep_config_set_defaults(def);
    int fractions_set = cfg->valid_fraction != def->valid_fraction || cfg->test_fraction != def->test_fraction;
    free(def);
    if (fractions_set)
        prep_fail(cfg->train, 0, "train_until = %s splits by rows or dates, valid_fraction = %g and "
                  "test_fraction = %g by shares: give one or the other", cfg->train_until,
                  cfg->valid_fraction, cfg->test_fraction);
}

/* The time of every row of t, which must be dates in time order (a date split needs both). */
static SeriesTime *row_times(const PrepConfig *cfg, const NumericTable *t, const char *key, const char *value) {
    if (!t->has_time)
        prep_fail(cfg->train, 0, "%s = %s: a date needs time_column, the column it is matched against"
                  " (or give a row count)", key, value);
    SeriesTime *times = xmalloc(sizeof(SeriesTime) * (size_t)t->rows, "row times");
    for (long r = 0; r < t->rows; r++) {
        const char *text = numeric_table_time(t, r);
        if (series_time_parse(text, &times[r]) < 0)
            prep_fail(cfg->train, t->lines[r], "time_column '%.60s': '%.60s' is not a date (%s), so %s = %s"
                      " cannot be matched; give a row count", cfg->time_column, text, DATE_FORMS, key, value);
        if (r && series_time_compare(&times[r], &times[r - 1]) < 0)
            prep_fail(cfg->train, t->lines[r], "time_column '%.60s': '%.60s' comes before the row above it"
                      " ('%.60s'): %s = %s needs the rows in time order (sort the file, or give a row count)",
                      cfg->time_column, text, numeric_table_time(t, r - 1), key, value);
    }
    return times;
}

/* Split k's until key as a row count: rows 1 .. value; rows must follow, except after test. */
static long resolve_rows(const PrepConfig *cfg, const NumericTable *t, int k) {
    const char *key = until_keys[k], *value = until_value(cfg, k);
    long most = k == SPLIT_TEST ? t->rows : t->rows - 1;
    long last = strlen(value) < 16 ? atol(value) : LONG_MAX;
    if (t->has_time && strlen(value) == 4) {
        fflush(stdout); /* in the order of events when both go to one pipe */
        fprintf(stderr, "recur: warning: %s = %s is a row count (rows 1 .. %s); a year is written with its"
                " month: %s-12\n", key, value, value, value);
    }
    if (last < 1 || last > most)
        prep_fail(cfg->train, 0, "%s = %s: a row count must be 1 to %ld (the file has %ld data rows%s)", key,
                  value, most, t->rows, k == SPLIT_TEST ? "" : ", and rows must follow the split");
    return last;
}

/* Split k's until key as a date: the file row number of the last row within it. A row must
 * come before it and, except after test, one after it. */
static long resolve_date(const PrepConfig *cfg, const NumericTable *t, int k) {
    const char *key = until_keys[k], *value = until_value(cfg, k);
    SeriesTime until;
    if (series_time_parse(value, &until) < 0)
        prep_fail(cfg->train, 0, "%s = %s: neither a row count (e.g. 26304) nor a date (%s)", key, value,
                  DATE_FORMS);
    SeriesTime *times = row_times(cfg, t, key, value);
    long n = 0;
    while (n < t->rows && series_time_compare(&times[n], &until) <= 0) n++;
    if (n == 0)
        prep_fail(cfg->train, t->lines[0], "%s = %s is before the first row's time '%.60s'", key, value,
                  numeric_table_time(t, 0));
    int beyond = n == t->rows && (k != SPLIT_TEST || series_time_compare(&times[n - 1], &until) < 0);
    free(times);
    if (beyond)
        prep_fail(cfg->train, t->lines[n - 1], "%s = %s: %s (the last row's time is '%.60s')", key, value,
                  k == SPLIT_TEST ? "after the last row" : "no row follows it", numeric_table_time(t, n - 1));
    return t->row_number[n - 1];
}

void series_split_resolve(const PrepConfig *cfg, const NumericTable *t, SeriesSplit *s) {
    check_keys(cfg);
    s->by_until = *cfg->train_until != 0;
    for (int k = 0; k < SPLIT_COUNT; k++) s->last[k] = LONG_MAX;
    for (int k = 0; k < SPLIT_COUNT && *until_value(cfg, k); k++) {
        s->last[k] = is_row_count(until_value(cfg, k)) ? resolve_rows(cfg, t, k) : resolve_date(cfg, t, k);
        if (k && s->last[k] <= s->last[k - 1])
            prep_fail(cfg->train, 0, "%s = %s ends at row %ld, not after %s = %s (row %ld): %s would have no rows",
                      until_keys[k], until_value(cfg, k), s->last[k], until_keys[k - 1], until_value(cfg, k - 1),
                      s->last[k - 1], split_names[k]);
    }
}

long series_split_count(const PrepConfig *cfg, const SeriesSplit *s, const NumericTable *t,
                        long rows[SPLIT_COUNT]) {
    if (!s->by_until) {
        series_split_rows(t->rows, cfg->valid_fraction, cfg->test_fraction, rows);
        return 0;
    }
    for (int k = 0; k < SPLIT_COUNT; k++) rows[k] = 0;
    long after = 0;
    for (long r = 0; r < t->rows; r++) {
        int k = 0;
        while (k < SPLIT_COUNT && t->row_number[r] > s->last[k]) k++;
        if (k < SPLIT_COUNT) rows[k]++;
        else after++;
    }
    return after;
}

int series_split_wanted(const PrepConfig *cfg, const SeriesSplit *s, SplitId k) {
    if (k == SPLIT_TRAIN) return 1;
    if (!s->by_until) return (k == SPLIT_VALID ? cfg->valid_fraction : cfg->test_fraction) > 0;
    return k == SPLIT_VALID || *cfg->valid_until;
}
