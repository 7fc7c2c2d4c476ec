/* rank_agreement.c: the cross-rank settings and data check (rank_agreement.h). */
#include "rank_agreement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/settings_text.h"
#include "core/check.h"
#include "core/hash.h"

static const char *const per_rank_keys[] = {"threads", "run_dir", "progress", "gpu", "data", 0};

static int per_rank(const char *key) {
    for (int i = 0; per_rank_keys[i]; i++)
        if (!strcmp(per_rank_keys[i], key)) return 1;
    return 0;
}

typedef struct Compared {
    int count;
    char (*keys)[SETTING_KEY_MAX];
    char (*values)[SETTING_VALUE_MAX];
    uint64_t *hashes;
} Compared;

static void add(Compared *c, const char *key, const char *value) {
    snprintf(c->keys[c->count], SETTING_KEY_MAX, "%s", key);
    snprintf(c->values[c->count], SETTING_VALUE_MAX, "%s", value);
    c->hashes[c->count++] = fnv1a64(FNV1A64_START, value, strlen(value));
}

/* The compared keys and values: the settings but the per-rank ones, then the dataset. */
static void collect(Compared *c, const RunConfig *cfg, const char *fingerprint) {
    char *text = config_text(cfg);
    int lines = 1;
    for (const char *p = text; *p; p++) lines += *p == '\n';
    c->keys = xcalloc((size_t)lines + 1, sizeof *c->keys, "settings keys");
    c->values = xcalloc((size_t)lines + 1, sizeof *c->values, "settings values");
    c->hashes = xcalloc((size_t)lines + 1, sizeof *c->hashes, "settings hashes");
    const char *cursor = text;
    char key[SETTING_KEY_MAX], value[SETTING_VALUE_MAX];
    while (settings_next(&cursor, key, value))
        if (!per_rank(key)) add(c, key, value);
    add(c, "dataset fingerprint", fingerprint);
    free(text);
}

void rank_agreement_check(const Comm *c, const RunConfig *cfg, const char *fingerprint) {
    if (c->size == 1) return;
    Compared mine = {0};
    collect(&mine, cfg, fingerprint);
    int index, differs = comm_first_difference(c, mine.hashes, mine.count, &index);
    if (differs >= 0) {
        char theirs[SETTING_VALUE_MAX];
        memcpy(theirs, mine.values[index], sizeof theirs);
        comm_bcast(c, theirs, sizeof theirs, differs); /* that rank's value, to rank 0 */
        if (c->rank == 0)
            fprintf(stderr, "recur: %s has %s = %.200s, but %s has %s = %.200s: every rank must train with the "
                    "same settings on the same data (threads, run_dir, progress, gpu and the data's path may "
                    "differ); ending the job\n", comm_rank_label(c, differs), mine.keys[index], theirs,
                    comm_rank_label(c, 0), mine.keys[index], mine.values[index]);
        comm_exit((Comm *)c, EXIT_USAGE);
    }
    free(mine.keys), free(mine.values), free(mine.hashes);
}
