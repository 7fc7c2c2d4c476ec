/* emu_nccl.cpp: NCCL on the emulated device, over MPI (nccl.h says how). The sum of a
 * float all-reduce is MPI's, so an emulated multi-GPU job and the MPI path of recur add
 * the same numbers in the same order. */
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "emu_internal.h"
#include "nccl.h"

struct EmuNcclComm {
    MPI_Comm mpi;
    int rank, nranks, device;
    int aborted;
    ncclResult_t async_error;
};

static char last_error[512];

static ncclResult_t fail(ncclResult_t rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static ncclResult_t fail(ncclResult_t rc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    emu_report("NCCL: %s", last_error);
    return rc;
}

extern "C" const char *ncclGetErrorString(ncclResult_t r) {
    switch (r) {
    case ncclSuccess: return "no error";
    case ncclUnhandledCudaError: return "unhandled cuda error";
    case ncclSystemError: return "unhandled system error";
    case ncclInternalError: return "internal error";
    case ncclInvalidArgument: return "invalid argument";
    case ncclInvalidUsage: return "invalid usage";
    case ncclRemoteError: return "remote process exited or there was a network error";
    case ncclInProgress: return "NCCL operation in progress";
    }
    return "unknown result";
}

extern "C" const char *ncclGetLastError(ncclComm_t comm) {
    (void)comm;
    return last_error;
}

extern "C" ncclResult_t ncclGetUniqueId(ncclUniqueId *id) {
    memset(id, 0, sizeof *id);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(id->internal, sizeof id->internal, "recur-emu %ld %ld %ld", (long)getpid(), (long)now.tv_sec,
             (long)now.tv_nsec);
    return ncclSuccess;
}

static int id_color(const ncclUniqueId &id) {
    unsigned h = 2166136261u;
    for (char c : id.internal) h = (h ^ (unsigned char)c) * 16777619u;
    return (int)(h & 0x7fffffff);
}

extern "C" ncclResult_t ncclCommInitRank(ncclComm_t *comm, int nranks, ncclUniqueId id, int rank) {
    emu_init();
    int up = 0;
    MPI_Initialized(&up);
    if (!up) return fail(ncclInvalidUsage, "ncclCommInitRank: the emulated NCCL runs over MPI; MPI is not initialised");
    if (nranks < 1 || rank < 0 || rank >= nranks)
        return fail(ncclInvalidArgument, "ncclCommInitRank: rank %d of %d", rank, nranks);
    if (strncmp(id.internal, "recur-emu ", 10) != 0)
        return fail(ncclInvalidArgument, "ncclCommInitRank: the unique id was not made by ncclGetUniqueId");
    MPI_Comm c;
    if (MPI_Comm_split(MPI_COMM_WORLD, id_color(id), rank, &c) != MPI_SUCCESS)
        return fail(ncclSystemError, "ncclCommInitRank: MPI_Comm_split failed");
    int size, me;
    MPI_Comm_size(c, &size), MPI_Comm_rank(c, &me);
    if (size != nranks || me != rank) {
        MPI_Comm_free(&c);
        return fail(ncclInvalidArgument, "ncclCommInitRank: rank %d of %d, but %d process(es) joined with this id",
                    rank, nranks, size);
    }
    *comm = new EmuNcclComm{c, rank, nranks, emu_current_device(), 0, ncclSuccess};
    emu_count("nccl", "ncclCommInitRank", 0);
    return ncclSuccess;
}

extern "C" ncclResult_t ncclCommDestroy(ncclComm_t comm) {
    if (!comm) return ncclSuccess;
    if (!comm->aborted) MPI_Comm_free(&comm->mpi);
    delete comm;
    return ncclSuccess;
}

/* Never blocks: the MPI communicator is left for MPI_Abort / MPI_Finalize. */
extern "C" ncclResult_t ncclCommAbort(ncclComm_t comm) {
    if (!comm) return ncclSuccess;
    emu_count("nccl", "ncclCommAbort", 0);
    emu_counts_write(); /* the fatal path ends the process with _exit: no exit handlers */
    comm->aborted = 1;
    delete comm;
    return ncclSuccess;
}

extern "C" ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t *async_error) {
    if (!comm) return fail(ncclInvalidArgument, "ncclCommGetAsyncError: NULL communicator");
    *async_error = comm->async_error;
    return ncclSuccess;
}

extern "C" ncclResult_t ncclCommCount(const ncclComm_t comm, int *count) {
    *count = comm->nranks;
    return ncclSuccess;
}

extern "C" ncclResult_t ncclCommUserRank(const ncclComm_t comm, int *rank) {
    *rank = comm->rank;
    return ncclSuccess;
}

static ncclResult_t check_buffer(const char *name, const void *p, size_t bytes, int device) {
    const EmuAlloc *a = emu_find_device(p, bytes);
    if (!a)
        return fail(ncclInvalidArgument, "ncclAllReduce: %s (%zu bytes at %p) is not inside one device allocation",
                    name, bytes, p);
    if (a->device != device)
        return fail(ncclInvalidArgument, "ncclAllReduce: %s is memory of device %d; the communicator is on device %d",
                    name, a->device, device);
    return ncclSuccess;
}

extern "C" ncclResult_t ncclAllReduce(const void *send, void *recv, size_t count, ncclDataType_t type, ncclRedOp_t op,
                                      ncclComm_t comm, cudaStream_t stream) {
    if (!comm || comm->aborted) return fail(ncclInvalidArgument, "ncclAllReduce: no communicator (or an aborted one)");
    if (type != ncclFloat && type != ncclDouble)
        return fail(ncclInvalidArgument, "ncclAllReduce: only float and double are emulated (type %d)", (int)type);
    if (op != ncclSum && op != ncclMax && op != ncclMin && op != ncclProd)
        return fail(ncclInvalidArgument, "ncclAllReduce: operation %d is not emulated", (int)op);
    EmuStream *s = emu_stream(stream);
    if (s->device != comm->device)
        return fail(ncclInvalidArgument, "ncclAllReduce: the stream is on device %d, the communicator on device %d",
                    s->device, comm->device);
    size_t bytes = count * (type == ncclFloat ? 4 : 8);
    if (count == 0) return ncclSuccess;
    ncclResult_t rc = check_buffer("sendbuff", send, bytes, comm->device);
    if (rc == ncclSuccess) rc = check_buffer("recvbuff", recv, bytes, comm->device);
    if (rc != ncclSuccess) return rc;
    emu_count("nccl", "ncclAllReduce", (double)bytes);
    MPI_Datatype mtype = type == ncclFloat ? MPI_FLOAT : MPI_DOUBLE;
    MPI_Op mop = op == ncclSum ? MPI_SUM : op == ncclMax ? MPI_MAX : op == ncclMin ? MPI_MIN : MPI_PROD;
    emu_enqueue(s, {"ncclAllReduce", [=] {
                        size_t done = 0, esize = bytes / count;
                        while (done < count && comm->async_error == ncclSuccess) {
                            int n = count - done > (size_t)1 << 30 ? 1 << 30 : (int)(count - done);
                            char *r = (char *)recv + done * esize;
                            const void *from = send == recv ? MPI_IN_PLACE : (const char *)send + done * esize;
                            if (MPI_Allreduce(from, r, n, mtype, mop, comm->mpi) != MPI_SUCCESS)
                                comm->async_error = fail(ncclSystemError, "ncclAllReduce: MPI_Allreduce failed");
                            done += (size_t)n;
                        }
                        return cudaSuccess;
                    },
                    {recv}});
    return ncclSuccess;
}
