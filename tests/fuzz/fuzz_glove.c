/* fuzz_glove.c: libFuzzer target for the GloVe line parser (glove_parse_line,
 * src/prep/glove.h). The input is a vector file: each line (with its "\n") is handed over in
 * a buffer of its exact size, the dimension carried from line to line as glove_attach does,
 * going on after errors. Checks: the dimension, once set, never changes; a line without a
 * vector is blank unless it is the one that set the dimension; a vector has a non-empty,
 * valid UTF-8 word inside the line and finite values, and written back as
 * `word v1 ... vD` (%.9g, exact for float) it parses to the same word and values; an error
 * is a filled one-line message naming the line. */
#include <math.h>
#include <stdint.h>

#include "data/utf8.h"
#include "fuzz_check.h"
#include "prep/glove.h"

enum { VALUE_CHARS = 24 };

static int is_blank_line(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return 0;
    return 1;
}

/* Parses line[0..n) (an exact copy) with *dim and a vector buffer of the promised size. */
static int parse(const char *line, size_t n, long line_no, int *dim, float **vec, size_t *word_len,
                 ParseError *err) {
    char *copy = fuzz_exact_copy(line, n);
    *vec = malloc(sizeof **vec * (size_t)(*dim ? *dim : GLOVE_MAX_DIM));
    FUZZ_CHECK(*vec != NULL);
    fuzz_reset_error(err);
    int rc = glove_parse_line(copy, n, line_no, dim, *vec, word_len, err);
    free(copy);
    return rc;
}

/* `word v1 ... vD\n` parses back to the same word and values. */
static void check_rewritten(const char *word, size_t word_len, int dim, const float *vec) {
    size_t cap = word_len + (size_t)dim * VALUE_CHARS + 2, used = word_len;
    char *line = malloc(cap);
    FUZZ_CHECK(line != NULL);
    memcpy(line, word, word_len);
    for (int j = 0; j < dim; j++) used += (size_t)snprintf(line + used, cap - used, " %.9g", vec[j]);
    line[used++] = '\n';
    FUZZ_CHECK(used <= cap);
    int again_dim = dim;
    float *again;
    size_t again_len = 0;
    ParseError err;
    FUZZ_CHECK(parse(line, used, 1, &again_dim, &again, &again_len, &err) == 0);
    FUZZ_CHECK(again_dim == dim && again_len == word_len);
    for (int j = 0; j < dim; j++) FUZZ_CHECK(again[j] == vec[j]);
    free(again), free(line);
}

static void check_line(const char *line, size_t n, long line_no, int *dim) {
    int dim_before = *dim;
    float *vec;
    size_t word_len = (size_t)-1;
    ParseError err;
    int rc = parse(line, n, line_no, dim, &vec, &word_len, &err);
    FUZZ_CHECK(rc >= -1 && rc <= 1);
    if (dim_before) FUZZ_CHECK(*dim == dim_before);
    FUZZ_CHECK(*dim >= 0 && *dim <= GLOVE_MAX_DIM);
    if (rc == -1) {
        fuzz_check_error(&err, line_no);
        FUZZ_CHECK(err.line == line_no);
    } else if (rc == 1) {
        FUZZ_CHECK(is_blank_line(line, n) || (dim_before == 0 && *dim > 0));
    } else {
        FUZZ_CHECK(*dim > 0 && word_len > 0 && word_len <= n);
        FUZZ_CHECK(utf8_first_invalid(line, word_len) == word_len);
        for (int j = 0; j < *dim; j++) FUZZ_CHECK(isfinite(vec[j]));
        check_rewritten(line, word_len, *dim, vec);
    }
    free(vec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *p = (const char *)data, *end = p + size;
    int dim = 0;
    long line_no = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl + 1 : end;
        check_line(p, (size_t)(stop - p), ++line_no, &dim);
        p = stop;
    }
    return 0;
}
