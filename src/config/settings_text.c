/* settings_text.c: `key = value` lines read back from settings text (settings_text.h). */
#include "settings_text.h"

#include <string.h>

/* Copies [from, to) into out (size n), cut to fit, without surrounding blanks. */
static void copy_trimmed(const char *from, const char *to, char *out, size_t n) {
    while (from < to && (*from == ' ' || *from == '\t')) from++;
    while (to > from && (to[-1] == ' ' || to[-1] == '\t' || to[-1] == '\r')) to--;
    size_t len = (size_t)(to - from) < n - 1 ? (size_t)(to - from) : n - 1;
    memcpy(out, from, len);
    out[len] = 0;
}

int settings_next(const char **cursor, char key[SETTING_KEY_MAX], char value[SETTING_VALUE_MAX]) {
    const char *at = *cursor;
    while (*at) {
        const char *end = strchr(at, '\n');
        if (!end) end = at + strlen(at);
        const char *eq = memchr(at, '=', (size_t)(end - at));
        const char *line = at;
        at = *end ? end + 1 : end;
        if (*line == '#' || !eq) continue;
        copy_trimmed(line, eq, key, SETTING_KEY_MAX);
        copy_trimmed(eq + 1, end, value, SETTING_VALUE_MAX);
        *cursor = at;
        return 1;
    }
    *cursor = at;
    return 0;
}

int settings_lookup(const char *text, const char *key, char value[SETTING_VALUE_MAX]) {
    char name[SETTING_KEY_MAX];
    while (settings_next(&text, name, value))
        if (!strcmp(name, key)) return 1;
    return 0;
}
