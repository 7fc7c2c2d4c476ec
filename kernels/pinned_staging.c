/* pinned_staging.c: the pinned slots behind pinned_upload (pinned_staging.h). */
#include "pinned_staging.h"

#include <string.h>

#include "gpu_check.h"

enum { STAGING_SLOTS = 4, STAGING_SLOT_BYTES = 4 << 20 };

typedef struct StagingSlot {
    void *host;          /* pinned, STAGING_SLOT_BYTES */
    cudaEvent_t copied;  /* recorded after the copy out of this slot */
} StagingSlot;

static StagingSlot slots[STAGING_SLOTS];
static int next_slot;

/* The next slot, once the copy that last read it has run. */
static StagingSlot *take_slot(void) {
    StagingSlot *s = &slots[next_slot];
    next_slot = (next_slot + 1) % STAGING_SLOTS;
    if (!s->host) {
        CHECK(CUDA, cudaMallocHost(&s->host, STAGING_SLOT_BYTES));
        CHECK(CUDA, cudaEventCreateWithFlags(&s->copied, cudaEventDisableTiming));
    } else if (cudaEventQuery(s->copied) != cudaSuccess) { /* usually done long ago */
        CHECK(CUDA, cudaEventSynchronize(s->copied));
    }
    return s;
}

void pinned_upload(void *device_dst, const void *host_src, size_t bytes, cudaStream_t stream) {
    for (size_t at = 0; at < bytes; at += STAGING_SLOT_BYTES) {
        size_t n = bytes - at < STAGING_SLOT_BYTES ? bytes - at : STAGING_SLOT_BYTES;
        StagingSlot *s = take_slot();
        memcpy(s->host, (const char *)host_src + at, n);
        CHECK(CUDA, cudaMemcpyAsync((char *)device_dst + at, s->host, n, cudaMemcpyHostToDevice, stream));
        CHECK(CUDA, cudaEventRecord(s->copied, stream));
    }
}
