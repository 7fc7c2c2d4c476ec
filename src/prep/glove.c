/* glove.c: pretrained word vectors from a GloVe text file, aligned to a vocabulary
 * (glove_attach, converters.h) and the pure line parser it uses (glove.h). The file is
 * streamed line by line (GloVe files are gigabytes), never read whole. Rows of words the
 * file lacks are drawn from N(0, s^2), s the standard deviation of every value in the
 * file, with the counter-based rng (stream GLOVE_RNG_STREAM, index id*D+j), so they
 * depend only on the seed. <pad> is zero; the specials are never looked up and count
 * neither as hits nor misses. The first occurrence of a word wins. */
#include "glove.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "converters.h"
#include "core/record_limit.h"
#include "core/check.h"
#include "core/rng.h"
#include "data/utf8.h"

enum { VALUE_MAX_CHARS = 64 };
#define GLOVE_RNG_STREAM 0x676c6f7665ULL /* "glove" */

/* ---- the line parser ---- */

static size_t trim_end(const char *s, size_t n) {
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    return n;
}

static long count_fields(const char *s, size_t n) {
    long fields = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && (i == 0 || s[i - 1] == ' ')) fields++;
    return fields;
}

/* Start of the field that ends at s[n-1], and the end of what comes before its spaces. */
static size_t field_start(const char *s, size_t n) {
    while (n && s[n - 1] != ' ') n--;
    return n;
}

static size_t skip_spaces_back(const char *s, size_t n) {
    while (n && s[n - 1] == ' ') n--;
    return n;
}

/* A finite float spelled by all of s[0..n); s need not be NUL-terminated. */
static int parse_value(const char *s, size_t n, float *out) {
    char buf[VALUE_MAX_CHARS + 1];
    if (n == 0 || n > VALUE_MAX_CHARS || isspace((unsigned char)s[0])) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    float v = strtof(buf, &end);
    if (end != buf + n || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* The value of the decimal digits s[0..n) (at most 9 of them), or -1. */
static long small_integer(const char *s, size_t n) {
    if (n == 0 || n > 9) return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = 10 * v + (s[i] - '0');
    }
    return v;
}

/* The first line: `COUNT DIM` is a word2vec/fastText header (returns 1); otherwise the
 * number of values decides *dim (returns 0). */
static int first_line_dim(const char *s, size_t n, long fields, long line_no, int *dim,
                          ParseError *err) {
    size_t second = field_start(s, n), first_end = skip_spaces_back(s, second);
    long d = fields == 2 && small_integer(s, first_end) >= 0 ? small_integer(s + second, n - second) : -1;
    if (d >= 0) {
        if (d < 1 || d > GLOVE_MAX_DIM)
            return parse_fail(err, line_no, "header line gives %ld dimensions (1..%d allowed)", d, GLOVE_MAX_DIM);
        *dim = (int)d;
        return 1;
    }
    if (fields < 2) return parse_fail(err, line_no, "a word with no values: '%.*s'", n > 40 ? 40 : (int)n, s);
    if (fields - 1 > GLOVE_MAX_DIM)
        return parse_fail(err, line_no, "%ld values: more than %d dimensions", fields - 1, GLOVE_MAX_DIM);
    *dim = (int)(fields - 1);
    return 0;
}

/* The last `dim` fields into vec; returns the end of the word before them, or -1. */
static long parse_values(const char *s, size_t n, long line_no, int dim, float *vec, ParseError *err) {
    size_t end = n;
    for (int j = dim - 1; j >= 0; j--) {
        size_t start = field_start(s, end);
        if (parse_value(s + start, end - start, &vec[j]) != 0) {
            int shown = end - start > 40 ? 40 : (int)(end - start);
            return parse_fail(err, line_no, "value %d is not a finite number: '%.*s'", j + 1, shown, s + start);
        }
        end = skip_spaces_back(s, start);
    }
    return (long)end;
}

/* The word s[0..n): not empty, valid UTF-8, and not ending in one more number. */
static int check_word(const char *s, size_t n, long line_no, int dim, ParseError *err) {
    if (n == 0) return parse_fail(err, line_no, "empty word before the values");
    size_t bad = utf8_first_invalid(s, n);
    if (bad < n) return parse_fail(err, line_no, "invalid UTF-8 in the word at byte %zu", bad);
    size_t last = field_start(s, n);
    float ignored;
    if (last > 0 && parse_value(s + last, n - last, &ignored) == 0)
        return parse_fail(err, line_no, "more values than the %d of the first line", dim);
    return 0;
}

int glove_parse_line(const char *line, size_t n, long line_no, int *dim, float *vec,
                     size_t *word_len, ParseError *err) {
    n = trim_end(line, n);
    if (n == 0) return 1;
    long fields = count_fields(line, n);
    if (*dim == 0) {
        int rc = first_line_dim(line, n, fields, line_no, dim, err);
        if (rc != 0) return rc;
    }
    if (fields - 1 < *dim)
        return parse_fail(err, line_no, "%ld values where the first line had %d", fields - 1, *dim);
    long end = parse_values(line, n, line_no, *dim, vec, err);
    if (end < 0) return -1;
    if (check_word(line, (size_t)end, line_no, *dim, err) != 0) return -1;
    *word_len = (size_t)end;
    return 0;
}

/* ---- aligning a file to a vocabulary ---- */

typedef struct GloveTable {
    int vocab_size, dim;
    float *rows;           /* [vocab_size][dim] */
    unsigned char *found;  /* [vocab_size] */
    long hits;
    double sum, sum_squares;
    double values;         /* every value read, for the standard deviation */
} GloveTable;

static void add_vector(GloveTable *t, const Vocab *vocab, const char *word, size_t len, const float *vec) {
    if (t->values == 0) {
        t->rows = xcalloc((size_t)t->vocab_size * (size_t)t->dim, sizeof *t->rows, "embedding matrix");
        t->found = xcalloc((size_t)t->vocab_size, 1, "embedding rows found");
    }
    for (int j = 0; j < t->dim; j++) t->sum += vec[j], t->sum_squares += (double)vec[j] * vec[j];
    t->values += t->dim;
    int id = vocab_find(vocab, word, len);
    if (id < VOCAB_SPECIALS || t->found[id]) return;
    memcpy(t->rows + (size_t)id * (size_t)t->dim, vec, sizeof *vec * (size_t)t->dim);
    t->found[id] = 1;
    t->hits++;
}

static void read_vectors(FILE *f, const char *path, const Vocab *vocab, GloveTable *t) {
    float *vec = xmalloc(sizeof *vec * GLOVE_MAX_DIM, "GloVe line");
    char *line = NULL;
    size_t cap = 0, word_len;
    ssize_t got;
    long line_no = 0;
    ParseError err;
    while ((got = record_getline(&line, &cap, f, path, line_no + 1)) >= 0) {
        int rc = glove_parse_line(line, (size_t)got, ++line_no, &t->dim, vec, &word_len, &err);
        if (rc < 0) prep_fail_parse(path, &err);
        if (rc == 0) add_vector(t, vocab, line, word_len, vec);
    }
    if (ferror(f)) prep_fail(path, line_no + 1, "cannot read: %s", strerror(errno));
    if (t->values == 0) prep_fail(path, 0, "no vectors in the file (empty file?)");
    free(line), free(vec);
}

static double value_std(const GloveTable *t) {
    double mean = t->sum / t->values;
    double var = t->sum_squares / t->values - mean * mean;
    return var > 0 ? sqrt(var) : 0;
}

/* Rows the file did not give: <pad> zero, the rest N(0, s^2) from (seed, id*D+j). */
static void fill_missing_rows(GloveTable *t, uint64_t seed) {
    double s = value_std(t);
    for (int id = VOCAB_PAD + 1; id < t->vocab_size; id++) {
        if (t->found[id]) continue;
        float *row = t->rows + (size_t)id * (size_t)t->dim;
        for (int j = 0; j < t->dim; j++)
            row[j] = (float)(s * rng_normal(seed, GLOVE_RNG_STREAM, (uint64_t)id * (uint64_t)t->dim + (uint64_t)j));
    }
}

void glove_attach(PreparedDataset *d, const char *path, uint64_t seed) {
    FILE *f = fopen(path, "rb");
    if (!f) prep_fail(path, 0, "cannot read: %s", strerror(errno));
    GloveTable t = {.vocab_size = d->vocab.size};
    read_vectors(f, path, &d->vocab, &t);
    fclose(f);
    fill_missing_rows(&t, seed);
    free(t.found);
    free(d->embedding);
    d->embedding = t.rows, d->embedding_dim = t.dim, d->embedding_hits = t.hits;
    int words = d->vocab.size > VOCAB_SPECIALS ? d->vocab.size - VOCAB_SPECIALS : 0;
    printf("glove: %ld of %d vocabulary words found (%.1f%%) in %s, %d dimensions\n", t.hits, words,
           words ? 100.0 * (double)t.hits / words : 0.0, path, t.dim);
}
