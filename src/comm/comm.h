/* comm.h: the job's processes — start-up, ranks (world and node-local), broadcasts,
 * reductions of metrics to rank 0, agreement checks, and ending the whole job.
 *
 * MPI backend (comm_mpi.c); gradients are reduced by grad_reduce.h on top of it. Every
 * call is collective unless it says otherwise. recur_die() ends the job through the
 * abort hook comm_init registers (MPI_Abort), so a failing rank takes every rank down
 * with its message instead of leaving them blocked in a collective. A watchdog thread
 * ends the process when one collective has waited longer than the timeout (a peer that
 * hangs rather than dies), naming the rank and the collective; mpirun then ends the
 * others. */
#ifndef RECUR_COMM_H
#define RECUR_COMM_H

#include <stddef.h>
#include <stdint.h>

#include "core/real.h"

typedef struct Comm {
    int rank, size;             /* in the job */
    int local_rank, local_size; /* among the ranks on this node (MPI_COMM_TYPE_SHARED) */
    int initialized_mpi;        /* this process called MPI_Init (and must finalize) */
} Comm;

void comm_init(Comm *c, int *argc, char ***argv);
void comm_finalize(Comm *c);
/* Ends this process as part of a job ending in step: every rank calls it (no abort). */
_Noreturn void comm_exit(Comm *c, int status);

/* Seconds a collective may wait before the watchdog ends the job (default 600; the
 * RECUR_COMM_TIMEOUT environment variable or this call set it; 0 = no watchdog). */
void comm_set_timeout(double seconds);
/* Around any other blocking wait on the ranks (e.g. MPI_Waitall of the gradient
 * buckets): the watchdog times it; `what` names it in the message. */
void comm_wait_begin(const char *what);
void comm_wait_end(void);

void comm_bcast(const Comm *c, void *buf, size_t bytes, int root);
void comm_bcast_real(const Comm *c, real *buf, size_t n, int root);
/* In-place element-wise sums over all ranks, every rank gets the result. */
void comm_sum_double(const Comm *c, double *v, size_t n);
void comm_sum_int64(const Comm *c, int64_t *v, size_t n);
/* Rank 0 gets every rank's v[0..n) concatenated in rank order (*total set there);
 * the buffer is malloc'd on rank 0, NULL elsewhere. */
double *comm_gather_double(const Comm *c, const double *v, int64_t n, int64_t *total);
/* Every rank's `bytes` must equal rank 0's; otherwise every rank stops with one message
 * naming `what` and the first rank that differs (exit 2). */
void comm_check_same(const Comm *c, const char *what, const void *bytes, size_t n);
void comm_barrier(const Comm *c);

#endif
