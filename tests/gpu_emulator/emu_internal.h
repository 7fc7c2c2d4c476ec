/* emu_internal.h: what the parts of the emulated device share — device memory
 * (emu_memory.cpp), streams, events and the execution of queued work (emu_stream.cpp),
 * kernel execution on fibers (emu_launch.cpp), the counters (emu_counts.cpp), and the
 * failure report every rule violation goes through. Not for code outside
 * tests/gpu_emulator. */
#ifndef RECUR_EMU_INTERNAL_H
#define RECUR_EMU_INTERNAL_H

#include <cuda_runtime.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

/* ---- failures ---- */

/* Prints "emulated device: <message>" on stderr. */
void emu_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A fault of queued work (bad address, barrier divergence): reported, and from now on
 * every API call returns `code`, as a real context's sticky error. */
cudaError_t emu_fault(cudaError_t code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A call's own error: reported, remembered for cudaGetLastError, returned. */
cudaError_t emu_call_error(cudaError_t code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
cudaError_t emu_sticky_error(void);
/* What is running now, for fault messages ("host code" when nothing is). */
void emu_set_running(const char *what);
const char *emu_running(void);
/* " (block (x,y,z) thread (x,y,z))" while a kernel runs, else "". */
const char *emu_thread_position(void);

/* ---- devices ---- */

int emu_device_count(void);
int emu_current_device(void);
/* Reads the environment knobs once (devices, counting, GEMM mode). */
void emu_init(void);

/* ---- device memory ---- */

struct EmuAlloc {
    char *map;         /* the whole mapping, guard pages included */
    size_t map_len;
    char *ptr;         /* what cudaMalloc returned */
    size_t size;
    int device;        /* -1: pinned host memory */
};

/* The live device allocation holding [p, p + bytes) (bytes 0: p may be its end), else
 * NULL. */
const EmuAlloc *emu_find_device(const void *p, size_t bytes);
/* The allocation whose mapping (guards and slack included) holds p, else NULL. */
const EmuAlloc *emu_find_mapping(const void *p);
/* 1 when [p, p + bytes) is pinned host memory from cudaMallocHost. */
int emu_is_pinned(const void *p, size_t bytes);
/* Device memory becomes reachable while queued work runs (nested: counted). */
void emu_memory_open(void);
void emu_memory_close(void);
/* The slack around an allocation still holds its canary; reports what overwrote it. */
cudaError_t emu_check_canary(const EmuAlloc *a, const char *by);

/* ---- streams and queued work ---- */

struct EmuOp {
    std::string name;                 /* for fault messages */
    std::function<cudaError_t()> run;
    std::vector<const void *> touches; /* device pointers whose canaries it may break */
};

struct EmuGraph;

struct EmuStream {
    int device;
    std::deque<EmuOp> queue;
    uint64_t queued, done;  /* ops ever queued / ever run */
    EmuGraph *capture = nullptr; /* the capture its work goes into, or NULL */
    uint64_t captured = 0, joined_upto = 0; /* ops it added to the capture / before its last join back */
};

/* The stream a NULL handle means on the current device. */
EmuStream *emu_stream(cudaStream_t s);
/* Queues op on s, or, while s captures, adds it to the capture's graph. */
void emu_enqueue(EmuStream *s, EmuOp op);

/* ---- stream capture (emu_graph.cpp) ---- */

struct EmuCount {
    std::string kind, key;
    double bytes;
};

struct EmuGraph {
    EmuStream *origin;              /* the stream that began the capture */
    std::vector<EmuOp> ops;         /* in the order the host queued them */
    std::vector<EmuCount> counts;   /* what the counting mode counted while capturing */
    std::vector<EmuStream *> joined; /* streams that joined by waiting on a captured event */
    cudaError_t invalid;            /* a refused call invalidated the capture */
};

/* The capture in progress (global mode: at most one), or NULL. */
EmuGraph *emu_capture(void);
/* A call CUDA refuses while a capture is open (a wait for the device, a free, ...):
 * reported as `code`, and the capture is invalidated (EndCapture then fails). */
cudaError_t emu_capture_refuse(cudaError_t code, const char *call);
/* Runs s's queued ops until `upto` of them have ever run. */
cudaError_t emu_run_stream(EmuStream *s, uint64_t upto);

/* ---- counting mode (RECUR_EMU_COUNT=FILE) ---- */

void emu_count(const char *kind, const std::string &key, double bytes);
/* Writes the totals so far (also done at exit). */
void emu_counts_write(void);

/* ---- GEMM arithmetic (RECUR_EMU_GEMM=blas: OpenBLAS instead of the plain loops) ---- */

int emu_gemm_uses_blas(void);

#endif
