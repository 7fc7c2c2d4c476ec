/* resume_settings.h: which settings a resumed run may change (docs/TRAINING.md, "Faults:
 * processes, signals and resume"). Each key of the checkpoint's stored settings is compared
 * with this run's (the model's sizes as the data fixed them):
 *   refused  - the model, the optimizer's rule and state, seed, batch_size, the generated
 *              corpus: the run would not continue but become another one. Exit 2 naming the
 *              key and both values.
 *   accepted - changed on purpose (lr and its schedule, the run's length, clipping, how
 *              often it logs, evaluates and saves): a note on the screen and an
 *              `"event": "resume_change"` line in metrics.jsonl for each.
 *   free     - where things go and how the machine runs them (run_dir, data's path: the
 *              fingerprint decides, threads, progress, gpu): no note.
 * A key this table does not know is refused, so a new key is never let through unseen.
 * The rank count is compared by the trainer (it is not a setting) and reported here. */
#ifndef RECUR_RESUME_SETTINGS_H
#define RECUR_RESUME_SETTINGS_H

#include "metrics_log.h"
#include "progress.h"

enum { RESUME_MAX_CHANGES = 48 };

typedef struct ResumeChange {
    char key[64];
    char was[160], now[160];
} ResumeChange;

typedef struct ResumeChanges {
    int count;
    ResumeChange items[RESUME_MAX_CHANGES];
} ResumeChanges;

/* Compares the checkpoint at path with this run: first the dataset (fingerprint), then the
 * stored settings with this run's settings text; exits 2 on another dataset or the first
 * refused difference; fills `changes` with the accepted ones. */
void resume_settings_check(const char *path, const char *fingerprint, const char *current_text,
                           ResumeChanges *changes);
/* Adds a change the trainer found (the rank count). */
void resume_changes_add(ResumeChanges *changes, const char *key, const char *was, const char *now);
/* A note per change on the screen and, where log is not NULL (rank 0), one event line per
 * change in metrics.jsonl at the resumed step. */
void resume_changes_report(const ResumeChanges *changes, long step, long epoch, MetricsLog *log, Progress *p);

#endif
