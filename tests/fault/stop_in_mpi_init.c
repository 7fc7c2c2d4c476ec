/* stop_in_mpi_init.c: an LD_PRELOAD shim for the start-up tests: the rank named by
 * $STOP_RANK (OMPI_COMM_WORLD_RANK) stops itself with SIGSTOP inside MPI_Init, before the
 * real MPI_Init runs ($STOP_WHEN = before: the others wait in MPI_Init) or right after it
 * returns ($STOP_WHEN = after: the others wait in recur's start-up handshake). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

int MPI_Init(int *argc, char ***argv) {
    const char *rank = getenv("OMPI_COMM_WORLD_RANK"), *who = getenv("STOP_RANK"), *when = getenv("STOP_WHEN");
    int me = rank && who && when && !strcmp(rank, who);
    if (me && !strcmp(when, "before")) raise(SIGSTOP);
    int (*real_init)(int *, char ***) = (int (*)(int *, char ***))dlsym(RTLD_NEXT, "MPI_Init");
    int rc = real_init(argc, argv);
    if (me && !strcmp(when, "after")) raise(SIGSTOP);
    return rc;
}
