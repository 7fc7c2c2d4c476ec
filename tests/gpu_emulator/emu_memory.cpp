/* emu_memory.cpp: the emulated device's memory. Each cudaMalloc is its own mapping:
 *
 *   [guard page][slack | the allocation (256-byte aligned) | slack][guard page]
 *
 * with the allocation placed so that it ends at most 255 bytes before the trailing
 * guard. Guards are never accessible; the data pages are PROT_NONE except while queued
 * device work runs (emu_memory_open/close), so host code that reads or writes device
 * memory faults at once and the SIGSEGV handler names what it touched. Fresh
 * allocations are filled with 0xFF bytes (NaN as float or double, -1 as an integer);
 * the slack holds a canary that is checked after each op that was handed the
 * allocation, so small overruns inside the last page are caught too.
 * Pinned host memory (cudaMallocHost) is ordinary memory, remembered as pinned. */
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <map>

#include "emu_internal.h"

enum { PAGE = 4096, ALIGN = 256, CANARY = 0xA5, POISON = 0xFF };

/* Live allocations by the address their mapping starts at. */
static std::map<uintptr_t, EmuAlloc> allocs;
static int open_depth;

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }
static char *data_start(const EmuAlloc &a) { return a.map + PAGE; }
static size_t data_len(const EmuAlloc &a) { return a.map_len - 2 * PAGE; }

const EmuAlloc *emu_find_mapping(const void *p) {
    uintptr_t at = (uintptr_t)p;
    auto it = allocs.upper_bound(at);
    if (it == allocs.begin()) return nullptr;
    --it;
    const EmuAlloc &a = it->second;
    return at < (uintptr_t)a.map + a.map_len ? &a : nullptr;
}

const EmuAlloc *emu_find_device(const void *p, size_t bytes) {
    const EmuAlloc *a = emu_find_mapping(p);
    if (!a || a->device < 0) return nullptr;
    const char *c = (const char *)p;
    return c >= a->ptr && c + bytes <= a->ptr + a->size ? a : nullptr;
}

int emu_is_pinned(const void *p, size_t bytes) {
    const EmuAlloc *a = emu_find_mapping(p);
    const char *c = (const char *)p;
    return a && a->device < 0 && c >= a->ptr && c + bytes <= a->ptr + a->size;
}

static void protect(const EmuAlloc &a, int prot) {
    if (mprotect(data_start(a), data_len(a), prot) != 0) {
        perror("emulated device: mprotect");
        _exit(1);
    }
}

void emu_memory_open(void) {
    if (open_depth++ > 0) return;
    for (auto &kv : allocs)
        if (kv.second.device >= 0) protect(kv.second, PROT_READ | PROT_WRITE);
}

void emu_memory_close(void) {
    if (--open_depth > 0) return;
    for (auto &kv : allocs)
        if (kv.second.device >= 0) protect(kv.second, PROT_NONE);
}

cudaError_t emu_check_canary(const EmuAlloc *a, const char *by) {
    emu_memory_open();
    const unsigned char *d = (const unsigned char *)data_start(*a), *end = d + data_len(*a);
    const unsigned char *bad = nullptr;
    for (const unsigned char *c = d; c < (const unsigned char *)a->ptr && !bad; c++)
        if (*c != CANARY) bad = c;
    for (const unsigned char *c = (const unsigned char *)a->ptr + a->size; c < end && !bad; c++)
        if (*c != CANARY) bad = c;
    emu_memory_close();
    if (!bad) return cudaSuccess;
    long off = (long)((const char *)bad - a->ptr);
    return emu_fault(cudaErrorIllegalAddress, "%s wrote %ld byte(s) %s a %zu-byte allocation on "
                     "device %d (at %p)", by, off < 0 ? -off : off - (long)a->size + 1,
                     off < 0 ? "before" : "past the end of", a->size, a->device, (void *)a->ptr);
}

/* ---- the fault handler ---- */

static void describe_fault(const void *addr) {
    const EmuAlloc *a = emu_find_mapping(addr);
    const char *c = (const char *)addr;
    long off = (long)(c - a->ptr);
    const char *who = emu_running();
    if (a->device < 0) return; /* pinned memory never faults */
    if (c < data_start(*a) || c >= data_start(*a) + data_len(*a))
        emu_report("%s%s touched a guard page %ld byte(s) %s a %zu-byte device allocation on device "
                   "%d (at %p)", who, emu_thread_position(), off < 0 ? -off : off - (long)a->size + 1,
                   off < 0 ? "before" : "past the end of", a->size, a->device, (void *)a->ptr);
    else if (!strcmp(who, "host code"))
        emu_report("host code read or wrote device memory: byte %ld of a %zu-byte allocation on "
                   "device %d (at %p). Device memory is reachable only from kernels and "
                   "cudaMemcpy; copy it to the host (and synchronise) first", off, a->size,
                   a->device, (void *)a->ptr);
    else
        emu_report("%s%s touched device memory outside its allocation (byte %ld of a %zu-byte "
                   "allocation at %p)", who, emu_thread_position(), off, a->size, (void *)a->ptr);
}

static void on_segv(int sig, siginfo_t *info, void *uc) {
    (void)uc;
    if (!emu_find_mapping(info->si_addr)) { /* not ours: the default crash */
        signal(sig, SIG_DFL);
        return;
    }
    describe_fault(info->si_addr);
    void *frames[32];
    int n = backtrace(frames, 32);
    fputs("emulated device: where (innermost first):\n", stderr);
    backtrace_symbols_fd(frames, n, 2);
    fflush(stderr);
    _exit(1);
}

static void install_handler(void) {
    static bool done;
    if (done) return;
    done = true;
    static char alt[1 << 16];
    stack_t ss = {};
    ss.ss_sp = alt, ss.ss_size = sizeof alt;
    sigaltstack(&ss, nullptr);
    struct sigaction sa = {};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, nullptr);
    sigaction(SIGBUS, &sa, nullptr);
}

/* ---- the API ---- */

static cudaError_t map_allocation(void **ptr, size_t bytes, int device) {
    install_handler();
    size_t data = round_up(round_up(bytes, ALIGN), PAGE);
    size_t len = data + 2 * PAGE;
    void *m = mmap(nullptr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return emu_call_error(cudaErrorMemoryAllocation, "cannot map %zu bytes", bytes);
    EmuAlloc a = {(char *)m, len, nullptr, bytes, device};
    a.ptr = data_start(a) + data - round_up(bytes, ALIGN);
    if (mprotect(data_start(a), data, PROT_READ | PROT_WRITE) != 0) {
        munmap(m, len);
        return emu_call_error(cudaErrorMemoryAllocation, "cannot map %zu bytes", bytes);
    }
    memset(data_start(a), CANARY, data);
    memset(a.ptr, POISON, bytes);
    if (device >= 0 && open_depth == 0) protect(a, PROT_NONE);
    allocs[(uintptr_t)m] = a;
    *ptr = a.ptr;
    return cudaSuccess;
}

static cudaError_t unmap_allocation(void *ptr, int pinned) {
    const EmuAlloc *a = emu_find_mapping(ptr);
    if (!a || a->ptr != (char *)ptr || (a->device < 0) != (pinned != 0))
        return emu_call_error(cudaErrorInvalidValue, "%s(%p): not a pointer that %s returned",
                              pinned ? "cudaFreeHost" : "cudaFree", ptr,
                              pinned ? "cudaMallocHost" : "cudaMalloc");
    if (!pinned) {
        cudaError_t rc = emu_check_canary(a, "something");
        if (rc != cudaSuccess) return rc;
    }
    uintptr_t key = (uintptr_t)a->map;
    munmap(a->map, a->map_len);
    allocs.erase(key);
    return cudaSuccess;
}

extern "C" cudaError_t cudaMalloc(void **ptr, size_t bytes) {
    emu_init();
    if (emu_sticky_error()) return emu_sticky_error();
    if (!ptr) return emu_call_error(cudaErrorInvalidValue, "cudaMalloc: NULL result pointer");
    if (emu_capture()) return emu_capture_refuse(cudaErrorStreamCaptureUnsupported, "cudaMalloc");
    if (bytes == 0) return *ptr = nullptr, cudaSuccess;
    return map_allocation(ptr, bytes, emu_current_device());
}

/* As the real one, it waits for the device first (implicit synchronisation). */
extern "C" cudaError_t cudaFree(void *ptr) {
    emu_init();
    if (!ptr) return cudaSuccess;
    cudaError_t rc = cudaDeviceSynchronize();
    return rc != cudaSuccess ? rc : unmap_allocation(ptr, 0);
}

extern "C" cudaError_t cudaMallocHost(void **ptr, size_t bytes) {
    emu_init();
    if (!ptr) return emu_call_error(cudaErrorInvalidValue, "cudaMallocHost: NULL result pointer");
    return map_allocation(ptr, bytes ? bytes : 1, -1);
}

extern "C" cudaError_t cudaHostAlloc(void **ptr, size_t bytes, unsigned flags) {
    (void)flags;
    return cudaMallocHost(ptr, bytes);
}

extern "C" cudaError_t cudaFreeHost(void *ptr) {
    if (!ptr) return cudaSuccess;
    cudaError_t rc = cudaDeviceSynchronize();
    return rc != cudaSuccess ? rc : unmap_allocation(ptr, 1);
}
