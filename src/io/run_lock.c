/* run_lock.c: the run directory's lock file (run_lock.h): flock plus the holder's
 * "HOST PID" inside, checked against the path after locking (a file removed and made
 * anew by another run in between is locked again). */
#define _DEFAULT_SOURCE /* flock */
#include "run_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/check.h"
#include "durable_file.h"

typedef struct RunLock {
    int fd;            /* -1: not held */
    char path[4200];
} RunLock;

/* The lock this process holds (one at most). */
static RunLock held = {-1, ""};

typedef struct Holder {
    char host[256];
    long pid;          /* 0: the file named none */
} Holder;

static Holder read_holder(int fd) {
    Holder h = {"", 0};
    char text[320] = "";
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = 0;
    if (sscanf(text, "%255s %ld", h.host, &h.pid) != 2) h.pid = 0;
    return h;
}

static int alive_here(const Holder *h) {
    if (h->pid <= 0 || strcmp(h->host, recur_host_name())) return h->pid > 0; /* elsewhere: assume alive */
    return !(kill((pid_t)h->pid, 0) != 0 && errno == ESRCH);
}

static _Noreturn void refuse(const RunLock *l, const Holder *h) {
    recur_die(EXIT_USAGE, "%s: the run directory is in use by recur process %ld on %s (lock file %s); "
              "wait for that run to end or give another run_dir", l->path, h->pid, h->host[0] ? h->host : "?",
              l->path);
}

/* 1 when fd is still the file at l->path (not removed or replaced since it was opened). */
static int still_at_path(const RunLock *l) {
    struct stat a, b;
    return fstat(l->fd, &a) == 0 && stat(l->path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Locks the open file: 1 locked, 0 the path moved on (try again); exits when held. */
static int lock_open_file(RunLock *l, Holder *previous) {
    *previous = read_holder(l->fd);
    if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
        int held_elsewhere = errno == EWOULDBLOCK ||
                             (alive_here(previous) && previous->pid != (long)getpid()); /* no flock here */
        if (held_elsewhere) {
            close(l->fd); /* not ours: exit must not remove it */
            l->fd = -1;
            refuse(l, previous);
        }
    }
    if (still_at_path(l)) return 1;
    close(l->fd);
    return 0;
}

/* exit() releases it however the process ends (a normal end, a fatal error, a stop by
 * SIGTERM); a killed process's flock is released by the kernel. */
static void release_at_exit(void) { run_lock_release(); }

void run_lock_acquire(const char *dir) {
    static int registered;
    RunLock *l = &held;
    if (l->fd >= 0) recur_die(EXIT_RUNTIME, "internal: a second run directory lock (%s)", dir);
    make_directories(dir);
    snprintf(l->path, sizeof l->path, "%s/lock", dir);
    Holder previous;
    for (int tries = 0;; tries++) {
        l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (l->fd < 0) recur_die(EXIT_USAGE, "%s: cannot create the run directory's lock file: %s", l->path, strerror(errno));
        if (lock_open_file(l, &previous)) break;
        if (tries == 10) recur_die(EXIT_RUNTIME, "%s: the lock file keeps being replaced", l->path);
    }
    if (previous.pid > 0)
        fprintf(stderr, "recur: note: %s: taking over the lock of recur process %ld on %s, which no longer "
                "holds it (it was killed or crashed)\n", l->path, previous.pid, previous.host);
    char text[320];
    int n = snprintf(text, sizeof text, "%s %ld\n", recur_host_name(), (long)getpid());
    if (ftruncate(l->fd, 0) != 0 || pwrite(l->fd, text, (size_t)n, 0) != n)
        recur_die(EXIT_RUNTIME, "%s: cannot write the lock file: %s", l->path, strerror(errno));
    if (!registered) atexit(release_at_exit), recur_on_fatal(release_at_exit), registered = 1;
}

void run_lock_release(void) {
    RunLock *l = &held;
    if (l->fd < 0) return;
    unlink(l->path); /* while still locked: a waiting run then sees the path moved on */
    close(l->fd);
    l->fd = -1;
}
