/* predict_windows.c: a numeric CSV into `recur predict`'s series windows
 * (predict_windows.h): the stored feature columns picked by header name, every cell a
 * number, scaled with the stored scaler as `recur prep` scaled the training rows, then
 * every window of input_steps consecutive rows. CSV and number parsing are numeric_table's;
 * it must not run the model or print. */
#include "predict_windows.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "data/csv.h"
#include "prep/converters.h"
#include "prep/numeric_table.h"

#define NA_VALUES "NA,NaN,nan," /* `recur prep`'s default na_values: cells that mean missing */

/* Every stored feature must be a column of the header (the first record). */
static void check_header(const PredictInput *in, const TextFile *f, const DatasetMeta *m, char delimiter) {
    CsvReader r;
    csv_init(&r, f->data, f->size, delimiter);
    const CsvRecord *h;
    ParseError err;
    int rc = csv_next(&r, &h, &err);
    if (rc < 0) prep_fail_parse(in->name, &err);
    if (rc == 0) prep_fail(in->name, 0, "empty input: expected a CSV header naming the feature columns");
    for (int64_t k = 0; k < m->num_features; k++) {
        int found = 0;
        for (int c = 0; c < h->count && !found; c++) found = !strcmp(h->fields[c], m->features[k]);
        if (!found)
            prep_fail(in->name, h->line, "no column '%.60s' in the header: the model reads %lld feature"
                      " columns, all needed (extra columns are ignored)", m->features[k],
                      (long long)m->num_features);
    }
    csv_free(&r);
}

/* The stored feature names as numeric_table's `columns` list (names it can express). */
static char *feature_list(const DatasetMeta *m) {
    size_t len = 1;
    for (int64_t k = 0; k < m->num_features; k++) len += strlen(m->features[k]) + 1;
    char *list = xmalloc(len, "feature list"), *p = list;
    for (int64_t k = 0; k < m->num_features; k++) {
        const char *name = m->features[k];
        size_t n = strlen(name);
        if (strchr(name, ',') || !n || strchr(" \t", name[0]) || strchr(" \t", name[n - 1]))
            recur_die(EXIT_USAGE, "feature '%.60s': recur predict cannot select a column whose name holds a"
                      " comma or starts or ends with a blank", name);
        p += sprintf(p, "%s%s", k ? "," : "", name);
    }
    return list;
}

static void read_table(PredictInput *in, const TextFile *f, const DatasetMeta *m, char delimiter, NumericTable *t) {
    check_header(in, f, m, delimiter);
    char *columns = feature_list(m);
    NumericTableOptions o = {.delimiter = delimiter, .time_column = "", .columns = columns,
                             .drop_columns = "", .na_values = NA_VALUES};
    ParseError err;
    if (numeric_table_parse(f->data, f->size, &o, t, &err) < 0) prep_fail_parse(in->name, &err);
    free(columns);
    long row;
    int col;
    if (numeric_table_first_missing(t, &row, &col))
        prep_fail(in->name, t->lines[row], "column '%.60s': missing value (every window needs all its cells)",
                  t->names[col]);
    if (t->rows < m->input_steps)
        prep_fail(in->name, t->rows ? t->lines[t->rows - 1] : t->header_line, "%ld data row%s, but the model"
                  " reads windows of input_steps = %d rows: give at least %d", t->rows, t->rows == 1 ? "" : "s",
                  m->input_steps, m->input_steps);
}

/* The table's rows scaled as the dataset's were, float32 [rows][F]. */
static float *scaled_rows(const PredictInput *in, const NumericTable *t, const DatasetMeta *m) {
    int64_t F = m->num_features;
    float *out = xmalloc(sizeof(float) * (size_t)(t->rows * F), "series rows");
    for (long r = 0; r < t->rows; r++)
        for (int64_t k = 0; k < F; k++) {
            double v = (t->values[k][r] - m->scale_offset[k]) / m->scale_factor[k];
            if (!(fabs(v) <= FLT_MAX))
                prep_fail(in->name, t->lines[r], "column '%.60s': %g is beyond float32's range once scaled",
                          t->names[k], t->values[k][r]);
            out[r * F + k] = (float)v;
        }
    return out;
}

void predict_read_windows(PredictInput *in, const TextFile *f, const DatasetMeta *m, char delimiter) {
    NumericTable t;
    read_table(in, f, m, delimiter, &t);
    Dataset *d = &in->data;
    d->rows = t.rows;
    d->series = scaled_rows(in, &t, m);
    d->n = t.rows - m->input_steps + 1;
    d->starts = xmalloc(sizeof(int64_t) * (size_t)d->n, "window starts");
    in->lines = xmalloc(sizeof(long) * (size_t)d->n, "window lines");
    for (long i = 0; i < d->n; i++) d->starts[i] = i, in->lines[i] = t.lines[i + m->input_steps - 1];
    int C = m->horizon * m->num_targets;
    if (m->task == TASK_REGRESS) d->targets = xcalloc((size_t)(d->n * C), sizeof(float), "dummy targets");
    numeric_table_free(&t);
}
