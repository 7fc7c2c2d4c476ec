/* fuzz_csv.c: libFuzzer target for the CSV record reader (src/data/csv.h). The first byte
 * picks the delimiter (even: ',', odd: TAB) and, by bit 1, LF or CRLF for the re-encoding
 * below; the rest is the input. Checks on every record: at least one field, each field
 * NUL-terminated at its length, line numbers increasing and inside the input; on an error,
 * a filled one-line message. When the whole input parses, every record is written back
 * fully quoted (RFC 4180) and read again: the same records must come back.
 * The other way round, the input also spells records (split at 0x1E, fields at 0x1F, any
 * other bytes allowed in a field), written as a CSV writer would (quotes only where
 * needed): reading that must give exactly those records. */
#include <stdint.h>

#include "data/csv.h"
#include "fuzz_check.h"

typedef struct Buffer {
    char *bytes;
    size_t used, cap;
} Buffer;

static void buffer_add(Buffer *b, const char *s, size_t n) {
    if (b->used + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->used + n) cap *= 2;
        b->bytes = realloc(b->bytes, cap);
        FUZZ_CHECK(b->bytes != NULL);
        b->cap = cap;
    }
    if (n) memcpy(b->bytes + b->used, s, n);
    b->used += n;
}

/* A field in double quotes, its quotes doubled, or as it is. */
static void write_field(Buffer *b, const char *s, size_t n, int quoted) {
    if (!quoted) {
        buffer_add(b, s, n);
        return;
    }
    buffer_add(b, "\"", 1);
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '"') buffer_add(b, "\"", 1);
        buffer_add(b, &s[k], 1);
    }
    buffer_add(b, "\"", 1);
}

/* The record as one RFC 4180 line, every field quoted. */
static void write_record(Buffer *b, const CsvRecord *rec, char delimiter, const char *eol) {
    for (int i = 0; i < rec->count; i++) {
        if (i) buffer_add(b, &delimiter, 1);
        write_field(b, rec->fields[i], rec->lengths[i], 1);
    }
    buffer_add(b, eol, strlen(eol));
}

static void check_record(const CsvRecord *rec, long previous_line, long max_line, size_t size) {
    FUZZ_CHECK(rec->count >= 1);
    FUZZ_CHECK(rec->line > previous_line && rec->line <= max_line);
    size_t total = 0;
    for (int i = 0; i < rec->count; i++) {
        FUZZ_CHECK(rec->lengths[i] <= size);
        FUZZ_CHECK(rec->fields[i][rec->lengths[i]] == '\0');
        total += rec->lengths[i];
    }
    FUZZ_CHECK(total <= size);
}

/* Reads every record of s[0..n); writes them quoted into *out when out is not NULL.
 * Returns the number of records, or -1 when the reader reported an error. */
static long read_all(const char *s, size_t n, char delimiter, const char *eol, Buffer *out) {
    CsvReader r;
    csv_init(&r, s, n, delimiter);
    const CsvRecord *rec;
    ParseError err;
    long records = 0, previous_line = 0, max_line = fuzz_count_lines(s, n);
    int rc;
    fuzz_reset_error(&err);
    while ((rc = csv_next(&r, &rec, &err)) == 1) {
        check_record(rec, previous_line, max_line, n);
        previous_line = rec->line;
        if (out) write_record(out, rec, delimiter, eol);
        records++;
        FUZZ_CHECK((size_t)records <= n + 1);
    }
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == -1) {
        fuzz_check_error(&err, 1);
        FUZZ_CHECK(err.line <= max_line);
    } else {
        FUZZ_CHECK(csv_next(&r, &rec, &err) == 0); /* the end stays the end */
    }
    csv_free(&r);
    return rc == -1 ? -1 : records;
}

/* Reading the fully quoted encoding gives the records written into it: encoding what it
 * reads gives the same bytes again (the encoding is one-to-one). */
static void check_round_trip(const Buffer *encoded, char delimiter, const char *eol) {
    Buffer again = {0};
    char *exact = fuzz_exact_copy(encoded->bytes, encoded->used);
    FUZZ_CHECK(read_all(exact, encoded->used, delimiter, eol, &again) >= 0);
    FUZZ_CHECK(again.used == encoded->used);
    FUZZ_CHECK(again.used == 0 || memcmp(again.bytes, encoded->bytes, again.used) == 0);
    free(again.bytes), free(exact);
}

enum { RECORD_SEPARATOR = 0x1E, UNIT_SEPARATOR = 0x1F };

/* Whether a CSV writer must quote s[0..n): it holds a delimiter, quote or line break, it is
 * a record's only field and empty (a blank line), or it starts like a byte-order mark. */
static int needs_quotes(const char *s, size_t n, char delimiter, int alone) {
    if (n == 0) return alone;
    if ((unsigned char)s[0] == 0xEF) return 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] == delimiter || s[i] == '"' || s[i] == '\n' || s[i] == '\r') return 1;
    return 0;
}

/* The records spelled by s[0..n) (see the banner), quoted only where needed into *minimal
 * and all quoted into *full. */
static void write_spelled_records(const char *s, size_t n, char delimiter, const char *eol,
                                  Buffer *minimal, Buffer *full) {
    const char *end = s + n;
    while (s < end) {
        const char *rs = memchr(s, RECORD_SEPARATOR, (size_t)(end - s));
        const char *record_end = rs ? rs : end;
        int alone = memchr(s, UNIT_SEPARATOR, (size_t)(record_end - s)) == NULL;
        for (const char *f = s;;) {
            const char *us = memchr(f, UNIT_SEPARATOR, (size_t)(record_end - f));
            const char *field_end = us ? us : record_end;
            if (f != s) buffer_add(minimal, &delimiter, 1), buffer_add(full, &delimiter, 1);
            size_t len = (size_t)(field_end - f);
            write_field(minimal, f, len, needs_quotes(f, len, delimiter, alone));
            write_field(full, f, len, 1);
            if (!us) break;
            f = us + 1;
        }
        buffer_add(minimal, eol, strlen(eol)), buffer_add(full, eol, strlen(eol));
        s = rs ? rs + 1 : end;
    }
}

static void check_spelled_records(const char *s, size_t n, char delimiter, const char *eol) {
    Buffer minimal = {0}, full = {0}, read = {0};
    write_spelled_records(s, n, delimiter, eol, &minimal, &full);
    char *exact = fuzz_exact_copy(minimal.bytes, minimal.used);
    FUZZ_CHECK(read_all(exact, minimal.used, delimiter, eol, &read) >= 0);
    FUZZ_CHECK(read.used == full.used);
    FUZZ_CHECK(read.used == 0 || memcmp(read.bytes, full.bytes, read.used) == 0);
    free(minimal.bytes), free(full.bytes), free(read.bytes), free(exact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    char delimiter = data[0] & 1 ? '\t' : ',';
    const char *eol = data[0] & 2 ? "\r\n" : "\n";
    const char *text = (const char *)data + 1;
    Buffer encoded = {0};
    if (read_all(text, size - 1, delimiter, eol, &encoded) >= 0)
        check_round_trip(&encoded, delimiter, eol);
    free(encoded.bytes);
    check_spelled_records(text, size - 1, delimiter, eol);
    return 0;
}
