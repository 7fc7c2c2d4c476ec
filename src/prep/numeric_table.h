/* numeric_table.h: a CSV file with a header into a table of numbers — the input of the
 * series converters (prep_series.c). The caller picks the columns by header name: an
 * optional time column (kept as text, for messages and summaries) and the feature columns
 * (every column but the time column and `drop_columns`, or exactly `columns`). Feature
 * cells are parsed as float64: a decimal number (optional sign, digits with an optional
 * point, optional exponent; spaces around it allowed), or a missing value (NaN) when the
 * cell, without its surrounding spaces, is one of `na_values`. Anything else — "12,5x",
 * "NW", "inf", "0x10", "1e999" — is an error naming the line, the column and the cell.
 *
 * Pure: no exit, no output; errors come back as -1 and a ParseError (fuzzable). Also the
 * row operations the converter applies before windowing: keep a subset of rows
 * (resampling, dropping rows with missing cells) and find the first missing cell. */
#ifndef RECUR_NUMERIC_TABLE_H
#define RECUR_NUMERIC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "data/parse_error.h"

typedef struct NumericTableOptions {
    char delimiter;            /* ',' '\t' ... */
    const char *time_column;   /* header name, or "" for none */
    const char *columns;       /* comma-separated header names; "" = all but time and drop */
    const char *drop_columns;  /* comma-separated header names left out */
    const char *na_values;     /* comma-separated cell texts meaning missing ("" items count) */
} NumericTableOptions;

typedef struct NumericTable {
    int num_columns;           /* feature columns */
    char **names;              /* [num_columns] header names */
    long rows, cap;
    double **values;           /* [num_columns][rows] column-major; NaN = missing */
    long *lines;               /* [rows] line on which each row starts */
    long *row_number;          /* [rows] the row's place among the file's data rows, from 1
                                  (kept by the row operations: row 1, 7, 13, ... after every=6) */
    long header_line;
    long missing;              /* missing cells */
    /* time column (has_time): row r's text is time_text + time_at[r], NUL-terminated */
    int has_time;
    char *time_text;
    int64_t *time_at;
    size_t time_used, time_cap;
} NumericTable;

/* Parses data[0..size). Returns 0 and fills t, or -1 with err filled (t freed): line 0 for
 * an empty input; the header line for an unknown, duplicated or conflicting column name
 * (the message names the option: "columns: 'x' is not in the header"); the record's line
 * for a wrong field count, a cell that is not a number, or a CSV syntax error. */
int numeric_table_parse(const char *data, size_t size, const NumericTableOptions *o,
                        NumericTable *t, ParseError *err);
void numeric_table_free(NumericTable *t);

/* Index of the feature column named `name`, or -1. */
int numeric_table_column(const NumericTable *t, const char *name);
/* Text of row r's time cell ("" without a time column). */
const char *numeric_table_time(const NumericTable *t, long r);
/* Keeps the rows r with keep[r] != 0, in order (values, lines, row numbers, times). */
void numeric_table_keep_rows(NumericTable *t, const unsigned char *keep);
/* Keeps rows 0, every, 2*every, ... */
void numeric_table_resample(NumericTable *t, int every);
/* Removes rows with a missing cell in any column; returns how many were removed. */
long numeric_table_drop_missing(NumericTable *t);
/* Finds the first missing cell in row order (then column order): 1 and *row, *col, or 0. */
int numeric_table_first_missing(const NumericTable *t, long *row, int *col);

/* A comma-separated list of names (option values), split with the spaces around each item
 * removed; empty items are kept when keep_empty (na_values: "NA,,NaN"), else skipped. */
typedef struct NameList {
    int count;
    char **items;              /* [count] NUL-terminated */
    size_t *lengths;           /* [count] */
} NameList;
void name_list_parse(NameList *l, const char *list, int keep_empty);
void name_list_free(NameList *l);
/* Index of s[0..n) in the list, or -1. */
int name_list_find(const NameList *l, const char *s, size_t n);

#endif
