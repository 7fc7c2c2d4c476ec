/* resume_settings.c: the per-key policy for settings changed on resume (resume_settings.h). */
#include "resume_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/settings_text.h"
#include "core/check.h"
#include "core/json.h"
#include "io/h5_tensor.h"

typedef enum { REFUSED, ACCEPTED, FREE } ResumePolicy;

static const struct {
    const char *key;
    ResumePolicy policy;
} policies[] = {
    /* the model: another shape or another function */
    {"cell", REFUSED}, {"vocab_size", REFUSED}, {"input_size", REFUSED}, {"hidden_size", REFUSED},
    {"num_layers", REFUSED}, {"bidirectional", REFUSED}, {"dropout", REFUSED}, {"pooling", REFUSED},
    {"head_hidden", REFUSED}, {"head_dropout", REFUSED}, {"output_size", REFUSED}, {"loss", REFUSED},
    {"ignore_index", REFUSED}, {"huber_delta", REFUSED},
    /* the optimizer's rule and its state */
    {"optimizer", REFUSED}, {"momentum", REFUSED}, {"nesterov", REFUSED}, {"beta1", REFUSED},
    {"beta2", REFUSED}, {"eps", REFUSED}, {"alpha", REFUSED}, {"centered", REFUSED}, {"rho", REFUSED},
    {"lr_decay", REFUSED}, {"initial_accumulator", REFUSED}, {"weight_decay", REFUSED},
    /* the data order and dropout masks (seed), the position in the epoch (batch_size), the data */
    {"seed", REFUSED}, {"batch_size", REFUSED}, {"synthetic_train_size", REFUSED}, {"unk_replace", REFUSED},
    {"target", REFUSED}, {"window_norm", REFUSED}, /* what the outputs and inputs mean */
    {"synthetic_valid_size", REFUSED}, {"synthetic_max_len", REFUSED},
    /* changed on purpose */
    {"lr", ACCEPTED}, {"schedule", ACCEPTED}, {"step_size", ACCEPTED}, {"gamma", ACCEPTED},
    {"min_lr", ACCEPTED}, {"warmup_steps", ACCEPTED}, {"steps", ACCEPTED}, {"epochs", ACCEPTED},
    {"clip_norm", ACCEPTED}, {"clip_value", ACCEPTED}, {"nonfinite", ACCEPTED}, {"log_every", ACCEPTED},
    {"eval_every", ACCEPTED}, {"checkpoint_every", ACCEPTED}, {"keep_checkpoints", ACCEPTED},
    {"best_metric", ACCEPTED}, {"freeze_embedding", ACCEPTED}, {"device", ACCEPTED}, {"tf32", ACCEPTED},
    {"gpu_recurrence", ACCEPTED}, {"gpu_graph", ACCEPTED}, {"season", ACCEPTED},
    /* where things go, how the machine runs them */
    {"data", FREE}, {"run_dir", FREE}, {"resume", FREE}, {"progress", FREE}, {"threads", FREE},
    {"gpu", FREE}, {"allreduce_overlap", FREE}, {"pretrained_embedding", FREE},
};

/* Keys added after checkpoints were first written: the value that behaves as runs did
 * before the key existed, for a checkpoint that does not store it. */
static const struct {
    const char *key, *value;
} values_before[] = {{"unk_replace", "0"}};

static void value_not_stored(const char *key, char *was, size_t n) {
    for (size_t i = 0; i < sizeof values_before / sizeof values_before[0]; i++)
        if (!strcmp(values_before[i].key, key)) {
            snprintf(was, n, "%s", values_before[i].value);
            return;
        }
    snprintf(was, n, "its default (not stored)");
}

static ResumePolicy policy_of(const char *key) {
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (!strcmp(policies[i].key, key)) return policies[i].policy;
    return REFUSED;
}

void resume_changes_add(ResumeChanges *changes, const char *key, const char *was, const char *now) {
    if (changes->count == RESUME_MAX_CHANGES) return;
    ResumeChange *c = &changes->items[changes->count++];
    snprintf(c->key, sizeof c->key, "%s", key);
    snprintf(c->was, sizeof c->was, "%.150s", was); /* long values (paths) are free keys */
    snprintf(c->now, sizeof c->now, "%.150s", now);
}

/* Keys the data fixes (a model made for other data differs in them): compared after the
 * dataset, so other data is named as such rather than by its vocabulary size. */
static int sized_by_data(const char *key) { return !strcmp(key, "vocab_size") || !strcmp(key, "output_size"); }

static void check_dataset(const H5File *f, const char *fingerprint) {
    char *made_from = h5_attr_string(f, "/", "fingerprint");
    if (strcmp(made_from, fingerprint))
        recur_die(EXIT_USAGE, "resume: the checkpoint %s was made from dataset %s, but the data given is "
                  "dataset %s: a checkpoint only resumes on the data it was trained on", f->path, made_from,
                  fingerprint);
    free(made_from);
}

/* One pass over this run's keys (those sized by the data, or the others). */
static void compare_keys(const char *path, const char *stored, const char *current, int data_sized,
                         ResumeChanges *changes) {
    char key[SETTING_KEY_MAX], now[SETTING_VALUE_MAX], was[SETTING_VALUE_MAX];
    while (settings_next(&current, key, now)) {
        if (sized_by_data(key) != data_sized) continue;
        if (!settings_lookup(stored, key, was)) value_not_stored(key, was, sizeof was);
        if (!strcmp(was, now)) continue;
        ResumePolicy policy = policy_of(key);
        if (policy == REFUSED)
            recur_die(EXIT_USAGE, "resume: %s = %s, but the checkpoint %s was made with %s = %s; a resumed run "
                      "cannot change %s (docs/TRAINING.md, \"Faults: processes, signals and resume\"): give it "
                      "back its value, or start a new run in another run_dir", key, now, path, key, was, key);
        if (policy == ACCEPTED) resume_changes_add(changes, key, was, now);
    }
}

void resume_settings_check(const char *path, const char *fingerprint, const char *current_text,
                           ResumeChanges *changes) {
    H5File f = h5_open(path);
    char *stored = h5_attr_string(&f, "/", "config");
    changes->count = 0;
    compare_keys(path, stored, current_text, 0, changes);
    check_dataset(&f, fingerprint);
    compare_keys(path, stored, current_text, 1, changes);
    free(stored);
    h5_close(&f);
}

/* JSON string contents of s. */
static void json_text(const char *s, char *out, size_t n) {
    size_t at = 0;
    char buf[8];
    for (; *s; s++) {
        const char *piece = json_escape_byte((unsigned char)*s, buf);
        size_t len = strlen(piece);
        if (at + len + 1 > n) break;
        memcpy(out + at, piece, len), at += len;
    }
    out[at] = 0;
}

void resume_changes_report(const ResumeChanges *changes, long step, long epoch, MetricsLog *log, Progress *p) {
    for (int i = 0; i < changes->count; i++) {
        const ResumeChange *c = &changes->items[i];
        progress_print(p, "resume: note: %s changed from %s to %s at step %ld (logged in metrics.jsonl); "
                       "from here the run is not the one the checkpoint began\n", c->key, c->was, c->now, step);
        if (!log) continue;
        char key[160], was[400], now[400];
        json_text(c->key, key, sizeof key), json_text(c->was, was, sizeof was), json_text(c->now, now, sizeof now);
        metrics_log_write(log, "\"step\": %ld, \"epoch\": %ld, \"event\": \"resume_change\", \"key\": \"%s\", "
                          "\"was\": \"%s\", \"now\": \"%s\"", step, epoch, key, was, now);
    }
}
