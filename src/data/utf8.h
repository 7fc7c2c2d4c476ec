/* utf8.h: UTF-8 decoding and encoding, and the few Unicode character classes the
 * tokenizer needs (lower case, white space, punctuation, CJK ideographs).
 *
 * Strict decoding: overlong forms, surrogates (U+D800..U+DFFF), code points above
 * U+10FFFF and truncated sequences are invalid. Lower-casing covers ASCII, Latin-1,
 * Latin Extended-A, Greek, Cyrillic and the fullwidth Latin letters; other scripts are
 * left as they are. Pure functions, no allocation. */
#ifndef RECUR_UTF8_H
#define RECUR_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s (n > 0 bytes available). Returns the bytes it used (1..4)
 * and sets *cp, or 0 when the bytes at s are not valid UTF-8. */
int utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Writes cp (<= U+10FFFF, not a surrogate) as 1..4 bytes into out; returns the count. */
int utf8_encode(uint32_t cp, char out[4]);
/* Byte offset of the first invalid sequence, or n when all of s[0..n) is valid. */
size_t utf8_first_invalid(const char *s, size_t n);

uint32_t unicode_lower(uint32_t cp);
int unicode_is_space(uint32_t cp);  /* ASCII and Unicode white space, incl. U+00A0, U+3000 */
int unicode_is_punct(uint32_t cp);  /* ASCII punctuation and symbols, General Punctuation,
                                       CJK and fullwidth punctuation, Latin-1 punctuation */
int unicode_is_cjk(uint32_t cp);    /* CJK ideographs, kana, hangul syllables */

#endif
