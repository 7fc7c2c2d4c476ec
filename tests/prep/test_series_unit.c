/* test_series_unit.c: unit test of the series converter's pieces on tiny tables whose
 * results are computed by hand — the numeric table parser (numbers, missing cells, column
 * selection, every error it reports with its line), the row operations (resample, drop),
 * the fill rules, the time split, the dates of the time column (series_time), the
 * scalers, window counts and rise labels, and one
 * whole convert_series / convert_series_classify run checked value by value (scaled rows,
 * starts, targets, labels, scaler). It must not test the HDF5 writer (test_series.sh
 * does, through `recur inspect`). Exits 1 if any check fails. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prep/converters.h"
#include "prep/numeric_table.h"
#include "prep/series_ops.h"
#include "prep/series_time.h"

static int failures, checks;

static void expect(int ok, const char *what) {
    checks++;
    if (!ok) failures++, printf("FAIL  %s\n", what);
}

static int near(double a, double b) { return fabs(a - b) <= 1e-9 * (1 + fabs(b)); }

static int same(double a, double b) { return (isnan(a) && isnan(b)) || near(a, b); }

static int column_is(const NumericTable *t, int c, const double *want, long n) {
    if (t->rows != n) return 0;
    for (long r = 0; r < n; r++)
        if (!same(t->values[c][r], want[r])) return 0;
    return 1;
}

static int parse(const char *csv, const char *time, const char *columns, const char *drop,
                 NumericTable *t, ParseError *err) {
    NumericTableOptions o = {.delimiter = ',', .time_column = time, .columns = columns,
                             .drop_columns = drop, .na_values = "NA,NaN,nan,"};
    return numeric_table_parse(csv, strlen(csv), &o, t, err);
}

/* The parse must fail on `line` with a message containing `part`. */
static void rejects(const char *csv, const char *columns, const char *drop, long line, const char *part) {
    NumericTable t;
    ParseError err = {0};
    int rc = parse(csv, "Date", columns, drop, &t, &err);
    char what[512];
    snprintf(what, sizeof what, "rejects %.60s: line %ld, '%s' (got rc %d, line %ld: %s)", csv, line, part,
             rc, err.line, err.message);
    expect(rc == -1 && err.line == line && strstr(err.message, part) != NULL, what);
}

static void test_parse(void) {
    NumericTable t;
    ParseError err;
    const char *csv = "Date,a,b,c\n"
                      "d1,1.5,NA,7\r\n"
                      "d2, -2e1 ,3,\"8\"\n"
                      "\n"
                      "d3,+.5,,-1.25E+2";
    expect(parse(csv, "Date", "", "", &t, &err) == 0, "parses a table with a time column");
    expect(t.num_columns == 3 && !strcmp(t.names[0], "a") && !strcmp(t.names[2], "c"), "features a, b, c");
    expect(column_is(&t, 0, (double[]){1.5, -20, 0.5}, 3), "a = 1.5, -20, 0.5 (spaces, sign, no leading digit)");
    expect(column_is(&t, 1, (double[]){NAN, 3, NAN}, 3), "b: NA and the empty cell are missing");
    expect(column_is(&t, 2, (double[]){7, 8, -125}, 3), "c: quoted cell, exponent");
    expect(t.lines[0] == 2 && t.lines[1] == 3 && t.lines[2] == 5, "row lines 2, 3, 5 (blank line skipped)");
    expect(t.missing == 2 && t.header_line == 1, "2 missing cells, header on line 1");
    expect(!strcmp(numeric_table_time(&t, 2), "d3"), "time text of row 2 is d3");
    expect(numeric_table_column(&t, "b") == 1 && numeric_table_column(&t, "Date") == -1, "column lookup");
    numeric_table_free(&t);

    expect(parse(csv, "Date", " c , a ", "", &t, &err) == 0 && t.num_columns == 2 && !strcmp(t.names[0], "c") &&
               column_is(&t, 1, (double[]){1.5, -20, 0.5}, 3),
           "columns = 'c, a' picks c then a");
    numeric_table_free(&t);
    expect(parse(csv, "", "", "Date,b", &t, &err) == 0 && t.num_columns == 2 && !t.has_time &&
               !strcmp(t.names[1], "c"),
           "no time column, Date and b dropped");
    numeric_table_free(&t);

    rejects("Date,T (degC)\nx,1\ny,\"12,5x\"\n", "", "", 3, "column 'T (degC)': '12,5x' is not a number");
    rejects("Date,cbwd\nx,NW\n", "", "", 2, "'NW' is not a number (a text column? leave it out with drop_columns");
    rejects("Date,a\nx,inf\n", "", "", 2, "'inf' is not a number");
    rejects("Date,a\nx,0x10\n", "", "", 2, "'0x10' is not a number");
    rejects("Date,a\nx,1e999\n", "", "", 2, "'1e999' is out of range");
    rejects("Date,a\nx,1 2\n", "", "", 2, "'1 2' is not a number");
    rejects("Date,a\nx,-\n", "", "", 2, "'-' is not a number");
    rejects("Date,a\nx,1,2\n", "", "", 2, "3 fields, the header has 2");
    rejects("Date,a\nx\n", "", "", 2, "1 field, the header has 2");
    rejects("Date,a\n", "zz", "", 1, "columns: 'zz' is not in the header");
    rejects("Date,a\n", "", "zz", 1, "drop_columns: 'zz' is not in the header");
    rejects("Time,a\n", "", "", 1, "time_column: 'Date' is not in the header");
    rejects("Date,a\n", "Date", "", 1, "columns: 'Date' is the time_column");
    rejects("Date,a,b\n", "a", "a", 1, "columns: 'a' is also in drop_columns");
    rejects("Date,a,b\n", "a,b,a", "", 1, "columns: 'a' is listed twice");
    rejects("Date,a,a\n", "", "", 1, "column 'a' appears twice in the header");
    rejects("Date,a\n", "", "a", 1, "no feature column");
    rejects("Date,a\nx,\"1\n", "", "", 2, "never closed");
    rejects("", "", "", 0, "empty file");
    NumericTableOptions o = {.delimiter = ',', .time_column = "", .columns = "", .drop_columns = "",
                             .na_values = "NA"};
    expect(numeric_table_parse("a\n\n 5 \n", 7, &o, &t, &err) == 0 && column_is(&t, 0, (double[]){5}, 1),
           "a header without a time column, one row");
    numeric_table_free(&t);
    expect(numeric_table_parse("a\n1\n\"\"\n", 8, &o, &t, &err) == -1 && err.line == 3 &&
               strstr(err.message, "empty cell"),
           "an empty cell is an error when na_values has no empty item");
}

static void test_rows(void) {
    NumericTable t;
    ParseError err;
    const char *csv = "Date,a,b\n0,0,10\n1,NA,11\n2,2,NA\n3,3,13\n4,4,14\n";
    expect(parse(csv, "Date", "", "", &t, &err) == 0, "row table parses");
    long row;
    int col;
    expect(numeric_table_first_missing(&t, &row, &col) && row == 1 && col == 0, "first missing: row 1, a");
    numeric_table_resample(&t, 2);
    expect(column_is(&t, 0, (double[]){0, 2, 4}, 3) && column_is(&t, 1, (double[]){10, NAN, 14}, 3) &&
               t.lines[1] == 4 && t.row_number[1] == 3 && !strcmp(numeric_table_time(&t, 2), "4"),
           "every=2 keeps rows 0, 2, 4 with their lines, file row numbers and times");
    expect(numeric_table_drop_missing(&t) == 1 && column_is(&t, 1, (double[]){10, 14}, 2) && t.lines[1] == 6 &&
               t.row_number[1] == 5 && !strcmp(numeric_table_time(&t, 1), "4"),
           "drop removes the row with b missing");
    expect(!numeric_table_first_missing(&t, &row, &col), "no missing cell left");
    numeric_table_free(&t);
}

static void test_fill(void) {
    double a[] = {NAN, 1, NAN, NAN, 4, NAN};
    expect(series_fill(a, 6, MISSING_FFILL) == 4, "ffill fills 4 cells");
    expect(near(a[0], 1) && near(a[2], 1) && near(a[3], 1) && near(a[5], 4), "ffill: 1 1 1 1 4 4");
    double b[] = {NAN, 1, NAN, NAN, 4, NAN};
    expect(series_fill(b, 6, MISSING_INTERPOLATE) == 4, "interpolate fills 4 cells");
    expect(near(b[0], 1) && near(b[2], 2) && near(b[3], 3) && near(b[5], 4), "interpolate: 1 1 2 3 4 4");
    double c[] = {NAN, NAN};
    expect(series_fill(c, 2, MISSING_INTERPOLATE) == -1 && isnan(c[0]), "a column without values: -1");
    double d[] = {1, 2};
    expect(series_fill(d, 2, MISSING_FFILL) == 0, "nothing to fill");
    double e[] = {0, NAN, 10};
    expect(series_fill(e, 3, MISSING_INTERPOLATE) == 1 && near(e[1], 5), "interpolate one cell: 5");
}

static void test_split_scale_windows(void) {
    long rows[SPLIT_COUNT];
    series_split_rows(72, 0.1, 0.1, rows);
    expect(rows[0] == 58 && rows[1] == 7 && rows[2] == 7, "72 rows, 0.1/0.1: 58 7 7");
    series_split_rows(100, 0.29, 0, rows);
    expect(rows[0] == 71 && rows[1] == 29 && rows[2] == 0, "100 rows, 0.29/0: 71 29 0");

    double x[] = {2, 4, 6}, k[] = {5, 5}, off, fac;
    series_fit_scaler(x, 3, SCALE_MINMAX, &off, &fac);
    expect(near(off, 2) && near(fac, 4), "minmax of 2 4 6: offset 2, factor 4");
    series_fit_scaler(x, 3, SCALE_ZSCORE, &off, &fac);
    expect(near(off, 4) && near(fac, sqrt(8.0 / 3)), "zscore of 2 4 6: mean 4, population std sqrt(8/3)");
    series_fit_scaler(x, 3, SCALE_NONE, &off, &fac);
    expect(off == 0 && fac == 1, "none: 0 and 1");
    series_fit_scaler(k, 2, SCALE_MINMAX, &off, &fac);
    expect(near(off, 5) && fac == 1, "constant column, minmax: factor 1");
    series_fit_scaler(k, 2, SCALE_ZSCORE, &off, &fac);
    expect(near(off, 5) && fac == 1, "constant column, zscore: factor 1");

    expect(series_window_count(10, 4, 3) == 3, "10 rows, span 4, stride 3: starts 0 3 6");
    expect(series_window_count(4, 4, 1) == 1 && series_window_count(3, 4, 1) == 0, "one window / none");
    double y[] = {1, 2, 3, 5, 4};
    expect(series_rise_label(y, 0, 2, 2, 0) == 1, "rise: y[3] - y[1] = 3 > 0");
    expect(series_rise_label(y, 1, 2, 2, 1) == 0, "no rise: y[4] - y[2] = 1, not > 1");
}

/* s must parse into exactly these fields (year, month, ... as written). */
static void time_is(const char *s, int fields, long y, long mo, long d, long h, long mi, long se) {
    SeriesTime t;
    const long want[SERIES_TIME_FIELDS] = {y, mo, d, h, mi, se};
    int ok = series_time_parse(s, &t) == 0 && t.fields == fields;
    for (int k = 0; ok && k < SERIES_TIME_FIELDS; k++) ok = t.v[k] == want[k];
    char what[128];
    snprintf(what, sizeof what, "time '%s': %d fields %ld-%ld-%ld %ld:%ld:%ld", s, fields, y, mo, d, h, mi, se);
    expect(ok, what);
}

static void not_a_time(const char *s) {
    SeriesTime t;
    char what[128];
    snprintf(what, sizeof what, "'%s' is not a date", s);
    expect(series_time_parse(s, &t) == -1, what);
}

/* compare(row, until) must have the sign `sign`. */
static void compares(const char *row, const char *until, int sign) {
    SeriesTime r, u;
    char what[128];
    snprintf(what, sizeof what, "'%s' vs until '%s': %d", row, until, sign);
    int c = series_time_parse(row, &r) == 0 && series_time_parse(until, &u) == 0 ? series_time_compare(&r, &u) : 9;
    expect((c < 0 ? -1 : c > 0 ? 1 : 0) == sign && c != 9, what);
}

static void test_times(void) {
    time_is("2017-03-01", 3, 2017, 3, 1, 0, 0, 0);
    time_is(" 2012/12 ", 2, 2012, 12, 0, 0, 0, 0);
    time_is("2010-1-2 3", 4, 2010, 1, 2, 3, 0, 0);
    time_is("2014-12-31T23:05", 5, 2014, 12, 31, 23, 5, 0);
    time_is("01.02.2009 00:10:00", 6, 2009, 2, 1, 0, 10, 0);
    time_is("31.12.2016", 3, 2016, 12, 31, 0, 0, 0);
    const char *bad[] = {"2012", "26304", "", "2012-13-01", "2012-12-32", "2012-12-31 24:00", "2012-12-31 10:5",
                         "2012-12/31", "12.2012", "1.1.09", "2012-12-31 10:00:00x", "2012-12-31 10:00:00.5",
                         "12/31/2012", "yesterday"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) not_a_time(bad[i]);
    compares("2012-12-31 23:00", "2012-12-31", 0);    /* the until's day covers all its hours */
    compares("2012-12-31 23:00", "2012-12", 0);
    compares("2013-01-01 00:00", "2012-12-31", 1);
    compares("2012-12-30", "2012-12-31 12:00", -1);
    compares("31.12.2012 12:00:01", "2012-12-31 12:00", 0); /* layouts mix: fields are compared */
    compares("31.12.2012 12:01:00", "2012-12-31 12:00", 1);
    compares("2012-12-31", "2012-12-31 00:00", 0);    /* unwritten fields are 0 */
}

/* ---- one whole conversion ---- */

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f)) {
        printf("FAIL  cannot write %s\n", path);
        exit(1);
    }
}

static void base_config(PrepConfig *cfg, const char *path) {
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->train, sizeof cfg->train, "%s", path);
    strcpy(cfg->delimiter, ",");
    cfg->header = 1;
    strcpy(cfg->time_column, "t");
    strcpy(cfg->na_values, "NA,");
    cfg->every = 1, cfg->stride = 1;
    cfg->missing = MISSING_INTERPOLATE;
}

static int floats_are(const float *got, const double *want, long n) {
    for (long i = 0; i < n; i++)
        if (fabs(got[i] - want[i]) > 1e-6) return 0;
    return 1;
}

/* 19 rows t = 0..18; the odd ones hold 99s, so every=2 keeps t = 0 2 ... 18 with x = 0..9
 * (x at t=6 missing), y = 90 80 ... 0, z constant. */
static const char *const table_csv = "t,x,y,z\n"
                                     "0,0,90,1\n1,99,99,1\n2,1,80,1\n3,99,99,1\n4,2,70,1\n5,99,99,1\n"
                                     "6,NA,60,1\n7,99,99,1\n8,4,50,1\n9,99,99,1\n10,5,40,1\n11,99,99,1\n"
                                     "12,6,30,1\n13,99,99,1\n14,7,20,1\n15,99,99,1\n16,8,10,1\n17,99,99,1\n"
                                     "18,9,0,1\n";

static void test_convert_regress(const char *path) {
    PrepConfig cfg;
    base_config(&cfg, path);
    strcpy(cfg.targets, "y");
    cfg.every = 2, cfg.input_steps = 2, cfg.horizon = 2, cfg.stride = 3;
    cfg.valid_fraction = 0.4, cfg.scale = SCALE_MINMAX;
    PreparedDataset d;
    convert_series(&cfg, &d);
    /* rows: train 6 (x 0..5), valid 4 (x 6..9); minmax on train: x 0..5, y 40..90, z const */
    const PreparedSplit *tr = &d.splits[SPLIT_TRAIN], *va = &d.splits[SPLIT_VALID];
    expect(d.num_features == 3 && d.num_targets == 1 && d.target_features[0] == 1, "3 features, target y");
    expect(near(d.scale_offset[0], 0) && near(d.scale_factor[0], 5) && near(d.scale_offset[1], 40) &&
               near(d.scale_factor[1], 50) && near(d.scale_offset[2], 1) && d.scale_factor[2] == 1,
           "minmax fitted on the 6 train rows only; z constant -> factor 1");
    expect(tr->rows == 6 && va->rows == 4 && d.splits[SPLIT_TEST].rows == 0, "rows 6 / 4 / 0");
    expect(floats_are(tr->series, (double[]){0, 1, 0, 0.2, 0.8, 0, 0.4, 0.6, 0, 0.6, 0.4, 0}, 12),
           "train rows scaled: x/5, (y-40)/50, 0 (x at t=6 interpolated to 3)");
    expect(floats_are(va->series + 3, (double[]){1.4, -0.4, 0}, 3), "valid rows scaled with train's scaler: x=7 -> 1.4, y=20 -> -0.4");
    expect(tr->n == 1 && tr->starts[0] == 0, "train: 6 rows, span 4, stride 3 -> 1 window (start 3 does not fit)");
    expect(floats_are(tr->targets, (double[]){0.6, 0.4}, 2), "train[0] targets: y at rows 2, 3 = 70, 60 scaled");
    expect(va->n == 1 && floats_are(va->targets, (double[]){-0.6, -0.8}, 2), "valid[0] targets: y = 10, 0 scaled");
    expect(d.splits[SPLIT_TEST].n == 0, "no test split");
    prepared_free(&d);
}

static void test_convert_classify(const char *path) {
    PrepConfig cfg;
    base_config(&cfg, path);
    strcpy(cfg.targets, "x");
    strcpy(cfg.drop_columns, "z");
    cfg.input_steps = 3, cfg.horizon = 1, cfg.rise_threshold = 50;
    cfg.missing = MISSING_FFILL;
    PreparedDataset d;
    convert_series_classify(&cfg, &d);
    /* 19 rows, x = 0 99 1 99 2 99 NA 99 4 ...; ffill makes row 6 99. The window's last row
     * is s+2, the label compares row s+3 with it: rise (99 - k > 50) when s is even, except
     * s = 4 (rows 6 and 7 are both 99). */
    const PreparedSplit *tr = &d.splits[SPLIT_TRAIN];
    expect(d.task == TASK_CLASSIFY && d.classes.size == 2 && !strcmp(d.classes.words[1], "rise"),
           "classes no_rise, rise");
    expect(d.num_features == 2 && tr->rows == 19 && tr->n == 16, "2 features, 19 rows, 16 windows");
    int ok = 1;
    for (long i = 0; i < tr->n; i++) ok &= tr->labels[i] == (i % 2 == 0 && i != 4);
    expect(ok, "labels: rise at even starts but 4 (the NA at t=6 carried 99 forward)");
    expect(tr->targets == NULL, "no float targets for classify");
    prepared_free(&d);
}

int main(void) {
    test_parse();
    test_rows();
    test_fill();
    test_split_scale_windows();
    test_times();
    char path[] = "/tmp/recur_series_unit_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return printf("FAIL  mkstemp\n"), 1;
    close(fd);
    write_file(path, table_csv);
    test_convert_regress(path);
    test_convert_classify(path);
    remove(path);
    printf("%d of %d checks passed\n", checks - failures, checks);
    return failures ? 1 : 0;
}
