/* tagged_sentence.c: the growing sentence and the line cursor of the tagging parsers
 * (tagged_sentence.h). No I/O, no exits except xmalloc's out-of-memory. */
#include "tagged_sentence.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"

void tagged_sentence_push(TaggedSentence *s, TaggedWord w) {
    if (s->count == s->cap) {
        long cap = s->cap ? 2 * s->cap : 64;
        TaggedWord *words = xmalloc(sizeof *words * (size_t)cap, "tagged sentence");
        if (s->count) memcpy(words, s->words, sizeof *words * (size_t)s->count);
        free(s->words);
        s->words = words, s->cap = cap;
    }
    s->words[s->count++] = w;
}

void tagged_sentence_free(TaggedSentence *s) {
    free(s->words);
    memset(s, 0, sizeof *s);
}

void line_cursor_init(LineCursor *c, const char *data, size_t size) {
    static const char bom[3] = {'\xEF', '\xBB', '\xBF'};
    c->p = data, c->end = data + size, c->line = 0;
    if (size >= 3 && !memcmp(data, bom, 3)) c->p += 3;
}

int line_cursor_next(LineCursor *c, const char **s, size_t *n) {
    if (c->p >= c->end) return 0;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    const char *stop = nl ? nl : c->end;
    *s = c->p;
    *n = (size_t)(stop - c->p);
    if (*n > 0 && stop[-1] == '\r') (*n)--;
    c->p = nl ? nl + 1 : c->end;
    c->line++;
    return 1;
}

int line_is_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return 0;
    return 1;
}
