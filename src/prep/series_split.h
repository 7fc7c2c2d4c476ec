/* series_split.h: which rows of a series table each split holds (prep_series.c). Splits are
 * always in time order: train, then valid, then test, and no window crosses a boundary.
 *
 *   by fractions (the default): test is the last test_fraction of the kept rows, valid the
 *   valid_fraction before them, train the rest (series_split_rows);
 *   by train_until / valid_until / test_until: each names the last row of its split,
 *   inclusive — a
 *   count of the file's data rows (a plain integer: 26304 = rows 1 .. 26304 after the
 *   header) or a date matched against time_column at the precision it is written
 *   (series_time.h: 2012-12-31 takes every row of that day). Without valid_until, valid is
 *   the rest and there is no test; with it, test is the rest, or ends at test_until (the
 *   rows after it are left out).
 *
 * The until keys are resolved on the table as read (before every= and missing=drop) and
 * applied to the rows kept, by their row numbers. Contradictory or out-of-range keys, and
 * a date split on a time column that is not in time order, exit 2 through prep_fail naming
 * the key and value; a 4-digit row count beside a time column is warned about (a year is
 * written with its month, 2012-12). It must not scale, window or print the summary. */
#ifndef RECUR_SERIES_SPLIT_H
#define RECUR_SERIES_SPLIT_H

#include "config/prep_config.h"
#include "data/dataset_schema.h"
#include "numeric_table.h"

typedef struct SeriesSplit {
    int by_until;  /* 1: train_until given */
    long last[SPLIT_COUNT]; /* by_until: file row number of the last row of each split
                               (LONG_MAX: to the end) */
} SeriesSplit;

/* Checks the split keys and resolves the until keys on t as read. */
void series_split_resolve(const PrepConfig *cfg, const NumericTable *t, SeriesSplit *s);
/* Rows of each split among the rows t keeps now, in time order; returns the rows after the
 * test split (test_until), left out. */
long series_split_count(const PrepConfig *cfg, const SeriesSplit *s, const NumericTable *t,
                        long rows[SPLIT_COUNT]);
/* 1 when split k is meant to hold rows (so it must hold a window): train always; by
 * fractions, valid and test when their fraction is above 0; by until, valid always and
 * test when valid_until is given. */
int series_split_wanted(const PrepConfig *cfg, const SeriesSplit *s, SplitId k);

#endif
