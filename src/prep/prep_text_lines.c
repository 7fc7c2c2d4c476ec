/* prep_text_lines.c: `recur prep text-lines` — one example per line, the label first, then
 * the text after the first run of spaces or a TAB: `1 a gripping , funny film` (SST-2,
 * TREC in the harvardnlp layout) or fastText's `__label__pos great film` (the
 * `__label__` prefix is dropped). Blank lines are skipped; CRLF and a byte-order mark are
 * tolerated; a line with a label but no text is an empty text (one <unk>). The shared
 * finishing pass (raw_text.c) does the rest. It reads and checks; it builds no
 * vocabulary and writes no file. */
#include <string.h>

#include "converters.h"
#include "data/text_file.h"
#include "raw_text.h"
#include "text_input.h"

#define FASTTEXT_PREFIX "__label__"

/* Splits one line (without its end) into label and text; both may be empty. */
static void split_line(const char *s, size_t n, const char **label, size_t *label_len, const char **text,
                       size_t *text_len) {
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    size_t start = i;
    while (i < n && s[i] != ' ' && s[i] != '\t') i++;
    *label = s + start, *label_len = i - start;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    *text = s + i, *text_len = n - i;
    size_t p = strlen(FASTTEXT_PREFIX);
    if (*label_len > p && !strncmp(*label, FASTTEXT_PREFIX, p)) *label += p, *label_len -= p;
}

static void add_line(RawText *raw, RawSplit *split, const PrepConfig *cfg, const char *path, int source,
                     long line, const char *s, size_t n) {
    const char *label, *text;
    size_t label_len, text_len;
    split_line(s, n, &label, &label_len, &text, &text_len);
    if (label_len == 0) return; /* a blank line */
    require_utf8(path, line, s, n, "the line");
    ParseError err;
    if (tokenize(&cfg->tokenizer, text, text_len, line, &split->tokens, &err) < 0) prep_fail_parse(path, &err);
    raw_end_example(split, label, label_len, source, line);
    (void)raw;
}

static void read_lines(RawText *raw, SplitId k, const char *path, const PrepConfig *cfg,
                       const void *unused) {
    TextFile file = prep_read_text(path, cfg);
    int source = raw_text_source(raw, path);
    const char *p = file.data, *end = file.data + file.size;
    if (file.size >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    long line = 0, before = raw->splits[k].n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (n && p[n - 1] == '\r') n--;
        add_line(raw, &raw->splits[k], cfg, path, source, ++line, p, n);
        p = nl ? nl + 1 : end;
    }
    if (raw->splits[k].n == before) prep_fail(path, 0, "no examples (empty or blank lines only)");
    raw->has_split[k] = 1;
    text_file_free(&file);
}

void convert_text_lines(const PrepConfig *cfg, PreparedDataset *out) {
    raw_text_convert(TASK_CLASSIFY, cfg, read_lines, NULL, out);
}
