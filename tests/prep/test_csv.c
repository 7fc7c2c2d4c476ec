/* test_csv.c: the CSV record reader (src/data/csv.c) on hand-written inputs: line endings,
 * quoting, empty fields, BOM, blank lines, delimiters, and every error with its line.
 * Each case renders what the reader returned as one string and compares it with the
 * expected one:  records `L<line>:field|field` joined by ` ; `, line breaks and `|` in a
 * field escaped as \n \r \|, NUL as \0; an error as `E<line>:<message>` after the
 * records before it. An expected string ending in `*` need only be a prefix (the hint at
 * the end of an error message may be reworded). Then random records encoded as RFC 4180
 * says must read back field for field with their lines, and random bytes must end in
 * records or an error on an existing line. Prints each failing case; exits 1 when any
 * failed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv.h"

static int failures, cases;

static void put(char **o, const char *s) {
    size_t n = strlen(s);
    memcpy(*o, s, n);
    *o += n;
}

static void put_field(char **o, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') put(o, "\\n");
        else if (s[i] == '\r') put(o, "\\r");
        else if (s[i] == '|') put(o, "\\|");
        else if (s[i] == '\0') put(o, "\\0");
        else *(*o)++ = s[i];
    }
}

/* The reader's view of data[0..size) as a string (see the top of the file). */
static char *render(const char *data, size_t size, char delimiter) {
    char *text = calloc(1, 16 * size + 4096), *o = text;
    CsvReader r;
    csv_init(&r, data, size, delimiter);
    const CsvRecord *rec;
    ParseError err;
    int rc, first = 1;
    while ((rc = csv_next(&r, &rec, &err)) == 1) {
        char head[32];
        snprintf(head, sizeof head, "%sL%ld:", first ? "" : " ; ", rec->line);
        put(&o, head);
        for (int i = 0; i < rec->count; i++) {
            if (i) put(&o, "|");
            if (strlen(rec->fields[i]) != rec->lengths[i] && memchr(rec->fields[i], 0, rec->lengths[i]) == NULL)
                put(&o, "<BAD LENGTH>");
            if (rec->fields[i][rec->lengths[i]] != '\0') put(&o, "<NOT NUL-TERMINATED>");
            put_field(&o, rec->fields[i], rec->lengths[i]);
        }
        first = 0;
    }
    if (rc < 0) {
        char head[300];
        snprintf(head, sizeof head, "%sE%ld:%s", first ? "" : " ; ", err.line, err.message);
        put(&o, head);
    }
    *o = '\0';
    csv_free(&r);
    return text;
}

static void check_bytes(const char *name, const char *data, size_t size, char delimiter, const char *want) {
    cases++;
    char *got = render(data, size, delimiter);
    size_t n = strlen(want);
    int ok = n > 0 && want[n - 1] == '*' ? strncmp(got, want, n - 1) == 0 : strcmp(got, want) == 0;
    if (!ok) {
        failures++;
        printf("FAIL %s\n  want: %s\n  got:  %s\n", name, want, got);
    }
    free(got);
}

/* A string literal that may hold NUL bytes. */
#define check_literal(name, literal, delimiter, want) check_bytes(name, literal, sizeof(literal) - 1, delimiter, want)

static void check(const char *name, const char *data, const char *want) {
    check_bytes(name, data, strlen(data), ',', want);
}

static void test_line_endings(void) {
    check("LF", "a,b\nc,d\n", "L1:a|b ; L2:c|d");
    check("CRLF", "a,b\r\nc,d\r\n", "L1:a|b ; L2:c|d");
    check("mixed LF and CRLF", "a,b\r\nc,d\ne,f\r\n", "L1:a|b ; L2:c|d ; L3:e|f");
    check("no final newline", "a,b\nc,d", "L1:a|b ; L2:c|d");
    check("no final newline after CR", "a,b\r\nc,d\r", "L1:a|b ; L2:c|d");
    check("quoted, no final newline", "a,\"b\"", "L1:a|b");
    check("quoted last field then CRLF", "\"a\",\"b\"\r\n\"c\",\"d\"\r\n", "L1:a|b ; L2:c|d");
    check("lone CR inside an unquoted field is data", "a\rb,c\n", "L1:a\\rb|c");
    check("one field per line", "x\ny\nz\n", "L1:x ; L2:y ; L3:z");
}

static void test_empty(void) {
    check("empty input", "", "");
    check("only line breaks", "\n\r\n\n", "");
    check("empty fields", ",,\n", "L1:||");
    check("empty field at the end", "a,\n", "L1:a|");
    check("empty field at the end, no newline", "a,b,", "L1:a|b|");
    check("empty first field", ",b\n", "L1:|b");
    check("quoted empty", "\"\",x,\"\"\n", "L1:|x|");
    check("quoted empty alone", "\"\"\n", "L1:");
    check("blank lines between records", "a,b\n\n\r\nc,d\n\n", "L1:a|b ; L4:c|d");
    check("blank lines before the first record", "\n\na\n", "L3:a");
    check("spaces are data", " a , b \n", "L1: a | b ");
}

static void test_quoting(void) {
    check("comma inside quotes", "\"a,b\",c\n", "L1:a,b|c");
    check("doubled quotes", "\"say \"\"hi\"\"\",x\n", "L1:say \"hi\"|x");
    check("only a doubled quote", "\"\"\"\"\n", "L1:\"");
    check("doubled quotes at the ends", "\"\"\"a\"\"\"\n", "L1:\"a\"");
    check("embedded LF", "\"a\nb\",c\nd,e\n", "L1:a\\nb|c ; L3:d|e");
    check("embedded CRLF kept", "\"a\r\nb\",c\r\nd,e\r\n", "L1:a\\r\\nb|c ; L3:d|e");
    check("several embedded line breaks", "1,\"x\n\ny\n\",2\n3,4,5\n", "L1:1|x\\n\\ny\\n|2 ; L5:3|4|5");
    check("other separators inside quotes are data", "\"a;b\tc\",d\n", "L1:a;b\tc|d");
    check("a quoted field followed by another separator", "\"a;b\";c\n", "E1:text after the closing quote*");
    check("AG News row", "\"3\",\"Wall St. Bears Claw Back\",\"Reuters - Short-sellers, Wall Street's \"\"dwindling\"\"\"\n",
          "L1:3|Wall St. Bears Claw Back|Reuters - Short-sellers, Wall Street's \"dwindling\"");
    check("quoted field with the delimiter and a line break then more records",
          "\"x,\ny\",1\n\"z\",2\n", "L1:x,\\ny|1 ; L3:z|2");
    check("UTF-8 passes through", "\"\xe5\xa5\xbd\",1\n", "L1:\xe5\xa5\xbd|1");
}

static void test_bom_and_delimiters(void) {
    check("BOM skipped", "\xEF\xBB\xBFlabel,text\n1,x\n", "L1:label|text ; L2:1|x");
    check("BOM before a quoted field", "\xEF\xBB\xBF\"a\",b\n", "L1:a|b");
    check("BOM alone", "\xEF\xBB\xBF", "");
    check("BOM only at the start", "a\n\xEF\xBB\xBF\n", "L1:a ; L2:\xEF\xBB\xBF");
    check_literal("tab delimiter", "a\tb,c\t\"d\te\"\n", '\t', "L1:a|b,c|d\te");
    check_literal("tab delimiter, commas are data", "1,2\t3\n", '\t', "L1:1,2|3");
    check_literal("semicolon delimiter", "a;\"b;c\";d\n", ';', "L1:a|b;c|d");
    check_literal("NUL byte inside a field", "a\0b,c\n", ',', "L1:a\\0b|c");
}

static void test_errors(void) {
    check("quote inside an unquoted field", "a,b\nc,d\"e,f\n", "L1:a|b ; E2:quote inside an unquoted field: 'd\"e,f'*");
    check("quote after text", "ab\"c\"\n", "E1:quote inside an unquoted field*");
    check("text after the closing quote", "a\n\"b\"c,d\n", "L1:a ; E2:text after the closing quote of a field: '\"b\"c,d'*");
    check("space after the closing quote", "\"b\" ,d\n", "E1:text after the closing quote*");
    check("CR after the closing quote, not a line end", "\"b\"\rx\n", "E1:text after the closing quote*");
    check("unbalanced quote at the end", "a,b\nc,\"d\ne\nf\n", "L1:a|b ; E2:quoted field is never closed: it opens with '\"d'*");
    check("lone quote at the end", "a\n\"", "L1:a ; E2:quoted field is never closed*");
    check("unbalanced quote after line breaks in quotes", "\"x\ny\",1\n\"open\n", "L1:x\\ny|1 ; E3:quoted field is never closed: it opens with '\"open'*");
    check("text after the closing quote on a later line", "\"a\nb\"x\n", "E2:text after the closing quote*");
    check("error line after blank lines", "a\n\n\nb\"\n", "L1:a ; E4:quote inside*");
    check("error line after CRLF records", "a\r\nb\r\nc\"\r\n", "L1:a ; L2:b ; E3:quote inside*");
}

/* A record longer than the reader's first buffer and more fields than its first table. */
static void test_growth(void) {
    size_t fields = 1000, size = fields * 8 + 16;
    char *data = malloc(size), *o = data;
    for (size_t i = 0; i < fields; i++) o += sprintf(o, i ? ",\"f%zu\"" : "f%zu", i);
    o += sprintf(o, "\nlast\n");
    CsvReader r;
    csv_init(&r, data, (size_t)(o - data), ',');
    const CsvRecord *rec;
    ParseError err;
    cases++;
    int ok = csv_next(&r, &rec, &err) == 1 && rec->count == (int)fields && strcmp(rec->fields[999], "f999") == 0 &&
             strcmp(rec->fields[0], "f0") == 0 && rec->lengths[500] == 4;
    ok = ok && csv_next(&r, &rec, &err) == 1 && rec->count == 1 && rec->line == 2 && strcmp(rec->fields[0], "last") == 0;
    ok = ok && csv_next(&r, &rec, &err) == 0 && csv_next(&r, &rec, &err) == 0;
    if (!ok) failures++, printf("FAIL growth: 1000 fields then one\n");
    csv_free(&r);
    free(data);

    size_t big = 1 << 20;
    data = malloc(big + 8);
    data[0] = '"';
    memset(data + 1, 'x', big);
    memcpy(data + 1 + big, "\",y", 3);
    csv_init(&r, data, big + 4, ',');
    cases++;
    ok = csv_next(&r, &rec, &err) == 1 && rec->count == 2 && rec->lengths[0] == big && rec->fields[0][big] == '\0' &&
         strcmp(rec->fields[1], "y") == 0;
    if (!ok) failures++, printf("FAIL growth: a 1 MB quoted field\n");
    csv_free(&r);
    free(data);
}

/* ---- random round trips: records encoded as RFC 4180 says, read back field for field ---- */

static uint64_t next_random(uint64_t *state) {
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

typedef struct Encoded {
    char text[4096];
    size_t size;
    char fields[8][6][16]; /* [record][field] */
    int counts[8], records;
    long lines[8];
} Encoded;

static void encode_random(Encoded *e, uint64_t *rng) {
    static const char alphabet[] = "ab ,\"\n\r";
    memset(e, 0, sizeof *e);
    e->records = 1 + (int)(next_random(rng) % 8);
    long line = 1;
    for (int r = 0; r < e->records; r++) {
        e->lines[r] = line;
        e->counts[r] = 1 + (int)(next_random(rng) % 6);
        for (int f = 0; f < e->counts[r]; f++) {
            char *field = e->fields[r][f];
            int len = (int)(next_random(rng) % 8);
            for (int i = 0; i < len; i++) field[i] = alphabet[next_random(rng) % (sizeof alphabet - 1)];
            int needs = strpbrk(field, ",\"\n\r") != NULL || (e->counts[r] == 1 && len == 0);
            int quoted = needs || next_random(rng) % 4 == 0;
            if (f) e->text[e->size++] = ',';
            if (quoted) e->text[e->size++] = '"';
            for (int i = 0; i < len; i++) {
                if (field[i] == '"') e->text[e->size++] = '"';
                e->text[e->size++] = field[i];
                line += field[i] == '\n';
            }
            if (quoted) e->text[e->size++] = '"';
        }
        int last = r == e->records - 1, ending = (int)(next_random(rng) % 3); /* LF, CRLF, none at the end */
        if (ending == 1 || (ending == 2 && !last)) e->text[e->size++] = '\r';
        if (ending != 2 || !last) e->text[e->size++] = '\n', line++;
    }
}

static void test_random_round_trips(void) {
    uint64_t rng = 12345;
    for (int trial = 0; trial < 20000; trial++) {
        Encoded e;
        encode_random(&e, &rng);
        CsvReader r;
        csv_init(&r, e.text, e.size, ',');
        const CsvRecord *rec;
        ParseError err;
        int ok = 1, got = 0, rc;
        while (ok && (rc = csv_next(&r, &rec, &err)) == 1) {
            ok = got < e.records && rec->count == e.counts[got] && rec->line == e.lines[got];
            for (int f = 0; ok && f < rec->count; f++)
                ok = rec->lengths[f] == strlen(e.fields[got][f]) && strcmp(rec->fields[f], e.fields[got][f]) == 0;
            got++;
        }
        ok = ok && rc == 0 && got == e.records;
        cases++;
        if (!ok) {
            failures++;
            printf("FAIL random round trip %d (record %d, rc %d%s%s):\n", trial, got, rc, rc < 0 ? ": " : "",
                   rc < 0 ? err.message : "");
            fwrite(e.text, 1, e.size, stdout);
            printf("\n");
            csv_free(&r);
            return;
        }
        csv_free(&r);
    }
}

/* Arbitrary bytes from the reader's alphabet: it ends, with records or an error on a line
 * that exists, and never reads past the input (run under ASan to see). */
static void test_random_bytes(void) {
    static const char alphabet[] = "a,\"\n\r\t";
    uint64_t rng = 777;
    for (int trial = 0; trial < 20000; trial++) {
        size_t size = next_random(&rng) % 24;
        char *data = malloc(size ? size : 1);
        long lines = 1;
        for (size_t i = 0; i < size; i++) {
            data[i] = alphabet[next_random(&rng) % (sizeof alphabet - 1)];
            lines += data[i] == '\n';
        }
        CsvReader r;
        csv_init(&r, data, size, trial % 2 ? ',' : '\t');
        const CsvRecord *rec;
        ParseError err;
        int rc, records = 0;
        long last_line = 0;
        while ((rc = csv_next(&r, &rec, &err)) == 1 && records++ < 100) {
            if (rec->line < last_line || rec->line > lines) break;
            last_line = rec->line;
        }
        cases++;
        if (rc == 1 || (rc < 0 && (err.line < 1 || err.line > lines))) {
            failures++;
            printf("FAIL random bytes %d: rc %d, line %ld of %ld\n", trial, rc, rc < 0 ? err.line : rec->line, lines);
        }
        csv_free(&r);
        free(data);
    }
}

int main(void) {
    test_line_endings();
    test_empty();
    test_quoting();
    test_bom_and_delimiters();
    test_errors();
    test_growth();
    test_random_round_trips();
    test_random_bytes();
    printf("csv: %d cases, %d failed\n", cases, failures);
    return failures ? 1 : 0;
}
