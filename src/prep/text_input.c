/* text_input.c: UTF-8 checks of converter input with the line named (text_input.h). */
#include "text_input.h"

#include <string.h>

#include "converters.h"
#include "data/utf8.h"

enum { CONTEXT_BYTES = 24 };

long count_line_breaks(const char *s, size_t n) {
    long lines = 0;
    for (const char *end = s + n; (s = memchr(s, '\n', (size_t)(end - s))) != NULL; s++) lines++;
    return lines;
}

void require_utf8(const char *file, long first_line, const char *s, size_t n, const char *what) {
    size_t bad = utf8_first_invalid(s, n);
    if (bad == n) return;
    /* The valid text just before the bad byte, from a character boundary and its line. */
    size_t from = bad > CONTEXT_BYTES ? bad - CONTEXT_BYTES : 0;
    while (from < bad && ((unsigned char)s[from] & 0xC0) == 0x80) from++;
    const char *nl = memchr(s + from, '\n', bad - from);
    while (nl) {
        from = (size_t)(nl - s) + 1;
        nl = memchr(s + from, '\n', bad - from);
    }
    long line = first_line + count_line_breaks(s, bad);
    unsigned byte = (unsigned char)s[bad];
    if (from == bad)
        prep_fail(file, line, "invalid UTF-8 in %s: byte 0x%02X at the start of its line (convert the file "
                  "to UTF-8, e.g. with iconv)", what, byte);
    prep_fail(file, line, "invalid UTF-8 in %s: byte 0x%02X after '%.*s' (convert the file to UTF-8, e.g. with "
              "iconv)", what, byte, (int)(bad - from), s + from);
}

TextFile prep_read_text(const char *path, const PrepConfig *cfg) {
    TextFile f = text_file_read(path);
    if (cfg->encoding == ENCODING_LATIN1) text_file_from_latin1(&f);
    return f;
}
