/* comm_mpi.c: the MPI backend of comm.h. */
#include "comm.h"

#include <mpi.h>
#include <stdio.h>
#include <time.h>

#include "../core/check.h"

static void abort_job(int status) {
    int up = 0, down = 0;
    MPI_Initialized(&up);
    MPI_Finalized(&down);
    if (up && !down) {
        int size = 1;
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        /* Give mpirun's output forwarding a moment to pass the message on: MPI_Abort
         * kills every rank at once, and without the pause the line is sometimes lost. */
        if (size > 1) {
            struct timespec pause = {0, 300 * 1000 * 1000};
            nanosleep(&pause, 0);
            MPI_Abort(MPI_COMM_WORLD, status);
        }
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
    if (c->size > 1) {
        char host[MPI_MAX_PROCESSOR_NAME], label[MPI_MAX_PROCESSOR_NAME + 48];
        int len = 0;
        CHECK(MPI, MPI_Get_processor_name(host, &len));
        snprintf(label, sizeof label, "rank %d/%d on %s", c->rank, c->size, host);
        recur_set_rank_label(label);
    }
}

void comm_finalize(Comm *c) {
    if (c->initialized_mpi) CHECK(MPI, MPI_Finalize());
    c->initialized_mpi = 0;
}
