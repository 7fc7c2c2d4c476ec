/* emu_graph.cpp: stream capture and CUDA graphs on the emulated device.
 *
 * Between cudaStreamBeginCapture and cudaStreamEndCapture the work queued on the stream
 * (and on any stream that joins the capture by waiting on an event recorded in it, as
 * NCCL's stream does) goes into a graph instead of running, in the order the host queued
 * it; what the counting mode would have counted goes with it. cudaGraphInstantiate copies
 * the ops; cudaGraphLaunch queues a copy on a stream: one "graph" launch in the counts,
 * and what the graph contains under "graph <kind>". As CUDA's global capture mode, calls
 * that would wait for the device or change memory while a capture is open are refused
 * (emu_capture_refuse: the callers are emu_stream.cpp and emu_memory.cpp) and invalidate
 * the capture; EndCapture then fails with cudaErrorStreamCaptureInvalidated, and with
 * cudaErrorStreamCaptureUnjoined when a joined stream has work after its last join back. */
#include "emu_internal.h"

struct EmuGraphExec {
    std::vector<EmuOp> ops;
    std::vector<EmuCount> counts;
};

static EmuGraph *open_capture;

EmuGraph *emu_capture(void) { return open_capture; }

cudaError_t emu_capture_refuse(cudaError_t code, const char *call) {
    cudaError_t rc = emu_call_error(code, "%s while a stream capture is open: refused (global capture mode), and "
                                    "the capture is invalidated", call);
    if (open_capture && open_capture->invalid == cudaSuccess) open_capture->invalid = rc;
    return rc;
}

extern "C" cudaError_t cudaStreamBeginCapture(cudaStream_t s, cudaStreamCaptureMode mode) {
    if (emu_sticky_error()) return emu_sticky_error();
    if (!s) return emu_call_error(cudaErrorStreamCaptureUnsupported, "cudaStreamBeginCapture: the legacy default "
                                  "stream cannot be captured");
    if (mode != cudaStreamCaptureModeGlobal)
        return emu_call_error(cudaErrorInvalidValue, "cudaStreamBeginCapture: only the global mode is emulated");
    if (open_capture || s->capture)
        return emu_call_error(cudaErrorIllegalState, "cudaStreamBeginCapture: a capture is already open");
    open_capture = new EmuGraph{s, {}, {}, {}, cudaSuccess};
    s->capture = open_capture, s->captured = 0, s->joined_upto = 0;
    return cudaSuccess;
}

/* The joined stream that still has work after its last join back, or NULL. */
static EmuStream *unjoined(const EmuGraph *g) {
    for (EmuStream *j : g->joined)
        if (j->captured > j->joined_upto) return j;
    return nullptr;
}

extern "C" cudaError_t cudaStreamEndCapture(cudaStream_t s, cudaGraph_t *graph) {
    *graph = nullptr;
    EmuGraph *g = s ? s->capture : nullptr;
    if (!g || g->origin != s)
        return emu_call_error(cudaErrorIllegalState, "cudaStreamEndCapture: the stream did not begin a capture");
    for (EmuStream *j : g->joined) j->capture = nullptr;
    s->capture = nullptr, open_capture = nullptr;
    EmuStream *loose = unjoined(g);
    cudaError_t invalid = g->invalid;
    uint64_t left = loose ? loose->captured - loose->joined_upto : 0;
    if (invalid == cudaSuccess && !loose) return *graph = g, cudaSuccess;
    delete g;
    if (invalid != cudaSuccess)
        return emu_call_error(cudaErrorStreamCaptureInvalidated, "cudaStreamEndCapture: the capture was invalidated "
                              "by a refused call (%s)", cudaGetErrorName(invalid));
    return emu_call_error(cudaErrorStreamCaptureUnjoined, "cudaStreamEndCapture: a stream that joined the capture "
                          "has %llu op(s) after its last join back into the capturing stream",
                          (unsigned long long)left);
}

extern "C" cudaError_t cudaStreamIsCapturing(cudaStream_t s, cudaStreamCaptureStatus *status) {
    EmuStream *st = emu_stream(s);
    *status = !st->capture ? cudaStreamCaptureStatusNone
              : st->capture->invalid != cudaSuccess ? cudaStreamCaptureStatusInvalidated
                                                    : cudaStreamCaptureStatusActive;
    return emu_sticky_error();
}

extern "C" cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t graph, unsigned long long flags) {
    (void)flags;
    if (!graph) return emu_call_error(cudaErrorInvalidValue, "cudaGraphInstantiate: no graph");
    *exec = new EmuGraphExec{graph->ops, graph->counts};
    return emu_sticky_error();
}

extern "C" cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t s) {
    if (emu_sticky_error()) return emu_sticky_error();
    if (!exec) return emu_call_error(cudaErrorInvalidValue, "cudaGraphLaunch: no graph");
    emu_count("graph", "cudaGraphLaunch", 0);
    for (const EmuCount &c : exec->counts) emu_count(("graph " + c.kind).c_str(), c.key, c.bytes);
    EmuStream *st = emu_stream(s);
    for (const EmuOp &op : exec->ops) emu_enqueue(st, op);
    return cudaSuccess;
}

extern "C" cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
    delete exec;
    return cudaSuccess;
}

extern "C" cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
    delete graph;
    return cudaSuccess;
}
