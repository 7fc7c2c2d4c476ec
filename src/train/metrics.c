/* metrics.c: confusion matrix and the classification scores derived from it (metrics.h).
 * Pure arithmetic on counts: no I/O, no state beyond the Confusion passed in. */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"

static size_t cells(const Confusion *c) { return (size_t)c->classes * (size_t)c->classes; }

void confusion_init(Confusion *c, int classes) {
    c->classes = classes, c->unknown = 0;
    c->counts = xcalloc(cells(c) ? cells(c) : 1, sizeof(int64_t), "confusion matrix");
    c->loss_sum = 0, c->samples = 0;
}

void confusion_add_unknown(Confusion *c) {
    if (c->unknown) return;
    if (confusion_total(c)) recur_die(EXIT_RUNTIME, "confusion_add_unknown: the matrix already holds counts");
    free(c->counts);
    confusion_init(c, c->classes + 1);
    c->unknown = 1;
}

void confusion_reset(Confusion *c) {
    memset(c->counts, 0, sizeof(int64_t) * cells(c));
    c->loss_sum = 0, c->samples = 0;
}

void confusion_add(Confusion *c, int truth, int predicted) { c->counts[(long)truth * c->classes + predicted]++; }

void confusion_merge(Confusion *dst, const Confusion *src) {
    if (dst->classes != src->classes || dst->unknown != src->unknown)
        recur_die(EXIT_RUNTIME, "confusion_merge: %d classes%s against %d%s", dst->classes,
                  dst->unknown ? " (with <unk>)" : "", src->classes, src->unknown ? " (with <unk>)" : "");
    for (size_t i = 0; i < cells(dst); i++) dst->counts[i] += src->counts[i];
    dst->loss_sum += src->loss_sum, dst->samples += src->samples;
}

void confusion_free(Confusion *c) {
    free(c->counts);
    c->counts = 0;
}

int64_t confusion_count(const Confusion *c, int truth, int predicted) {
    return c->counts[(long)truth * c->classes + predicted];
}

int64_t confusion_total(const Confusion *c) {
    int64_t all = 0;
    for (size_t i = 0; i < cells(c); i++) all += c->counts[i];
    return all;
}

double confusion_accuracy(const Confusion *c) {
    int64_t right = 0, all = confusion_total(c);
    for (int k = 0; k < c->classes; k++) right += confusion_count(c, k, k);
    return all ? (double)right / (double)all : 0;
}

/* num / den, or 0 when den is 0 (sklearn's zero_division=0). */
static double ratio(int64_t num, int64_t den) { return den ? (double)num / (double)den : 0; }

ClassScores confusion_class_scores(const Confusion *c, int k) {
    ClassScores s = {.true_positives = confusion_count(c, k, k)};
    for (int j = 0; j < c->classes; j++) {
        s.support += confusion_count(c, k, j);
        s.predicted += confusion_count(c, j, k);
    }
    s.precision = ratio(s.true_positives, s.predicted);
    s.recall = ratio(s.true_positives, s.support);
    /* 2PR/(P+R) = 2TP/(2TP+FP+FN) = 2TP/(support+predicted), defined whenever P or R is */
    s.f1 = ratio(2 * s.true_positives, s.support + s.predicted);
    return s;
}

double confusion_macro_f1(const Confusion *c) {
    double sum = 0;
    int predictable = c->classes - c->unknown;
    for (int k = 0; k < predictable; k++) sum += confusion_class_scores(c, k).f1;
    return predictable > 0 ? sum / predictable : 0;
}

double confusion_weighted_f1(const Confusion *c) {
    double sum = 0;
    int64_t support = 0;
    for (int k = 0; k < c->classes; k++) {
        ClassScores s = confusion_class_scores(c, k);
        sum += s.f1 * (double)s.support;
        support += s.support;
    }
    return support ? sum / (double)support : 0;
}
