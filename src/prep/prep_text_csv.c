/* prep_text_csv.c: `recur prep text-csv` — a label column and one or more text columns of
 * CSV/TSV files (AG News `"3","title","description"`, review files `review,sentiment`)
 * into token examples; the shared finishing pass (raw_text.c) does the rest.
 *
 * Columns are named by header names or 1-based indices, resolved per file (a test file
 * may order its columns differently). Every record must have the first record's field
 * count. Several text columns are joined with one space. It parses and checks; it does
 * not build vocabularies or write files. Bad input: exit 2 naming FILE:LINE (prep_fail).
 * Per file it prints the rows read and which columns became the label and the text (and
 * which were left out), and warns when header = 1 but the header's label cell is one of
 * the labels (`labels`, or those of the file's rows): a headerless file loses a row. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "converters.h"
#include "core/check.h"
#include "data/csv.h"
#include "data/text_file.h"
#include "raw_text.h"
#include "text_input.h"

enum { MAX_TEXT_COLUMNS = 64, NAMES_SHOWN = 200, COLUMNS_NOTE = 512 };

/* Where a file's label and text are (0-based). */
typedef struct Columns {
    int fields;
    int label;
    int text[MAX_TEXT_COLUMNS];
    int num_text;
} Columns;

/* One input file being read. */
typedef struct CsvInput {
    const char *path;
    const PrepConfig *cfg;
    int source;
    Columns cols;
    char *joined; /* the text columns joined by spaces */
    size_t joined_cap;
    char *header_label; /* header = 1: the header's label cell, trimmed; else NULL */
    long header_line;
    char columns_note[COLUMNS_NOTE]; /* "label: column 1; text: ..." for the summary line */
} CsvInput;

static char delimiter_of(const PrepConfig *cfg) {
    char d = strcmp(cfg->delimiter, "tab") == 0 ? '\t' : cfg->delimiter[0];
    if (d == '"' || d == '\n' || d == '\r' || d == '\0')
        recur_die(EXIT_USAGE, "delimiter = '%s': a CSV delimiter cannot be a quote or a line break", cfg->delimiter);
    return d;
}

/* "a, b, c" of the header's names, cut past NAMES_SHOWN bytes. */
static const char *header_names(const CsvRecord *header, char out[NAMES_SHOWN + 8]) {
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < header->count; i++) {
        if (used + header->lengths[i] + 2 > NAMES_SHOWN) {
            strcpy(out + used, ", ...");
            break;
        }
        used += (size_t)snprintf(out + used, NAMES_SHOWN + 8 - used, "%s%s", i ? ", " : "", header->fields[i]);
    }
    return out;
}

static int all_digits(const char *s, size_t n) {
    if (n == 0 || n > 9) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* The 0-based column that item (a header name or a 1-based index) names in `first` (the
 * header, or the first record when there is none). */
static int resolve_column(const CsvInput *in, const char *key, const char *item, size_t n, const CsvRecord *first) {
    if (in->cfg->header)
        for (int i = 0; i < first->count; i++)
            if (first->lengths[i] == n && memcmp(first->fields[i], item, n) == 0) return i;
    if (all_digits(item, n)) {
        int index = atoi(item);
        if (index < 1 || index > first->count)
            prep_fail(in->path, 0, "%s: column %d is out of range: the file has %d column%s", key, index,
                      first->count, first->count == 1 ? "" : "s");
        return index - 1;
    }
    if (!in->cfg->header)
        prep_fail(in->path, 0, "%s: '%.*s' is a column name, but header = 0: give a 1-based column number", key,
                  (int)n, item);
    char names[NAMES_SHOWN + 8];
    prep_fail(in->path, first->line, "%s: no column named '%.*s' (the columns are: %s)", key, (int)n, item,
              header_names(first, names));
}

static void trim(const char **s, size_t *n) {
    while (*n > 0 && **s == ' ') (*s)++, (*n)--;
    while (*n > 0 && (*s)[*n - 1] == ' ') (*n)--;
}

static void resolve_columns(CsvInput *in, const CsvRecord *first) {
    const PrepConfig *cfg = in->cfg;
    Columns *c = &in->cols;
    c->fields = first->count;
    const char *label = cfg->label_column;
    size_t label_len = strlen(label);
    trim(&label, &label_len);
    c->label = resolve_column(in, "label_column", label, label_len, first);
    c->num_text = 0;
    for (const char *p = cfg->text_columns;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *item = p;
        trim(&item, &n);
        if (n == 0) recur_die(EXIT_USAGE, "text_columns = '%s': an empty item", cfg->text_columns);
        if (c->num_text == MAX_TEXT_COLUMNS)
            recur_die(EXIT_USAGE, "text_columns: more than %d columns", MAX_TEXT_COLUMNS);
        c->text[c->num_text++] = resolve_column(in, "text_columns", item, n, first);
        if (!comma) break;
        p = comma + 1;
    }
}

/* Appends to in->columns_note; a full note stays cut (ends "...") and ignores the rest. */
static void note_add(CsvInput *in, const char *fmt, ...) {
    char *note = in->columns_note;
    size_t used = strlen(note);
    if (used + 4 >= COLUMNS_NOTE) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(note + used, COLUMNS_NOTE - 4 - used, fmt, ap);
    va_end(ap);
    if (w >= 0 && used + (size_t)w >= COLUMNS_NOTE - 4) strcpy(note + COLUMNS_NOTE - 5, "...");
}

/* `N 'name'` (with a header) or `N`. */
static void note_column(CsvInput *in, const CsvRecord *first, int col) {
    if (in->cfg->header)
        note_add(in, "%d '%.*s'", col + 1, (int)(first->lengths[col] < 40 ? first->lengths[col] : 40),
                 first->fields[col]);
    else
        note_add(in, "%d", col + 1);
}

static int is_text_column(const Columns *c, int col) {
    for (int i = 0; i < c->num_text; i++)
        if (c->text[i] == col) return 1;
    return 0;
}

/* in->columns_note: which columns are the label and the text, and which are left out. */
static void describe_columns(CsvInput *in, const CsvRecord *first) {
    const Columns *c = &in->cols;
    in->columns_note[0] = '\0';
    note_add(in, "label: column ");
    note_column(in, first, c->label);
    note_add(in, "; text: column%s ", c->num_text > 1 ? "s" : "");
    for (int i = 0; i < c->num_text; i++) {
        if (i) note_add(in, " + ");
        note_column(in, first, c->text[i]);
    }
    const char *sep = "; not used: column ";
    for (int col = 0; col < c->fields; col++) {
        if (col == c->label || is_text_column(c, col)) continue;
        note_add(in, "%s", sep);
        note_column(in, first, col);
        sep = ", ";
    }
}

/* header = 1: keeps the header's trimmed label cell for looks_like_data. */
static void keep_header_label(CsvInput *in, const CsvRecord *header) {
    const char *label = header->fields[in->cols.label];
    size_t n = header->lengths[in->cols.label];
    trim(&label, &n);
    in->header_label = xmalloc(n + 1, "header label");
    memcpy(in->header_label, label, n);
    in->header_label[n] = '\0';
    in->header_line = header->line;
}

/* Is `label` an item of the comma-separated list (items trimmed)? */
static int in_list(const char *list, const char *label) {
    size_t n = strlen(label);
    for (const char *p = list;;) {
        const char *comma = strchr(p, ','), *item = p;
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        trim(&item, &len);
        if (len == n && memcmp(item, label, n) == 0) return 1;
        if (!comma) return 0;
        p = comma + 1;
    }
}

/* Does the header's label cell name one of the labels: `labels`, or those of the file's
 * rows (examples from..split->n)? Then the "header" is likely the first example. */
static int header_looks_like_data(const CsvInput *in, const RawSplit *split, long from) {
    const char *label = in->header_label;
    if (!label || !*label) return 0;
    if (*in->cfg->labels) return in_list(in->cfg->labels, label);
    size_t n = strlen(label);
    for (long i = from; i < split->n; i++)
        if (split->labels.len[i] == n && memcmp(split->labels.text + split->labels.start[i], label, n) == 0)
            return 1;
    return 0;
}

static void report_file(const CsvInput *in, const RawSplit *split, long from) {
    if (header_looks_like_data(in, split, from)) {
        fflush(stdout);
        fprintf(stderr, "recur: warning: %s:%ld: header = 1, but this first row's label '%s' is one of the "
                "labels: if the file has no header, set header = 0 (the row was skipped)\n",
                in->path, in->header_line, in->header_label);
    }
    printf("%s: %ld rows read%s; %s\n", in->path, split->n - from,
           in->cfg->header ? " after the header" : "", in->columns_note);
}

/* The record's text columns joined by single spaces (the field itself when only one). */
static const char *joined_text(CsvInput *in, const CsvRecord *rec, size_t *len) {
    const Columns *c = &in->cols;
    if (c->num_text == 1) {
        *len = rec->lengths[c->text[0]];
        return rec->fields[c->text[0]];
    }
    size_t need = 0;
    for (int i = 0; i < c->num_text; i++) need += rec->lengths[c->text[i]] + 1;
    if (need > in->joined_cap) {
        free(in->joined);
        in->joined_cap = need > 2 * in->joined_cap ? need : 2 * in->joined_cap;
        in->joined = xmalloc(in->joined_cap, "joined text columns");
    }
    size_t used = 0;
    for (int i = 0; i < c->num_text; i++) {
        if (i) in->joined[used++] = ' ';
        memcpy(in->joined + used, rec->fields[c->text[i]], rec->lengths[c->text[i]]);
        used += rec->lengths[c->text[i]];
    }
    *len = used;
    return in->joined;
}

/* Exit 2 unless field `col` of rec is UTF-8, naming the line of the bad byte. */
static void require_utf8_field(const CsvInput *in, const CsvRecord *rec, int col) {
    long line = rec->line;
    for (int i = 0; i < col; i++) line += count_line_breaks(rec->fields[i], rec->lengths[i]);
    char what[32];
    snprintf(what, sizeof what, "column %d", col + 1);
    require_utf8(in->path, line, rec->fields[col], rec->lengths[col], what);
}

static void add_record(CsvInput *in, const CsvRecord *rec, RawSplit *split) {
    const Columns *c = &in->cols;
    if (rec->count != c->fields)
        prep_fail(in->path, rec->line, "expected %d fields, found %d", c->fields, rec->count);
    const char *label = rec->fields[c->label];
    size_t label_len = rec->lengths[c->label];
    trim(&label, &label_len);
    if (label_len == 0) prep_fail(in->path, rec->line, "empty label (column %d)", c->label + 1);
    require_utf8_field(in, rec, c->label);
    size_t len;
    const char *text = joined_text(in, rec, &len);
    ParseError err;
    if (tokenize(&in->cfg->tokenizer, text, len, rec->line, &split->tokens, &err) < 0) {
        for (int i = 0; i < c->num_text; i++) require_utf8_field(in, rec, c->text[i]);
        prep_fail_parse(in->path, &err);
    }
    raw_end_example(split, label, label_len, in->source, rec->line);
}

/* One CSV file into raw split k. */
static void read_csv(RawText *raw, SplitId k, const char *path, const PrepConfig *cfg,
                     const void *unused) {
    TextFile file = prep_read_text(path, cfg);
    CsvInput in = {.path = path, .cfg = cfg, .source = raw_text_source(raw, path)};
    CsvReader reader;
    csv_init(&reader, file.data, file.size, delimiter_of(cfg));
    const CsvRecord *rec;
    ParseError err;
    int rc = csv_next(&reader, &rec, &err);
    if (rc == 0) prep_fail(path, 0, "no records");
    if (rc > 0) {
        resolve_columns(&in, rec);
        describe_columns(&in, rec);
        if (cfg->header) keep_header_label(&in, rec), rc = csv_next(&reader, &rec, &err);
        if (rc == 0) prep_fail(path, 0, "no records (only a header)");
    }
    long from = raw->splits[k].n;
    for (; rc > 0; rc = csv_next(&reader, &rec, &err)) add_record(&in, rec, &raw->splits[k]);
    if (rc < 0) prep_fail_parse(path, &err);
    raw->has_split[k] = 1;
    report_file(&in, &raw->splits[k], from);
    free(in.header_label);
    free(in.joined);
    csv_free(&reader);
    text_file_free(&file);
}

void convert_text_csv(const PrepConfig *cfg, PreparedDataset *out) {
    raw_text_convert(TASK_CLASSIFY, cfg, read_csv, NULL, out);
}
