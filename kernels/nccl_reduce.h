/* nccl_reduce.h: the NCCL side of gradient averaging for GPU models (comm/grad_reduce.c
 * picks it when the model lives on a GPU and there is more than one rank).
 *
 * One communicator per job (ncclUniqueId from rank 0, broadcast over MPI), its own stream.
 * nccl_reduce_start queues an in-place sum of a range of device memory that becomes
 * ready on the compute stream (cuda_ops_stream): an event there, the NCCL stream waits
 * for it, so the all-reduce of finished layers overlaps the backward pass of the rest.
 * nccl_reduce_finish makes the compute stream wait for every queued sum, and polls on
 * the host (under the comm watchdog, comm.h) so that a dead or hung peer ends the job
 * with a message instead of a hang; NCCL's asynchronous errors are checked while it polls.
 * While the compute stream is being captured into a CUDA graph it does not poll: the
 * graph holds the sums, and the host's wait is the step's one read after its launch. */
#ifndef RECUR_NCCL_REDUCE_H
#define RECUR_NCCL_REDUCE_H

#include <stddef.h>

#include "comm/comm.h"
#include "core/real.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct NcclReducer NcclReducer;

NcclReducer *nccl_reduce_open(const Comm *c);
void nccl_reduce_close(NcclReducer *r);
void nccl_reduce_start(NcclReducer *r, real *data, size_t count);
void nccl_reduce_finish(NcclReducer *r);

#ifdef __cplusplus
}
#endif

#endif
