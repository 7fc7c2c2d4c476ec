/* progress.h: what rank 0 shows while training — on a terminal a live bar redrawn in
 * place (epoch, step, samples/s, loss, ETA), elsewhere (Slurm logs, pipes) plain lines
 * every log_every steps. Evaluation results and messages go through progress_print so
 * they never mix with a half-drawn bar. It only formats; it knows no model. */
#ifndef RECUR_PROGRESS_H
#define RECUR_PROGRESS_H

#include "config/config.h"

typedef struct Progress {
    int silent;         /* ranks other than 0 show nothing */
    int bar;            /* 1: redraw one line in place */
    int drawn;          /* a bar is on screen */
    long total_steps;
    long first_step;    /* the step this run started from (resume) */
    double start_s, last_draw_s;
} Progress;

void progress_init(Progress *p, ProgressStyle style, int silent);
/* The run's steps are known: from first_step (a resumed run) to total_steps. */
void progress_start(Progress *p, long first_step, long total_steps);
/* After each optimizer step: the bar is redrawn at most 10 times a second. */
void progress_step(Progress *p, long step, long epoch, double loss, double samples_per_s);
/* A periodic training line (lines mode; the bar shows the same thing live). */
void progress_log(Progress *p, long step, long epoch, double loss, double samples_per_s, double lr);
/* A line of its own (evaluation results, notes), above the bar. */
void progress_print(Progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes the bar off the screen (before someone else prints a line). */
void progress_clear(Progress *p);
void progress_finish(Progress *p);

#endif
