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
    if (count < 2)
        return parse_fail(err, line, "expected a word and a tag separated by %s, found 1 field", sep);
    if (r->fields == 0) r->fields = count, r->fields_line = line;
    if (count != r->fields)
        return parse_fail(err, line, "expected %ld %s-separated fields as on line %ld, found %ld",
                          r->fields, sep, r->fields_line, count);
    return 0;
}

/* One token line: its first field is the word and its last the tag. */
static int read_token_line(WordTagReader *r, const char *s, size_t n, ParseError *err) {
    long line = r->lines.line;
    FieldScan scan = {s, s + n, r->separator, 0};
    TaggedWord w = {.line = line};
    const char *f;
    size_t len;
    long count = 0;
    while (next_field(&scan, &f, &len)) {
        if (count == 0) w.word = f, w.word_len = len;
        w.tag = f, w.tag_len = len;
        count++;
    }
    if (check_field_count(r, count, line, err) < 0) return -1;
    if (w.word_len == 0) return parse_fail(err, line, "empty word");
    tagged_sentence_push(&r->sentence, w);
    return 0;
}

void word_tag_init(WordTagReader *r, const char *data, size_t size) {
    memset(r, 0, sizeof *r);
    line_cursor_init(&r->lines, data, size);
    r->separator = size > 0 && memchr(data, '\t', size) ? '\t' : ' ';
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
