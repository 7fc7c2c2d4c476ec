/* pinned_staging.h: host-to-device uploads through pinned staging buffers, GPU build only.
 *
 * cudaMemcpyAsync from pageable host memory promises nothing about when it reads its
 * source, so a caller that frees or refills its buffer after the call may upload the wrong
 * bytes (the emulated device of the tests reads the source when the copy runs, and caught
 * exactly that). pinned_upload copies the caller's bytes into one of a few pinned slots,
 * after that slot's previous copy has run (its event), and queues the copy from the slot:
 * the caller may reuse its buffer at once, and the copy stays asynchronous. Uploads larger
 * than a slot go in slot-sized pieces. */
#ifndef RECUR_PINNED_STAGING_H
#define RECUR_PINNED_STAGING_H

#include <stddef.h>

#include <cuda_runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

void pinned_upload(void *device_dst, const void *host_src, size_t bytes, cudaStream_t stream);

#ifdef __cplusplus
}
#endif

#endif
