/* h5_failure.c: a failed HDF5 call in one line (h5_failure.h). It walks HDF5's error
 * stack; it must not print or exit. */
#include "h5_failure.h"

#include <ctype.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Cause {
    int os_errno;          /* from a file driver's "errno = N" (0: none) */
    char file[1024];       /* from its "filename = '...'" */
    char innermost[512];   /* the most specific message */
    char op[16];           /* "read", "write", "open", ... as the driver's message says */
} Cause;

/* The text between `key` and the next quote, into out. */
static void quoted_after(const char *text, const char *key, char *out, size_t size) {
    const char *p = strstr(text, key);
    if (!p) return;
    p += strlen(key);
    const char *q = strchr(p, '\'');
    size_t n = q ? (size_t)(q - p) : strlen(p);
    if (n >= size) n = size - 1;
    memcpy(out, p, n);
    out[n] = 0;
}

static const char *const operations[] = {"write", "read", "open", "truncate", "close", "flush", 0};

static herr_t note_entry(unsigned n, const H5E_error2_t *e, void *data) {
    Cause *c = data;
    const char *desc = e->desc ? e->desc : "";
    if (n == 0) snprintf(c->innermost, sizeof c->innermost, "%s (in %s)", desc, e->func_name ? e->func_name : "?");
    const char *err = strstr(desc, "errno = ");
    if (!c->os_errno && err) {
        c->os_errno = atoi(err + 8);
        quoted_after(desc, "filename = '", c->file, sizeof c->file);
        for (int k = 0; operations[k]; k++)
            if (strstr(desc, operations[k])) {
                snprintf(c->op, sizeof c->op, "%s", operations[k]);
                break;
            }
    }
    return 0;
}

/* "X.tmp-1234" -> "X": the file the temporary one was to replace. */
static void strip_temp_suffix(char *path) {
    char *t = strstr(path, ".tmp-");
    if (!t || !t[5]) return;
    for (const char *d = t + 5; *d; d++)
        if (!isdigit((unsigned char)*d)) return;
    *t = 0;
}

/* "H5Dwrite(d, type, ...)" -> "H5Dwrite". */
static void function_name(const char *call, char *out, size_t size) {
    size_t n = strcspn(call, "( ");
    if (n >= size) n = size - 1;
    memcpy(out, call, n);
    out[n] = 0;
}

void h5_describe_failure(const char *call, const char *file, int line, char *out, size_t size) {
    const char *src = strstr(file, "src/"); /* the source file as the repository names it */
    if (src) file = src;
    Cause c = {0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, note_entry, &c);
    char fn[64];
    function_name(call, fn, sizeof fn);
    if (c.os_errno > 0 && c.file[0]) {
        strip_temp_suffix(c.file);
        snprintf(out, size, "%s: cannot %s: %s (HDF5 %s at %s:%d)", c.file, c.op[0] ? c.op : "access",
                 strerror(c.os_errno), fn, file, line);
    } else if (c.innermost[0]) {
        snprintf(out, size, "%s:%d: HDF5 %s failed: %s", file, line, fn, c.innermost);
    } else {
        snprintf(out, size, "%s:%d: HDF5 call failed: %s", file, line, call);
    }
}

int h5_debug_enabled(void) {
    const char *v = getenv("RECUR_DEBUG_HDF5");
    return v && *v && strcmp(v, "0");
}
