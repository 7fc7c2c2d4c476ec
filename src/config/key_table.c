/* key_table.c: the generic machinery behind every settings table (key_table.h): one
 * checked setter per value type, defaults, `key = value` files, --key=value arguments,
 * help text and writing settings back as a loadable file. Every error is one line naming
 * the file:line or argument and the key, and exit status 2.
 * It must not know any particular table (config.c, prep_config.c hold those). */
#include "key_table.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/record_limit.h"

_Static_assert(sizeof(unsigned long long) == sizeof(uint64_t), "strtoull does not parse uint64");

/* ---- messages ---- */

static char message[768];

/* Control characters in user text would break the one-line error contract. */
static void one_line(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

static const char *fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    one_line(message);
    return message;
}

/* Exit 2 with "recur: <place>: <message>" (no place: just the message) on one line; a
 * very long place (an argument with a huge value) is cut so the message stays visible. */
static _Noreturn void die_at(const char *place, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static _Noreturn void die_at(const char *place, const char *fmt, ...) {
    char line[1024] = "";
    const char *cut = place && strlen(place) > 160 ? "..." : "";
    int n = place ? snprintf(line, sizeof line, "%.160s%s: ", place, cut) : 0;
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof line) vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    one_line(line);
    recur_die(EXIT_USAGE, "%s", line);
}

/* Levenshtein distance, for "did you mean"; long words count as far from everything. */
static int edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return INT_MAX;
    int row[65];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* Keeps `name` in *pick when it is the closest to `word` so far, within distance 2. */
static void consider(const char *word, const char *name, int *best, const char **pick) {
    int d = edit_distance(word, name);
    if (d < *best) *best = d, *pick = name;
}

static const Key *find_key(const KeyTable *t, const char *name) {
    for (int i = 0; i < t->count; i++)
        if (!strcmp(t->keys[i].name, name)) return &t->keys[i];
    return 0;
}

static const char *unknown_key(const KeyTable *t, const char *name) {
    int best = 3;
    const char *pick = 0;
    for (int i = 0; i < t->count; i++) consider(name, t->keys[i].name, &best, &pick);
    if (pick) return fail("unknown key '%s' (did you mean '%s'?)", name, pick);
    return fail("unknown key '%s' (--help lists the keys)", name);
}

/* "at least 1", "greater than 0", "in [0, 1)"; "" when anything goes. */
static const char *describe_range(const Key *k, char *buf, size_t n) {
    if (isinf(k->lo) && isinf(k->hi))
        snprintf(buf, n, "%s", "");
    else if (isinf(k->hi))
        snprintf(buf, n, "%s %.15g", k->lo_excl ? "greater than" : "at least", k->lo);
    else if (isinf(k->lo))
        snprintf(buf, n, "%s %.15g", k->hi_excl ? "less than" : "at most", k->hi);
    else
        snprintf(buf, n, "in %c%.15g, %.15g%c", k->lo_excl ? '(' : '[', k->lo, k->hi,
                 k->hi_excl ? ')' : ']');
    return buf;
}

static int in_range(const Key *k, double v) {
    return (k->lo_excl ? v > k->lo : v >= k->lo) && (k->hi_excl ? v < k->hi : v <= k->hi);
}

static const char *out_of_range(const Key *k, const char *text) {
    char range[64];
    return fail("%s must be %s (got %s)", k->name, describe_range(k, range, sizeof range), text);
}

/* ---- one setter per value type; each checks everything before it writes ---- */

static const char *set_integer(const Key *k, void *at, const char *text) {
    long lo = k->type == T_INT ? INT_MIN : LONG_MIN, hi = k->type == T_INT ? INT_MAX : LONG_MAX;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (isspace((unsigned char)*text) || end == text || *end)
        return fail("%s must be an integer (got '%s')", k->name, text);
    if (errno == ERANGE || v < lo || v > hi)
        return fail("%s must be an integer from %ld to %ld (got '%s')", k->name, lo, hi, text);
    if (!in_range(k, (double)v)) return out_of_range(k, text);
    if (k->type == T_INT) *(int *)at = (int)v;
    else *(long *)at = v;
    return 0;
}

static const char *set_u64(const Key *k, void *at, const char *text) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!isdigit((unsigned char)*text) || *end || errno == ERANGE)
        return fail("%s must be an integer from 0 to %" PRIu64 " (got '%s')", k->name,
                    UINT64_MAX, text);
    *(uint64_t *)at = (uint64_t)v;
    return 0;
}

static const char *set_number(const Key *k, void *at, const char *text) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (isspace((unsigned char)*text) || end == text || *end)
        return fail("%s must be a number (got '%s')", k->name, text);
    if (!isfinite(v) || errno == ERANGE || (k->type == T_REAL && !isfinite((real)v)))
        return fail("%s must be a finite number within %s range (got '%s')", k->name,
                    k->type == T_REAL ? REAL_NAME : "float64", text);
    if (k->type == T_REAL) v = (real)v; /* check the value that will be used */
    if (!in_range(k, v)) return out_of_range(k, text);
    if (k->type == T_REAL) *(real *)at = (real)v;
    else *(double *)at = v;
    return 0;
}

static const char *set_bool(const Key *k, void *at, const char *text) {
    if (strcmp(text, "0") && strcmp(text, "1"))
        return fail("%s must be 0 or 1 (got '%s')", k->name, text);
    *(int *)at = text[0] == '1';
    return 0;
}

static const char *set_enum(const Key *k, void *at, const char *text) {
    char list[256] = "";
    int best = 3;
    const char *pick = 0;
    for (int i = 0; k->names[i]; i++) {
        if (!strcmp(k->names[i], text)) {
            *(int *)at = i;
            return 0;
        }
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", k->names[i]);
        consider(text, k->names[i], &best, &pick);
    }
    if (pick)
        return fail("%s must be one of %s (got '%s'; did you mean '%s'?)", k->name, list, text,
                    pick);
    return fail("%s must be one of %s (got '%s')", k->name, list, text);
}

/* Strings must survive config_write and reloading: no '#', control characters, or
 * spaces at either end (config files trim them). */
static const char *set_string(const Key *k, void *at, const char *text) {
    size_t len = strlen(text);
    if (len >= k->size)
        return fail("%s must be shorter than %zu bytes (got %zu)", k->name, k->size, len);
    if (strchr(text, '#'))
        return fail("%s must not contain '#' (it starts a comment in config files)", k->name);
    for (const char *c = text; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return fail("%s must not contain control characters", k->name);
    if (len && (isspace((unsigned char)text[0]) || isspace((unsigned char)text[len - 1])))
        return fail("%s must not start or end with a space (got '%s')", k->name, text);
    memset(at, 0, k->size); /* no leftovers of a longer old value: equal configs compare equal */
    memcpy(at, text, len);
    return 0;
}

static const char *set_value(const Key *k, void *cfg, const char *text) {
    void *at = (char *)cfg + k->offset;
    if (!*text && !(k->type == T_STRING && !*k->def))
        return fail("%s needs a value (got an empty one)", k->name);
    switch (k->type) {
    case T_INT:
    case T_LONG: return set_integer(k, at, text);
    case T_U64: return set_u64(k, at, text);
    case T_DOUBLE:
    case T_REAL: return set_number(k, at, text);
    case T_BOOL: return set_bool(k, at, text);
    case T_ENUM: return set_enum(k, at, text);
    case T_STRING: return set_string(k, at, text);
    }
    return fail("%s: internal error: unknown key type", k->name);
}

const char *key_table_set(const KeyTable *t, void *cfg, const char *key, const char *value) {
    const Key *k = find_key(t, key);
    return k ? set_value(k, cfg, value) : unknown_key(t, key);
}

/* Bytes a field of this key type must have (0: any, for strings). */
static size_t type_size(KeyType t) {
    switch (t) {
    case T_LONG: return sizeof(long);
    case T_U64: return sizeof(uint64_t);
    case T_DOUBLE: return sizeof(double);
    case T_REAL: return sizeof(real);
    case T_STRING: return 0;
    default: return sizeof(int); /* T_INT, T_BOOL, T_ENUM */
    }
}

void key_table_defaults(const KeyTable *t, void *cfg) {
    memset(cfg, 0, t->struct_size);
    for (int i = 0; i < t->count; i++) {
        const Key *k = &t->keys[i];
        size_t want = type_size(k->type);
        if (want && want != k->size)
            recur_die(EXIT_RUNTIME, "internal error: key %s: type and field differ", k->name);
        const char *err = set_value(k, cfg, k->def);
        if (err) recur_die(EXIT_RUNTIME, "internal error: bad default for %s: %s", k->name, err);
    }
}

/* ---- writing values back as text ---- */

/* The shortest text that reads back as exactly `v` (in double, or in real). */
static void format_number(double v, int as_real, char *buf, size_t n) {
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, n, "%.*g", digits, v);
        double back = strtod(buf, 0);
        if (as_real ? (real)back == (real)v : back == v) return;
    }
}

static void format_value(const Key *k, const void *cfg, char *buf, size_t n) {
    const void *at = (const char *)cfg + k->offset;
    switch (k->type) {
    case T_INT:
    case T_BOOL: snprintf(buf, n, "%d", *(const int *)at); break;
    case T_LONG: snprintf(buf, n, "%ld", *(const long *)at); break;
    case T_U64: snprintf(buf, n, "%" PRIu64, *(const uint64_t *)at); break;
    case T_DOUBLE: format_number(*(const double *)at, 0, buf, n); break;
    case T_REAL: format_number(*(const real *)at, 1, buf, n); break;
    case T_ENUM: {
        int v = *(const int *)at, count = 0;
        while (k->names[count]) count++;
        snprintf(buf, n, "%s", v >= 0 && v < count ? k->names[v] : "(invalid)");
        break;
    }
    case T_STRING: snprintf(buf, n, "%s", (const char *)at); break;
    }
}

void key_table_write(const KeyTable *t, const void *cfg, FILE *out) {
    char value[1100];
    fprintf(out, "# recur %s settings: load with --config FILE\n", t->command);
    for (int g = 0; g < t->num_groups; g++) {
        fprintf(out, "\n# %s\n", t->groups[g]);
        for (int i = 0; i < t->count; i++) {
            if (t->keys[i].group != g) continue;
            format_value(&t->keys[i], cfg, value, sizeof value);
            fprintf(out, "%s = %s\n", t->keys[i].name, value);
        }
    }
}

char *key_table_text(const KeyTable *t, const void *cfg) {
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    if (!mem) recur_die(EXIT_RUNTIME, "out of memory writing the settings");
    key_table_write(t, cfg, mem);
    fclose(mem);
    return text;
}

/* ---- help ---- */

static void print_key_help(const Key *k, const void *defaults, FILE *out) {
    char def[1100], range[64] = "";
    format_value(k, defaults, def, sizeof def);
    fprintf(out, "  %-16s %-14s %s", k->name, *def ? def : "\"\"", k->help);
    if (k->type == T_ENUM) {
        fputs("; one of ", out);
        for (int i = 0; k->names[i]; i++) fprintf(out, "%s%s", i ? ", " : "", k->names[i]);
    } else if (k->type == T_BOOL) {
        fputs("; 0 or 1", out);
    } else if (k->type != T_STRING && k->type != T_U64) {
        describe_range(k, range, sizeof range);
        if (*range) fprintf(out, "; %s", range);
    }
    fputc('\n', out);
}

void key_table_print_help(const KeyTable *t, FILE *out) {
    void *defaults = xmalloc(t->struct_size, "defaults");
    key_table_defaults(t, defaults);
    for (int g = 0; g < t->num_groups; g++) {
        fprintf(out, "%s%s settings:%*s%-15s%s\n", g ? "\n" : "", t->groups[g], 4, "",
                "default", "meaning");
        for (int i = 0; i < t->count; i++)
            if (t->keys[i].group == g) print_key_help(&t->keys[i], defaults, out);
    }
    free(defaults);
}

/* ---- sources: config file and command line ---- */

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

/* One line of a config file; seen[i] is the line that set keys[i], 0 if none yet. */
static void apply_line(const KeyTable *t, void *cfg, const char *place, long lineno, char *line,
                       long *seen) {
    if (lineno == 1 && !strncmp(line, "\xEF\xBB\xBF", 3)) line += 3; /* UTF-8 byte-order mark */
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *text = trim(line), *eq = strchr(text, '=');
    if (!*text) return;
    if (!eq || eq == text) die_at(place, "expected 'key = value' (got '%.80s')", text);
    *eq = 0;
    char *key = trim(text), *value = trim(eq + 1);
    const Key *k = find_key(t, key);
    if (!k) die_at(place, "%s", unknown_key(t, key));
    if (seen[k - t->keys])
        die_at(place, "duplicate key '%s' (first set on line %ld)", key, seen[k - t->keys]);
    const char *err = set_value(k, cfg, value);
    if (err) die_at(place, "%s", err);
    seen[k - t->keys] = lineno;
}

/* `key = value` lines from f; `name` for messages (file:line). */
static void load_stream(const KeyTable *t, void *cfg, FILE *f, const char *name) {
    long *seen = xcalloc((size_t)t->count, sizeof(long), "config keys"), lineno = 0;
    char *line = 0, place[600];
    size_t cap = 0;
    errno = 0;
    while (record_getline(&line, &cap, f, name, lineno + 1) >= 0) {
        snprintf(place, sizeof place, "%s:%ld", name, ++lineno);
        apply_line(t, cfg, place, lineno, line, seen);
    }
    int err = ferror(f) ? (errno ? errno : EIO) : 0;
    free(line), free(seen);
    if (err) die_at(0, "cannot read config file '%s': %s", name, strerror(err));
}

static void load_file(const KeyTable *t, void *cfg, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) die_at(0, "cannot read config file '%s': %s", path, strerror(errno));
    load_stream(t, cfg, f, path);
    fclose(f);
}

void key_table_load_text(const KeyTable *t, void *cfg, const char *text, const char *name) {
    key_table_defaults(t, cfg);
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    if (!f) recur_die(EXIT_RUNTIME, "cannot read the config text of %s", name);
    load_stream(t, cfg, f, name);
    fclose(f);
}

/* One --key=value argument; seen[i] marks keys already given on the command line. */
static void apply_arg(const KeyTable *t, void *cfg, const char *arg, char *seen) {
    const char *eq = strchr(arg, '=');
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)(eq - arg - 2), arg + 2);
    const Key *k = find_key(t, key);
    if (!k) die_at(arg, "%s", unknown_key(t, key));
    if (seen[k - t->keys]) die_at(arg, "%s is given twice on the command line", k->name);
    const char *err = set_value(k, cfg, eq + 1);
    if (err) die_at(arg, "%s", err);
    seen[k - t->keys] = 1;
}

static int is_flag(const char *arg, const char *flag) { return !strcmp(arg, flag); }

static void exit_after_output(void) {
    if (fflush(stdout) || ferror(stdout))
        recur_die(EXIT_RUNTIME, "cannot write to standard output: %s", strerror(errno));
    exit(0);
}

/* Sorts argv into --config FILE, --print-config and settings (kept in `settings`). */
static const char *scan_args(int argc, char **argv, char **settings, int *nsettings, int *print) {
    const char *path = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *file = 0;
        if (is_flag(a, "--print-config")) *print = 1;
        else if (is_flag(a, "--config")) {
            if (i + 1 >= argc) die_at(a, "needs a file name (--config FILE)");
            file = argv[++i];
        } else if (!strncmp(a, "--config=", 9)) file = a + 9;
        else if (strncmp(a, "--", 2))
            die_at(a, "unexpected argument (settings are --key=value; a file is --config FILE)");
        else if (!strchr(a, '=') || a[2] == '=') die_at(a, "expected --key=value");
        else settings[(*nsettings)++] = argv[i];
        if (file && path) die_at(a, "only one --config FILE may be given");
        if (file && !*file) die_at(a, "needs a file name (--config FILE)");
        if (file) path = file;
    }
    return path;
}

void key_table_load(const KeyTable *t, void *cfg, void (*print_usage)(FILE *out), int argc,
                    char **argv) {
    for (int i = 0; i < argc; i++)
        if (is_flag(argv[i], "--help") || is_flag(argv[i], "-h")) {
            print_usage(stdout);
            exit_after_output();
        }
    key_table_defaults(t, cfg);
    char **settings = xmalloc(sizeof(char *) * (size_t)(argc + 1), "command-line settings");
    char *seen = xcalloc((size_t)t->count, 1, "config keys");
    int nsettings = 0, print = 0;
    const char *path = scan_args(argc, argv, settings, &nsettings, &print);
    if (path) load_file(t, cfg, path);
    for (int i = 0; i < nsettings; i++) apply_arg(t, cfg, settings[i], seen);
    free(settings), free(seen);
    if (print) {
        key_table_write(t, cfg, stdout);
        exit_after_output();
    }
}
