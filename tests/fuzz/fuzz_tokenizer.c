/* fuzz_tokenizer.c: libFuzzer target for the tokenizer (src/data/tokenizer.h) and the UTF-8
 * decoder under it (src/data/utf8.h). The first byte picks the options: bits 0-1 the mode
 * (0 word, 1 char, 2 whole, 3 word), bit 2 lowercase, bit 3 strip_punct, bit 4 strip_html;
 * the rest is the text.
 *
 * UTF-8: decoding code point after code point stops exactly at utf8_first_invalid; every
 * decoded character re-encodes to the same bytes (no overlong forms, surrogates or values
 * above U+10FFFF get through), and its lower case is a valid character no longer than it.
 * Tokenizer: it fails iff the text is not valid UTF-8, leaving the list unchanged, with a
 * one-line error; otherwise the tokens are appended after what the list held, each valid
 * UTF-8 and NUL-terminated; word and char tokens are non-empty and hold no white space or
 * control character, char tokens are one character, whole mode gives one token (the text
 * itself without lowercase); without lowercase the tokens are pieces of the text in order;
 * with lowercase they are already lower case; with strip_punct none is punctuation. */
#include <stdint.h>

#include "data/tokenizer.h"
#include "data/utf8.h"
#include "fuzz_check.h"

enum { LINE_NO = 7 };
static const char MARKER[] = "marker";

/* First occurrence of t[0..k) in s[0..n) (k > 0), or NULL (memmem is not POSIX). */
static const char *find_bytes(const char *s, size_t n, const char *t, size_t k) {
    for (const char *p = s; k <= n && (p = memchr(p, t[0], n - k + 1 - (size_t)(p - s))) != NULL; p++)
        if (memcmp(p, t, k) == 0) return p;
    return NULL;
}

static int is_invisible(uint32_t cp) {
    return unicode_is_space(cp) || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Decodes s[0..n) character by character with the checks above; returns where it stopped. */
static size_t check_decoding(const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint32_t cp = 0;
        int len = utf8_decode(s + i, n - i, &cp);
        if (len == 0) break;
        FUZZ_CHECK(len >= 1 && len <= 4 && (size_t)len <= n - i);
        FUZZ_CHECK(cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF));
        char bytes[4];
        FUZZ_CHECK(utf8_encode(cp, bytes) == len && memcmp(bytes, s + i, (size_t)len) == 0);
        uint32_t lower = unicode_lower(cp);
        FUZZ_CHECK(lower <= 0x10FFFF && (lower < 0xD800 || lower > 0xDFFF));
        FUZZ_CHECK(utf8_encode(lower, bytes) <= len);
        i += (size_t)len;
    }
    FUZZ_CHECK(utf8_first_invalid(s, n) == i);
    return i;
}

/* The code points of token t, checked against the options. */
static void check_token_chars(const TokenizerOptions *o, const char *t, size_t len) {
    size_t i = 0;
    int chars = 0;
    while (i < len) {
        uint32_t cp;
        int k = utf8_decode(t + i, len - i, &cp);
        FUZZ_CHECK(k > 0);
        if (o->mode != TOKENIZE_WHOLE) FUZZ_CHECK(!is_invisible(cp));
        if (o->mode != TOKENIZE_WHOLE && o->strip_punct && i == 0) FUZZ_CHECK(!unicode_is_punct(cp));
        if (o->lowercase) FUZZ_CHECK(unicode_lower(cp) == cp);
        i += (size_t)k, chars++;
    }
    if (o->mode == TOKENIZE_CHAR) FUZZ_CHECK(chars == 1);
}

static void check_tokens(const TokenizerOptions *o, const char *s, size_t n, const TokenList *l,
                         long first) {
    FUZZ_CHECK(l->used <= l->text_cap && l->count <= l->cap);
    size_t from = 0, total = 0;
    for (long i = first; i < l->count; i++) {
        const char *t = l->text + l->start[i];
        size_t len = l->len[i];
        FUZZ_CHECK(l->start[i] + len < l->used && t[len] == '\0');
        FUZZ_CHECK(utf8_first_invalid(t, len) == len);
        if (o->mode != TOKENIZE_WHOLE) FUZZ_CHECK(len > 0);
        check_token_chars(o, t, len);
        if (!o->lowercase && len > 0) { /* a piece of the text, after the previous one */
            const char *at = find_bytes(s + from, n - from, t, len);
            FUZZ_CHECK(at != NULL);
            from = (size_t)(at - s) + len;
        }
        total += len;
    }
    FUZZ_CHECK(total <= n);
    if (o->mode == TOKENIZE_WHOLE) {
        FUZZ_CHECK(l->count - first == 1);
        if (!o->lowercase) FUZZ_CHECK(l->len[first] == n && memcmp(l->text + l->start[first], s, n) == 0);
    }
}

static void check_tokenize(const TokenizerOptions *o, const char *s, size_t n, int valid) {
    TokenList l = {0};
    token_list_push(&l, MARKER, sizeof MARKER - 1);
    size_t used = l.used;
    ParseError err;
    fuzz_reset_error(&err);
    long rc = tokenize(o, s, n, LINE_NO, &l, &err);
    if (valid) {
        FUZZ_CHECK(rc >= 0 && rc == l.count - 1);
        check_tokens(o, s, n, &l, 1);
    } else {
        FUZZ_CHECK(rc == -1 && l.count == 1 && l.used == used);
        fuzz_check_error(&err, LINE_NO);
        FUZZ_CHECK(err.line == LINE_NO);
    }
    FUZZ_CHECK(l.len[0] == sizeof MARKER - 1 && strcmp(l.text + l.start[0], MARKER) == 0);
    token_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    static const TokenizeMode modes[4] = {TOKENIZE_WORD, TOKENIZE_CHAR, TOKENIZE_WHOLE, TOKENIZE_WORD};
    TokenizerOptions o = {.mode = modes[data[0] & 3],
                          .lowercase = (data[0] >> 2) & 1,
                          .strip_punct = (data[0] >> 3) & 1,
                          .strip_html = (data[0] >> 4) & 1};
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    int valid = check_decoding(s, n) == n;
    check_tokenize(&o, s, n, valid);
    return 0;
}
