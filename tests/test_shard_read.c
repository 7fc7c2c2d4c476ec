/* test_shard_read.c: the shard reader under mpirun — for every split of a dataset file,
 * each rank reads its shard, plans two epochs (shuffled, length-grouped batches of 3) and
 * assembles every batch with batch_fill; rank 0 gathers which examples each rank's
 * batches held and a hash of their contents taken FROM THE BATCHES, and checks them
 * against the split read whole by one process: every example exactly once per epoch,
 * with identical tokens/tags/labels or series/targets.
 *   mpirun -n N test_shard_read FILE.h5      (exit 0: all good; 1: a mismatch, printed) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm/comm.h"
#include "core/check.h"
#include "core/hash.h"
#include "data/dataset_file.h"
#include "data/epoch_plan.h"

enum { BATCH = 3, EPOCHS = 2 };

typedef struct Visit {
    long index;     /* example index in the split */
    uint64_t hash;  /* of its content as the batch held it */
} Visit;

/* Hash of batch position b (time-major batch of B). */
static uint64_t batch_example_hash(const Batch *bt, const Dataset *d, int b) {
    uint64_t h = FNV1A64_START;
    int B = bt->B, len = bt->lengths[b], F = d->num_features;
    h = fnv1a64(h, &len, sizeof len);
    for (int t = 0; t < len; t++) {
        if (bt->tokens) h = fnv1a64(h, &bt->tokens[(long)t * B + b], sizeof(int32_t));
        if (d->task == TASK_TAG) h = fnv1a64(h, &bt->labels[(long)t * B + b], sizeof(int32_t));
        for (int f = 0; bt->features && f < F; f++) {
            float v = (float)bt->features[((long)t * B + b) * F + f];
            h = fnv1a64(h, &v, sizeof v);
        }
    }
    if (d->task == TASK_CLASSIFY) h = fnv1a64(h, &bt->labels[b], sizeof(int32_t));
    for (int c = 0; d->task == TASK_REGRESS && c < dataset_output_size(d); c++) {
        float v = (float)bt->targets[(long)b * dataset_output_size(d) + c];
        h = fnv1a64(h, &v, sizeof v);
    }
    return h;
}

/* Every example of the shard, in the planned batches, as visits (global index, hash). */
static Visit *visit_epoch(const Dataset *d, long epoch, int shuffle, BatchBuffer *buf) {
    EpochPlan plan;
    epoch_plan_make(&plan, d, BATCH, 7, epoch, shuffle);
    Visit *v = xmalloc(sizeof(Visit) * (size_t)(d->n ? d->n : 1), "visits");
    long k = 0;
    for (long b = 0; b < plan.num_batches; b++) {
        const Batch *bt = batch_fill(buf, d, plan.order + plan.batch_first[b], plan.batch_count[b]);
        for (int j = 0; j < bt->B; j++)
            v[k++] = (Visit){d->first + buf->order[j], batch_example_hash(bt, d, j)};
    }
    epoch_plan_free(&plan);
    return v;
}

/* Gathers every rank's visits to rank 0 (*count set there). */
static Visit *gather(const Visit *mine, long n, int rank, int size, long *count) {
    int bytes = (int)(n * (long)sizeof(Visit)), *all = NULL, *displ = NULL;
    if (rank == 0) all = xmalloc(sizeof(int) * (size_t)size, "counts"), displ = xmalloc(sizeof(int) * (size_t)size, "displs");
    CHECK(MPI, MPI_Gather(&bytes, 1, MPI_INT, all, 1, MPI_INT, 0, MPI_COMM_WORLD));
    long total = 0;
    for (int r = 0; rank == 0 && r < size; r++) displ[r] = (int)total, total += all[r];
    Visit *out = rank == 0 ? xmalloc((size_t)total + 1, "gathered visits") : NULL;
    CHECK(MPI, MPI_Gatherv(mine, bytes, MPI_BYTE, out, all, displ, MPI_BYTE, 0, MPI_COMM_WORLD));
    free(all), free(displ);
    *count = total / (long)sizeof(Visit);
    return out;
}

/* Rank 0: the gathered visits against the whole split. Returns the number of problems. */
static int compare(const Visit *got, long count, const Visit *want, long n, const char *what) {
    int problems = 0;
    char *seen = xcalloc((size_t)(n ? n : 1), 1, "seen");
    if (count != n) printf("FAIL %s: %ld examples visited, the split has %ld\n", what, count, n), problems++;
    for (long i = 0; i < count && problems < 10; i++) {
        long x = got[i].index;
        if (x < 0 || x >= n) { printf("FAIL %s: index %ld out of range\n", what, x); problems++; continue; }
        if (seen[x]++) printf("FAIL %s: example %ld visited twice\n", what, x), problems++;
        if (got[i].hash != want[x].hash) printf("FAIL %s: example %ld differs from the whole read\n", what, x), problems++;
    }
    free(seen);
    return problems;
}

int main(int argc, char **argv) {
    Comm comm;
    comm_init(&comm, &argc, &argv);
    if (argc != 2) recur_die(EXIT_USAGE, "usage: mpirun -n N test_shard_read FILE.h5");
    DatasetFile f;
    dataset_file_open(&f, argv[1]);
    int problems = 0;
    BatchBuffer buf = {0};
    for (int k = 0; k < SPLIT_COUNT; k++) {
        Dataset shard, whole;
        dataset_read_shard(&f, (SplitId)k, comm.rank, comm.size, &shard);
        Visit *want = NULL;
        if (comm.rank == 0) dataset_read_shard(&f, (SplitId)k, 0, 1, &whole), want = visit_epoch(&whole, 0, 0, &buf);
        for (long e = 0; e < EPOCHS; e++) {
            Visit *mine = visit_epoch(&shard, e, 1, &buf);
            long count;
            Visit *got = gather(mine, shard.n, comm.rank, comm.size, &count);
            char what[64];
            snprintf(what, sizeof what, "%s epoch %ld", split_names[k], e);
            if (comm.rank == 0) {
                /* want is in plan order: index it by example */
                Visit *by_index = xmalloc(sizeof(Visit) * (size_t)(whole.n ? whole.n : 1), "by index");
                for (long i = 0; i < whole.n; i++) by_index[want[i].index] = want[i];
                problems += compare(got, count, by_index, whole.n, what);
                free(by_index);
            }
            free(mine), free(got);
        }
        if (comm.rank == 0) {
            printf("%s: %ld examples, each read exactly once per epoch by %d rank(s) over %d epochs\n",
                   split_names[k], whole.n, comm.size, EPOCHS);
            dataset_free(&whole), free(want);
        }
        dataset_free(&shard);
    }
    batch_buffer_free(&buf);
    dataset_file_close(&f);
    CHECK(MPI, MPI_Bcast(&problems, 1, MPI_INT, 0, MPI_COMM_WORLD));
    comm_finalize(&comm);
    return problems ? 1 : 0;
}
