/* comm.h: the job's processes — start-up, ranks (world and node-local), broadcasts,
 * reductions of metrics to rank 0, agreement checks, and ending the whole job.
 *
 * MPI backend (comm_mpi.c); gradients are reduced by grad_reduce.h on top of it. Every
 * call is collective unless it says otherwise. recur_die() ends the job through the
 * abort hook comm_init registers (MPI_Abort), so a failing rank takes every rank down
 * with its message instead of leaving them blocked in a collective. Start-up is bounded
 * (RECUR_STARTUP_TIMEOUT, default 120 s) and so is every collective (RECUR_COMM_TIMEOUT,
 * default 600 s): a rank that never arrives (stopped, hung, gone) is named as "rank R/W on
 * HOST" in one message and the job ends with exit 1 (collective_wait.h, watchdog.h,
 * startup_checkin.h). */
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

/* Seconds a collective may wait before the job ends (default 600; the RECUR_COMM_TIMEOUT
 * environment variable or this call set it; 0 = no limit). */
void comm_set_timeout(double seconds);
/* Waits for n MPI requests (MPI_Request *, e.g. the gradient buckets' MPI_Iallreduce)
 * under that limit, naming a rank that does not arrive; `what` names the wait. */
void comm_wait_requests(void *requests, int n, const char *what);
/* Around any other blocking wait on the ranks (an NCCL all-reduce): the watchdog thread
 * times it and ends the job naming `what` (it cannot ask the other ranks). */
void comm_wait_begin(const char *what);
void comm_wait_end(void);
/* "rank R/W on HOST" (the host once start-up has gathered them). Not collective. */
const char *comm_rank_label(const Comm *c, int rank);

void comm_bcast(const Comm *c, void *buf, size_t bytes, int root);
void comm_bcast_real(const Comm *c, real *buf, size_t n, int root);
/* In-place element-wise sums over all ranks, every rank gets the result. */
void comm_sum_double(const Comm *c, double *v, size_t n);
void comm_sum_int64(const Comm *c, int64_t *v, size_t n);
/* Rank 0 gets every rank's v[0..n) concatenated in rank order (*total set there);
 * the buffer is malloc'd on rank 0, NULL elsewhere. */
double *comm_gather_double(const Comm *c, const double *v, int64_t n, int64_t *total);
/* Every rank gives n hashes: the first rank whose hashes differ from rank 0's (-1: none)
 * and, in *index, the first that differs. */
int comm_first_difference(const Comm *c, const uint64_t *hashes, int n, int *index);
/* Every rank's `bytes` must equal rank 0's; otherwise every rank stops with one message
 * naming `what` and the first rank that differs (exit 2). */
void comm_check_same(const Comm *c, const char *what, const void *bytes, size_t n);
void comm_barrier(const Comm *c);

#endif
