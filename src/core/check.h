/* check.h: one way to check a library's return code and to stop the job.
 *
 *   CHECK(MPI, MPI_Bcast(...));     CHECK(H5, H5Dread(...));
 *   CHECK(CUDA, cudaMalloc(...));   CHECK(CUBLAS, cublasSgemm(...));   CHECK(NCCL, ...);
 *
 * On failure it prints one line "recur: FILE:LINE: LIB error: <library's message> in <call>" and
 * aborts the whole job (MPI_Abort when MPI is running, so no rank is left waiting in a
 * collective). The CUDA/cuBLAS/NCCL checkers live in kernels/ and exist only in the GPU
 * build. This header holds no state; recur_fatal/recur_die are defined in check.c. */
#ifndef RECUR_CHECK_H
#define RECUR_CHECK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus /* the CUDA sources in kernels/ include this header */
extern "C" {
#define RECUR_NORETURN [[noreturn]]
#else
#define RECUR_NORETURN _Noreturn
#endif

#define CHECK(LIB, call) check_##LIB((call), #call, __FILE__, __LINE__)

/* Exit statuses of the CLI contract. */
enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Print "recur: <message>" and end the job with `status` (MPI_Abort if MPI is up). */
RECUR_NORETURN void recur_die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Registered by a library that must be shut down before the job is aborted (the NCCL
 * communicator: ncclCommAbort): recur_die calls each once, newest first, before the
 * abort hook. At most 8. */
void recur_on_fatal(void (*cleanup)(void));
/* Registered by the comm layer: called by recur_die before exiting, to abort peers. */
void recur_set_abort_hook(void (*hook)(int status));
/* Set by the comm layer in a multi-rank job: "rank R/N on HOST", printed after "recur: "
 * in every fatal message so the rank at fault is named. */
void recur_set_rank_label(const char *label);

/* This machine's host name (gethostname, "?" when it fails), for messages. */
const char *recur_host_name(void);

/* malloc/calloc that die with a message naming what was being allocated. */
void *xmalloc(size_t bytes, const char *what);
void *xcalloc(size_t count, size_t size, const char *what);
/* A buffer of at least `bytes` on a 64-byte boundary: `buf` itself while *capacity holds
 * them, else a new one (buf freed, contents dropped) and *capacity updated. For scratch
 * that grows once and is reused (packs, per-task buffers). */
void *xgrow_aligned(void *buf, size_t *capacity, size_t bytes, const char *what);

/* HDF5: any negative herr_t/hid_t is an error, reported in one line (h5_failure.h): the
 * file and the OS error when there is one; RECUR_DEBUG_HDF5=1 adds HDF5's error stack. */
int64_t check_H5(int64_t rc, const char *call, const char *file, int line);
/* MPI: anything but MPI_SUCCESS is an error; MPI_Error_string gives the message. */
int check_MPI(int rc, const char *call, const char *file, int line);

#ifdef __cplusplus
}
#endif

#endif
