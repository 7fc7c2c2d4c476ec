/* gpu_check.h: the CUDA, cuBLAS and NCCL checkers behind CHECK() (core/check.h), GPU
 * build only. Each prints file:line, the library's own message and the failing call, then
 * ends the job through recur_die (which aborts the MPI job). */
#ifndef RECUR_GPU_CHECK_H
#define RECUR_GPU_CHECK_H

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <nccl.h>

#include "core/check.h"

#ifdef __cplusplus
extern "C" {
#endif

cudaError_t check_CUDA(cudaError_t rc, const char *call, const char *file, int line);
cublasStatus_t check_CUBLAS(cublasStatus_t rc, const char *call, const char *file, int line);
ncclResult_t check_NCCL(ncclResult_t rc, const char *call, const char *file, int line);

/* After a kernel launch: the launch error, if any, through check_CUDA. */
#define CHECK_LAUNCH() check_CUDA(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)

#ifdef __cplusplus
}
#endif

#endif
