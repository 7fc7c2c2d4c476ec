/* grad_reduce.c: bucketed, overlapped gradient averaging over MPI, or NCCL for a GPU
 * model (grad_reduce.h). */
#include "grad_reduce.h"

#include <mpi.h>
#include <stdlib.h>

#include "core/check.h"
#ifdef RECUR_HAVE_GPU
#include "nccl_reduce.h"
#endif

static MPI_Datatype real_type(void) { return sizeof(real) == sizeof(double) ? MPI_DOUBLE : MPI_FLOAT; }

void grad_reduce_open(GradReducer *g, const Comm *c, GradBuffers buffers, real *grads, size_t n,
                      int overlap) {
    *g = (GradReducer){.comm = c, .buffers = buffers, .grads = grads, .n = n, .overlap = overlap};
    g->requests = xmalloc(sizeof(MPI_Request) * GRAD_MAX_BUCKETS, "gradient requests");
    if (!buffers.device) return;
#ifdef RECUR_HAVE_GPU
    g->nccl = nccl_reduce_open(c); /* also with one rank: the same path at every size */
#else
    recur_die(EXIT_RUNTIME, "internal: gradients in device memory in a build without NCCL");
#endif
}

void grad_reduce_free(GradReducer *g) {
#ifdef RECUR_HAVE_GPU
    nccl_reduce_close(g->nccl);
#endif
    g->nccl = NULL;
    free(g->requests);
    g->requests = NULL;
}

real grad_reduce_share(double local_items, double global_items) {
    return (real)(global_items > 0 ? local_items / global_items : 0);
}

void grad_reduce_begin(GradReducer *g, const real *scale) {
    g->scale = scale;
    g->pending = 0, g->reduced = 0;
}

static int communicates(const GradReducer *g) { return g->comm->size > 1 || g->nccl; }

/* Starts the all-reduce of [offset, offset+count) in buckets of GRAD_BUCKET_ELEMS. */
static void start(GradReducer *g, size_t offset, size_t count) {
#ifdef RECUR_HAVE_GPU
    if (g->nccl) {
        nccl_reduce_start(g->nccl, g->grads + offset, count);
        return;
    }
#endif
    MPI_Request *req = g->requests;
    for (size_t at = 0; at < count; at += GRAD_BUCKET_ELEMS) {
        size_t n = count - at < GRAD_BUCKET_ELEMS ? count - at : GRAD_BUCKET_ELEMS;
        if (g->pending == GRAD_MAX_BUCKETS) recur_die(EXIT_RUNTIME, "internal: too many gradient buckets");
        CHECK(MPI, MPI_Iallreduce(MPI_IN_PLACE, g->grads + offset + at, (int)n, real_type(), MPI_SUM,
                                  MPI_COMM_WORLD, &req[g->pending++]));
    }
    int done;
    CHECK(MPI, MPI_Testall(g->pending, req, &done, MPI_STATUSES_IGNORE)); /* progress */
}

void grad_reduce_ready(void *ctx, size_t offset, size_t count) {
    GradReducer *g = ctx;
    if (g->scale) g->buffers.scale((long)count, g->scale, g->grads + offset);
    g->reduced += count;
    if (communicates(g) && g->overlap) start(g, offset, count);
}

void grad_reduce_finish(GradReducer *g) {
    if (g->reduced != g->n)
        recur_die(EXIT_RUNTIME, "internal: backward reported %zu of %zu gradients", g->reduced, g->n);
    if (!communicates(g)) return;
    if (!g->overlap) start(g, 0, g->n);
#ifdef RECUR_HAVE_GPU
    if (g->nccl) {
        nccl_reduce_finish(g->nccl);
        return;
    }
#endif
    comm_wait_requests(g->requests, g->pending, "the gradient all-reduce");
    g->pending = 0;
}
