/* test_text.c: the text primitives — parse_fail, text_file_read, UTF-8 (strict decoding,
 * encoding, character classes, lower case), the tokenizer (word / char / whole, punctuation,
 * HTML, CJK, invalid UTF-8), the vocabulary (hash table, counting, vocab_from_counts) and
 * GloVe vectors (the line parser and glove_attach on a small file). Cases that must exit 2
 * run in a child process and have their stderr checked. Prints each failure; exit 1 when
 * any failed. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data/parse_error.h"
#include "data/text_file.h"
#include "data/tokenizer.h"
#include "data/utf8.h"
#include "data/vocab.h"
#include "prep/converters.h"
#include "prep/glove.h"

static int failures, checks;
static char temp_dir[] = "/tmp/recur_test_text_XXXXXX";

static void expect(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect(int ok, const char *fmt, ...) {
    checks++;
    if (ok) return;
    failures++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static void expect_str(const char *got, const char *want, const char *what) {
    expect(strcmp(got, want) == 0, "%s: got '%s', want '%s'", what, got, want);
}

static const char *temp_file(const char *name, const char *content, size_t n) {
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 256, "%s/%s", temp_dir, name);
    FILE *f = fopen(p, "wb");
    fwrite(content, 1, n, f);
    fclose(f);
    return p;
}

/* Runs fn(arg) in a child; expects exit status 2 and `want` in its stderr. */
static void expect_exit2(void (*fn)(const void *), const void *arg, const char *want, const char *what) {
    char err_path[300];
    snprintf(err_path, sizeof err_path, "%s/stderr", temp_dir);
    fflush(stdout), fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(err_path, "w", stderr)) _exit(99);
        fn(arg);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    TextFile t = text_file_read(err_path);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    expect(code == 2 && strstr(t.data, want) != NULL, "%s: exit %d, stderr '%s', want exit 2 and '%s'",
           what, code, t.data, want);
    text_file_free(&t);
}

/* ---- parse_fail, text_file ---- */

static void test_parse_fail(void) {
    ParseError err;
    int rc = parse_fail(&err, 7, "bad '%s' here", "a\nb\tc\x7f");
    expect(rc == -1 && err.line == 7, "parse_fail returns -1 and sets the line");
    expect_str(err.message, "bad 'a?b?c?' here", "parse_fail replaces control characters");
    expect(parse_fail(NULL, 1, "x") == -1, "parse_fail(NULL) returns -1");
    char long_text[600];
    memset(long_text, 'x', sizeof long_text - 1), long_text[599] = 0;
    parse_fail(&err, 1, "%s", long_text);
    expect(strlen(err.message) == sizeof err.message - 1, "parse_fail truncates a long message");
}

static void read_file_fn(const void *path) { text_file_read(path); }

static void test_text_file(void) {
    const char content[] = "line one\nline \0two\n";
    const char *path = temp_file("plain.txt", content, sizeof content - 1);
    TextFile t = text_file_read(path);
    expect(t.size == sizeof content - 1 && memcmp(t.data, content, t.size) == 0 && t.data[t.size] == 0,
           "text_file_read: whole file (size %zu) with a NUL after it", t.size);
    expect_str(t.path, path, "text_file_read keeps the path");
    text_file_free(&t);
    t = text_file_read(temp_file("empty.txt", "", 0));
    expect(t.size == 0 && t.data && t.data[0] == 0, "text_file_read: empty file");
    text_file_free(&t);
    t = text_file_read("/dev/null");
    expect(t.size == 0 && t.data && t.data[0] == 0, "text_file_read: a character device (no size) read to its end");
    text_file_free(&t);
    expect_exit2(read_file_fn, "/nonexistent/recur.txt", "cannot read '/nonexistent/recur.txt': No such file",
                 "missing file");
    expect_exit2(read_file_fn, temp_dir, "is a directory", "directory");
}

/* ---- UTF-8 ---- */

static void expect_decode(const char *bytes, size_t n, int want_len, uint32_t want_cp) {
    uint32_t cp = 0xFFFFFFFF;
    int len = utf8_decode(bytes, n, &cp);
    expect(len == want_len && (len == 0 || cp == want_cp), "utf8_decode(%02x.. n=%zu): %d U+%04X, want %d U+%04X",
           (unsigned char)bytes[0], n, len, cp, want_len, want_cp);
}

static void test_utf8_decode(void) {
    expect_decode("A", 1, 1, 'A');
    expect_decode("\x7f", 1, 1, 0x7f);
    expect_decode("\xc2\x80", 2, 2, 0x80);
    expect_decode("\xc3\xa9", 2, 2, 0xe9);
    expect_decode("\xdf\xbf", 2, 2, 0x7ff);
    expect_decode("\xe0\xa0\x80", 3, 3, 0x800);
    expect_decode("\xe2\x82\xac", 3, 3, 0x20ac);
    expect_decode("\xed\x9f\xbf", 3, 3, 0xd7ff);
    expect_decode("\xee\x80\x80", 3, 3, 0xe000);
    expect_decode("\xef\xbf\xbf", 3, 3, 0xffff);
    expect_decode("\xf0\x90\x80\x80", 4, 4, 0x10000);
    expect_decode("\xf0\x9f\x98\x80", 4, 4, 0x1f600);
    expect_decode("\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff);
    expect_decode("\xc3\xa9zz", 4, 2, 0xe9); /* uses only its own bytes */
    /* invalid: overlong, surrogates, above U+10FFFF, truncated, stray continuation */
    expect_decode("\xc0\x80", 2, 0, 0);
    expect_decode("\xc1\xbf", 2, 0, 0);
    expect_decode("\xe0\x80\x80", 3, 0, 0);
    expect_decode("\xe0\x9f\xbf", 3, 0, 0);
    expect_decode("\xf0\x80\x80\x80", 4, 0, 0);
    expect_decode("\xf0\x8f\xbf\xbf", 4, 0, 0);
    expect_decode("\xed\xa0\x80", 3, 0, 0);
    expect_decode("\xed\xbf\xbf", 3, 0, 0);
    expect_decode("\xf4\x90\x80\x80", 4, 0, 0);
    expect_decode("\xf5\x80\x80\x80", 4, 0, 0);
    expect_decode("\xff", 1, 0, 0);
    expect_decode("\xc3\xa9", 1, 0, 0);
    expect_decode("\xe2\x82\xac", 2, 0, 0);
    expect_decode("\xf0\x9f\x98\x80", 3, 0, 0);
    expect_decode("\xc3\x41", 2, 0, 0);
    expect_decode("\xe2\x28\xac", 3, 0, 0);
    expect_decode("\x80", 1, 0, 0);
    expect_decode("\xbf", 1, 0, 0);
}

static void test_utf8_round_trip(void) {
    int bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        char buf[4];
        uint32_t back;
        int len = utf8_encode(cp, buf);
        int want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (len != want || utf8_decode(buf, (size_t)len, &back) != len || back != cp) bad++;
    }
    expect(bad == 0, "encode/decode round trip of every scalar value: %d wrong", bad);
    expect(utf8_first_invalid("abc\xc3", 4) == 3, "first_invalid: truncated at the end");
    expect(utf8_first_invalid("ab\x80" "cd", 5) == 2, "first_invalid: stray continuation");
    expect(utf8_first_invalid("h\xc3\xa9 \xe6\x88\x91", 7) == 7, "first_invalid: valid text gives n");
    expect(utf8_first_invalid("", 0) == 0, "first_invalid: empty");
}

static void test_unicode_lower(void) {
    const uint32_t pairs[][2] = {
        {'A', 'a'},       {'Z', 'z'},       {'a', 'a'},       {'1', '1'},       {0xC9, 0xE9} /* É */,
        {0xC0, 0xE0},     {0xDE, 0xFE},     {0xD7, 0xD7} /* × */, {0xDF, 0xDF} /* ß */,
        {0x100, 0x101},   {0x101, 0x101},   {0x139, 0x13A},   {0x14A, 0x14B},   {0x178, 0xFF},
        {0x17D, 0x17E},   {0x130, 'i'},     {0x3A3, 0x3C3} /* Σ */, {0x391, 0x3B1}, {0x3A2, 0x3A2},
        {0x386, 0x3AC},   {0x38F, 0x3CE},   {0x414, 0x434} /* Д */, {0x42F, 0x44F}, {0x401, 0x451} /* Ё */,
        {0x40F, 0x45F},   {0xFF21, 0xFF41}, {0xFF3A, 0xFF5A}, {0x6211, 0x6211} /* 我 */,
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        expect(unicode_lower(pairs[i][0]) == pairs[i][1], "unicode_lower(U+%04X) = U+%04X, want U+%04X",
               pairs[i][0], unicode_lower(pairs[i][0]), pairs[i][1]);
    /* What the tokenizer relies on: lower-casing never lengthens a character, is
     * idempotent, and keeps the character's class. */
    int bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        uint32_t lo = unicode_lower(cp);
        char a[4], b[4];
        if (utf8_encode(lo, b) > utf8_encode(cp, a) || unicode_lower(lo) != lo ||
            unicode_is_space(lo) != unicode_is_space(cp) || unicode_is_punct(lo) != unicode_is_punct(cp))
            bad++;
    }
    expect(bad == 0, "unicode_lower: %d code points lengthened, not idempotent or reclassified", bad);
}

static void test_unicode_classes(void) {
    const uint32_t spaces[] = {' ', '\t', '\n', '\r', 0xA0, 0x2003, 0x3000, 0xFEFF};
    const uint32_t puncts[] = {'!', '"', '\'', '/', '@', '[', '`', '{', '~', 0xA1, 0xAB, 0xBB, 0xBF, 0xB7,
                               0x2014, 0x2026, 0x201C, 0x3001, 0x3002, 0x300C, 0xFF01, 0xFF0C, 0xFF1F, 0x20AC};
    const uint32_t words[] = {'a', 'Z', '0', 0xE9, 0xB2, 0xB5, 0xAA, 0x200D, 0x3005};
    const uint32_t cjk[] = {0x6211, 0x4E00, 0x9FFF, 0x3400, 0x20000, 0xF900, 0x3042, 0x30AB, 0xD55C};
    for (size_t i = 0; i < sizeof spaces / sizeof *spaces; i++)
        expect(unicode_is_space(spaces[i]) && !unicode_is_punct(spaces[i]), "U+%04X is space", spaces[i]);
    for (size_t i = 0; i < sizeof puncts / sizeof *puncts; i++)
        expect(unicode_is_punct(puncts[i]) && !unicode_is_space(puncts[i]) && !unicode_is_cjk(puncts[i]),
               "U+%04X is punctuation", puncts[i]);
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        expect(!unicode_is_punct(words[i]) && !unicode_is_space(words[i]) && !unicode_is_cjk(words[i]),
               "U+%04X is a word character", words[i]);
    for (size_t i = 0; i < sizeof cjk / sizeof *cjk; i++)
        expect(unicode_is_cjk(cjk[i]) && !unicode_is_punct(cjk[i]), "U+%04X is CJK", cjk[i]);
}

/* ---- tokenizer ---- */

/* Tokens from..count of l joined by '|'. */
static const char *joined(const TokenList *l, long from) {
    static char buf[8192];
    size_t at = 0;
    buf[0] = 0;
    for (long i = from; i < l->count && at + l->len[i] + 2 < sizeof buf; i++) {
        if (i > from) buf[at++] = '|';
        expect(l->text[l->start[i] + l->len[i]] == 0 && strlen(l->text + l->start[i]) == l->len[i],
               "token %ld is NUL-terminated with its length", i);
        memcpy(buf + at, l->text + l->start[i], l->len[i]);
        at += l->len[i];
        buf[at] = 0;
    }
    return buf;
}

static void expect_tokens(TokenizeMode mode, int lowercase, int strip_punct, int strip_html, const char *text,
                          const char *want) {
    TokenizerOptions o = {.mode = mode, .lowercase = lowercase, .strip_punct = strip_punct, .strip_html = strip_html};
    TokenList l = {0};
    ParseError err;
    long n = tokenize(&o, text, strlen(text), 1, &l, &err);
    const char *got = n < 0 ? err.message : joined(&l, 0);
    expect(n == l.count && strcmp(got, want) == 0, "tokenize(%s lower=%d strip_punct=%d html=%d, '%s'): '%s' (%ld), want '%s'",
           tokenize_mode_names[mode], lowercase, strip_punct, strip_html, text, got, n, want);
    token_list_free(&l);
}

static void test_tokenize_words(void) {
    expect_tokens(TOKENIZE_WORD, 0, 0, 0, "Hello, world! Don't stop.", "Hello|,|world|!|Don't|stop|.");
    expect_tokens(TOKENIZE_WORD, 1, 1, 0, "Hello, world! Don't stop.", "hello|world|don't|stop");
    expect_tokens(TOKENIZE_WORD, 0, 0, 0, "'quoted' rock 'n' roll", "'|quoted|'|rock|'|n|'|roll");
    expect_tokens(TOKENIZE_WORD, 0, 1, 0, "it\xe2\x80\x99s l'homme's", "it\xe2\x80\x99s|l'homme's");
    expect_tokens(TOKENIZE_WORD, 0, 0, 0, "dogs' toys", "dogs|'|toys");
    expect_tokens(TOKENIZE_WORD, 1, 0, 0, "\xc3\x89" "COLE \xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1 "
                  "\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91 \xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0",
                  "\xc3\xa9" "cole|\xce\xb5\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1|"
                  "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1|\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0");
    expect_tokens(TOKENIZE_WORD, 0, 0, 0, "  tabs\tand\nnewlines\r\n ", "tabs|and|newlines");
    expect_tokens(TOKENIZE_WORD, 0, 0, 0, "", "");
    expect_tokens(TOKENIZE_WORD, 0, 0, 0, "\xe2\x80\x9cquote\xe2\x80\x9d \xc2\xab" "a\xc2\xbb",
                  "\xe2\x80\x9c|quote|\xe2\x80\x9d|\xc2\xab|a|\xc2\xbb");
    /* CJK ideographs are tokens of their own; a run of Latin letters stays a word */
    expect_tokens(TOKENIZE_WORD, 0, 0, 0, "\xe6\x88\x91\xe5\x96\x9c\xe6\xac\xa2" "abc\xe5\xba\x97",
                  "\xe6\x88\x91|\xe5\x96\x9c|\xe6\xac\xa2|abc|\xe5\xba\x97");
    expect_tokens(TOKENIZE_WORD, 0, 0, 0, "3.14 x2", "3|.|14|x2");
}

static const char *const chinese = "\xe6\x88\x91\xe5\x96\x9c\xe6\xac\xa2\xe8\xbf\x99\xe5\xae\xb6\xe5\xba\x97\xef\xbc\x81";

static void test_tokenize_chars_and_whole(void) {
    const char *six = "\xe6\x88\x91|\xe5\x96\x9c|\xe6\xac\xa2|\xe8\xbf\x99|\xe5\xae\xb6|\xe5\xba\x97";
    char seven[128];
    snprintf(seven, sizeof seven, "%s|\xef\xbc\x81", six);
    expect_tokens(TOKENIZE_CHAR, 0, 0, 0, chinese, seven);
    expect_tokens(TOKENIZE_CHAR, 0, 1, 0, chinese, six);
    expect_tokens(TOKENIZE_CHAR, 1, 1, 0, "A b,\xc3\x89", "a|b|\xc3\xa9");
    expect_tokens(TOKENIZE_WHOLE, 1, 1, 1, "New York, <b>", "new york, <b>");
    expect_tokens(TOKENIZE_WHOLE, 0, 0, 0, "", "");
    TokenizerOptions o = {.mode = TOKENIZE_WHOLE};
    TokenList l = {0};
    expect(tokenize(&o, "", 0, 1, &l, NULL) == 1 && l.count == 1 && l.len[0] == 0, "whole mode: empty text is one empty token");
    token_list_free(&l);
}

static void test_tokenize_html(void) {
    expect_tokens(TOKENIZE_WORD, 0, 0, 1, "good<br />movie", "good|movie");
    expect_tokens(TOKENIZE_WORD, 0, 0, 0, "good<br />movie", "good|<|br|/|>|movie");
    expect_tokens(TOKENIZE_WORD, 1, 1, 1, "A <b>bold</b> move<!-- x -->!", "a|bold|move");
    expect_tokens(TOKENIZE_WORD, 0, 0, 1, "1 < 2 and 3 > 2", "1|<|2|and|3|>|2");
    expect_tokens(TOKENIZE_WORD, 0, 0, 1, "x<y", "x|<|y");
    expect_tokens(TOKENIZE_CHAR, 0, 0, 1, "a<br/>b", "a|b");
    char far[400];
    snprintf(far, sizeof far, "<a%0300d>", 0); /* the '>' is 302 bytes after the '<' */
    TokenizerOptions o = {.mode = TOKENIZE_WORD, .strip_html = 1};
    TokenList l = {0};
    long n = tokenize(&o, far, strlen(far), 1, &l, NULL);
    expect(n == 3 && strcmp(l.text + l.start[0], "<") == 0 && l.len[1] == 301 && strcmp(l.text + l.start[2], ">") == 0,
           "a '>' more than 256 bytes on is not a tag: %ld tokens", n);
    token_list_free(&l);
}

static void test_tokenize_errors_and_append(void) {
    TokenizerOptions o = {.mode = TOKENIZE_WORD, .lowercase = 1};
    TokenList l = {0};
    ParseError err = {0};
    token_list_push(&l, "keep", 4);
    size_t used = l.used;
    long n = tokenize(&o, "ok \xff bad", 8, 42, &l, &err);
    expect(n == -1 && err.line == 42 && strstr(err.message, "invalid UTF-8 at byte 3 of the text"),
           "invalid UTF-8: %ld, line %ld, '%s'", n, err.line, err.message);
    expect(l.count == 1 && l.used == used && strcmp(joined(&l, 0), "keep") == 0, "invalid UTF-8 leaves the list unchanged");
    n = tokenize(&o, "trunc \xe6\x88", 8, 3, &l, &err);
    expect(n == -1 && strstr(err.message, "byte 6"), "truncated character at the end: '%s'", err.message);
    n = tokenize(&o, "Two Words", 9, 1, &l, &err);
    expect(n == 2 && strcmp(joined(&l, 0), "keep|two|words") == 0, "tokenize appends: %ld '%s'", n, joined(&l, 0));
    token_list_clear(&l);
    expect(l.count == 0, "token_list_clear");
    token_list_push(&l, "B-PER", 5);
    expect(l.count == 1 && strcmp(l.text + l.start[0], "B-PER") == 0, "token_list_push after clear");
    token_list_free(&l);
}

static void test_tokenize_many(void) {
    size_t words = 200000, cap = words * 8;
    char *text = malloc(cap), *p = text;
    for (size_t i = 0; i < words; i++) p += sprintf(p, "W%zu ", i % 1000);
    TokenizerOptions o = {.mode = TOKENIZE_WORD, .lowercase = 1};
    TokenList l = {0};
    long n = tokenize(&o, text, (size_t)(p - text), 1, &l, NULL);
    expect(n == (long)words && strcmp(l.text + l.start[n - 1], "w999") == 0 && strcmp(l.text + l.start[1234], "w234") == 0,
           "200000 words in one text: %ld tokens", n);
    token_list_free(&l);
    free(text);
}

/* ---- vocabulary ---- */

static void add_all(Vocab *v, const char *const *words, int n) {
    for (int i = 0; i < n; i++) vocab_add(v, words[i], strlen(words[i]));
}

static const char *vocab_listing(const Vocab *v) {
    static char buf[4096];
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < v->size; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s:%lld", i ? " " : "", v->words[i], (long long)v->counts[i]);
    return buf;
}

static void test_vocab_counting(void) {
    const char *const text[] = {"b", "a", "b", "c", "b", "a"};
    Vocab v;
    vocab_init(&v);
    expect(vocab_find(&v, "a", 1) == -1, "find in an empty vocabulary");
    add_all(&v, text, 6);
    expect_str(vocab_listing(&v), "b:3 a:2 c:1", "counting vocabulary in insertion order");
    expect(vocab_find(&v, "c", 1) == 2 && vocab_find(&v, "d", 1) == -1 && vocab_find(&v, "bx", 1) == 0,
           "vocab_find by bytes and length");
    expect(vocab_add(&v, "", 0) == 3 && vocab_find(&v, "", 0) == 3, "the empty string is a word");
    vocab_free(&v);
}

static void expect_from_counts(const char *const *words, int n, int64_t min_freq, int max_size, const char *want) {
    Vocab counts, out;
    vocab_init(&counts);
    add_all(&counts, words, n);
    vocab_from_counts(&counts, min_freq, max_size, &out);
    char what[64];
    snprintf(what, sizeof what, "vocab_from_counts(min_freq=%lld, max_size=%d)", (long long)min_freq, max_size);
    expect_str(vocab_listing(&out), want, what);
    vocab_free(&counts), vocab_free(&out);
}

static void test_vocab_from_counts(void) {
    const char *const text[] = {"c", "b", "a", "b", "zz", "b", "a", "ab", "abc", "a", "b", "<unk>"};
    const char *const reordered[] = {"<unk>", "abc", "a", "a", "ab", "b", "b", "b", "b", "a", "zz", "c"};
    const char *specials = "<pad>:0 <unk>:0 <bos>:0 <eos>:0";
    char want[256];
    snprintf(want, sizeof want, "%s b:4 a:3 ab:1 abc:1 c:1 zz:1", specials);
    expect_from_counts(text, 12, 1, 0, want);
    expect_from_counts(reordered, 12, 0, 0, want); /* same counts, other order: same ids */
    snprintf(want, sizeof want, "%s b:4 a:3", specials);
    expect_from_counts(text, 12, 2, 0, want);
    snprintf(want, sizeof want, "%s b:4 a:3 ab:1", specials);
    expect_from_counts(text, 12, 1, 7, want);
    expect_from_counts(text, 12, 1, 4, specials);
    expect_from_counts(text, 12, 1, 2, specials);
    expect_from_counts(text, 12, 5, 0, specials);
    Vocab counts, out;
    vocab_init(&counts);
    add_all(&counts, text, 12);
    vocab_from_counts(&counts, 1, 0, &out);
    expect(vocab_id(&out, "b", 1) == 4 && vocab_id(&out, "nope", 4) == VOCAB_UNK && vocab_id(&out, "<pad>", 5) == VOCAB_PAD,
           "vocab_id: known word, unknown word, special");
    vocab_free(&counts), vocab_free(&out);
}

static void test_vocab_many(void) {
    enum { WORDS = 100000 };
    Vocab v;
    vocab_init(&v);
    char word[32];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < WORDS; i++) vocab_add(&v, word, (size_t)sprintf(word, "w%d", i));
    int bad = 0;
    for (int i = 0; i < WORDS; i++) {
        int id = vocab_find(&v, word, (size_t)sprintf(word, "w%d", i));
        if (id != i || v.counts[id] != 2 || strcmp(v.words[id], word) != 0) bad++;
    }
    expect(v.size == WORDS && bad == 0, "100000 distinct words: size %d, %d wrong", v.size, bad);
    expect((v.slot_cap & (v.slot_cap - 1)) == 0 && 10 * (size_t)v.size <= 7 * v.slot_cap,
           "table capacity %zu is a power of two at <= 70%% load", v.slot_cap);
    expect(vocab_find(&v, "w100000", 7) == -1, "absent word in a large table");
    vocab_free(&v);
}

/* ---- GloVe ---- */

static int parse_glove(const char *line, int *dim, float *vec, size_t *word_len, ParseError *err) {
    return glove_parse_line(line, strlen(line), 9, dim, vec, word_len, err);
}

static void test_glove_parse_ok(void) {
    float vec[GLOVE_MAX_DIM];
    size_t word_len = 0;
    int dim = 0;
    ParseError err = {0};
    int rc = parse_glove("the 0.1 -0.2 3e-1\n", &dim, vec, &word_len, &err);
    expect(rc == 0 && dim == 3 && word_len == 3 && vec[0] == 0.1f && vec[1] == -0.2f && vec[2] == 0.3f,
           "glove line: rc %d dim %d word_len %zu (%s)", rc, dim, word_len, err.message);
    rc = parse_glove(". . . 1 2 3\r\n", &dim, vec, &word_len, &err);
    expect(rc == 0 && word_len == 5 && vec[2] == 3.0f, "glove word with spaces: rc %d word_len %zu", rc, word_len);
    expect(parse_glove("\n", &dim, vec, &word_len, &err) == 1, "glove blank line");
    const char *long_line = "cat 1 2 3999";
    rc = glove_parse_line(long_line, strlen(long_line) - 3, 1, &dim, vec, &word_len, &err);
    expect(rc == 0 && vec[2] == 3.0f, "glove line not NUL-terminated: only its n bytes are read");
    dim = 0;
    rc = parse_glove("400000 300\n", &dim, vec, &word_len, &err);
    expect(rc == 1 && dim == 300, "word2vec header line: rc %d dim %d", rc, dim);
}

static void expect_glove_error(int dim, const char *line, const char *want) {
    float vec[GLOVE_MAX_DIM];
    size_t word_len;
    ParseError err = {0};
    int rc = parse_glove(line, &dim, vec, &word_len, &err);
    expect(rc == -1 && err.line == 9 && strstr(err.message, want), "glove line '%s': rc %d, '%s', want '%s'", line, rc,
           err.message, want);
}

static void test_glove_parse_errors(void) {
    expect_glove_error(3, "cat 0.1 0.2\n", "2 values where the first line had 3");
    expect_glove_error(3, "cat 0.1 0.2 0.3 0.4\n", "more values than the 3 of the first line");
    expect_glove_error(3, "cat 0.1 abc 0.3\n", "value 2 is not a finite number: 'abc'");
    expect_glove_error(3, "cat 0.1 nan 0.3\n", "value 2 is not a finite number");
    expect_glove_error(3, "cat inf 0 0\n", "value 1 is not a finite number");
    expect_glove_error(3, "cat 0 0 1e999\n", "value 3 is not a finite number");
    expect_glove_error(3, "cat 0 0 0x\n", "value 3 is not a finite number");
    expect_glove_error(3, "\xff\xfe 1 2 3\n", "invalid UTF-8 in the word at byte 0");
    expect_glove_error(3, "  1 2 3\n", "2 values where");
    expect_glove_error(2, " 1 2\n", "1 values where the first line had 2");
    expect_glove_error(0, "lonely\n", "a word with no values: 'lonely'");
    expect_glove_error(0, "5 0\n", "header line gives 0 dimensions");
}

static const char glove_text[] =
    "the 0.1 0.2 0.3\n"
    "Cat 1 2 3\n"
    "cat 4 5 6\n"
    "cat 7 8 9\n"
    "<unk> 9 9 9\n"
    "zebra -1 -2 -3\n";

static void glove_vocab(PreparedDataset *d) {
    static const char *const words[] = {"<pad>", "<unk>", "<bos>", "<eos>", "the", "cat", "dog", "mouse"};
    memset(d, 0, sizeof *d);
    vocab_init(&d->vocab);
    add_all(&d->vocab, words, 8);
}

static void test_glove_attach(void) {
    const char *path = temp_file("vectors.txt", glove_text, sizeof glove_text - 1);
    PreparedDataset a, b, c;
    glove_vocab(&a), glove_vocab(&b), glove_vocab(&c);
    glove_attach(&a, path, 7);
    glove_attach(&b, path, 7);
    glove_attach(&c, path, 8);
    const float *e = a.embedding;
    expect(a.embedding_dim == 3 && a.embedding_hits == 2, "glove: dim %d hits %ld, want 3 and 2", a.embedding_dim,
           a.embedding_hits);
    expect(e[12] == 0.1f && e[14] == 0.3f && e[15] == 4 && e[17] == 6, "glove: rows of 'the' and 'cat' (first one wins)");
    expect(e[0] == 0 && e[1] == 0 && e[2] == 0, "glove: <pad> row is zero");
    expect(e[3] != 9 && e[3] != 0, "glove: <unk> is not looked up: %g", e[3]);
    expect(memcmp(a.embedding, b.embedding, sizeof(float) * 24) == 0, "glove: same seed, same rows");
    expect(memcmp(a.embedding + 18, c.embedding + 18, sizeof(float) * 6) != 0, "glove: another seed, other rows");
    double s, sum = 0, sq = 0;
    const double values[] = {.1, .2, .3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, -1, -2, -3};
    for (int i = 0; i < 18; i++) sum += values[i], sq += values[i] * values[i];
    s = sqrt(sq / 18 - (sum / 18) * (sum / 18));
    int outside = 0;
    for (int i = 18; i < 24; i++) outside += e[i] == 0 || fabs(e[i]) > 5 * s;
    expect(outside == 0, "glove: missing rows drawn from N(0, %.3g^2)", s);
    free(a.embedding), free(b.embedding), free(c.embedding);
    vocab_free(&a.vocab), vocab_free(&b.vocab), vocab_free(&c.vocab);
}

static void attach_fn(const void *path) {
    PreparedDataset d;
    glove_vocab(&d);
    glove_attach(&d, path, 1);
}

static void test_glove_attach_errors(void) {
    const char *bad = temp_file("bad.txt", "a 1 2 3\nb 1 x 3\n", 16);
    char want[300];
    snprintf(want, sizeof want, "recur: %s:2: value 2 is not a finite number: 'x'", bad);
    expect_exit2(attach_fn, bad, want, "glove bad value");
    const char *empty = temp_file("empty_vectors.txt", "", 0);
    snprintf(want, sizeof want, "recur: %s: no vectors", empty);
    expect_exit2(attach_fn, empty, want, "glove empty file");
    expect_exit2(attach_fn, "/nonexistent/glove.txt", "/nonexistent/glove.txt: cannot read", "glove missing file");
}

int main(void) {
    if (!mkdtemp(temp_dir)) return perror("mkdtemp"), 1;
    test_parse_fail();
    test_text_file();
    test_utf8_decode();
    test_utf8_round_trip();
    test_unicode_lower();
    test_unicode_classes();
    test_tokenize_words();
    test_tokenize_chars_and_whole();
    test_tokenize_html();
    test_tokenize_errors_and_append();
    test_tokenize_many();
    test_vocab_counting();
    test_vocab_from_counts();
    test_vocab_many();
    test_glove_parse_ok();
    test_glove_parse_errors();
    test_glove_attach();
    test_glove_attach_errors();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", temp_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", temp_dir);
    printf("%d of %d checks failed\n", failures, checks);
    return failures ? 1 : 0;
}
