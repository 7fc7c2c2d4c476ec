/* comm.h: the job's processes — start-up, rank and size, and ending the whole job.
 *
 * MPI backend (comm_mpi.c). recur_die() calls comm_abort through the hook registered by
 * comm_init, so a failing rank takes every rank down with its message instead of leaving
 * them blocked in a collective. Gradient all-reduce and metric reduction join this
 * header with the distributed trainer. */
#ifndef RECUR_COMM_H
#define RECUR_COMM_H

typedef struct Comm {
    int rank, size;
    int initialized_mpi; /* this process called MPI_Init (and must finalize) */
} Comm;

void comm_init(Comm *c, int *argc, char ***argv);
void comm_finalize(Comm *c);

#endif
