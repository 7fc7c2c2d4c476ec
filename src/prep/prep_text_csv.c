/* prep_text_csv.c: `recur prep text-csv` — a label column and one or more text columns of
 * CSV/TSV files (AG News `"3","title","description"`, review files `review,sentiment`)
 * into token examples; the shared finishing pass (raw_text.c) does the rest.
 *
 * Columns are named by header names or 1-based indices, resolved per file (a test file
 * may order its columns differently). Every record must have the first record's field
 * count. Several text columns are joined with one space. It parses and checks; it does
 * not build vocabularies or write files. Bad input: exit 2 naming FILE:LINE (prep_fail). */
#include <stdlib.h>
#include <string.h>

#include "converters.h"
#include "core/check.h"
#include "data/csv.h"
#include "data/text_file.h"
#include "raw_text.h"
#include "text_input.h"

enum { MAX_TEXT_COLUMNS = 64, NAMES_SHOWN = 200 };

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
        if (cfg->header) rc = csv_next(&reader, &rec, &err);
        if (rc == 0) prep_fail(path, 0, "no records (only a header)");
    }
    for (; rc > 0; rc = csv_next(&reader, &rec, &err)) add_record(&in, rec, &raw->splits[k]);
    if (rc < 0) prep_fail_parse(path, &err);
    raw->has_split[k] = 1;
    free(in.joined);
    csv_free(&reader);
    text_file_free(&file);
}

void convert_text_csv(const PrepConfig *cfg, PreparedDataset *out) {
    raw_text_convert(TASK_CLASSIFY, cfg, read_csv, NULL, out);
}
