/* grad_reduce.h: averaging gradients across ranks, in buckets that start as soon as the
 * backward pass has finished the layers they hold (the model's grads_ready hook), so
 * communication overlaps the rest of the backward pass; or, for comparison, one
 * all-reduce of everything at the end (overlap = 0).
 *
 * Exact averaging: each rank's loss is a mean over its own counted items (sequences, or
 * real tokens when tagging, which differ per rank), so each rank's gradient is scaled
 * by local_items / global_items before the sum: the result is the gradient of the mean
 * over the whole global batch, as one process with the concatenated batch computes it.
 * MPI backend (host buffers): MPI_Iallreduce, in place, progressed by MPI_Testall each
 * time another bucket starts; grad_reduce_finish waits for all (under the watchdog).
 * NCCL backend (a GPU model, at any number of ranks, one included, so the path a
 * multi-GPU job takes is the one a single GPU tests): kernels/nccl_reduce.h, one in-place
 * ncclAllReduce per ready range on NCCL's own stream.
 * The reducer reaches the gradients only through GradBuffers, which their owner fills (the
 * trainer, from the model's backend: train/grad_reduce_ops.h); comm must not include model
 * headers. */
#ifndef RECUR_GRAD_REDUCE_H
#define RECUR_GRAD_REDUCE_H

#include <stddef.h>

#include "comm.h"
#include "core/real.h"

enum { GRAD_BUCKET_ELEMS = 1 << 20, GRAD_MAX_BUCKETS = 4096 };

/* Where the gradients live and how to scale them there. */
typedef struct GradBuffers {
    void (*scale)(long n, const real *a, real *x); /* x[0..n) *= *a, both in the buffers' memory */
    int device;                                    /* 1: GPU memory, reduced by NCCL */
} GradBuffers;

typedef struct GradReducer {
    const Comm *comm;
    GradBuffers buffers;
    real *grads;
    size_t n;
    int overlap;          /* 1: per-bucket as ready; 0: one all-reduce at the end */
    const real *scale;    /* this step's local_items / global_items (buffers' memory), or NULL */
    int pending;          /* buckets in flight */
    void *requests;       /* MPI_Request[GRAD_MAX_BUCKETS] */
    size_t reduced;       /* elements handed over this step (must reach n) */
    void *nccl;           /* NcclReducer for a GPU model, else NULL */
} GradReducer;

void grad_reduce_open(GradReducer *g, const Comm *c, GradBuffers buffers, real *grads, size_t n,
                      int overlap);
void grad_reduce_free(GradReducer *g);
/* This rank's share of the global batch: local_items / global_items (0 when empty). */
real grad_reduce_share(double local_items, double global_items);
/* Before backward: *scale (in the gradients' memory, read when the scaling runs, so a
 * step's queued work is the same whatever the share; step_scalars.h) is this step's
 * share; NULL: no scaling (one rank, whose share is 1). */
void grad_reduce_begin(GradReducer *g, const real *scale);
/* The model's grads_ready hook (ctx = the GradReducer): scales the range by this step's
 * scale (not without one) and, overlapped, starts its all-reduce. */
void grad_reduce_ready(void *ctx, size_t offset, size_t count);
/* After backward: every bucket done; grads hold the global-batch gradient on every rank. */
void grad_reduce_finish(GradReducer *g);

#endif
