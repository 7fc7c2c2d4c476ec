/* gpu_check.c: CUDA / cuBLAS / NCCL return-code checkers (see gpu_check.h). */
#include "gpu_check.h"

cudaError_t check_CUDA(cudaError_t rc, const char *call, const char *file, int line) {
    if (rc == cudaSuccess) return rc;
    recur_die(EXIT_RUNTIME, "%s: %s:%d: CUDA error %s: %s in %s", recur_host_name(), file, line,
              cudaGetErrorName(rc), cudaGetErrorString(rc), call);
}

cublasStatus_t check_CUBLAS(cublasStatus_t rc, const char *call, const char *file, int line) {
    if (rc == CUBLAS_STATUS_SUCCESS) return rc;
    recur_die(EXIT_RUNTIME, "%s: %s:%d: cuBLAS error %s: %s in %s", recur_host_name(), file, line,
              cublasGetStatusName(rc), cublasGetStatusString(rc), call);
}

ncclResult_t check_NCCL(ncclResult_t rc, const char *call, const char *file, int line) {
    if (rc == ncclSuccess || rc == ncclInProgress) return rc;
    recur_die(EXIT_RUNTIME, "%s: %s:%d: NCCL error: %s (%s) in %s", recur_host_name(), file, line,
              ncclGetErrorString(rc), ncclGetLastError(NULL), call);
}
