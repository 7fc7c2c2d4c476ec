/* word_tag.c: the one-token-per-line tagging reader (rules in word_tag.h). Pure: reports
 * errors through ParseError and never exits, so a fuzz target can drive it; it allocates
 * only the sentence's word array. */
#include "word_tag.h"

#include <string.h>

static const char DOCSTART[] = "-DOCSTART-";

/* Walks the fields of one line. With ' ' a run of spaces separates fields; with '\t'
 * each TAB does (so empty fields exist). */
typedef struct FieldScan {
    const char *p, *end;
    char separator;
    int done;
} FieldScan;

static int next_field(FieldScan *f, const char **s, size_t *n) {
    if (f->separator == ' ')
        while (f->p < f->end && *f->p == ' ') f->p++;
    if (f->done || (f->separator == ' ' && f->p == f->end)) return 0;
    const char *sep = memchr(f->p, f->separator, (size_t)(f->end - f->p));
    const char *stop = sep ? sep : f->end;
    *s = f->p, *n = (size_t)(stop - f->p);
    f->p = sep ? sep + 1 : f->end;
    f->done = !sep;
    return 1;
}

static size_t trim_right(const char *s, size_t n) {
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    return n;
}

static int starts_with_docstart(const char *s, size_t n) {
    size_t k = sizeof DOCSTART - 1;
    return n >= k && !memcmp(s, DOCSTART, k);
}

/* Same field count as the first token line of the input. */
static int check_field_count(WordTagReader *r, long count, long line, ParseError *err) {
    const char *sep = r->separator == '\t' ? "TAB" : "space";
    if (r->fields == 0) r->fields = count, r->fields_line = line;
    if (count != r->fields)
        return parse_fail(err, line, "expected %ld %s-separated fields as on line %ld, found %ld",
                          r->fields, sep, r->fields_line, count);
    return 0;
}

/* The line's word and tag are fields r->word_column and r->tag_column (0: the last). */
static int pick_columns(const WordTagReader *r, const char *line_text, size_t n, long count,
                        long line, TaggedWord *w, ParseError *err) {
    long tag_at = r->tag_column ? r->tag_column : count;
    if (r->word_column > count)
        return parse_fail(err, line, "no word column %d (word_column): the line has %ld fields",
                          r->word_column, count);
    if (tag_at > count)
        return parse_fail(err, line, "no tag column %ld (tag_column): the line has %ld fields",
                          tag_at, count);
    if (tag_at == r->word_column)
        return parse_fail(err, line, "the word column %d is the tag column (the last of %ld "
                          "fields); set tag_column", r->word_column, count);
    FieldScan scan = {line_text, line_text + n, r->separator, 0};
    const char *f;
    size_t len;
    for (long k = 1; next_field(&scan, &f, &len); k++) {
        if (k == r->word_column) w->word = f, w->word_len = len;
        if (k == tag_at) w->tag = f, w->tag_len = len;
    }
    return 0;
}

static long count_fields(const WordTagReader *r, const char *s, size_t n) {
    FieldScan scan = {s, s + n, r->separator, 0};
    const char *f;
    size_t len;
    long count = 0;
    while (next_field(&scan, &f, &len)) count++;
    return count;
}

/* One token line: the word and the tag from their columns. */
static int read_token_line(WordTagReader *r, const char *s, size_t n, ParseError *err) {
    long line = r->lines.line;
    TaggedWord w = {.line = line};
    long count = count_fields(r, s, n);
    const char *sep = r->separator == '\t' ? "TAB" : "space";
    if (count < 2)
        return parse_fail(err, line, "expected a word and a tag separated by %s, found 1 field", sep);
    if (pick_columns(r, s, n, count, line, &w, err) < 0) return -1;
    if (check_field_count(r, count, line, err) < 0) return -1;
    if (w.word_len == 0) return parse_fail(err, line, "empty word");
    tagged_sentence_push(&r->sentence, w);
    return 0;
}

void word_tag_init(WordTagReader *r, const char *data, size_t size) {
    memset(r, 0, sizeof *r);
    line_cursor_init(&r->lines, data, size);
    r->separator = size > 0 && memchr(data, '\t', size) ? '\t' : ' ';
    r->word_column = 1;
}

void word_tag_set_columns(WordTagReader *r, int word_column, int tag_column) {
    r->word_column = word_column;
    r->tag_column = tag_column;
}

int word_tag_next_sentence(WordTagReader *r, const TaggedSentence **sentence, ParseError *err) {
    r->sentence.count = 0;
    const char *s;
    size_t n;
    while (line_cursor_next(&r->lines, &s, &n)) {
        n = trim_right(s, n);
        if (n == 0 || starts_with_docstart(s, n)) {
            if (r->sentence.count > 0) break;
            continue;
        }
        if (read_token_line(r, s, n, err) < 0) return -1;
    }
    if (r->sentence.count == 0) return 0;
    *sentence = &r->sentence;
    return 1;
}

void word_tag_free(WordTagReader *r) { tagged_sentence_free(&r->sentence); }
