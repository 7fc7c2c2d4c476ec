/* comm_mpi.c: the MPI backend of comm.h. */
#include "comm.h"

#include <mpi.h>

#include "../core/check.h"

static void abort_job(int status) {
    int up = 0, down = 0;
    MPI_Initialized(&up);
    MPI_Finalized(&down);
    if (up && !down) {
        int size = 1;
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        if (size > 1) MPI_Abort(MPI_COMM_WORLD, status);
    }
}

void comm_init(Comm *c, int *argc, char ***argv) {
    int up = 0;
    MPI_Initialized(&up);
    c->initialized_mpi = !up;
    if (!up) CHECK(MPI, MPI_Init(argc, argv));
    CHECK(MPI, MPI_Comm_rank(MPI_COMM_WORLD, &c->rank));
    CHECK(MPI, MPI_Comm_size(MPI_COMM_WORLD, &c->size));
    recur_set_abort_hook(abort_job);
}

void comm_finalize(Comm *c) {
    if (c->initialized_mpi) CHECK(MPI, MPI_Finalize());
    c->initialized_mpi = 0;
}
