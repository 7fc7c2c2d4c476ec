/* numeric_table.c: CSV with a header -> float64 columns (numeric_table.h). Pure: errors
 * are returned as ParseError, never printed; it must not exit (bar allocation failure)
 * nor know about windows, scaling or the dataset file. */
#include "numeric_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "data/csv.h"

enum { QUOTE_MAX = 40 }; /* bytes of a cell or name quoted in a message */

/* ---- name lists ---- */

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **s, size_t *n) {
    while (*n && is_blank(**s)) (*s)++, (*n)--;
    while (*n && is_blank((*s)[*n - 1])) (*n)--;
}

void name_list_parse(NameList *l, const char *list, int keep_empty) {
    size_t len = strlen(list);
    int cap = 1;
    for (size_t i = 0; i < len; i++) cap += list[i] == ',';
    l->count = 0;
    l->items = xmalloc(sizeof(char *) * (size_t)cap, "name list");
    l->lengths = xmalloc(sizeof(size_t) * (size_t)cap, "name list");
    for (const char *p = list;; p++) {
        const char *comma = strchr(p, ',');
        const char *item = p;
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        trim(&item, &n);
        if (n || keep_empty) {
            char *copy = xmalloc(n + 1, "name list item");
            memcpy(copy, item, n);
            copy[n] = 0;
            l->items[l->count] = copy;
            l->lengths[l->count++] = n;
        }
        if (!comma) break;
        p = comma;
    }
}

void name_list_free(NameList *l) {
    for (int i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items), free(l->lengths);
    memset(l, 0, sizeof *l);
}

int name_list_find(const NameList *l, const char *s, size_t n) {
    for (int i = 0; i < l->count; i++)
        if (l->lengths[i] == n && !memcmp(l->items[i], s, n)) return i;
    return -1;
}

/* ---- cells ---- */

/* Length of the decimal number at the start of s[0..n): [+-] digits [. digits] [e [+-]
 * digits], at least one digit before the exponent; 0 when there is none. */
static size_t number_length(const char *s, size_t n) {
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) digits++;
    if (!digits) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1, exp_digits = 0;
        if (j < n && (s[j] == '+' || s[j] == '-')) j++;
        for (; j < n && s[j] >= '0' && s[j] <= '9'; j++) exp_digits++;
        if (exp_digits) i = j;
    }
    return i;
}

static int has_digit(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9') return 1;
    return 0;
}

/* One feature cell: its value, NaN when missing, or -1 (err) when it is not a number. */
static int parse_cell(const char *cell, size_t len, const NameList *na, const char *column,
                      long line, double *out, ParseError *err) {
    const char *s = cell;
    size_t n = len;
    trim(&s, &n);
    if (name_list_find(na, s, n) >= 0) {
        *out = NAN;
        return 0;
    }
    int shown = len > QUOTE_MAX ? QUOTE_MAX : (int)len;
    const char *more = len > QUOTE_MAX ? "..." : "";
    if (!n)
        return parse_fail(err, line, "column '%.*s': an empty cell is not a number (na_values without"
                          " an empty item, e.g. 'NA' rather than 'NA,,')", QUOTE_MAX, column);
    if (number_length(s, n) != n)
        return parse_fail(err, line, "column '%.*s': '%.*s%s' is not a number%s", QUOTE_MAX, column,
                          shown, cell, more,
                          has_digit(s, n) ? "" : " (a text column? leave it out with drop_columns,"
                                                 " or add the text to na_values)");
    *out = strtod(s, NULL); /* stops at the number's end: a blank or the NUL */
    if (!isfinite(*out))
        return parse_fail(err, line, "column '%.*s': '%.*s%s' is out of range", QUOTE_MAX, column,
                          shown, cell, more);
    return 0;
}

/* ---- the header ---- */

static int header_find(const CsvRecord *h, const char *name, size_t n) {
    for (int i = 0; i < h->count; i++)
        if (h->lengths[i] == n && !memcmp(h->fields[i], name, n)) return i;
    return -1;
}

static int header_unique(const CsvRecord *h, int i, ParseError *err) {
    for (int j = i + 1; j < h->count; j++)
        if (h->lengths[j] == h->lengths[i] && !memcmp(h->fields[j], h->fields[i], h->lengths[i]))
            return parse_fail(err, h->line, "column '%.*s' appears twice in the header (fields %d and %d)",
                              QUOTE_MAX, h->fields[i], i + 1, j + 1);
    return 0;
}

/* Index of an option's named column in the header, or -1 (err) naming the option. */
static int find_named(const CsvRecord *h, const char *option, const char *name, size_t n,
                      ParseError *err) {
    int i = header_find(h, name, n);
    if (i < 0)
        return parse_fail(err, h->line, "%s: '%.*s' is not in the header", option, QUOTE_MAX, name);
    return header_unique(h, i, err) < 0 ? -1 : i;
}

typedef struct Selection {
    int time_index;  /* header field of the time column, -1 for none */
    int count;       /* feature columns */
    int *source;     /* [count] header field of each feature */
    char *dropped;   /* [header fields] 1 when in drop_columns */
} Selection;

static int select_listed(const CsvRecord *h, const NameList *cols, Selection *sel, ParseError *err) {
    for (int k = 0; k < cols->count; k++) {
        int i = find_named(h, "columns", cols->items[k], cols->lengths[k], err);
        if (i < 0) return -1;
        const char *why = i == sel->time_index ? "is the time_column"
                          : sel->dropped[i]    ? "is also in drop_columns"
                          : name_list_find(cols, cols->items[k], cols->lengths[k]) < k ? "is listed twice"
                                                                                        : NULL;
        if (why) return parse_fail(err, h->line, "columns: '%.*s' %s", QUOTE_MAX, cols->items[k], why);
        sel->source[sel->count++] = i;
    }
    return 0;
}

static int select_rest(const CsvRecord *h, Selection *sel, ParseError *err) {
    for (int i = 0; i < h->count; i++) {
        if (i == sel->time_index || sel->dropped[i]) continue;
        if (header_unique(h, i, err) < 0) return -1;
        sel->source[sel->count++] = i;
    }
    return 0;
}

static int select_columns(const CsvRecord *h, const NumericTableOptions *o, Selection *sel,
                          ParseError *err) {
    for (int i = 0; i < h->count; i++)
        if (memchr(h->fields[i], 0, h->lengths[i]))
            return parse_fail(err, h->line, "header field %d holds a NUL byte", i + 1);
    sel->time_index = -1;
    sel->count = 0;
    sel->source = xmalloc(sizeof(int) * (size_t)h->count, "column selection");
    sel->dropped = xcalloc((size_t)h->count, 1, "column selection");
    if (o->time_column[0]) {
        sel->time_index = find_named(h, "time_column", o->time_column, strlen(o->time_column), err);
        if (sel->time_index < 0) return -1;
    }
    NameList drop, cols;
    name_list_parse(&drop, o->drop_columns, 0);
    name_list_parse(&cols, o->columns, 0);
    int rc = 0;
    for (int k = 0; k < drop.count && rc == 0; k++) {
        int i = find_named(h, "drop_columns", drop.items[k], drop.lengths[k], err);
        if (i < 0) rc = -1;
        else sel->dropped[i] = 1;
    }
    if (rc == 0) rc = cols.count ? select_listed(h, &cols, sel, err) : select_rest(h, sel, err);
    if (rc == 0 && !sel->count)
        rc = parse_fail(err, h->line, "no feature column: every column is the time_column or in drop_columns");
    name_list_free(&drop), name_list_free(&cols);
    return rc;
}

static void start_table(NumericTable *t, const CsvRecord *h, const Selection *sel) {
    t->num_columns = sel->count;
    t->header_line = h->line;
    t->names = xmalloc(sizeof(char *) * (size_t)sel->count, "column names");
    t->values = xcalloc((size_t)sel->count, sizeof(double *), "table columns");
    for (int c = 0; c < sel->count; c++) {
        size_t n = h->lengths[sel->source[c]];
        t->names[c] = xmalloc(n + 1, "column name");
        memcpy(t->names[c], h->fields[sel->source[c]], n + 1);
    }
    t->has_time = sel->time_index >= 0;
}

/* ---- rows ---- */

static void *grow(void *old, size_t used_bytes, size_t new_bytes, const char *what) {
    void *p = xmalloc(new_bytes, what);
    if (used_bytes) memcpy(p, old, used_bytes);
    free(old);
    return p;
}

static void reserve_row(NumericTable *t) {
    if (t->rows < t->cap) return;
    long cap = t->cap ? 2 * t->cap : 1024;
    size_t used = (size_t)t->rows;
    for (int c = 0; c < t->num_columns; c++)
        t->values[c] = grow(t->values[c], used * sizeof(double), (size_t)cap * sizeof(double), "table column");
    t->lines = grow(t->lines, used * sizeof(long), (size_t)cap * sizeof(long), "table lines");
    t->row_number = grow(t->row_number, used * sizeof(long), (size_t)cap * sizeof(long), "table rows");
    if (t->has_time)
        t->time_at = grow(t->time_at, used * sizeof(int64_t), (size_t)cap * sizeof(int64_t), "time cells");
    t->cap = cap;
}

static void add_time(NumericTable *t, const char *s, size_t n) {
    if (t->time_used + n + 1 > t->time_cap) {
        size_t cap = t->time_cap ? t->time_cap : 1 << 16;
        while (t->time_used + n + 1 > cap) cap *= 2;
        t->time_text = grow(t->time_text, t->time_used, cap, "time cells");
        t->time_cap = cap;
    }
    t->time_at[t->rows] = (int64_t)t->time_used;
    memcpy(t->time_text + t->time_used, s, n);
    t->time_text[t->time_used + n] = 0;
    t->time_used += n + 1;
}

static int add_row(NumericTable *t, const CsvRecord *rec, int fields, const Selection *sel,
                   const NameList *na, ParseError *err) {
    if (rec->count != fields)
        return parse_fail(err, rec->line, "%d field%s, the header has %d", rec->count,
                          rec->count == 1 ? "" : "s", fields);
    reserve_row(t);
    for (int c = 0; c < t->num_columns; c++) {
        int i = sel->source[c];
        double *v = &t->values[c][t->rows];
        if (parse_cell(rec->fields[i], rec->lengths[i], na, t->names[c], rec->line, v, err) < 0) return -1;
        t->missing += isnan(*v) != 0;
    }
    if (t->has_time) add_time(t, rec->fields[sel->time_index], rec->lengths[sel->time_index]);
    t->lines[t->rows] = rec->line;
    t->row_number[t->rows] = t->rows + 1;
    t->rows++;
    return 0;
}

int numeric_table_parse(const char *data, size_t size, const NumericTableOptions *o,
                        NumericTable *t, ParseError *err) {
    memset(t, 0, sizeof *t);
    CsvReader reader;
    csv_init(&reader, data, size, o->delimiter);
    Selection sel = {0};
    NameList na;
    name_list_parse(&na, o->na_values, 1);
    const CsvRecord *rec;
    int rc = csv_next(&reader, &rec, err);
    if (rc == 0) rc = parse_fail(err, 0, "empty file: no header line");
    if (rc > 0 && (rc = select_columns(rec, o, &sel, err)) == 0) {
        int fields = rec->count;
        start_table(t, rec, &sel);
        while ((rc = csv_next(&reader, &rec, err)) > 0)
            if (add_row(t, rec, fields, &sel, &na, err) < 0) {
                rc = -1;
                break;
            }
    }
    free(sel.source), free(sel.dropped);
    name_list_free(&na);
    csv_free(&reader);
    if (rc < 0) numeric_table_free(t);
    return rc < 0 ? -1 : 0;
}

void numeric_table_free(NumericTable *t) {
    for (int c = 0; c < t->num_columns; c++) {
        if (t->names) free(t->names[c]);
        if (t->values) free(t->values[c]);
    }
    free(t->names), free(t->values), free(t->lines), free(t->row_number), free(t->time_text);
    free(t->time_at);
    memset(t, 0, sizeof *t);
}

/* ---- row operations ---- */

int numeric_table_column(const NumericTable *t, const char *name) {
    for (int c = 0; c < t->num_columns; c++)
        if (!strcmp(t->names[c], name)) return c;
    return -1;
}

const char *numeric_table_time(const NumericTable *t, long r) {
    return t->has_time ? t->time_text + t->time_at[r] : "";
}

void numeric_table_keep_rows(NumericTable *t, const unsigned char *keep) {
    long kept = 0;
    for (long r = 0; r < t->rows; r++) {
        if (!keep[r]) continue;
        for (int c = 0; c < t->num_columns; c++) t->values[c][kept] = t->values[c][r];
        t->lines[kept] = t->lines[r];
        t->row_number[kept] = t->row_number[r];
        if (t->has_time) t->time_at[kept] = t->time_at[r];
        kept++;
    }
    t->rows = kept;
}

void numeric_table_resample(NumericTable *t, int every) {
    if (every <= 1 || !t->rows) return;
    unsigned char *keep = xmalloc((size_t)t->rows, "resampling mask");
    for (long r = 0; r < t->rows; r++) keep[r] = r % every == 0;
    numeric_table_keep_rows(t, keep);
    free(keep);
}

static int row_complete(const NumericTable *t, long r) {
    for (int c = 0; c < t->num_columns; c++)
        if (isnan(t->values[c][r])) return 0;
    return 1;
}

long numeric_table_drop_missing(NumericTable *t) {
    if (!t->rows) return 0;
    long before = t->rows;
    unsigned char *keep = xmalloc((size_t)t->rows, "drop mask");
    for (long r = 0; r < t->rows; r++) keep[r] = (unsigned char)row_complete(t, r);
    numeric_table_keep_rows(t, keep);
    free(keep);
    return before - t->rows;
}

int numeric_table_first_missing(const NumericTable *t, long *row, int *col) {
    for (long r = 0; r < t->rows; r++)
        for (int c = 0; c < t->num_columns; c++)
            if (isnan(t->values[c][r])) {
                *row = r, *col = c;
                return 1;
            }
    return 0;
}
