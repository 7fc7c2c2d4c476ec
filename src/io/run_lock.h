/* run_lock.h: one writer per run directory. A run takes <run_dir>/lock before it writes
 * anything there: an advisory lock (flock) on that file, which holds the holder's host and
 * PID for messages. A second run on the same directory (a second `resume = 1` beside a
 * running one) is refused with exit 2 naming the holder; a lock left by a process that is
 * gone (killed: the kernel released its flock) is taken over with a note. Where flock is
 * not supported, a holder on this host whose PID no longer runs counts as gone. The file
 * is removed when the run ends normally. It knows nothing of checkpoints or metrics. */
#ifndef RECUR_RUN_LOCK_H
#define RECUR_RUN_LOCK_H

/* Creates dir (mkdir -p) and takes its lock, or exits 2 naming the holder. One lock per
 * process; it is released by exit() (however the process ends) or run_lock_release. */
void run_lock_acquire(const char *dir);
void run_lock_release(void);

#endif
