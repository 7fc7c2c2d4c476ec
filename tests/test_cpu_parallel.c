/* test_cpu_parallel.c: core/cpu_parallel.h's worker pool: every part of every call runs
 * exactly once, over 3000 calls of 2-4 parts (a worker that missed a call would hang or
 * skip a part); part 1 runs on the same worker thread in every call (a pool, not a thread
 * started per call); a part that calls cpu_parallel runs those parts in turn on its own
 * thread; and a forked child, which inherits no workers, still completes a call (an
 * alarm ends a hang). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cpu_parallel.h"

static int failures;

static void check(int ok, const char *what) {
    printf("%-4s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

typedef struct Call {
    int runs[CPU_PARALLEL_MAX];
    pthread_t who[CPU_PARALLEL_MAX];
} Call;

static void mark(void *arg, int i) {
    Call *c = arg;
    c->runs[i]++;
    c->who[i] = pthread_self();
}

static void nested(void *arg, int i) {
    Call *c = arg;
    if (i != 1) return;
    Call inner;
    memset(&inner, 0, sizeof inner);
    cpu_parallel(3, 1, mark, &inner);
    c->runs[1] = inner.runs[0] + inner.runs[1] + inner.runs[2];
    c->who[1] = pthread_equal(inner.who[0], pthread_self()) && pthread_equal(inner.who[2], pthread_self())
                    ? pthread_self() : 0;
}

int main(void) {
    int all_once = 1, same_worker = 1;
    pthread_t first = 0;
    for (int call = 0; call < 3000; call++) {
        Call c;
        memset(&c, 0, sizeof c);
        int n = 2 + call % 3;
        cpu_parallel(n, 1, mark, &c);
        for (int i = 0; i < n; i++) all_once &= c.runs[i] == 1;
        if (call == 0) first = c.who[1];
        same_worker &= pthread_equal(c.who[1], first) && !pthread_equal(c.who[1], pthread_self());
    }
    check(all_once, "3000 calls of 2-4 parts: every part ran exactly once");
    check(same_worker, "part 1 ran on the same worker thread in every call");

    Call c;
    memset(&c, 0, sizeof c);
    cpu_parallel(2, 1, nested, &c);
    check(c.runs[1] == 3 && c.who[1] != 0, "a nested call's 3 parts ran in turn on the part's thread");

    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        Call k;
        memset(&k, 0, sizeof k);
        cpu_parallel(3, 1, mark, &k);
        _exit(k.runs[0] == 1 && k.runs[1] == 1 && k.runs[2] == 1 ? 0 : 1);
    }
    int status = 0;
    check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a forked child completes a call (workers started anew)");
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
