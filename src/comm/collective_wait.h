/* collective_wait.h: waiting for MPI requests (a collective started non-blocking) under a
 * time limit that names the rank that did not arrive.
 *
 * The wait polls MPI_Testall instead of blocking in MPI, answering on the way the
 * questions of other ranks. When it has waited longer than its limit it asks every other
 * rank (point-to-point, tags of its own on MPI_COMM_WORLD) how many collectives it has
 * entered, waits COLLECTIVE_ANSWER_S for the answers, and ends the job (exit 1) with one
 * line naming, as "rank R/W on HOST", each rank that does not answer (stopped, hung in
 * computation, gone: the one at fault) and, apart, those that answer from an earlier
 * collective (held up behind it: a ring algorithm lets some ranks finish a collective the
 * stopped one left unfinished for others). The lowest rank that answers writes the line;
 * the others follow it after a pause. Every rank must enter the same waits in the same
 * order (each comm.h collective is one). */
#ifndef RECUR_COLLECTIVE_WAIT_H
#define RECUR_COLLECTIVE_WAIT_H

#include <mpi.h>

#define COLLECTIVE_ANSWER_S 2.0

/* This rank, the job's size, and "rank R/W on HOST" for each rank (a function, so the host
 * table can come later). */
void collective_wait_init(int rank, int size, const char *(*label)(int rank));
/* While set (not NULL), what `explain` writes is added to the message (start-up: the
 * ranks of this node that are stopped, startup_checkin.h). */
void collective_wait_set_explain(void (*explain)(char *out, int size));
/* Waits for the n requests; `what` names the wait; after `seconds` (<= 0: never) the job
 * ends as above, naming `variable` (the setting of the limit). */
void collective_wait(MPI_Request *requests, int n, const char *what, double seconds, const char *variable);

#endif
