/* fuzz_series_time.c: libFuzzer target for the dates of a series time column
 * (src/prep/series_time.h). Input: any bytes, read as one NUL-terminated text (cut at the
 * first NUL), as a time cell or an until value would be.
 *
 * On success: 2 to 6 fields, each in its range and unwritten fields 0; the time compares
 * equal to itself, and written back in ISO order at its own precision it parses to the
 * same fields; every shorter prefix of it compares equal too (an until of lower precision
 * covers it). On failure: nothing to check but that it returned -1 without crashing. */
#include <stdint.h>

#include "fuzz_check.h"
#include "prep/series_time.h"

/* t written as YYYY-MM[-DD[ HH[:MM[:SS]]]] with its first `fields` fields. */
static void write_iso(const SeriesTime *t, int fields, char *out, size_t cap) {
    static const char *const forms[SERIES_TIME_FIELDS + 1] = {
        "", "", "%04ld-%02ld", "%04ld-%02ld-%02ld", "%04ld-%02ld-%02ld %02ld",
        "%04ld-%02ld-%02ld %02ld:%02ld", "%04ld-%02ld-%02ld %02ld:%02ld:%02ld"};
    snprintf(out, cap, forms[fields], t->v[0], t->v[1], t->v[2], t->v[3], t->v[4], t->v[5]);
}

static void check_time(const SeriesTime *t) {
    static const long hi[SERIES_TIME_FIELDS] = {9999, 12, 31, 23, 59, 60};
    FUZZ_CHECK(t->fields >= 2 && t->fields <= SERIES_TIME_FIELDS);
    for (int k = 0; k < SERIES_TIME_FIELDS; k++) {
        FUZZ_CHECK(t->v[k] >= 0 && t->v[k] <= hi[k]);
        if (k >= t->fields) FUZZ_CHECK(t->v[k] == 0);
        else if (k == 1 || k == 2) FUZZ_CHECK(t->v[k] >= 1);
    }
    FUZZ_CHECK(series_time_compare(t, t) == 0);
    char text[64];
    for (int fields = 2; fields <= t->fields; fields++) {
        write_iso(t, fields, text, sizeof text);
        SeriesTime prefix;
        FUZZ_CHECK(series_time_parse(text, &prefix) == 0 && prefix.fields == fields);
        FUZZ_CHECK(series_time_compare(t, &prefix) == 0);
        if (fields == t->fields) FUZZ_CHECK(memcmp(prefix.v, t->v, sizeof t->v) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    SeriesTime t;
    int rc = series_time_parse(text, &t);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0) check_time(&t);
    free(text);
    return 0;
}
