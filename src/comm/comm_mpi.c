/* comm_mpi.c: the MPI backend of comm.h, with the collective watchdog. Every MPI call
 * goes through CHECK(MPI, ...). */
#include "core/clock.h"
#include "comm.h"

#include <mpi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/check.h"
#include "core/hash.h"

/* ---- watchdog: a thread that ends the process when a collective waits too long ---- */

static double timeout_s = 600;
static volatile double waiting_since; /* 0: not in a collective */
static const char *volatile waiting_in;
static int my_rank;

static void *watchdog(void *unused) {
    (void)unused;
    for (;;) {
        struct timespec pause = {0, 250 * 1000 * 1000};
        nanosleep(&pause, 0);
        double since = waiting_since;
        if (timeout_s <= 0 || since <= 0 || now_s() - since < timeout_s) continue;
        /* MPI is not thread-safe here: write and leave; mpirun ends the other ranks. */
        char msg[256];
        int n = snprintf(msg, sizeof msg, "recur: rank %d: %s has waited %.0f s for the other ranks "
                         "(RECUR_COMM_TIMEOUT): a rank is hung or gone; ending the job\n",
                         my_rank, waiting_in ? waiting_in : "a collective", now_s() - since);
        if (write(2, msg, (size_t)n) < 0) _exit(EXIT_RUNTIME);
        _exit(EXIT_RUNTIME);
    }
    return NULL;
}

void comm_set_timeout(double seconds) { timeout_s = seconds; }

static void enter(const char *name) { waiting_in = name, waiting_since = now_s(); }
static void leave(void) { waiting_since = 0; }
void comm_wait_begin(const char *what) { enter(what); }
void comm_wait_end(void) { leave(); }

static void start_watchdog(void) {
    const char *env = getenv("RECUR_COMM_TIMEOUT");
    if (env && *env) timeout_s = atof(env);
    pthread_t t;
    if (pthread_create(&t, NULL, watchdog, NULL) != 0) recur_die(EXIT_RUNTIME, "cannot start the watchdog thread");
    pthread_detach(t);
}

/* ---- start and end ---- */

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

static void find_local_rank(Comm *c) {
    MPI_Comm node;
    CHECK(MPI, MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, c->rank, MPI_INFO_NULL, &node));
    CHECK(MPI, MPI_Comm_rank(node, &c->local_rank));
    CHECK(MPI, MPI_Comm_size(node, &c->local_size));
    CHECK(MPI, MPI_Comm_free(&node));
}

void comm_init(Comm *c, int *argc, char ***argv) {
    int up = 0;
    MPI_Initialized(&up);
    c->initialized_mpi = !up;
    if (!up) CHECK(MPI, MPI_Init(argc, argv));
    CHECK(MPI, MPI_Comm_rank(MPI_COMM_WORLD, &c->rank));
    CHECK(MPI, MPI_Comm_size(MPI_COMM_WORLD, &c->size));
    my_rank = c->rank;
    recur_set_abort_hook(abort_job);
    find_local_rank(c);
    if (c->size > 1) {
        char host[MPI_MAX_PROCESSOR_NAME], label[MPI_MAX_PROCESSOR_NAME + 48];
        int len = 0;
        CHECK(MPI, MPI_Get_processor_name(host, &len));
        snprintf(label, sizeof label, "rank %d/%d on %s", c->rank, c->size, host);
        recur_set_rank_label(label);
        start_watchdog();
    }
}

void comm_finalize(Comm *c) {
    if (c->initialized_mpi) CHECK(MPI, MPI_Finalize());
    c->initialized_mpi = 0;
}

_Noreturn void comm_exit(Comm *c, int status) {
    fflush(stdout);
    comm_finalize(c);
    exit(status);
}

/* ---- collectives ---- */

void comm_bcast(const Comm *c, void *buf, size_t bytes, int root) {
    if (c->size == 1) return;
    enter("a broadcast");
    for (size_t at = 0; at < bytes; at += 1u << 30) { /* MPI counts are int */
        size_t n = bytes - at < (1u << 30) ? bytes - at : (1u << 30);
        CHECK(MPI, MPI_Bcast((char *)buf + at, (int)n, MPI_BYTE, root, MPI_COMM_WORLD));
    }
    leave();
}

void comm_bcast_real(const Comm *c, real *buf, size_t n, int root) { comm_bcast(c, buf, n * sizeof(real), root); }

void comm_sum_double(const Comm *c, double *v, size_t n) {
    if (c->size == 1 || n == 0) return;
    enter("a sum of metrics");
    CHECK(MPI, MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD));
    leave();
}

void comm_sum_int64(const Comm *c, int64_t *v, size_t n) {
    if (c->size == 1 || n == 0) return;
    enter("a sum of counts");
    CHECK(MPI, MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD));
    leave();
}

double *comm_gather_double(const Comm *c, const double *v, int64_t n, int64_t *total) {
    int count = (int)n, *counts = NULL, *displs = NULL;
    if (c->rank == 0) {
        counts = xmalloc(sizeof(int) * (size_t)c->size, "gather counts");
        displs = xmalloc(sizeof(int) * (size_t)c->size, "gather offsets");
    }
    enter("a gather of errors");
    CHECK(MPI, MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD));
    int64_t sum = 0;
    for (int r = 0; c->rank == 0 && r < c->size; r++) displs[r] = (int)sum, sum += counts[r];
    double *all = c->rank == 0 ? xmalloc(sizeof(double) * (size_t)(sum ? sum : 1), "gathered errors") : NULL;
    CHECK(MPI, MPI_Gatherv(v, count, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD));
    leave();
    free(counts), free(displs);
    *total = sum;
    return all;
}

void comm_check_same(const Comm *c, const char *what, const void *bytes, size_t n) {
    if (c->size == 1) return;
    uint64_t mine = fnv1a64(FNV1A64_START, bytes, n);
    uint64_t *all = xmalloc(sizeof(uint64_t) * (size_t)c->size, "agreement check");
    enter("the start-up agreement check");
    CHECK(MPI, MPI_Allgather(&mine, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD));
    leave();
    int differs = -1;
    for (int r = 1; r < c->size && differs < 0; r++) if (all[r] != all[0]) differs = r;
    free(all);
    if (differs < 0) return;
    if (c->rank == 0)
        fprintf(stderr, "recur: rank %d's %s differs from rank 0's: every rank must run with the same "
                "settings and data; ending the job\n", differs, what);
    comm_exit((Comm *)c, EXIT_USAGE);
}

void comm_barrier(const Comm *c) {
    if (c->size == 1) return;
    enter("a barrier");
    CHECK(MPI, MPI_Barrier(MPI_COMM_WORLD));
    leave();
}
