/* watchdog.c: the waiting-too-long thread (watchdog.h). */
#include "core/clock.h"
#include "watchdog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/check.h"

static volatile double armed_since; /* 0: nothing timed */
static volatile double armed_seconds;
static const char *volatile armed_what, *volatile armed_variable;
static void (*volatile armed_explain)(char *out, int size);
static char label[200] = "recur";
static int started;

static _Noreturn void expire(double waited) {
    char extra[1024] = "", msg[1600];
    void (*explain)(char *, int) = armed_explain;
    if (explain) explain(extra, sizeof extra);
    int n = snprintf(msg, sizeof msg, "recur: %s: %s has waited %.0f s (%s = %g s)%s; ending the job\n", label,
                     armed_what ? armed_what : "a wait", waited, armed_variable ? armed_variable : "timeout",
                     armed_seconds, extra);
    if (n > (int)sizeof msg - 1) n = (int)sizeof msg - 1, msg[n - 1] = '\n';
    if (write(2, msg, (size_t)n) < 0) _exit(EXIT_RUNTIME);
    _exit(EXIT_RUNTIME);
}

static void *watch(void *unused) {
    (void)unused;
    for (;;) {
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, 0);
        double since = armed_since, limit = armed_seconds;
        if (since > 0 && limit > 0 && now_s() - since >= limit) expire(now_s() - since);
    }
    return NULL;
}

void watchdog_start(void) {
    if (started) return;
    pthread_t t;
    if (pthread_create(&t, NULL, watch, NULL) != 0) recur_die(EXIT_RUNTIME, "cannot start the watchdog thread");
    pthread_detach(t);
    started = 1;
}

void watchdog_arm(const char *what, double seconds, const char *variable, void (*explain)(char *out, int size)) {
    armed_since = 0;
    armed_what = what, armed_variable = variable, armed_explain = explain, armed_seconds = seconds;
    armed_since = now_s();
}

void watchdog_disarm(void) { armed_since = 0; }

void watchdog_set_label(const char *text) { snprintf(label, sizeof label, "%s", text); }
