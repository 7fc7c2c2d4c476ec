/* tokenizer.c: UTF-8 text into token strings (tokenizer.h). It knows characters, not
 * vocabularies: no ids, no files, no exits (invalid UTF-8 is a ParseError).
 *
 * Choices the header leaves open:
 * - An apostrophe (ASCII ' or U+2019 ’) between two word characters belongs to the word
 *   (don't, it's, l’homme), with or without strip_punct; anywhere else it is punctuation.
 * - Control characters (C0, DEL, C1) separate words like white space.
 * - strip_html: a tag is `<` followed by a letter, `/`, `!` or `?`, up to the first `>`
 *   within HTML_TAG_MAX bytes of the `<`; it reads as one space. Any other `<` is
 *   ordinary punctuation. Whole mode never strips tags or punctuation.
 * - Whole mode always gives exactly one token, possibly empty, so tags stay aligned.
 * Memory: the list grows geometrically; no allocation per token. Lower-casing never makes
 * a character longer (see unicode_lower), so 2n+1 bytes of text always suffice for n
 * bytes of input (every token at least one byte plus its NUL). */
#include "tokenizer.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "utf8.h"

const char *const tokenize_mode_names[] = {"word", "char", "whole", 0};

enum { HTML_TAG_MAX = 256 };

/* ---- the token list ---- */

static void *grow_array(void *p, size_t count, size_t elem, const char *what) {
    void *grown = realloc(p, count * elem);
    if (!grown) recur_die(EXIT_RUNTIME, "out of memory growing %s to %zu entries", what, count);
    return grown;
}

static void reserve_tokens(TokenList *l, long extra) {
    if (l->count + extra <= l->cap) return;
    long cap = l->cap ? l->cap : 256;
    while (cap < l->count + extra) cap *= 2;
    l->start = grow_array(l->start, (size_t)cap, sizeof *l->start, "token starts");
    l->len = grow_array(l->len, (size_t)cap, sizeof *l->len, "token lengths");
    l->cap = cap;
}

static void reserve_text(TokenList *l, size_t extra) {
    if (l->used + extra <= l->text_cap) return;
    size_t cap = l->text_cap ? l->text_cap : 4096;
    while (cap < l->used + extra) cap *= 2;
    l->text = grow_array(l->text, cap, 1, "token text");
    l->text_cap = cap;
}

/* A token is opened (its start recorded), filled byte by byte, then closed (NUL, length,
 * count); text room must have been reserved by the caller. */
static void open_token(TokenList *l) {
    reserve_tokens(l, 1);
    l->start[l->count] = l->used;
}

static void close_token(TokenList *l) {
    l->len[l->count] = l->used - l->start[l->count];
    l->text[l->used++] = '\0';
    l->count++;
}

void token_list_push(TokenList *l, const char *s, size_t n) {
    reserve_text(l, n + 1);
    open_token(l);
    if (n) memcpy(l->text + l->used, s, n);
    l->used += n;
    close_token(l);
}

void token_list_clear(TokenList *l) { l->count = 0, l->used = 0; }

void token_list_free(TokenList *l) {
    free(l->start), free(l->len), free(l->text);
    memset(l, 0, sizeof *l);
}

/* ---- characters ---- */

typedef enum { CHAR_SPACE, CHAR_PUNCT, CHAR_CJK, CHAR_WORD } CharClass;

typedef struct Char {
    uint32_t cp;
    const char *bytes; /* in the input */
    int len;           /* 0 for a stripped HTML tag */
    CharClass cls;
} Char;

typedef struct Scanner {
    const char *s;
    size_t n, i;
    bool strip_html;
} Scanner;

static CharClass char_class(uint32_t cp) {
    if (unicode_is_space(cp) || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return CHAR_SPACE;
    if (unicode_is_punct(cp)) return CHAR_PUNCT;
    if (unicode_is_cjk(cp)) return CHAR_CJK;
    return CHAR_WORD;
}

static bool is_apostrophe(uint32_t cp) { return cp == '\'' || cp == 0x2019; }

static bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Bytes of the HTML tag starting at s[i], or 0 when no tag starts there. */
static size_t html_tag_length(const char *s, size_t n, size_t i) {
    if (s[i] != '<' || i + 1 >= n) return 0;
    char c = s[i + 1];
    if (!ascii_letter(c) && c != '/' && c != '!' && c != '?') return 0;
    size_t window = n - i < HTML_TAG_MAX ? n - i : HTML_TAG_MAX;
    const char *end = memchr(s + i + 1, '>', window - 1);
    return end ? (size_t)(end - (s + i)) + 1 : 0;
}

/* The character at the scanner (an HTML tag reads as one space); false at the end. The
 * text was validated, so decoding cannot fail. */
static bool next_char(Scanner *sc, Char *c) {
    if (sc->i >= sc->n) return false;
    size_t tag = sc->strip_html ? html_tag_length(sc->s, sc->n, sc->i) : 0;
    c->bytes = sc->s + sc->i;
    if (tag) {
        c->cp = ' ', c->len = 0, c->cls = CHAR_SPACE;
        sc->i += tag;
        return true;
    }
    unsigned char b = (unsigned char)*c->bytes;
    if (b < 0x80) /* the common case, without a call */
        c->cp = b, c->len = 1;
    else
        c->len = utf8_decode(c->bytes, sc->n - sc->i, &c->cp);
    c->cls = char_class(c->cp);
    sc->i += (size_t)c->len;
    return true;
}

/* Whether the character after the scanner (not consumed) is a word character. */
static bool next_is_word(const Scanner *sc) {
    uint32_t cp;
    if (sc->i >= sc->n || !utf8_decode(sc->s + sc->i, sc->n - sc->i, &cp)) return false;
    return char_class(cp) == CHAR_WORD;
}

static void append_char(TokenList *l, const Char *c, bool lowercase) {
    if (c->cp < 0x80) {
        l->text[l->used++] = (char)(lowercase && c->cp >= 'A' && c->cp <= 'Z' ? c->cp + 0x20 : c->cp);
        return;
    }
    uint32_t lower = lowercase ? unicode_lower(c->cp) : c->cp;
    if (lower != c->cp) {
        l->used += (size_t)utf8_encode(lower, l->text + l->used);
        return;
    }
    memcpy(l->text + l->used, c->bytes, (size_t)c->len);
    l->used += (size_t)c->len;
}

static void single_char_token(TokenList *l, const Char *c, bool lowercase) {
    open_token(l);
    append_char(l, c, lowercase);
    close_token(l);
}

/* ---- the three modes ---- */

static void tokenize_words(const TokenizerOptions *o, Scanner *sc, TokenList *out) {
    bool in_word = false;
    Char c;
    while (next_char(sc, &c)) {
        CharClass cls = c.cls;
        if (in_word && is_apostrophe(c.cp) && next_is_word(sc)) cls = CHAR_WORD;
        if (cls == CHAR_WORD) {
            if (!in_word) open_token(out);
            append_char(out, &c, o->lowercase);
            in_word = true;
            continue;
        }
        if (in_word) close_token(out);
        in_word = false;
        if (cls == CHAR_CJK || (cls == CHAR_PUNCT && !o->strip_punct))
            single_char_token(out, &c, o->lowercase);
    }
    if (in_word) close_token(out);
}

static void tokenize_chars(const TokenizerOptions *o, Scanner *sc, TokenList *out) {
    Char c;
    while (next_char(sc, &c)) {
        if (c.cls == CHAR_SPACE || (c.cls == CHAR_PUNCT && o->strip_punct)) continue;
        single_char_token(out, &c, o->lowercase);
    }
}

static void tokenize_whole(const TokenizerOptions *o, Scanner *sc, TokenList *out) {
    Char c;
    open_token(out);
    while (next_char(sc, &c)) append_char(out, &c, o->lowercase);
    close_token(out);
}

long tokenize(const TokenizerOptions *o, const char *s, size_t n, long line, TokenList *out,
              ParseError *err) {
    size_t bad = utf8_first_invalid(s, n);
    if (bad < n)
        return parse_fail(err, line, "invalid UTF-8 at byte %zu of the text (0x%02x)", bad,
                          (unsigned)(unsigned char)s[bad]);
    long before = out->count;
    reserve_text(out, 2 * n + 1);
    Scanner sc = {.s = s, .n = n, .i = 0, .strip_html = o->strip_html && o->mode != TOKENIZE_WHOLE};
    if (o->mode == TOKENIZE_WHOLE)
        tokenize_whole(o, &sc, out);
    else if (o->mode == TOKENIZE_CHAR)
        tokenize_chars(o, &sc, out);
    else
        tokenize_words(o, &sc, out);
    return out->count - before;
}
