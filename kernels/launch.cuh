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

/* Persistent kernels (grid.sync()) take one struct argument and launch cooperatively:
 * all blocks resident at once, or the launch fails with cudaErrorCooperativeLaunchTooLarge.
 * LAUNCH_COOPERATIVE returns the launch's cudaError_t; `name` names it in the emulator's
 * messages and counts (the kernel is often a pointer picked at run time). Their dynamic shared memory is
 * DYNAMIC_SHARED(type, name): `extern __shared__` on a GPU. */
#ifdef RECUR_EMULATED_DEVICE
#define LAUNCH_KERNEL(kernel, grid, block, shared, stream, ...)                            \
    emu_launch_kernel(#kernel, kernel, grid, block, shared, stream, __VA_ARGS__)
#define LAUNCH_COOPERATIVE(name, kernel, grid, block, shared, stream, arg)                 \
    emu_launch_cooperative_kernel(name, kernel, grid, block, shared, stream, arg)
#define DYNAMIC_SHARED(type, name) type *name = (type *)emu_dynamic_shared()
#else
#define LAUNCH_KERNEL(kernel, grid, block, shared, stream, ...)                            \
    kernel<<<grid, block, shared, stream>>>(__VA_ARGS__)
#define LAUNCH_COOPERATIVE(name, kernel, grid, block, shared, stream, arg)                 \
    launch_cooperative(kernel, grid, block, shared, stream, arg)
#define DYNAMIC_SHARED(type, name)                                                         \
    extern __shared__ __align__(16) unsigned char name##_bytes_[];                         \
    type *name = (type *)name##_bytes_
template <typename A>
static inline cudaError_t launch_cooperative(void (*kernel)(A), dim3 grid, dim3 block, size_t shared,
                                             cudaStream_t stream, A arg) {
    void *args[] = {&arg};
    return cudaLaunchCooperativeKernel((const void *)kernel, grid, block, args, shared, stream);
}
#endif

/* Before a loop of compile-time trip count that indexes a register array: unrolled, the
 * array stays in registers (a run-time index would put it in local memory). */
#ifdef RECUR_EMULATED_DEVICE
#define UNROLL _Pragma("GCC unroll 16")
#else
#define UNROLL _Pragma("unroll")
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
