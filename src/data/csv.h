/* csv.h: an RFC 4180 record reader over a buffer — comma, tab or any one-byte delimiter;
 * fields in double quotes may hold delimiters, CR/LF line breaks and doubled quotes ("");
 * records end at LF or CRLF; the last record may lack a line break.
 *
 * Lenient where real files are: blank lines between records are skipped; a UTF-8
 * byte-order mark at the start is skipped. Strict where data would be lost: a quote
 * inside an unquoted field, text after a closing quote, and a quoted field still open at
 * the end of the input are errors naming the line. It does not check UTF-8 (the
 * tokenizer does) or column counts (the converter knows them). */
#ifndef RECUR_CSV_H
#define RECUR_CSV_H

#include <stddef.h>

#include "parse_error.h"

typedef struct CsvRecord {
    int count;            /* fields */
    char **fields;        /* [count] unquoted, NUL-terminated (may contain NUL bytes) */
    size_t *lengths;      /* [count] bytes */
    long line;            /* line on which the record starts (1-based) */
} CsvRecord;

typedef struct CsvReader {
    const char *p, *end;  /* unread input */
    char delimiter;
    long line;            /* current line */
    char *buf;            /* field text of the current record */
    size_t buf_cap;
    size_t *starts;
    int field_cap;
    CsvRecord record;
} CsvReader;

void csv_init(CsvReader *r, const char *data, size_t size, char delimiter);
/* The next record: 1 and *rec (valid until the next call), 0 at the end, -1 on an error
 * (err filled). */
int csv_next(CsvReader *r, const CsvRecord **rec, ParseError *err);
void csv_free(CsvReader *r);

#endif
