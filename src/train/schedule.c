/* schedule.c: learning-rate schedules and linear warm-up in closed form (schedule.h).
 * It must stay a pure function of the config and the step: no state, no I/O. */
#include "schedule.h"

#include <math.h>

static const double PI = 3.14159265358979323846; /* math.py's pi, as torch uses */

/* Cosine annealing from lr to min_lr over the steps after warm-up. */
static double cosine_lr(const TrainConfig *t, long step, long total_steps) {
    long span = total_steps - t->warmup_steps;
    if (span <= 0) return t->lr;
    long s = step - 1 - t->warmup_steps;
    s = s < 0 ? 0 : s > span ? span : s;
    return t->min_lr + (t->lr - t->min_lr) * (1 + cos(PI * (double)s / (double)span)) / 2;
}

/* The schedule's rate, before warm-up. */
static double scheduled_lr(const TrainConfig *t, long step, long epoch, long total_steps) {
    switch (t->schedule) {
    case SCHED_STEP: return t->lr * pow(t->gamma, (double)(epoch / t->step_size));
    case SCHED_EXPONENTIAL: return t->lr * pow(t->gamma, (double)epoch);
    case SCHED_COSINE: return cosine_lr(t, step, total_steps);
    case SCHED_CONSTANT: break;
    }
    return t->lr;
}

double schedule_lr(const TrainConfig *t, long step, long epoch, long total_steps) {
    double lr = scheduled_lr(t, step, epoch, total_steps);
    if (t->warmup_steps > 0 && step < t->warmup_steps)
        lr = lr * (double)step / (double)t->warmup_steps;
    return lr;
}
