/* nccl_reduce.c: NCCL all-reduce of gradient ranges, ordered after the compute stream
 * and polled under the watchdog (nccl_reduce.h). */
#include "nccl_reduce.h"

#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "cuda_ops.h"
#include "gpu_check.h"

/* Gradients are `real`; NCCL must sum them as that type. */
#define NCCL_REAL _Generic((real)0, float: ncclFloat, double: ncclDouble)
_Static_assert(_Generic((real)0, float: 1, double: 1, default: 0), "nccl_reduce.c: real must be float or double");

struct NcclReducer {
    ncclComm_t comm;
    cudaStream_t stream;     /* NCCL's own */
    cudaEvent_t ready, done; /* compute -> NCCL, NCCL -> compute */
    int pending;             /* sums queued since the last finish */
};

/* The live communicator, aborted by recur_die before the job is (ncclCommAbort does not
 * wait for peers, so no rank is left in a collective with a dead one). */
static ncclComm_t live_comm;

static void abort_communicator(void) {
    ncclComm_t c = live_comm;
    live_comm = NULL;
    if (c) ncclCommAbort(c);
}

NcclReducer *nccl_reduce_open(const Comm *c) {
    NcclReducer *r = xcalloc(1, sizeof *r, "NCCL reducer");
    ncclUniqueId id;
    if (c->rank == 0) CHECK(NCCL, ncclGetUniqueId(&id));
    comm_bcast(c, &id, sizeof id, 0);
    comm_wait_begin("the NCCL communicator set-up (ncclCommInitRank)");
    CHECK(NCCL, ncclCommInitRank(&r->comm, c->size, id, c->rank));
    comm_wait_end();
    live_comm = r->comm;
    recur_on_fatal(abort_communicator);
    CHECK(CUDA, cudaStreamCreateWithFlags(&r->stream, cudaStreamNonBlocking));
    CHECK(CUDA, cudaEventCreateWithFlags(&r->ready, cudaEventDisableTiming));
    CHECK(CUDA, cudaEventCreateWithFlags(&r->done, cudaEventDisableTiming));
    return r;
}

void nccl_reduce_close(NcclReducer *r) {
    if (!r) return;
    live_comm = NULL;
    CHECK(NCCL, ncclCommDestroy(r->comm));
    CHECK(CUDA, cudaEventDestroy(r->ready)), CHECK(CUDA, cudaEventDestroy(r->done));
    CHECK(CUDA, cudaStreamDestroy(r->stream));
    free(r);
}

void nccl_reduce_start(NcclReducer *r, real *data, size_t count) {
    CHECK(CUDA, cudaEventRecord(r->ready, cuda_ops_stream()));
    CHECK(CUDA, cudaStreamWaitEvent(r->stream, r->ready, 0));
    CHECK(NCCL, ncclAllReduce(data, data, count, NCCL_REAL, ncclSum, r->comm, r->stream));
    r->pending++;
}

/* Polls the sums' completion without sleeping for the first POLL_SPIN_S (a step's
 * all-reduce usually ends within it, so the wait adds no sleep latency), then yields, then
 * sleeps in growing pauses up to 1 ms; NCCL's asynchronous errors are checked throughout. */
enum { POLL_CHECK_EVERY = 64 };
static const double POLL_SPIN_S = 200e-6, POLL_YIELD_S = 2e-3;

static void wait_for_event(NcclReducer *r) {
    double start = now_s();
    long pause_ns = 1000;
    for (long polls = 0;; polls++) {
        cudaError_t rc = cudaEventQuery(r->done);
        if (rc == cudaSuccess) return;
        if (rc != cudaErrorNotReady) CHECK(CUDA, rc);
        if (polls % POLL_CHECK_EVERY == 0) {
            ncclResult_t async;
            CHECK(NCCL, ncclCommGetAsyncError(r->comm, &async));
            CHECK(NCCL, async);
        }
        double waited = now_s() - start;
        if (waited < POLL_SPIN_S) continue;
        if (waited < POLL_YIELD_S) {
            sched_yield();
            continue;
        }
        struct timespec pause = {0, pause_ns};
        nanosleep(&pause, NULL);
        if (pause_ns < 1000000) pause_ns *= 2;
    }
}

/* While the compute stream is captured (a CUDA graph of the step: train/step_graph.h) the
 * host must not wait: the sums join back into the stream as a graph dependency, and the
 * host waits for them with the step's one read at its end. */
static int capturing(void) {
    enum cudaStreamCaptureStatus status;
    CHECK(CUDA, cudaStreamIsCapturing(cuda_ops_stream(), &status));
    return status != cudaStreamCaptureStatusNone;
}

void nccl_reduce_finish(NcclReducer *r) {
    if (!r->pending) return;
    CHECK(CUDA, cudaEventRecord(r->done, r->stream));
    if (!capturing()) {
        comm_wait_begin("the NCCL gradient all-reduce");
        wait_for_event(r);
        comm_wait_end();
    }
    CHECK(CUDA, cudaStreamWaitEvent(cuda_ops_stream(), r->done, 0));
    r->pending = 0;
}
