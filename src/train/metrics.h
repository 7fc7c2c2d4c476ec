/* metrics.h: classification counts (confusion matrix) and the scores derived from them:
 * accuracy, per-class precision / recall / F1 / support, macro and weighted F1.
 *
 * Counts are integers so ranks can sum them exactly: `counts` is one plain int64 array of
 * classes * classes that a comm layer may reduce (sum) element by element, or merge with
 * confusion_merge. Every score is a function of the counts alone.
 *
 * Ill-defined ratios are 0, as scikit-learn's zero_division=0: precision of a class never
 * predicted, recall of a class never true, F1 of a class with no true positive. Macro F1
 * averages over ALL `classes` (but the <unk> class, see `unknown`), so a class never true
 * nor predicted adds F1 = 0 to the mean:
 * this is sklearn's f1_score(y, p, labels=range(classes), average="macro",
 * zero_division=0). (sklearn's default labels=None would leave such a class out of the
 * mean instead.) Weighted F1 weights each class's F1 by its support (true count), as
 * sklearn's average="weighted"; 0 when nothing was counted.
 * This module does no I/O. */
#ifndef RECUR_METRICS_H
#define RECUR_METRICS_H

#include <stdint.h>

typedef struct Confusion {
    int classes;
    int unknown;     /* 1: the last class is <unk> (prep's unknown_labels = unk): a true class
                      * the model cannot predict; its items are misses, it is left out of
                      * the macro mean (its support still weighs in weighted F1) */
    int64_t *counts; /* [classes][classes]: row = true class, column = predicted */
    /* Kept for the trainer's own evaluate(); evaluate.h keeps the loss in EvalResult. */
    double loss_sum; /* sum over samples of the per-sample loss */
    int64_t samples;
} Confusion;

/* The scores of one class k. */
typedef struct ClassScores {
    double precision, recall, f1;
    int64_t support;    /* items whose true class is k */
    int64_t predicted;  /* items predicted as k */
    int64_t true_positives;
} ClassScores;

void confusion_init(Confusion *c, int classes);
/* Adds the <unk> class (one more row and column, never predicted) to a confusion with no
 * counts yet; nothing when it has one. */
void confusion_add_unknown(Confusion *c);
void confusion_reset(Confusion *c);
void confusion_add(Confusion *c, int truth, int predicted);
/* dst += src (counts, loss_sum, samples); exit 1 when the class counts differ. */
void confusion_merge(Confusion *dst, const Confusion *src);
void confusion_free(Confusion *c);

int64_t confusion_count(const Confusion *c, int truth, int predicted);
/* Items counted (sum of all cells). */
int64_t confusion_total(const Confusion *c);
double confusion_accuracy(const Confusion *c);
ClassScores confusion_class_scores(const Confusion *c, int k);
/* Unweighted mean over all classes (but <unk>) of F1; a class never true nor predicted
 * counts as 0. */
double confusion_macro_f1(const Confusion *c);
/* Mean of F1 weighted by support. */
double confusion_weighted_f1(const Confusion *c);

#endif
