/* cpu_parallel.c: cpu_parallel.h on POSIX threads: a pool of worker threads started on
 * first use (and again in a forked child, which has none), woken per call by a generation
 * counter. Every worker acknowledges every call, used or not, so none can miss one. A
 * worker spins a little before it sleeps: a training step calls here a dozen times with
 * a millisecond or less between calls, where sleeping and waking cost what starting a
 * thread did. */
#include "cpu_parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

enum { SPIN = 2000 }; /* polls before sleeping: ~50-100 us */

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
    while (parts < threads && parts < CPU_PARALLEL_MAX && parts < units && elements / (parts + 1) >= (1L << 17))
        parts++;
    return parts;
}

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    pid_t pid;       /* the process the workers belong to */
    int workers;     /* started so far */
    void (*part)(void *arg, int i);
    void *arg;
    int n;           /* parts of the current call; worker w runs part w + 1 */
    atomic_ulong generation;
    atomic_int pending; /* workers yet to acknowledge the current call */
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

static unsigned long start_generation[CPU_PARALLEL_MAX]; /* each worker's first `seen` */
static __thread int in_worker; /* a part that calls cpu_parallel runs its parts in turn */

static void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The next generation after `seen`: spin, then sleep. */
static unsigned long await_call(unsigned long seen) {
    unsigned long g;
    for (int s = 0; s < SPIN; s++)
        if ((g = atomic_load_explicit(&pool.generation, memory_order_acquire)) != seen) return g;
        else relax();
    pthread_mutex_lock(&pool.mu);
    while ((g = atomic_load_explicit(&pool.generation, memory_order_acquire)) == seen)
        pthread_cond_wait(&pool.wake, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    return g;
}

static void *worker(void *p) {
    int w = (int)(long)p;
    unsigned long seen = start_generation[w]; /* the generation before its first call */
    in_worker = 1;
    for (;;) {
        seen = await_call(seen);
        if (w + 1 < pool.n) pool.part(pool.arg, w + 1);
        if (atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&pool.mu);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.mu);
        }
    }
    return 0;
}

/* At least `need` workers of this process (called between calls, never during one). */
static void ensure_workers(int need) {
    if (pool.pid != getpid()) { /* a forked child has no workers, and maybe a copy of a held lock */
        pool.pid = getpid(), pool.workers = 0;
        if (pthread_mutex_init(&pool.mu, NULL) || pthread_cond_init(&pool.wake, NULL) ||
            pthread_cond_init(&pool.done, NULL))
            recur_die(EXIT_RUNTIME, "cannot set up the CPU worker threads");
    }
    for (; pool.workers < need; pool.workers++) {
        pthread_t th;
        start_generation[pool.workers] = atomic_load_explicit(&pool.generation, memory_order_relaxed);
        if (pthread_create(&th, NULL, worker, (void *)(long)pool.workers) != 0 || pthread_detach(th) != 0)
            recur_die(EXIT_RUNTIME, "cannot start a CPU worker thread");
    }
}

static void await_workers(void) {
    for (int s = 0; s < SPIN; s++)
        if (atomic_load_explicit(&pool.pending, memory_order_acquire) == 0) return;
        else relax();
    pthread_mutex_lock(&pool.mu);
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) != 0) pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
}

void cpu_parallel(int n, int parallel, void (*part)(void *arg, int i), void *arg) {
    if (n > CPU_PARALLEL_MAX) recur_die(EXIT_RUNTIME, "cpu_parallel: %d parts (at most %d)", n, CPU_PARALLEL_MAX);
    if (!parallel || n < 2 || in_worker) {
        for (int i = 0; i < n; i++) part(arg, i);
        return;
    }
    ensure_workers(n - 1);
    pool.part = part, pool.arg = arg, pool.n = n;
    atomic_store_explicit(&pool.pending, pool.workers, memory_order_relaxed);
    pthread_mutex_lock(&pool.mu);
    atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    part(arg, 0);
    await_workers();
}
