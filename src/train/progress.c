/* progress.c: the live bar and the plain lines of progress.h. */
#include "core/clock.h"
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

enum { BAR_WIDTH = 24 };

void progress_init(Progress *p, ProgressStyle style, int silent) {
    int tty = isatty(fileno(stdout));
    *p = (Progress){.silent = silent, .bar = !silent && (style == PROGRESS_BAR || (style == PROGRESS_AUTO && tty)),
                    .start_s = now_s()};
}

void progress_start(Progress *p, long first_step, long total_steps) {
    p->first_step = first_step, p->total_steps = total_steps, p->start_s = now_s();
}

static void format_duration(double s, char *out, size_t n) {
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(out, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
}

void progress_clear(Progress *p) {
    if (p->drawn) printf("\r\033[K");
    p->drawn = 0;
}

void progress_step(Progress *p, long step, long epoch, double loss, double samples_per_s) {
    double now = now_s();
    if (!p->bar || (now - p->last_draw_s < 0.1 && step < p->total_steps)) return;
    p->last_draw_s = now;
    long done = step - p->first_step, left = p->total_steps - step;
    double per_step = done > 0 ? (now - p->start_s) / (double)done : 0;
    char eta[32], bar[BAR_WIDTH + 1];
    format_duration(per_step * (double)left, eta, sizeof eta);
    int filled = (int)(BAR_WIDTH * step / (p->total_steps ? p->total_steps : 1));
    for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = 0;
    printf("\r\033[Kepoch %ld [%s] step %ld/%ld | %.0f samples/s | loss %.4f | ETA %s", epoch, bar,
           step, p->total_steps, samples_per_s, loss, eta);
    fflush(stdout);
    p->drawn = 1;
}

void progress_log(Progress *p, long step, long epoch, double loss, double samples_per_s, double lr) {
    if (p->bar || p->silent) return;
    printf("train step %ld/%ld (epoch %ld): loss %.4f  lr %.4g  %.0f samples/s\n", step,
           p->total_steps, epoch, loss, lr, samples_per_s);
    fflush(stdout);
}

void progress_print(Progress *p, const char *fmt, ...) {
    if (p->silent) return;
    progress_clear(p);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

void progress_finish(Progress *p) {
    if (p->drawn) printf("\n");
    p->drawn = 0;
    fflush(stdout);
}
