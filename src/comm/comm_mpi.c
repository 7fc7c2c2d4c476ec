/* comm_mpi.c: the MPI backend of comm.h: start-up under a time limit, the host table,
 * collectives started non-blocking and waited for by collective_wait.h (which names a rank
 * that does not arrive), ending the job. Every MPI call goes through CHECK(MPI, ...). */
#include "comm.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collective_wait.h"
#include "core/check.h"
#include "core/hash.h"
#include "startup_checkin.h"
#include "watchdog.h"

/* ---- time limits (docs/PARALLEL.md, "Start-up and hangs") ---- */

static double comm_timeout_s = 600, startup_timeout_s = 120;
static char (*labels)[MPI_MAX_PROCESSOR_NAME + 48]; /* "rank R/W on HOST" per rank, after start-up */
static int world_size = 1;

/* Seconds from the environment variable `name` (a number >= 0; 0 = no limit), or `fallback`. */
static double seconds_from_env(const char *name, double fallback) {
    const char *text = getenv(name);
    if (!text || !*text) return fallback;
    char *end;
    double v = strtod(text, &end);
    if (*end || v < 0 || v != v)
        recur_die(EXIT_USAGE, "%s must be a number of seconds >= 0 (0 = no limit), got '%.40s'", name, text);
    return v;
}

void comm_set_timeout(double seconds) { comm_timeout_s = seconds; }

/* NCCL waits (not MPI requests): the watchdog thread times them. */
void comm_wait_begin(const char *what) { watchdog_arm(what, comm_timeout_s, "RECUR_COMM_TIMEOUT", NULL); }
void comm_wait_end(void) { watchdog_disarm(); }

void comm_wait_requests(void *requests, int n, const char *what) {
    collective_wait((MPI_Request *)requests, n, what, comm_timeout_s, "RECUR_COMM_TIMEOUT");
}

static const char *label_of(int rank) {
    static char unknown[64];
    if (labels) return labels[rank];
    snprintf(unknown, sizeof unknown, "rank %d/%d", rank, world_size);
    return unknown;
}

const char *comm_rank_label(const Comm *c, int rank) { (void)c; return label_of(rank); }

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

/* Before MPI_Init: a job of several ranks times its start-up (startup_checkin.h names a
 * rank of this node that never arrived). */
static void before_mpi_init(void) {
    if (startup_env_size() <= 1) return;
    char label[MPI_MAX_PROCESSOR_NAME + 48];
    snprintf(label, sizeof label, "rank %d/%d on %s", startup_env_rank(), startup_env_size(), recur_host_name());
    watchdog_set_label(label);
    watchdog_start();
    startup_checkin();
    watchdog_arm("start-up (MPI_Init, waiting for every rank)", startup_timeout_s, "RECUR_STARTUP_TIMEOUT",
                 startup_explain);
}

/* After MPI_Init: every rank's host name, gathered under the start-up limit (a rank that
 * stops now is named by collective_wait), then the labels of every message. */
static void gather_hosts(Comm *c) {
    char host[MPI_MAX_PROCESSOR_NAME] = "", *all = xcalloc((size_t)c->size, MPI_MAX_PROCESSOR_NAME, "host table");
    int len = 0;
    CHECK(MPI, MPI_Get_processor_name(host, &len));
    MPI_Request req;
    CHECK(MPI, MPI_Iallgather(host, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
                              MPI_COMM_WORLD, &req));
    collective_wait_set_explain(startup_explain);
    collective_wait(&req, 1, "start-up (every rank's host name)", startup_timeout_s, "RECUR_STARTUP_TIMEOUT");
    collective_wait_set_explain(NULL);
    labels = xcalloc((size_t)c->size, sizeof *labels, "rank labels");
    for (int r = 0; r < c->size; r++)
        snprintf(labels[r], sizeof *labels, "rank %d/%d on %.*s", r, c->size, MPI_MAX_PROCESSOR_NAME,
                 all + (size_t)r * MPI_MAX_PROCESSOR_NAME);
    free(all);
    recur_set_rank_label(labels[c->rank]);
    watchdog_set_label(labels[c->rank]);
}

void comm_init(Comm *c, int *argc, char ***argv) {
    comm_timeout_s = seconds_from_env("RECUR_COMM_TIMEOUT", comm_timeout_s);
    startup_timeout_s = seconds_from_env("RECUR_STARTUP_TIMEOUT", startup_timeout_s);
    int up = 0;
    MPI_Initialized(&up);
    c->initialized_mpi = !up;
    if (!up) {
        before_mpi_init();
        CHECK(MPI, MPI_Init(argc, argv));
        watchdog_disarm();
    }
    CHECK(MPI, MPI_Comm_rank(MPI_COMM_WORLD, &c->rank));
    CHECK(MPI, MPI_Comm_size(MPI_COMM_WORLD, &c->size));
    world_size = c->size;
    recur_set_abort_hook(abort_job);
    if (c->size > 1) { /* this rank's label now; every rank's once the hosts are gathered */
        char label[MPI_MAX_PROCESSOR_NAME + 48];
        snprintf(label, sizeof label, "rank %d/%d on %s", c->rank, c->size, recur_host_name());
        recur_set_rank_label(label);
    }
    collective_wait_init(c->rank, c->size, label_of);
    if (c->size > 1) {
        watchdog_start();
        gather_hosts(c);
    }
    watchdog_arm("start-up (the node-local ranks)", startup_timeout_s, "RECUR_STARTUP_TIMEOUT", startup_explain);
    find_local_rank(c); /* a blocking collective: the watchdog thread times it */
    watchdog_disarm();
    startup_checkin_done();
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

/* ---- collectives: started non-blocking, waited for by collective_wait ---- */

static void wait_one(MPI_Request *req, const char *what) {
    collective_wait(req, 1, what, comm_timeout_s, "RECUR_COMM_TIMEOUT");
}

void comm_bcast(const Comm *c, void *buf, size_t bytes, int root) {
    if (c->size == 1) return;
    for (size_t at = 0; at < bytes; at += 1u << 30) { /* MPI counts are int */
        size_t n = bytes - at < (1u << 30) ? bytes - at : (1u << 30);
        MPI_Request req;
        CHECK(MPI, MPI_Ibcast((char *)buf + at, (int)n, MPI_BYTE, root, MPI_COMM_WORLD, &req));
        wait_one(&req, "a broadcast");
    }
}

void comm_bcast_real(const Comm *c, real *buf, size_t n, int root) { comm_bcast(c, buf, n * sizeof(real), root); }

void comm_sum_double(const Comm *c, double *v, size_t n) {
    if (c->size == 1 || n == 0) return;
    MPI_Request req;
    CHECK(MPI, MPI_Iallreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &req));
    wait_one(&req, "a sum of metrics");
}

void comm_sum_int64(const Comm *c, int64_t *v, size_t n) {
    if (c->size == 1 || n == 0) return;
    MPI_Request req;
    CHECK(MPI, MPI_Iallreduce(MPI_IN_PLACE, v, (int)n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD, &req));
    wait_one(&req, "a sum of counts");
}

double *comm_gather_double(const Comm *c, const double *v, int64_t n, int64_t *total) {
    int count = (int)n, *counts = NULL, *displs = NULL;
    if (c->rank == 0) {
        counts = xmalloc(sizeof(int) * (size_t)c->size, "gather counts");
        displs = xmalloc(sizeof(int) * (size_t)c->size, "gather offsets");
    }
    MPI_Request req;
    CHECK(MPI, MPI_Igather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD, &req));
    wait_one(&req, "a gather of errors");
    int64_t sum = 0;
    for (int r = 0; c->rank == 0 && r < c->size; r++) displs[r] = (int)sum, sum += counts[r];
    double *all = c->rank == 0 ? xmalloc(sizeof(double) * (size_t)(sum ? sum : 1), "gathered errors") : NULL;
    CHECK(MPI, MPI_Igatherv(v, count, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD, &req));
    wait_one(&req, "a gather of errors");
    free(counts), free(displs);
    *total = sum;
    return all;
}

int comm_first_difference(const Comm *c, const uint64_t *hashes, int n, int *index) {
    *index = -1;
    if (c->size == 1) return -1;
    uint64_t *all = xmalloc(sizeof(uint64_t) * (size_t)c->size * (size_t)n, "agreement check");
    MPI_Request req;
    CHECK(MPI, MPI_Iallgather(hashes, n, MPI_UINT64_T, all, n, MPI_UINT64_T, MPI_COMM_WORLD, &req));
    wait_one(&req, "the start-up agreement check");
    int differs = -1;
    for (int r = 1; r < c->size && differs < 0; r++)
        for (int i = 0; i < n && differs < 0; i++)
            if (all[(size_t)r * (size_t)n + (size_t)i] != all[i]) differs = r, *index = i;
    free(all);
    return differs;
}

void comm_check_same(const Comm *c, const char *what, const void *bytes, size_t n) {
    uint64_t mine = fnv1a64(FNV1A64_START, bytes, n);
    int index, differs = comm_first_difference(c, &mine, 1, &index);
    if (differs < 0) return;
    if (c->rank == 0)
        fprintf(stderr, "recur: %s's %s differs from %s's: every rank must run with the same settings and "
                "data; ending the job\n", label_of(differs), what, label_of(0));
    comm_exit((Comm *)c, EXIT_USAGE);
}

void comm_barrier(const Comm *c) {
    if (c->size == 1) return;
    MPI_Request req;
    CHECK(MPI, MPI_Ibarrier(MPI_COMM_WORLD, &req));
    wait_one(&req, "a barrier");
}
