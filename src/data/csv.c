/* csv.c: the RFC 4180 record reader (csv.h). Quoted fields are scanned with memchr for the
 * next quote, unquoted ones with a tight byte loop; field text is copied once into one
 * growing buffer per reader (no allocation per field or record once it has grown). It never
 * exits or prints: bad input is a ParseError naming the line, so it can be fuzzed. It does
 * not check UTF-8 or field counts. */
#include "csv.h"
#include "core/record_limit.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"

enum { FIELD_MORE, FIELD_LAST }; /* a field ended at a delimiter / at the end of its record */
enum { SNIPPET_BYTES = 32 };

void csv_init(CsvReader *r, const char *data, size_t size, char delimiter) {
    static const char bom[3] = {(char)0xEF, (char)0xBB, (char)0xBF};
    memset(r, 0, sizeof *r);
    r->p = data;
    r->end = data + size;
    r->delimiter = delimiter;
    r->line = 1;
    if (size >= 3 && memcmp(data, bom, 3) == 0) r->p += 3;
}

void csv_free(CsvReader *r) {
    free(r->buf), free(r->starts), free(r->record.fields), free(r->record.lengths);
    memset(r, 0, sizeof *r);
}

static void *grow(void *p, size_t bytes, const char *what) {
    void *q = realloc(p, bytes);
    if (!q) recur_die(EXIT_RUNTIME, "out of memory growing %s to %zu bytes", what, bytes);
    return q;
}

/* Room for `more` bytes (and a NUL) after the `used` bytes of the field buffer. */
static void reserve_text(CsvReader *r, size_t used, size_t more) {
    if (used + more + 1 <= r->buf_cap) return;
    size_t cap = r->buf_cap ? r->buf_cap : 4096;
    while (cap < used + more + 1) cap *= 2;
    r->buf = grow(r->buf, cap, "CSV field text");
    r->buf_cap = cap;
}

static void append(CsvReader *r, size_t *used, const char *s, size_t n) {
    reserve_text(r, *used, n);
    memcpy(r->buf + *used, s, n);
    *used += n;
}

/* Field `index` of the record starts at `used`. */
static void begin_field(CsvReader *r, int index, size_t used) {
    if (index >= r->field_cap) {
        int cap = r->field_cap ? 2 * r->field_cap : 16;
        r->starts = grow(r->starts, sizeof(size_t) * (size_t)cap, "CSV fields");
        r->record.fields = grow(r->record.fields, sizeof(char *) * (size_t)cap, "CSV fields");
        r->record.lengths = grow(r->record.lengths, sizeof(size_t) * (size_t)cap, "CSV fields");
        r->field_cap = cap;
    }
    r->starts[index] = used;
}

static long count_newlines(const char *s, const char *end) {
    long n = 0;
    while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) n++, s++;
    return n;
}

/* Up to SNIPPET_BYTES of the input from `from`, stopping at a line break and never cutting
 * a UTF-8 character in two: the quoted context of an error message. */
static const char *snippet(const char *from, const char *end, char out[SNIPPET_BYTES + 1]) {
    size_t n = 0;
    while (from + n < end && n < SNIPPET_BYTES && from[n] != '\n' && from[n] != '\r') n++;
    if (from + n < end && n == SNIPPET_BYTES)
        while (n > 0 && ((unsigned char)from[n] & 0xC0) == 0x80) n--;
    memcpy(out, from, n);
    out[n] = '\0';
    return out;
}

/* Skips LF and CRLF lines with nothing on them. */
static void skip_blank_lines(CsvReader *r) {
    while (r->p < r->end) {
        if (r->p[0] == '\n') r->p += 1;
        else if (r->p[0] == '\r' && r->p + 1 < r->end && r->p[1] == '\n') r->p += 2;
        else break;
        r->line++;
    }
}

/* After a field's text at q: a delimiter (more fields follow), LF, CRLF or the end of the
 * input (the record ends), else -1. Advances past what it found. */
static int field_end(CsvReader *r, const char *q) {
    if (q == r->end) {
        r->p = q;
        return FIELD_LAST;
    }
    if (*q == r->delimiter) {
        r->p = q + 1;
        return FIELD_MORE;
    }
    if (*q == '\r' && q + 1 < r->end && q[1] == '\n') q++;
    else if (*q == '\r' && q + 1 == r->end) {
        r->p = r->end;
        return FIELD_LAST;
    }
    if (*q != '\n') return -1;
    r->p = q + 1;
    r->line++;
    return FIELD_LAST;
}

static int read_unquoted(CsvReader *r, size_t *used, ParseError *err) {
    const char *start = r->p, *q = start, *end = r->end;
    const char d = r->delimiter;
    while (q < end && *q != d && *q != '\n' && *q != '"') q++;
    if (q < end && *q == '"') {
        char text[SNIPPET_BYTES + 1];
        return parse_fail(err, r->line, "quote inside an unquoted field: '%s' (quote the whole field "
                          "and double the quotes in it)", snippet(start, end, text));
    }
    const char *text_end = q;
    if (text_end > start && text_end[-1] == '\r' && (q == end || *q == '\n')) text_end--;
    append(r, used, start, (size_t)(text_end - start));
    return field_end(r, q);
}

static int read_quoted(CsvReader *r, size_t *used, ParseError *err) {
    const char *open = r->p, *q = open + 1, *end = r->end;
    long open_line = r->line;
    for (;;) {
        const char *quote = memchr(q, '"', (size_t)(end - q));
        if (!quote) {
            char text[SNIPPET_BYTES + 1];
            return parse_fail(err, open_line, "quoted field is never closed: it opens with '%s'",
                              snippet(open, end, text));
        }
        append(r, used, q, (size_t)(quote - q));
        if (*used > record_limit()) /* quoted line breaks: the line bound alone does not hold */
            return parse_fail(err, open_line, "a record longer than %zu bytes, the max_record_bytes limit "
                              "(a quoted field that never closes?)", record_limit());
        r->line += count_newlines(q, quote);
        if (quote + 1 < end && quote[1] == '"') { /* "" stands for one quote */
            append(r, used, "\"", 1);
            q = quote + 2;
            continue;
        }
        int kind = field_end(r, quote + 1);
        if (kind < 0) {
            char text[SNIPPET_BYTES + 1];
            const char *from = quote - open > SNIPPET_BYTES / 2 ? quote - SNIPPET_BYTES / 2 : open;
            while (from > open && ((unsigned char)*from & 0xC0) == 0x80) from--;
            return parse_fail(err, r->line, "text after the closing quote of a field: '%s'",
                              snippet(from, end, text));
        }
        return kind;
    }
}

int csv_next(CsvReader *r, const CsvRecord **rec, ParseError *err) {
    skip_blank_lines(r);
    if (r->p >= r->end) return 0;
    CsvRecord *out = &r->record;
    out->line = r->line;
    size_t used = 0;
    int count = 0, kind = FIELD_MORE;
    while (kind == FIELD_MORE) {
        begin_field(r, count, used);
        kind = r->p < r->end && *r->p == '"' ? read_quoted(r, &used, err) : read_unquoted(r, &used, err);
        if (kind < 0) return -1;
        reserve_text(r, used, 0);
        r->buf[used++] = '\0';
        count++;
    }
    for (int i = 0; i < count; i++) {
        size_t next = i + 1 < count ? r->starts[i + 1] : used;
        out->fields[i] = r->buf + r->starts[i];
        out->lengths[i] = next - 1 - r->starts[i];
    }
    out->count = count;
    *rec = out;
    return 1;
}
