/* metrics.h: classification counts (confusion matrix) and the scores derived from them,
 * and the metrics.jsonl log. Counts are integers so ranks can sum them exactly. */
#ifndef RECUR_METRICS_H
#define RECUR_METRICS_H

#include <stdint.h>
#include <stdio.h>

typedef struct Confusion {
    int classes;
    int64_t *counts; /* [classes][classes]: row = true class, column = predicted */
    double loss_sum; /* sum over samples of the per-sample loss */
    int64_t samples;
} Confusion;

void confusion_init(Confusion *c, int classes);
void confusion_reset(Confusion *c);
void confusion_add(Confusion *c, int truth, int predicted);
void confusion_free(Confusion *c);
double confusion_accuracy(const Confusion *c);
/* Unweighted mean over classes of F1; a class never true nor predicted counts as F1 = 0. */
double confusion_macro_f1(const Confusion *c);

#endif
