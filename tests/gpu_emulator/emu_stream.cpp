/* emu_stream.cpp: the emulated devices, their streams and events, copies and memsets,
 * and when queued work runs.
 *
 * Nothing queued runs when it is queued. A stream's ops run, in order, only when the host
 * waits for them: cudaStreamSynchronize, cudaEventSynchronize, cudaDeviceSynchronize, the
 * synchronous cudaMemcpy/cudaMemset, cudaFree; an op that waits for an event first runs
 * the recording stream up to it. cudaEventQuery and cudaStreamQuery run at most one op per
 * call (the device "makes progress" while the host polls) and say cudaErrorNotReady
 * until the work is done. So a host read without the synchronisation it needs sees stale
 * data, and a copy from host memory reads its source when it runs, not when it was
 * queued (pageable or pinned alike).
 *
 * While a stream captures (emu_graph.cpp) its work goes into the graph instead, and the
 * calls CUDA refuses during a global-mode capture (any synchronisation, a query of a
 * captured event, an upload: a replay would copy the same host bytes again) are refused.
 *
 * Devices: RECUR_EMU_DEVICES (default 1) per process; CUDA_VISIBLE_DEVICES narrows them
 * as it does on a real node. Errors: a call's own error is returned (and kept for
 * cudaGetLastError); a fault of queued work is sticky: every later call returns it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <map>
#include <memory>

#include "emu_internal.h"

/* ---- failures ---- */

static cudaError_t sticky = cudaSuccess, last_error = cudaSuccess;
static const char *running = "host code";

static void vreport(const char *fmt, va_list ap) {
    fputs("emulated device: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
}

void emu_report(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
}

cudaError_t emu_fault(cudaError_t code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    if (sticky == cudaSuccess) sticky = code;
    return sticky;
}

cudaError_t emu_call_error(cudaError_t code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    return last_error = code;
}

cudaError_t emu_sticky_error(void) { return sticky; }
void emu_set_running(const char *what) { running = what ? what : "host code"; }
const char *emu_running(void) { return running; }

extern "C" cudaError_t cudaGetLastError(void) {
    cudaError_t rc = sticky != cudaSuccess ? sticky : last_error;
    last_error = cudaSuccess;
    return rc;
}

extern "C" cudaError_t cudaPeekAtLastError(void) { return sticky != cudaSuccess ? sticky : last_error; }

struct ErrorText {
    cudaError_t code;
    const char *name, *text;
};
static const ErrorText error_texts[] = {
    {cudaSuccess, "cudaSuccess", "no error"},
    {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
    {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
    {cudaErrorInvalidConfiguration, "cudaErrorInvalidConfiguration", "invalid configuration argument"},
    {cudaErrorInvalidDevicePointer, "cudaErrorInvalidDevicePointer", "invalid device pointer"},
    {cudaErrorNoDevice, "cudaErrorNoDevice", "no CUDA-capable device is detected"},
    {cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal"},
    {cudaErrorInvalidResourceHandle, "cudaErrorInvalidResourceHandle", "invalid resource handle"},
    {cudaErrorIllegalState, "cudaErrorIllegalState", "the operation cannot be performed in the present state"},
    {cudaErrorNotReady, "cudaErrorNotReady", "device not ready"},
    {cudaErrorIllegalAddress, "cudaErrorIllegalAddress", "an illegal memory access was encountered"},
    {cudaErrorLaunchOutOfResources, "cudaErrorLaunchOutOfResources", "too many resources requested for launch"},
    {cudaErrorIllegalInstruction, "cudaErrorIllegalInstruction", "an illegal instruction was encountered"},
    {cudaErrorLaunchFailure, "cudaErrorLaunchFailure", "unspecified launch failure"},
    {cudaErrorCooperativeLaunchTooLarge, "cudaErrorCooperativeLaunchTooLarge",
     "too many blocks in cooperative launch"},
    {cudaErrorStreamCaptureUnsupported, "cudaErrorStreamCaptureUnsupported",
     "operation not permitted when stream is capturing"},
    {cudaErrorStreamCaptureInvalidated, "cudaErrorStreamCaptureInvalidated",
     "operation failed due to a previous error during capture"},
    {cudaErrorStreamCaptureUnjoined, "cudaErrorStreamCaptureUnjoined",
     "capture was not joined into the origin stream"},
    {cudaErrorStreamCaptureIsolation, "cudaErrorStreamCaptureIsolation",
     "dependency created on uncaptured work in another stream"},
};

static const ErrorText *error_text(cudaError_t e) {
    for (const ErrorText &t : error_texts)
        if (t.code == e) return &t;
    return nullptr;
}
extern "C" const char *cudaGetErrorName(cudaError_t e) {
    return error_text(e) ? error_text(e)->name : "cudaErrorUnknown";
}
extern "C" const char *cudaGetErrorString(cudaError_t e) {
    return error_text(e) ? error_text(e)->text : "unknown error";
}

/* ---- devices ---- */

static int physical_devices = -1, visible_count, current;
static int visible[64];

void emu_init(void) {
    if (physical_devices >= 0) return;
    const char *n = getenv("RECUR_EMU_DEVICES");
    physical_devices = n && *n ? atoi(n) : 1;
    if (physical_devices < 0 || physical_devices > 64) physical_devices = 1;
    const char *cvd = getenv("CUDA_VISIBLE_DEVICES");
    if (!cvd) {
        for (int i = 0; i < physical_devices; i++) visible[visible_count++] = i;
        return;
    }
    /* As the driver: the listed ordinals in order, up to the first invalid one. */
    for (const char *p = cvd; *p && visible_count < 64;) {
        char *end;
        long d = strtol(p, &end, 10);
        if (end == p || d < 0 || d >= physical_devices) break;
        visible[visible_count++] = (int)d;
        p = *end == ',' ? end + 1 : end;
        if (end == p) break;
    }
}

int emu_device_count(void) { return emu_init(), visible_count; }
int emu_current_device(void) { return current; }

extern "C" cudaError_t cudaGetDeviceCount(int *count) {
    emu_init();
    *count = visible_count;
    return visible_count ? cudaSuccess : (last_error = cudaErrorNoDevice);
}

extern "C" cudaError_t cudaSetDevice(int device) {
    emu_init();
    if (device < 0 || device >= visible_count)
        return emu_call_error(cudaErrorInvalidDevice, "cudaSetDevice(%d): %d device(s) visible", device,
                              visible_count);
    current = device;
    return cudaSuccess;
}

extern "C" cudaError_t cudaGetDevice(int *device) {
    *device = current;
    return cudaSuccess;
}

extern "C" cudaError_t cudaGetDeviceProperties(cudaDeviceProp *p, int device) {
    emu_init();
    if (device < 0 || device >= visible_count)
        return emu_call_error(cudaErrorInvalidDevice, "cudaGetDeviceProperties(%d): %d device(s) visible",
                              device, visible_count);
    const char *sms = getenv("RECUR_EMU_SMS");
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "recur emulated device %d (physical %d)", device, visible[device]);
    p->totalGlobalMem = (size_t)80 << 30;
    const char *shared_kb = getenv("RECUR_EMU_SHARED_KB"); /* a smaller chip, for plans that must split */
    size_t optin = shared_kb && *shared_kb ? (size_t)atoi(shared_kb) << 10 : (size_t)227 << 10;
    p->sharedMemPerBlock = optin < (48 << 10) ? optin : 48 << 10;
    p->sharedMemPerBlockOptin = optin;
    p->sharedMemPerMultiprocessor = shared_kb && *shared_kb ? 4 * optin + (4 << 10) : (size_t)228 << 10;
    p->regsPerBlock = 65536;
    p->warpSize = 32;
    p->maxThreadsPerBlock = 1024;
    p->maxThreadsDim[0] = p->maxThreadsDim[1] = 1024, p->maxThreadsDim[2] = 64;
    p->maxGridSize[0] = 0x7fffffff, p->maxGridSize[1] = p->maxGridSize[2] = 65535;
    p->maxThreadsPerMultiProcessor = 2048;
    p->multiProcessorCount = sms && *sms ? atoi(sms) : 132;
    p->major = 9, p->minor = 0;
    return cudaSuccess;
}

/* ---- streams ---- */

static std::map<int, std::unique_ptr<EmuStream>> default_streams;
static std::vector<EmuStream *> live_streams;

EmuStream *emu_stream(cudaStream_t s) {
    if (s) return s;
    auto &d = default_streams[current];
    if (!d) d.reset(new EmuStream{current, {}, 0, 0}), live_streams.push_back(d.get());
    return d.get();
}

void emu_enqueue(EmuStream *s, EmuOp op) {
    if (s->capture) {
        s->capture->ops.push_back(std::move(op));
        s->captured++;
        return;
    }
    s->queue.push_back(std::move(op));
    s->queued++;
}

static cudaError_t run_one(EmuStream *s) {
    EmuOp op = std::move(s->queue.front());
    s->queue.pop_front();
    s->done++;
    emu_memory_open();
    emu_set_running(op.name.c_str());
    cudaError_t rc = op.run();
    for (const void *p : op.touches) {
        const EmuAlloc *a = emu_find_mapping(p);
        if (rc == cudaSuccess && a && a->device >= 0) rc = emu_check_canary(a, op.name.c_str());
    }
    emu_set_running(nullptr);
    emu_memory_close();
    return rc;
}

/* Device memory stays reachable for the whole run of ops (one mprotect pass, not two per op). */
cudaError_t emu_run_stream(EmuStream *s, uint64_t upto) {
    if (s->done >= upto) return sticky;
    emu_memory_open();
    cudaError_t rc = cudaSuccess;
    while (s->done < upto && sticky == cudaSuccess && rc == cudaSuccess) rc = run_one(s);
    emu_memory_close();
    return rc != cudaSuccess ? rc : sticky;
}

extern "C" cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned flags) {
    (void)flags;
    emu_init();
    *stream = new EmuStream{current, {}, 0, 0};
    live_streams.push_back(*stream);
    return cudaSuccess;
}

extern "C" cudaError_t cudaStreamCreate(cudaStream_t *stream) { return cudaStreamCreateWithFlags(stream, 0); }

static int is_live(EmuStream *s) {
    for (EmuStream *x : live_streams)
        if (x == s) return 1;
    return 0;
}

/* Work still queued on a destroyed stream runs first (as the device would finish it). */
extern "C" cudaError_t cudaStreamDestroy(cudaStream_t s) {
    if (!s || !is_live(s)) return emu_call_error(cudaErrorInvalidResourceHandle, "cudaStreamDestroy: not a stream");
    cudaError_t rc = emu_run_stream(s, s->queued);
    for (size_t i = 0; i < live_streams.size(); i++)
        if (live_streams[i] == s) live_streams.erase(live_streams.begin() + (long)i);
    delete s;
    return rc;
}

extern "C" cudaError_t cudaStreamSynchronize(cudaStream_t s) {
    if (emu_capture()) return emu_capture_refuse(cudaErrorStreamCaptureUnsupported, "cudaStreamSynchronize");
    emu_count("sync", "cudaStreamSynchronize", 0);
    EmuStream *st = emu_stream(s);
    return emu_run_stream(st, st->queued);
}

extern "C" cudaError_t cudaStreamQuery(cudaStream_t s) {
    EmuStream *st = emu_stream(s);
    if (st->capture) return emu_capture_refuse(cudaErrorStreamCaptureUnsupported, "cudaStreamQuery of a capturing stream");
    if (st->done < st->queued) {
        cudaError_t rc = emu_run_stream(st, st->done + 1);
        if (rc != cudaSuccess) return rc;
    }
    return st->done < st->queued ? cudaErrorNotReady : sticky;
}

extern "C" cudaError_t cudaDeviceSynchronize(void) {
    if (emu_capture()) return emu_capture_refuse(cudaErrorStreamCaptureUnsupported, "cudaDeviceSynchronize");
    emu_count("sync", "cudaDeviceSynchronize", 0);
    for (size_t i = 0; i < live_streams.size(); i++) {
        EmuStream *s = live_streams[i];
        if (s->device != current) continue;
        cudaError_t rc = emu_run_stream(s, s->queued);
        if (rc != cudaSuccess) return rc;
    }
    return sticky;
}

/* ---- events: a position in a stream ---- */

struct EmuEvent {
    EmuStream *stream; /* NULL: never recorded (complete, as CUDA says) */
    uint64_t position;
    EmuGraph *capture; /* recorded into this capture (a node of its graph, not a position) */
    EmuStream *captured_on;
    uint64_t captured_at; /* ops captured_on had added to the capture when recorded */
};

extern "C" cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned flags) {
    (void)flags;
    *event = new EmuEvent{nullptr, 0, nullptr, nullptr, 0};
    return cudaSuccess;
}
extern "C" cudaError_t cudaEventCreate(cudaEvent_t *event) { return cudaEventCreateWithFlags(event, 0); }
extern "C" cudaError_t cudaEventDestroy(cudaEvent_t event) {
    delete event;
    return cudaSuccess;
}

extern "C" cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t s) {
    if (sticky) return sticky;
    EmuStream *st = emu_stream(s);
    event->capture = st->capture, event->captured_on = st, event->captured_at = st->captured;
    if (!st->capture) event->stream = st, event->position = st->queued;
    return cudaSuccess;
}

static int event_done(cudaEvent_t e) { return !e->stream || e->stream->done >= e->position; }

extern "C" cudaError_t cudaEventQuery(cudaEvent_t e) {
    if (e->capture) return emu_capture_refuse(cudaErrorStreamCaptureUnsupported, "cudaEventQuery of a captured event");
    emu_count("query", "cudaEventQuery", 0);
    if (sticky) return sticky;
    if (!event_done(e)) {
        cudaError_t rc = emu_run_stream(e->stream, e->stream->done + 1);
        if (rc != cudaSuccess) return rc;
    }
    return event_done(e) ? cudaSuccess : cudaErrorNotReady;
}

extern "C" cudaError_t cudaEventSynchronize(cudaEvent_t e) {
    if (emu_capture() || e->capture)
        return emu_capture_refuse(cudaErrorStreamCaptureUnsupported, "cudaEventSynchronize");
    emu_count("sync", "cudaEventSynchronize", 0);
    if (sticky || !e->stream) return sticky;
    return emu_run_stream(e->stream, e->position);
}

/* A wait on an event recorded in the open capture: the waiting stream joins the capture
 * (or, already in it, is ordered after the recording stream's ops so far: its join back). */
static cudaError_t wait_in_capture(EmuStream *st, cudaEvent_t e) {
    if (e->capture != emu_capture())
        return emu_capture_refuse(cudaErrorStreamCaptureIsolation, "cudaStreamWaitEvent on an event of a finished capture");
    if (!st->capture) {
        st->capture = e->capture, st->captured = 0, st->joined_upto = 0;
        e->capture->joined.push_back(st);
    } else if (st != e->captured_on && e->captured_on->joined_upto < e->captured_at) {
        e->captured_on->joined_upto = e->captured_at;
    }
    return cudaSuccess;
}

/* The wait binds to the event's latest record at the time of this call. */
extern "C" cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned flags) {
    (void)flags;
    if (sticky) return sticky;
    if (e->capture) return wait_in_capture(emu_stream(s), e);
    if (emu_stream(s)->capture)
        return emu_capture_refuse(cudaErrorStreamCaptureIsolation, "cudaStreamWaitEvent of a capturing stream on "
                                  "uncaptured work");
    if (!e->stream) return cudaSuccess;
    EmuStream *from = e->stream;
    uint64_t position = e->position;
    emu_enqueue(emu_stream(s), {"cudaStreamWaitEvent", [from, position] { return emu_run_stream(from, position); }, {}});
    return cudaSuccess;
}

/* ---- copies and memsets ---- */

static const char *kind_names[] = {"host to host", "host to device", "device to host", "device to device",
                                   "default"};

/* Checks the sides a copy of `kind` must have; fills in the default kind. */
static cudaError_t check_copy(void *dst, const void *src, size_t bytes, cudaMemcpyKind *kind) {
    const EmuAlloc *d = emu_find_device(dst, bytes), *s = emu_find_device(src, bytes);
    int dst_near = emu_find_mapping(dst) && !emu_is_pinned(dst, 1);
    int src_near = emu_find_mapping(src) && !emu_is_pinned(src, 1);
    if (*kind == cudaMemcpyDefault)
        *kind = (cudaMemcpyKind)((s || src_near ? 2 : 0) + (d || dst_near ? 1 : 0));
    int want_dst = *kind == cudaMemcpyHostToDevice || *kind == cudaMemcpyDeviceToDevice;
    int want_src = *kind == cudaMemcpyDeviceToHost || *kind == cudaMemcpyDeviceToDevice;
    if (want_dst && !d)
        return emu_call_error(cudaErrorInvalidValue, "cudaMemcpy (%s) of %zu bytes: the destination %p is not "
                              "inside one device allocation", kind_names[*kind], bytes, dst);
    if (want_src && !s)
        return emu_call_error(cudaErrorInvalidValue, "cudaMemcpy (%s) of %zu bytes: the source %p is not "
                              "inside one device allocation", kind_names[*kind], bytes, src);
    if (!want_dst && (d || dst_near))
        return emu_call_error(cudaErrorInvalidValue, "cudaMemcpy (%s): the destination %p is device memory",
                              kind_names[*kind], dst);
    if (!want_src && (s || src_near))
        return emu_call_error(cudaErrorInvalidValue, "cudaMemcpy (%s): the source %p is device memory",
                              kind_names[*kind], src);
    return cudaSuccess;
}

static const char *copy_key(cudaMemcpyKind kind, const void *dst, const void *src, size_t bytes) {
    switch (kind) {
    case cudaMemcpyHostToDevice: return emu_is_pinned(src, bytes) ? "H2D pinned" : "H2D pageable";
    case cudaMemcpyDeviceToHost: return emu_is_pinned(dst, bytes) ? "D2H pinned" : "D2H pageable";
    case cudaMemcpyDeviceToDevice: return "D2D";
    default: return "H2H";
    }
}

/* A host side that has become device memory since the copy was queued was freed (and
 * its addresses reused): the copy would read or write the wrong memory. */
static cudaError_t run_copy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind) {
    const void *host = kind == cudaMemcpyHostToDevice ? src : kind == cudaMemcpyDeviceToHost ? dst : nullptr;
    const char *last = host ? (const char *)host + bytes - 1 : nullptr;
    if (host && ((emu_find_mapping(host) && !emu_is_pinned(host, 1)) || (emu_find_mapping(last) && !emu_is_pinned(last, 1))))
        return emu_fault(cudaErrorIllegalAddress, "a %s copy of %zu bytes runs now, and its host %s %p has become "
                         "device memory since it was queued: the host buffer was freed before the copy ran (a "
                         "copy reads and writes host memory when it runs, not when it is queued)",
                         kind_names[kind], bytes, kind == cudaMemcpyHostToDevice ? "source" : "destination", host);
    memmove(dst, src, bytes);
    return cudaSuccess;
}

extern "C" cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind,
                                       cudaStream_t s) {
    emu_init();
    if (sticky) return sticky;
    if (bytes == 0) return cudaSuccess;
    cudaError_t rc = check_copy(dst, src, bytes, &kind);
    if (rc != cudaSuccess) return rc;
    if (emu_stream(s)->capture && kind == cudaMemcpyHostToDevice) /* stricter than CUDA: see the top */
        return emu_capture_refuse(cudaErrorStreamCaptureUnsupported, "an upload (cudaMemcpyAsync host to device) "
                                  "into a capture (stricter than CUDA: every replay would copy the same host "
                                  "bytes again)");
    if (emu_stream(s)->capture && kind == cudaMemcpyDeviceToHost && !emu_is_pinned(dst, bytes))
        return emu_capture_refuse(cudaErrorStreamCaptureUnsupported, "cudaMemcpyAsync into pageable host memory");
    emu_count("copy", copy_key(kind, dst, src, bytes), (double)bytes);
    std::vector<const void *> touches;
    if (kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice) touches.push_back(dst);
    emu_enqueue(emu_stream(s), {std::string("cudaMemcpyAsync ") + kind_names[kind],
                                [dst, src, bytes, kind] { return run_copy(dst, src, bytes, kind); }, touches});
    return cudaSuccess;
}

extern "C" cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind) {
    cudaError_t rc = cudaMemcpyAsync(dst, src, bytes, kind, nullptr);
    return rc != cudaSuccess ? rc : cudaDeviceSynchronize();
}

extern "C" cudaError_t cudaMemsetAsync(void *dst, int value, size_t bytes, cudaStream_t s) {
    emu_init();
    if (sticky) return sticky;
    if (bytes == 0) return cudaSuccess;
    if (!emu_find_device(dst, bytes))
        return emu_call_error(cudaErrorInvalidValue, "cudaMemset of %zu bytes: %p is not inside one device "
                              "allocation", bytes, dst);
    emu_count("memset", "cudaMemsetAsync", (double)bytes);
    emu_enqueue(emu_stream(s), {"cudaMemsetAsync", [dst, value, bytes] { return memset(dst, value, bytes), cudaSuccess; },
                                {dst}});
    return cudaSuccess;
}

extern "C" cudaError_t cudaMemset(void *dst, int value, size_t bytes) {
    cudaError_t rc = cudaMemsetAsync(dst, value, bytes, nullptr);
    return rc != cudaSuccess ? rc : cudaDeviceSynchronize();
}
