/* series_time.c: dates and times of a series time column (series_time.h). Reads and
 * compares text; it must not allocate, print or exit. */
#include "series_time.h"

#include <ctype.h>
#include <string.h>

/* Reads lo..hi digits at *p into *v; returns 1, or 0 (nothing read) when the run of digits
 * there is shorter or longer. */
static int field(const char **p, long *v, int lo, int hi) {
    const char *q = *p;
    long x = 0;
    while (isdigit((unsigned char)*q) && q - *p <= hi) x = 10 * x + (*q++ - '0');
    int n = (int)(q - *p);
    if (n < lo || n > hi) return 0;
    *v = x, *p = q;
    return 1;
}

static const char *skip_spaces(const char *p) {
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* YYYY-MM[-DD] or YYYY/MM[/DD] at p (the year already read); returns the end or NULL. */
static const char *iso_date(const char *p, SeriesTime *t) {
    char sep = *p++;
    if (!field(&p, &t->v[1], 1, 2)) return NULL;
    t->fields = 2;
    if (*p != sep) return p;
    p++;
    if (!field(&p, &t->v[2], 1, 2)) return NULL;
    t->fields = 3;
    return p;
}

/* DD.MM.YYYY at p (the day already read into v[0]); returns the end or NULL. */
static const char *dotted_date(const char *p, SeriesTime *t) {
    t->v[2] = t->v[0];
    if (*p++ != '.' || !field(&p, &t->v[1], 1, 2) || *p++ != '.' || !field(&p, &t->v[0], 4, 4))
        return NULL;
    t->fields = 3;
    return p;
}

/* [ HH[:MM[:SS]]] after a full date; returns the end or NULL. */
static const char *clock(const char *p, SeriesTime *t) {
    if ((*p != ' ' && *p != 'T') || !isdigit((unsigned char)p[1])) return p;
    p++;
    if (!field(&p, &t->v[3], 1, 2)) return NULL;
    t->fields = 4;
    while (t->fields < SERIES_TIME_FIELDS && *p == ':') {
        p++;
        if (!field(&p, &t->v[t->fields], 2, 2)) return NULL;
        t->fields++;
    }
    return p;
}

static int in_range(const SeriesTime *t) {
    static const long lo[SERIES_TIME_FIELDS] = {0, 1, 1, 0, 0, 0};
    static const long hi[SERIES_TIME_FIELDS] = {9999, 12, 31, 23, 59, 60};
    for (int k = 1; k < t->fields; k++)
        if (t->v[k] < lo[k] || t->v[k] > hi[k]) return 0;
    return 1;
}

int series_time_parse(const char *s, SeriesTime *t) {
    memset(t, 0, sizeof *t);
    const char *p = skip_spaces(s);
    if (field(&p, &t->v[0], 4, 4) && (*p == '-' || *p == '/')) p = iso_date(p, t);
    else if (field(&p, &t->v[0], 1, 2) && *p == '.') p = dotted_date(p, t);
    else return -1;
    if (p && t->fields == 3) p = clock(p, t);
    if (!p || *skip_spaces(p) || !in_range(t)) return -1;
    return 0;
}

int series_time_compare(const SeriesTime *row, const SeriesTime *until) {
    for (int k = 0; k < until->fields; k++)
        if (row->v[k] != until->v[k]) return row->v[k] < until->v[k] ? -1 : 1;
    return 0;
}
