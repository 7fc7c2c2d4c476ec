/* conllu.c: the CoNLL-U sentence reader (rules in conllu.h). Pure: reports errors through
 * ParseError and never exits, so a fuzz target can drive it; it allocates only the
 * sentence's word array. */
#include "conllu.h"

#include <string.h>

enum { CONLLU_FIELDS = 10, FIELD_ID = 0, FIELD_FORM = 1, FIELD_UPOS = 3, FIELD_XPOS = 4 };
enum { QUOTE_MAX = 24 }; /* bytes of an offending field quoted in a message */

typedef struct Field {
    const char *s;
    size_t n;
} Field;

typedef enum { ID_WORD, ID_RANGE, ID_EMPTY_NODE, ID_BAD } IdKind;

/* Splits s[0..n) at TABs into at most `max` fields; returns the number of fields there are. */
static long split_tabs(const char *s, size_t n, Field *fields, int max) {
    long count = 0;
    const char *end = s + n;
    for (;;) {
        const char *tab = memchr(s, '\t', (size_t)(end - s));
        const char *stop = tab ? tab : end;
        if (count < max) fields[count] = (Field){s, (size_t)(stop - s)};
        count++;
        if (!tab) return count;
        s = tab + 1;
    }
}

/* Leading decimal digits of f as a number in *value (saturating); returns how many. */
static size_t read_number(Field f, long *value) {
    size_t i = 0;
    *value = 0;
    for (; i < f.n && f.s[i] >= '0' && f.s[i] <= '9'; i++)
        *value = *value > 100000000L ? 1000000000L : *value * 10 + (f.s[i] - '0');
    return i;
}

/* N (a word), N-M (a multi-word token range) or N.M (an empty node). */
static IdKind classify_id(Field id, long *word) {
    size_t digits = read_number(id, word);
    if (digits == 0) return ID_BAD;
    if (digits == id.n) return ID_WORD;
    char sep = id.s[digits];
    if (sep != '-' && sep != '.') return ID_BAD;
    long second;
    Field rest = {id.s + digits + 1, id.n - digits - 1};
    if (rest.n == 0 || read_number(rest, &second) != rest.n) return ID_BAD;
    return sep == '-' ? ID_RANGE : ID_EMPTY_NODE;
}

static int check_tag(Field tag, TagColumn column, long line, ParseError *err) {
    if (tag.n == 0) return parse_fail(err, line, "empty %s field", column == TAG_XPOS ? "XPOS" : "UPOS");
    if (tag.n == 1 && tag.s[0] == '_') {
        if (column == TAG_XPOS)
            return parse_fail(err, line, "XPOS is '_' (not annotated); use tag_column = upos");
        return parse_fail(err, line, "UPOS is '_' (not annotated)");
    }
    return 0;
}

/* One non-comment, non-blank line: appends its word (if it is one) and advances *expected. */
static int read_word_line(ConlluReader *r, const char *s, size_t n, long *expected, ParseError *err) {
    long line = r->lines.line;
    Field f[CONLLU_FIELDS];
    long count = split_tabs(s, n, f, CONLLU_FIELDS);
    if (count != CONLLU_FIELDS)
        return parse_fail(err, line, "expected %d tab-separated fields, found %ld", CONLLU_FIELDS, count);
    long id;
    IdKind kind = classify_id(f[FIELD_ID], &id);
    if (kind == ID_BAD)
        return parse_fail(err, line, "ID '%.*s' is not a word number (N), a range (N-M) or an empty node (N.M)",
                          (int)(f[FIELD_ID].n < QUOTE_MAX ? f[FIELD_ID].n : QUOTE_MAX), f[FIELD_ID].s);
    if (kind != ID_WORD) return 0;
    if (id != *expected)
        return parse_fail(err, line, "word IDs not consecutive: expected %ld, found %ld", *expected, id);
    if (f[FIELD_FORM].n == 0) return parse_fail(err, line, "empty FORM (word %ld)", id);
    Field tag = f[r->column == TAG_XPOS ? FIELD_XPOS : FIELD_UPOS];
    if (check_tag(tag, r->column, line, err) < 0) return -1;
    tagged_sentence_push(&r->sentence, (TaggedWord){.word = f[FIELD_FORM].s, .word_len = f[FIELD_FORM].n,
                                                    .tag = tag.s, .tag_len = tag.n, .line = line});
    (*expected)++;
    return 0;
}

void conllu_init(ConlluReader *r, const char *data, size_t size, TagColumn column) {
    memset(r, 0, sizeof *r);
    line_cursor_init(&r->lines, data, size);
    r->column = column;
}

int conllu_next_sentence(ConlluReader *r, const TaggedSentence **sentence, ParseError *err) {
    r->sentence.count = 0;
    long expected = 1;
    const char *s;
    size_t n;
    while (line_cursor_next(&r->lines, &s, &n)) {
        if (line_is_blank(s, n)) {
            if (r->sentence.count > 0) break;
            expected = 1; /* a block of comments or skipped lines only */
            continue;
        }
        if (s[0] == '#') continue;
        if (read_word_line(r, s, n, &expected, err) < 0) return -1;
    }
    if (r->sentence.count == 0) return 0;
    *sentence = &r->sentence;
    return 1;
}

void conllu_free(ConlluReader *r) { tagged_sentence_free(&r->sentence); }
