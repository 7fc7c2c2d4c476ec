/* clock.h: seconds on the monotonic clock, for elapsed times (progress, logs, the
 * collective watchdog). Not wall-clock dates. */
#ifndef RECUR_CLOCK_H
#define RECUR_CLOCK_H

#include <time.h>

static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
