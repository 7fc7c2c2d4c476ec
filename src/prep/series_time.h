/* series_time.h: the text of a series file's time column read as a date and time, for the
 * split keys train_until and valid_until (series_split.c). Two layouts, those of the
 * public files recur reads (MSFT's `2017-03-01`, Jena's `01.01.2009 00:10:00`):
 *
 *   YYYY-MM[-DD[ HH[:MM[:SS]]]]     ISO order; `/` may replace `-`, `T` the space
 *   DD.MM.YYYY[ HH[:MM[:SS]]]       day first, dots
 *
 * A time keeps how many fields it was written with (2 = year and month ... 6 = seconds):
 * comparing a row's time with an `until` time looks at the until's fields only, so
 * `2012-12` covers every row of December 2012 and `2012-12-31` every hour of that day.
 * Pure: no allocation, no output, no exit (unit-tested in tests/prep/test_series_unit.c). */
#ifndef RECUR_SERIES_TIME_H
#define RECUR_SERIES_TIME_H

enum { SERIES_TIME_FIELDS = 6 };

typedef struct SeriesTime {
    int fields;                     /* fields written: 2 (year, month) .. 6 (seconds) */
    long v[SERIES_TIME_FIELDS];     /* year, month, day, hour, minute, second; unwritten: 0 */
} SeriesTime;

/* Reads s (spaces around it allowed). Returns 0 and fills *t, or -1 when s is not a date
 * in one of the layouts above or a field is out of range (month 1-12, day 1-31, hour
 * 0-23, minute 0-59, second 0-60). */
int series_time_parse(const char *s, SeriesTime *t);

/* Compares row with until over until's fields: < 0 when row is before it, 0 when row lies
 * within it (same year, month, ... as far as until goes), > 0 when after. */
int series_time_compare(const SeriesTime *row, const SeriesTime *until);

#endif
