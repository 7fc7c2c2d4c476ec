/* metrics.c: confusion matrix, accuracy and macro-F1 (metrics.h). */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"

void confusion_init(Confusion *c, int classes) {
    c->classes = classes;
    c->counts = xcalloc((size_t)classes * (size_t)classes, sizeof(int64_t), "confusion matrix");
    c->loss_sum = 0, c->samples = 0;
}

void confusion_reset(Confusion *c) {
    memset(c->counts, 0, sizeof(int64_t) * (size_t)c->classes * (size_t)c->classes);
    c->loss_sum = 0, c->samples = 0;
}

void confusion_add(Confusion *c, int truth, int predicted) { c->counts[(long)truth * c->classes + predicted]++; }

void confusion_free(Confusion *c) {
    free(c->counts);
    c->counts = 0;
}

double confusion_accuracy(const Confusion *c) {
    int64_t right = 0, all = 0;
    for (int i = 0; i < c->classes; i++)
        for (int j = 0; j < c->classes; j++) {
            all += c->counts[(long)i * c->classes + j];
            if (i == j) right += c->counts[(long)i * c->classes + j];
        }
    return all ? (double)right / (double)all : 0;
}

double confusion_macro_f1(const Confusion *c) {
    double sum = 0;
    for (int k = 0; k < c->classes; k++) {
        int64_t tp = c->counts[(long)k * c->classes + k], truth = 0, predicted = 0;
        for (int j = 0; j < c->classes; j++) {
            truth += c->counts[(long)k * c->classes + j];
            predicted += c->counts[(long)j * c->classes + k];
        }
        if (truth + predicted > 0) sum += 2.0 * (double)tp / (double)(truth + predicted);
    }
    return c->classes ? sum / c->classes : 0;
}
