/* cuda_runtime.h (emulated device): the part of the CUDA runtime API that recur calls,
 * implemented on the CPU by tests/gpu_emulator, so that the kernels/ .cu files compile as host C++
 * and the real GPU orchestration runs unchanged in tests on machines without a GPU.
 *
 * Stricter than a GPU where it can be (see emu_device.h for the rules and the knobs):
 * device memory lives in its own protected mapping that host code cannot touch, stream
 * work runs only at synchronisation points, fresh allocations hold NaN bytes, barriers
 * and launch limits are checked, and kernel arguments must be device pointers.
 *
 * The C part (types, host API) is what the kernels/ .c files include; the C++ part (kernel
 * qualifiers, built-in variables, __syncthreads, atomics, the launch) is for the .cu files,
 * which launch through LAUNCH_KERNEL (kernels/launch.cuh) instead of <<<...>>>.
 * Never include this from src/: only the test build puts this directory on the path. */
#ifndef RECUR_EMU_CUDA_RUNTIME_H
#define RECUR_EMU_CUDA_RUNTIME_H

#include <stddef.h>

#define RECUR_EMULATED_DEVICE 1

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cudaError {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorInvalidDevice = 101,
    cudaErrorNoDevice = 100,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorIllegalState = 401,
    cudaErrorNotReady = 600,
    cudaErrorIllegalAddress = 700,
    cudaErrorLaunchOutOfResources = 701,
    cudaErrorIllegalInstruction = 715,
    cudaErrorLaunchFailure = 719,
    cudaErrorCooperativeLaunchTooLarge = 720,
    cudaErrorStreamCaptureUnsupported = 900,
    cudaErrorStreamCaptureInvalidated = 901,
    cudaErrorStreamCaptureUnjoined = 904,
    cudaErrorStreamCaptureIsolation = 905,
} cudaError_t;

typedef enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
} cudaMemcpyKind;

typedef struct EmuStream *cudaStream_t;
typedef struct EmuEvent *cudaEvent_t;
typedef struct EmuGraph *cudaGraph_t;
typedef struct EmuGraphExec *cudaGraphExec_t;

typedef enum cudaStreamCaptureMode {
    cudaStreamCaptureModeGlobal = 0,
    cudaStreamCaptureModeThreadLocal = 1,
    cudaStreamCaptureModeRelaxed = 2,
} cudaStreamCaptureMode;
typedef enum cudaStreamCaptureStatus {
    cudaStreamCaptureStatusNone = 0,
    cudaStreamCaptureStatusActive = 1,
    cudaStreamCaptureStatusInvalidated = 2,
} cudaStreamCaptureStatus;

enum { cudaStreamDefault = 0, cudaStreamNonBlocking = 1 };
enum { cudaEventDefault = 0, cudaEventBlockingSync = 1, cudaEventDisableTiming = 2 };
enum { cudaHostAllocDefault = 0 };

/* The fields recur (and the kernels' grid sizing) read; the emulated device reports
 * an H100-like part unless RECUR_EMU_SMS / RECUR_EMU_SHARED_KB say otherwise. */
typedef struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    size_t sharedMemPerBlock;      /* without opt-in */
    size_t sharedMemPerBlockOptin; /* with cudaFuncAttributeMaxDynamicSharedMemorySize */
    size_t sharedMemPerMultiprocessor;
    int regsPerBlock;
    int warpSize;
    int maxThreadsPerBlock;
    int maxThreadsDim[3];
    int maxGridSize[3];
    int maxThreadsPerMultiProcessor;
    int multiProcessorCount;
    int major, minor;
} cudaDeviceProp;

const char *cudaGetErrorName(cudaError_t error);
const char *cudaGetErrorString(cudaError_t error);
cudaError_t cudaGetLastError(void);
cudaError_t cudaPeekAtLastError(void);

cudaError_t cudaGetDeviceCount(int *count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int *device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device);
cudaError_t cudaDeviceSynchronize(void);

cudaError_t cudaMalloc(void **ptr, size_t bytes);
cudaError_t cudaFree(void *ptr);
cudaError_t cudaMallocHost(void **ptr, size_t bytes);
cudaError_t cudaHostAlloc(void **ptr, size_t bytes, unsigned flags);
cudaError_t cudaFreeHost(void *ptr);

cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream);
cudaError_t cudaMemset(void *dst, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void *dst, int value, size_t bytes, cudaStream_t stream);

cudaError_t cudaStreamCreate(cudaStream_t *stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamQuery(cudaStream_t stream);
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned flags);

cudaError_t cudaEventCreate(cudaEvent_t *event);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned flags);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream);
cudaError_t cudaEventQuery(cudaEvent_t event);
cudaError_t cudaEventSynchronize(cudaEvent_t event);

/* Stream capture and graphs (emu_graph.cpp): global capture mode only. */
cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode);
cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *graph);
cudaError_t cudaStreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus *status);
cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t graph, unsigned long long flags);
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream);
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec);
cudaError_t cudaGraphDestroy(cudaGraph_t graph);

typedef enum cudaFuncAttribute {
    cudaFuncAttributeMaxDynamicSharedMemorySize = 8,
} cudaFuncAttribute;
/* Raises a kernel's dynamic shared memory limit above 48 KB (up to sharedMemPerBlockOptin);
 * a launch with more than its limit fails, as on a GPU. */
cudaError_t emu_func_set_attribute(const void *function, cudaFuncAttribute attr, int value);
/* Blocks of `block_threads` threads and `dynamic_shared` bytes one SM holds at once: the
 * least of 32, the SM's threads over the block's, and its shared memory over the block's
 * (1 KB of which each block reserves). */
cudaError_t emu_occupancy_blocks_per_sm(int *blocks, const void *function, int block_threads,
                                        size_t dynamic_shared);

#ifdef __cplusplus
} /* extern "C" */
/* As the real header: typed overloads for C++. */
template <class T> static inline cudaError_t cudaMalloc(T **ptr, size_t bytes) {
    return cudaMalloc((void **)ptr, bytes);
}
template <class T> static inline cudaError_t cudaMallocHost(T **ptr, size_t bytes) {
    return cudaMallocHost((void **)ptr, bytes);
}
template <class T> static inline cudaError_t cudaFuncSetAttribute(T *function, cudaFuncAttribute attr, int value) {
    return emu_func_set_attribute((const void *)function, attr, value);
}
template <class T>
static inline cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *blocks, T function, int block_threads,
                                                                        size_t dynamic_shared) {
    return emu_occupancy_blocks_per_sm(blocks, (const void *)function, block_threads, dynamic_shared);
}
#include "emu_kernel.h" /* kernel qualifiers, built-ins and the launch (C++ only) */
#endif

#endif
