/* key_table.h: a settings struct described as a table of keys — name, type, place in the
 * struct, default, allowed range, group, help — and the one generic parser that serves
 * every table: defaults, `key = value` config files, --key=value arguments, help, and
 * writing the settings back as a loadable file.
 *
 * Rules shared by all commands: later sources win (defaults < --config FILE <
 * --key=value); an unknown key, a bad value or a key given twice in one source is one
 * line naming the file:line or argument and the key, and exit 2. A string key whose
 * default is "" may be set to "" (meaning: none). */
#ifndef RECUR_KEY_TABLE_H
#define RECUR_KEY_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "core/real.h"

typedef enum { T_INT, T_LONG, T_U64, T_DOUBLE, T_REAL, T_BOOL, T_ENUM, T_STRING } KeyType;

typedef struct Key {
    const char *name;         /* the config key */
    KeyType type;
    size_t offset;            /* where the value lives in the struct */
    size_t size;              /* bytes of the field (T_STRING: capacity incl. the NUL) */
    const char *const *names; /* T_ENUM: allowed values, indexed by the enum, 0-ended */
    const char *def;          /* default as text, parsed by the same setter */
    double lo, hi;            /* allowed range (numbers); +-INFINITY where open */
    int lo_excl, hi_excl;     /* 1: the bound itself is not allowed */
    const char *help;
    int group;                /* index into KeyTable.groups */
} Key;

typedef struct KeyTable {
    const char *command;      /* "train", "prep": for the written file's first line */
    const Key *keys;
    int count;
    const char *const *groups;
    int num_groups;
    size_t struct_size;
} KeyTable;

/* offsetof that fails to compile unless the field has type T. */
#define KEY_FIELD(S, f, T) _Generic(((S *)0)->f, T: offsetof(S, f))
/* One row: struct S, config name, field path, key type, C type of the field, enum names,
 * default text, range (one of the macros below: it expands to four values), help, group. */
#define KEY_ROW(...) KEY_ROW_(__VA_ARGS__)
#define KEY_ROW_(S, name, path, T, CT, names, def, lo, hi, lo_excl, hi_excl, help, group) \
    {name, T, KEY_FIELD(S, path, CT), sizeof(((S *)0)->path), names, def, lo, hi, lo_excl, \
     hi_excl, help, group}
#define ANY -INFINITY, INFINITY, 0, 0
#define AT_LEAST(x) (x), INFINITY, 0, 0
#define ABOVE(x) (x), INFINITY, 1, 0
#define UNIT 0, 1, 0, 1 /* [0, 1) */
#define CLOSED(a, b) (a), (b), 0, 0

void key_table_defaults(const KeyTable *t, void *cfg);
/* Sets one key from text; NULL, or an error message naming the key. */
const char *key_table_set(const KeyTable *t, void *cfg, const char *key, const char *value);
/* --help / -h: print_usage(stdout), exit 0. Otherwise defaults, --config FILE, then the
 * --key=value arguments; --print-config writes the result on stdout and exits 0. */
void key_table_load(const KeyTable *t, void *cfg, void (*print_usage)(FILE *out), int argc,
                    char **argv);
/* Defaults, then `key = value` lines from text (a config stored in a file, e.g. a
 * checkpoint); `name` names it in messages. */
void key_table_load_text(const KeyTable *t, void *cfg, const char *text, const char *name);
void key_table_write(const KeyTable *t, const void *cfg, FILE *out);
/* key_table_write into a malloc'd string. */
char *key_table_text(const KeyTable *t, const void *cfg);
/* Per group: every key, its default, its meaning, its allowed values. */
void key_table_print_help(const KeyTable *t, FILE *out);

#endif
