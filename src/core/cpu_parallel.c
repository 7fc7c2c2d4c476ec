/* cpu_parallel.c: cpu_parallel.h on POSIX threads. */
#include "cpu_parallel.h"

#include <pthread.h>
#include <stdlib.h>

#include "check.h"

double cpu_parallel_min_flops(void) {
    const char *env = getenv("RECUR_CPU_TASK_MIN_MFLOP");
    if (!env || !*env) return 16e6;
    char *end;
    double v = strtod(env, &end);
    if (*end || v < 0) recur_die(EXIT_USAGE, "RECUR_CPU_TASK_MIN_MFLOP=%s: expected a number >= 0", env);
    return v * 1e6;
}

int cpu_parallel_parts(long elements, int units, int threads) {
    int parts = 1;
    while (parts < threads && parts < CPU_PARALLEL_MAX && parts < units && elements / (parts + 1) >= (1L << 18))
        parts++;
    return parts;
}

typedef struct Part {
    void (*part)(void *arg, int i);
    void *arg;
    int i;
} Part;

static void *run_part(void *p) {
    Part *x = p;
    x->part(x->arg, x->i);
    return 0;
}

void cpu_parallel(int n, int parallel, void (*part)(void *arg, int i), void *arg) {
    if (n > CPU_PARALLEL_MAX) recur_die(EXIT_RUNTIME, "cpu_parallel: %d parts (at most %d)", n, CPU_PARALLEL_MAX);
    if (!parallel) {
        for (int i = 0; i < n; i++) part(arg, i);
        return;
    }
    pthread_t th[CPU_PARALLEL_MAX];
    Part parts[CPU_PARALLEL_MAX];
    for (int i = 1; i < n; i++) {
        parts[i] = (Part){part, arg, i};
        if (pthread_create(&th[i], NULL, run_part, &parts[i]) != 0)
            recur_die(EXIT_RUNTIME, "cannot start a CPU worker thread");
    }
    part(arg, 0);
    for (int i = 1; i < n; i++)
        if (pthread_join(th[i], NULL) != 0) recur_die(EXIT_RUNTIME, "cannot join a CPU worker thread");
}
