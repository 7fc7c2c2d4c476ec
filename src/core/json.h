/* json.h: the one JSON string escape of the project (metrics.jsonl, `recur predict`).
 * Inside a JSON string a byte is itself, except `"` and `\` (backslash-escaped) and the
 * control bytes below 0x20 (\u00XX); UTF-8 sequences pass through unchanged. */
#ifndef RECUR_JSON_H
#define RECUR_JSON_H

#include <stdio.h>

/* The text of byte c inside a JSON string, in `buf` (8 bytes) or a literal. */
static inline const char *json_escape_byte(unsigned char c, char buf[8]) {
    if (c == '"') return "\\\"";
    if (c == '\\') return "\\\\";
    if (c < 0x20) snprintf(buf, 8, "\\u%04x", c);
    else buf[0] = (char)c, buf[1] = 0;
    return buf;
}

#endif
