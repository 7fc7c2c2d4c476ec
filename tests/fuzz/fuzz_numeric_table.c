/* fuzz_numeric_table.c: libFuzzer target for the numeric CSV table parser and its row
 * operations (src/prep/numeric_table.h). Input layout: one flag byte (bits 0-1 the
 * delimiter: ',' TAB ';' space; bits 2-4 the resampling step minus 1), then one line of
 * options `time_column|columns|drop_columns|na_values`, then the CSV.
 *
 * On success: at least one uniquely findable feature column, a time column iff one was
 * asked for, rows on increasing lines after the header numbered 1, 2, ..., values finite
 * or NaN with NaNs counted in `missing`, time cells inside the time text; first_missing
 * finds the first NaN in row order; resampling keeps rows 0, k, 2k ... with their row
 * numbers; dropping missing rows leaves none and counts what it removed. On an error: a
 * filled one-line message and a freed, zeroed table. */
#include <math.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "prep/numeric_table.h"

enum { OPTION_FIELDS = 4 };

static void check_first_missing(const NumericTable *t) {
    long row = -1;
    int col = -1;
    int found = numeric_table_first_missing(t, &row, &col);
    long nans = 0;
    for (int c = 0; c < t->num_columns; c++)
        for (long r = 0; r < t->rows; r++) nans += isnan(t->values[c][r]) != 0;
    FUZZ_CHECK(found == (nans > 0));
    if (!found) return;
    FUZZ_CHECK(row >= 0 && row < t->rows && col >= 0 && col < t->num_columns && isnan(t->values[col][row]));
    for (long r = 0; r <= row; r++)
        for (int c = 0; c < (r < row ? t->num_columns : col); c++) FUZZ_CHECK(!isnan(t->values[c][r]));
}

static void check_table(const NumericTable *t, int want_time, long max_line) {
    FUZZ_CHECK(t->num_columns >= 1 && t->has_time == want_time);
    for (int c = 0; c < t->num_columns; c++) {
        int found = numeric_table_column(t, t->names[c]);
        FUZZ_CHECK(found >= 0 && found <= c);
    }
    FUZZ_CHECK(t->header_line >= 1 && t->rows >= 0 && t->rows <= t->cap);
    long missing = 0;
    for (long r = 0; r < t->rows; r++) {
        FUZZ_CHECK(t->lines[r] > (r ? t->lines[r - 1] : t->header_line) && t->lines[r] <= max_line);
        FUZZ_CHECK(t->row_number[r] == r + 1);
        for (int c = 0; c < t->num_columns; c++) {
            double v = t->values[c][r];
            FUZZ_CHECK(isfinite(v) || isnan(v));
            missing += isnan(v) != 0;
        }
        if (t->has_time) FUZZ_CHECK((size_t)t->time_at[r] < t->time_used);
        FUZZ_CHECK(numeric_table_time(t, r) != NULL);
    }
    if (t->has_time && t->rows) FUZZ_CHECK(t->time_text[t->time_used - 1] == '\0');
    FUZZ_CHECK(missing == t->missing);
    check_first_missing(t);
}

static void check_resample(NumericTable *t, int every) {
    long rows = t->rows;
    long *lines = malloc(sizeof *lines * (size_t)(rows ? rows : 1));
    FUZZ_CHECK(lines != NULL);
    if (rows) memcpy(lines, t->lines, sizeof *lines * (size_t)rows);
    numeric_table_resample(t, every);
    FUZZ_CHECK(t->rows == (rows + every - 1) / every);
    for (long r = 0; r < t->rows; r++) FUZZ_CHECK(t->lines[r] == lines[r * every] && t->row_number[r] == r * every + 1);
    free(lines);
}

static void check_drop_missing(NumericTable *t) {
    long rows = t->rows;
    long removed = numeric_table_drop_missing(t);
    FUZZ_CHECK(removed >= 0 && t->rows + removed == rows);
    long row;
    int col;
    FUZZ_CHECK(numeric_table_first_missing(t, &row, &col) == 0);
}

/* The options the input's first two parts spell; text holds their strings (free it). */
typedef struct FuzzOptions {
    NumericTableOptions table;
    int every;                  /* resampling step */
    char *text;
} FuzzOptions;

/* Reads the flag byte and the `time|columns|drop|na` line (missing items are ""); returns
 * where the CSV starts. */
static const char *read_options(const char *data, const char *end, FuzzOptions *o) {
    static const char delimiters[4] = {',', '\t', ';', ' '};
    unsigned char flags = (unsigned char)data[0];
    const char *line = data + 1, *nl = memchr(line, '\n', (size_t)(end - line));
    size_t len = (size_t)((nl ? nl : end) - line);
    o->every = ((flags >> 2) & 7) + 1;
    o->text = malloc(len + 1);
    FUZZ_CHECK(o->text != NULL);
    memcpy(o->text, line, len);
    o->text[len] = '\0';
    const char *item[OPTION_FIELDS];
    char *p = o->text;
    for (int i = 0; i < OPTION_FIELDS; i++) {
        item[i] = p;
        char *bar = strchr(p, '|');
        if (bar) *bar = '\0', p = bar + 1;
        else p += strlen(p);
    }
    o->table = (NumericTableOptions){.delimiter = delimiters[flags & 3], .time_column = item[0],
                                     .columns = item[1], .drop_columns = item[2], .na_values = item[3]};
    return nl ? nl + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const char *end = (const char *)data + size;
    FuzzOptions o;
    const char *csv = read_options((const char *)data, end, &o);
    size_t csv_size = (size_t)(end - csv);
    long max_line = fuzz_count_lines(csv, csv_size);
    int want_time = o.table.time_column[0] != '\0';
    NumericTable t;
    ParseError err;
    fuzz_reset_error(&err);
    if (numeric_table_parse(csv, csv_size, &o.table, &t, &err) == 0) {
        check_table(&t, want_time, max_line);
        check_resample(&t, o.every);
        check_drop_missing(&t);
        numeric_table_free(&t);
    } else {
        fuzz_check_error(&err, 0);
        FUZZ_CHECK(err.line <= max_line);
        FUZZ_CHECK(t.names == NULL && t.values == NULL && t.rows == 0 && t.num_columns == 0);
    }
    free(o.text);
    return 0;
}
