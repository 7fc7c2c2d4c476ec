/* watchdog.h: a thread that ends this process when one wait lasts too long and the main
 * thread cannot look itself (it is inside MPI_Init, or an NCCL wait): it writes one line,
 * "recur: LABEL: WHAT has waited N s (VARIABLE = T s)EXTRA; ending the job", and exits 1;
 * mpirun (or srun) then ends the other ranks. It never calls MPI (not thread-safe here).
 * Waits on MPI collectives are timed by collective_wait.h instead, which can ask the
 * other ranks and name the one that did not arrive. */
#ifndef RECUR_WATCHDOG_H
#define RECUR_WATCHDOG_H

/* Starts the thread (once; later calls do nothing). */
void watchdog_start(void);
/* Times a wait from now: `what` and `variable` name it in the message (static strings);
 * `explain`, when not NULL, is called on expiry (in the thread) to add text naming who is
 * missing. seconds <= 0: not timed. */
void watchdog_arm(const char *what, double seconds, const char *variable, void (*explain)(char *out, int size));
void watchdog_disarm(void);
/* "rank R/W on HOST", for the messages (set once the rank is known). */
void watchdog_set_label(const char *label);

#endif
