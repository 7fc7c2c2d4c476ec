/* grad_reduce.c: bucketed, overlapped gradient averaging over MPI (grad_reduce.h). */
#include "grad_reduce.h"

#include <mpi.h>
#include <stdlib.h>

#include "core/check.h"

static MPI_Datatype real_type(void) { return sizeof(real) == sizeof(double) ? MPI_DOUBLE : MPI_FLOAT; }

void grad_reduce_init(GradReducer *g, const Comm *c, real *grads, size_t n, int overlap) {
    *g = (GradReducer){.comm = c, .grads = grads, .n = n, .overlap = overlap};
    g->requests = xmalloc(sizeof(MPI_Request) * GRAD_MAX_BUCKETS, "gradient requests");
}

void grad_reduce_free(GradReducer *g) {
    free(g->requests);
    g->requests = NULL;
}

void grad_reduce_begin(GradReducer *g, double local_items, double global_items) {
    g->scale = (real)(global_items > 0 ? local_items / global_items : 0);
    g->pending = 0, g->reduced = 0;
}

static void scale_range(GradReducer *g, size_t offset, size_t count) {
    real s = g->scale, *v = g->grads + offset;
    for (size_t i = 0; i < count; i++) v[i] *= s;
}

/* Starts the all-reduce of [offset, offset+count) in buckets of GRAD_BUCKET_ELEMS. */
static void start(GradReducer *g, size_t offset, size_t count) {
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
    scale_range(g, offset, count);
    g->reduced += count;
    if (g->comm->size > 1 && g->overlap) start(g, offset, count);
}

void grad_reduce_finish(GradReducer *g) {
    if (g->reduced != g->n)
        recur_die(EXIT_RUNTIME, "internal: backward reported %zu of %zu gradients", g->reduced, g->n);
    if (g->comm->size == 1) return;
    if (!g->overlap) start(g, 0, g->n);
    comm_wait_begin("the gradient all-reduce");
    CHECK(MPI, MPI_Waitall(g->pending, g->requests, MPI_STATUSES_IGNORE));
    comm_wait_end();
    g->pending = 0;
}
