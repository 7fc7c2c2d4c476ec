/* launch.cuh: what every kernel file of the CUDA backend shares — the backend's stream,
 * grid sizing, the grid-stride loop, the one launch macro, and the return-code checks
 * (gpu_check.h). Kernels are elementwise over a flat index and written as grid-stride
 * loops, so any size runs with a bounded grid.
 *
 * Every launch goes through LAUNCH_KERNEL, never <<<...>>> directly: under nvcc it is
 * that launch; in the emulated device of the tests (tests/gpu_emulator, which compiles
 * these files as host C++) it queues the kernel on the emulator's stream. */
#ifndef RECUR_LAUNCH_CUH
#define RECUR_LAUNCH_CUH

#include <cuda_runtime.h>

#include "gpu_check.h"

/* The stream every op of the backend is queued on (cuda_context.cu; also in cuda_ops.h). */
extern "C" cudaStream_t cuda_ops_stream(void);

#ifdef RECUR_EMULATED_DEVICE
#define LAUNCH_KERNEL(kernel, grid, block, shared, stream, ...)                            \
    emu_launch_kernel(#kernel, kernel, grid, block, shared, stream, __VA_ARGS__)
#else
#define LAUNCH_KERNEL(kernel, grid, block, shared, stream, ...)                            \
    kernel<<<grid, block, shared, stream>>>(__VA_ARGS__)
#endif

enum { THREADS_PER_BLOCK = 256 };

/* Blocks for n elements: enough to fill the GPU, never more than needed. */
static inline unsigned grid_for(long n) {
    long blocks = (n + THREADS_PER_BLOCK - 1) / THREADS_PER_BLOCK;
    if (blocks < 1) blocks = 1;
    return (unsigned)(blocks > 8192 ? 8192 : blocks);
}

#define GRID_STRIDE_LOOP(i, n)                                                             \
    for (long i = (long)blockIdx.x * blockDim.x + threadIdx.x; i < (long)(n);              \
         i += (long)blockDim.x * gridDim.x)

/* Queues kernel<<<grid_for(n), THREADS_PER_BLOCK, 0, stream>>>(args...) and checks the
 * launch; nothing is launched for n == 0. */
#define LAUNCH_ELEMENTWISE(kernel, n, ...)                                                 \
    do {                                                                                   \
        long launch_n_ = (long)(n);                                                        \
        if (launch_n_ > 0) {                                                               \
            LAUNCH_KERNEL(kernel, grid_for(launch_n_), THREADS_PER_BLOCK, 0, cuda_ops_stream(), \
                          __VA_ARGS__);                                                    \
            CHECK_LAUNCH();                                                                \
        }                                                                                  \
    } while (0)

#endif
