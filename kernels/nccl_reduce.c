/* nccl_reduce.c: NCCL all-reduce of gradient ranges, ordered after the compute stream
 * and polled under the watchdog (nccl_reduce.h). */
#include "nccl_reduce.h"

#include <stdlib.h>
#include <time.h>

#include "cuda_ops.h"
#include "gpu_check.h"

struct NcclReducer {
    ncclComm_t comm;
    cudaStream_t stream;     /* NCCL's own */
    cudaEvent_t ready, done; /* compute -> NCCL, NCCL -> compute */
    int pending;             /* sums queued since the last finish */
};

NcclReducer *nccl_reduce_open(const Comm *c) {
    NcclReducer *r = xcalloc(1, sizeof *r, "NCCL reducer");
    ncclUniqueId id;
    if (c->rank == 0) CHECK(NCCL, ncclGetUniqueId(&id));
    comm_bcast(c, &id, sizeof id, 0);
    CHECK(NCCL, ncclCommInitRank(&r->comm, c->size, id, c->rank));
    CHECK(CUDA, cudaStreamCreateWithFlags(&r->stream, cudaStreamNonBlocking));
    CHECK(CUDA, cudaEventCreateWithFlags(&r->ready, cudaEventDisableTiming));
    CHECK(CUDA, cudaEventCreateWithFlags(&r->done, cudaEventDisableTiming));
    return r;
}

void nccl_reduce_close(NcclReducer *r) {
    if (!r) return;
    CHECK(NCCL, ncclCommDestroy(r->comm));
    CHECK(CUDA, cudaEventDestroy(r->ready)), CHECK(CUDA, cudaEventDestroy(r->done));
    CHECK(CUDA, cudaStreamDestroy(r->stream));
    free(r);
}

void nccl_reduce_start(NcclReducer *r, real *data, size_t count) {
    CHECK(CUDA, cudaEventRecord(r->ready, cuda_ops_stream()));
    CHECK(CUDA, cudaStreamWaitEvent(r->stream, r->ready, 0));
    CHECK(NCCL, ncclAllReduce(data, data, count, ncclFloat, ncclSum, r->comm, r->stream));
    r->pending++;
}

void nccl_reduce_finish(NcclReducer *r) {
    if (!r->pending) return;
    CHECK(CUDA, cudaEventRecord(r->done, r->stream));
    comm_wait_begin("the NCCL gradient all-reduce");
    for (;;) {
        cudaError_t rc = cudaEventQuery(r->done);
        if (rc == cudaSuccess) break;
        if (rc != cudaErrorNotReady) CHECK(CUDA, rc);
        ncclResult_t async;
        CHECK(NCCL, ncclCommGetAsyncError(r->comm, &async));
        CHECK(NCCL, async);
        struct timespec pause = {0, 20000}; /* 20 us */
        nanosleep(&pause, NULL);
    }
    comm_wait_end();
    CHECK(CUDA, cudaStreamWaitEvent(cuda_ops_stream(), r->done, 0));
    r->pending = 0;
}
