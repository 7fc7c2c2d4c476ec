/* utf8.c: strict UTF-8 decoding and encoding, and the small Unicode tables the tokenizer
 * needs (utf8.h). Pure functions over constant tables: no allocation, no locale, no state.
 * The tables cover the scripts recur's corpora use; they are not the full Unicode
 * database, and that is deliberate (no dependency, same result on every machine). */
#include "utf8.h"

#include <stdbool.h>

typedef struct { uint32_t lo, hi; } CodeRange;

static bool in_ranges(uint32_t cp, const CodeRange *r, int count) {
    for (int i = 0; i < count; i++)
        if (cp >= r[i].lo && cp <= r[i].hi) return true;
    return false;
}
#define IN_RANGES(cp, table) in_ranges((cp), (table), (int)(sizeof(table) / sizeof((table)[0])))

/* ---- decoding and encoding ---- */

static bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

/* For a lead byte: the sequence length (0 = never valid as a lead) and the allowed range
 * of the second byte, which is where overlongs, surrogates and > U+10FFFF are excluded. */
static int lead_length(unsigned char b, unsigned char *lo, unsigned char *hi) {
    *lo = 0x80, *hi = 0xBF;
    if (b < 0x80) return 1;
    if (b < 0xC2) return 0;               /* continuation byte, or overlong C0/C1 */
    if (b < 0xE0) return 2;
    if (b < 0xF0) {
        if (b == 0xE0) *lo = 0xA0;        /* overlong 3-byte */
        if (b == 0xED) *hi = 0x9F;        /* surrogates U+D800..U+DFFF */
        return 3;
    }
    if (b < 0xF5) {
        if (b == 0xF0) *lo = 0x90;        /* overlong 4-byte */
        if (b == 0xF4) *hi = 0x8F;        /* above U+10FFFF */
        return 4;
    }
    return 0;
}

int utf8_decode(const char *s, size_t n, uint32_t *cp) {
    const unsigned char *u = (const unsigned char *)s;
    unsigned char lo, hi;
    int len = lead_length(u[0], &lo, &hi);
    if (len == 0 || (size_t)len > n) return 0;
    if (len == 1) {
        *cp = u[0];
        return 1;
    }
    if (u[1] < lo || u[1] > hi) return 0;
    uint32_t value = u[0] & (0x7Fu >> len);
    for (int i = 1; i < len; i++) {
        if (!is_continuation(u[i])) return 0;
        value = (value << 6) | (u[i] & 0x3Fu);
    }
    *cp = value;
    return len;
}

int utf8_encode(uint32_t cp, char out[4]) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t utf8_first_invalid(const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) { /* ASCII fast path */
            i++;
            continue;
        }
        uint32_t cp;
        int len = utf8_decode(s + i, n - i, &cp);
        if (len == 0) return i;
        i += (size_t)len;
    }
    return n;
}

/* ---- lower case ---- */

/* Latin Extended-A (U+0100..U+017F): capitals and small letters alternate, the capital
 * on the even code point in three stretches and on the odd one in two. */
static uint32_t lower_latin_extended_a(uint32_t cp) {
    if (cp == 0x0130) return 'i';                   /* İ: dotted capital I */
    if (cp == 0x0178) return 0x00FF;                /* Ÿ -> ÿ */
    bool capital_even = (cp <= 0x0137) || (cp >= 0x014A && cp <= 0x0177);
    bool capital_odd = (cp >= 0x0139 && cp <= 0x0148) || (cp >= 0x0179 && cp <= 0x017E);
    if (capital_even && cp % 2 == 0) return cp + 1;
    if (capital_odd && cp % 2 == 1) return cp + 1;
    return cp;
}

static uint32_t lower_greek(uint32_t cp) {
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2) return cp + 0x20;
    if (cp == 0x0386) return 0x03AC;                /* Ά */
    if (cp >= 0x0388 && cp <= 0x038A) return cp + 0x25; /* Έ Ή Ί */
    if (cp == 0x038C) return 0x03CC;                /* Ό */
    if (cp == 0x038E || cp == 0x038F) return cp + 0x3F; /* Ύ Ώ */
    return cp;
}

uint32_t unicode_lower(uint32_t cp) {
    if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 0x20 : cp;
    if (cp >= 0x00C0 && cp <= 0x00DE && cp != 0x00D7) return cp + 0x20;
    if (cp >= 0x0100 && cp <= 0x017F) return lower_latin_extended_a(cp);
    if (cp >= 0x0386 && cp <= 0x03A9) return lower_greek(cp);
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;
    if (cp >= 0x0400 && cp <= 0x040F) return cp + 0x50;
    if (cp >= 0xFF21 && cp <= 0xFF3A) return cp + 0x20;
    return cp;
}

/* ---- classes ---- */

/* White space, plus the zero width space and the byte order mark, which separate words
 * as far as a tokenizer is concerned. */
static const CodeRange space_ranges[] = {
    {0x85, 0x85}, {0xA0, 0xA0}, {0x1680, 0x1680},
    {0x2000, 0x200B}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F},
    {0x3000, 0x3000}, {0xFEFF, 0xFEFF},
};

int unicode_is_space(uint32_t cp) {
    if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    return IN_RANGES(cp, space_ranges);
}

/* Punctuation and symbols. Letters and digits inside these blocks are left out (ª µ º,
 * ² ³ ¹ ¼ ½ ¾, 々 〆 〇 and the Hangzhou numerals, the kana repeat marks), and so are
 * invisible format characters (soft hyphen, joiners, direction marks), which stay part of
 * the word they are in. */
static const CodeRange punct_ranges[] = {
    {0x00A1, 0x00A9}, {0x00AB, 0x00AC}, {0x00AE, 0x00B1}, {0x00B4, 0x00B4},
    {0x00B6, 0x00B8}, {0x00BB, 0x00BB}, {0x00BF, 0x00BF}, {0x00D7, 0x00D7},
    {0x00F7, 0x00F7},
    {0x2010, 0x2027}, {0x2030, 0x205E},           /* General Punctuation */
    {0x20A0, 0x20CF},                             /* currency symbols (€) */
    {0x3001, 0x3004}, {0x3008, 0x3020}, {0x3030, 0x3030}, {0x3036, 0x3037},
    {0x303D, 0x303F},                             /* CJK symbols and punctuation */
    {0x30A0, 0x30A0}, {0x30FB, 0x30FB},           /* katakana double hyphen, middle dot */
    {0xFF01, 0xFF0F}, {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65},
};

int unicode_is_punct(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) ||
               (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7E);
    return IN_RANGES(cp, punct_ranges);
}

static const CodeRange cjk_ranges[] = {
    {0x3041, 0x309F}, {0x30A1, 0x30FA}, {0x30FC, 0x30FF}, /* hiragana, katakana */
    {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, /* ideographs */
    {0xAC00, 0xD7AF},                                     /* hangul syllables */
    {0x20000, 0x2A6DF}, {0x2A700, 0x2EBEF}, {0x30000, 0x3134F},
};

int unicode_is_cjk(uint32_t cp) {
    if (cp < 0x3041) return 0;
    return IN_RANGES(cp, cjk_ranges);
}
