/* emu_launch.cpp: kernel launches on the emulated device.
 *
 * At the launch (as a GPU checks its launch): block and grid sizes and shared memory
 * within the device's limits; every pointer argument NULL or inside a device allocation
 * of the stream's device (a host pointer, pinned or not, is refused: recur never maps
 * host memory into kernels), and so is every word of a struct argument that points into
 * this process's memory. A refused launch queues nothing and its error is what
 * cudaGetLastError returns, as on a GPU.
 *
 * When the stream runs it: blocks one after another; the threads of a block are fibers
 * on their own stacks (a hand-written context switch on x86-64, ucontext elsewhere), run
 * until they end or reach __syncthreads; a barrier is passed when every thread of the
 * block waits at it, and a thread that ends while others wait is a fault. Threads that
 * never wait run one after another on one reused stack, so elementwise kernels cost little
 * more than a loop. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "emu_internal.h"

uint3 threadIdx, blockIdx;
dim3 blockDim, gridDim;

extern char __start_recur_emu_shared[] __attribute__((weak));
extern char __stop_recur_emu_shared[] __attribute__((weak));

/* ---- fibers ---- */

enum { STACK_BYTES = 256 << 10, GUARD = 4096 };

#if defined(__x86_64__)
/* Saves the callee-saved registers and the FP control words on the current stack, stores
 * its pointer in *save, and continues on the stack `load` (saved the same way). */
extern "C" void emu_fiber_switch(void **save, void *load);
asm(R"(
    .text
    .globl emu_fiber_switch
    .type emu_fiber_switch, @function
emu_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $16, %rsp
    stmxcsr 8(%rsp)
    fnstcw (%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr 8(%rsp)
    fldcw (%rsp)
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_fiber_switch, .-emu_fiber_switch
)");
#else
#include <ucontext.h>
#endif

struct Fiber {
    char *stack;         /* lowest usable byte; a guard page lies below */
    void *sp;            /* saved stack pointer while switched out */
#if !defined(__x86_64__)
    ucontext_t ctx;
#endif
};

struct Thread {
    enum State { NOT_STARTED, WAITING, DONE } state;
    unsigned barriers;
    Fiber *fiber;
};

static std::vector<Fiber *> free_fibers;
static Fiber *current_fiber;
static Thread *current_thread;
static void *scheduler_sp;
#if !defined(__x86_64__)
static ucontext_t scheduler_ctx;
#endif
static const EmuKernelLaunch *current_launch;

static Fiber *take_fiber(void) {
    if (!free_fibers.empty()) {
        Fiber *f = free_fibers.back();
        free_fibers.pop_back();
        return f;
    }
    char *m = (char *)mmap(nullptr, STACK_BYTES + GUARD, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        perror("emulated device: fiber stack");
        _exit(1);
    }
    mprotect(m, GUARD, PROT_NONE);
    return new Fiber{m + GUARD, nullptr};
}

static void switch_to_scheduler(void) {
#if defined(__x86_64__)
    emu_fiber_switch(&current_fiber->sp, scheduler_sp);
#else
    swapcontext(&current_fiber->ctx, &scheduler_ctx);
#endif
}

static void fiber_main(void) {
    current_launch->body();
    current_thread->state = Thread::DONE;
    switch_to_scheduler(); /* never resumed */
    _exit(1);
}

static void start_fiber(Fiber *f) {
#if defined(__x86_64__)
    /* The frame emu_fiber_switch pops: FP control words, 6 registers, then fiber_main as
     * the return address; 16-byte aligned as a call into fiber_main expects. */
    uint64_t *top = (uint64_t *)(f->stack + STACK_BYTES);
    uint64_t *sp = top - 10;
    memset(sp, 0, 10 * sizeof *sp);
    unsigned mxcsr;
    unsigned short fpcw;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fpcw));
    memcpy((char *)sp, &fpcw, sizeof fpcw);
    memcpy((char *)sp + 8, &mxcsr, sizeof mxcsr);
    sp[8] = (uint64_t)(uintptr_t)fiber_main;
    f->sp = sp;
#else
    getcontext(&f->ctx);
    f->ctx.uc_stack.ss_sp = f->stack;
    f->ctx.uc_stack.ss_size = STACK_BYTES;
    f->ctx.uc_link = nullptr;
    makecontext(&f->ctx, fiber_main, 0);
#endif
}

static void resume(Thread *t) {
    current_thread = t, current_fiber = t->fiber;
#if defined(__x86_64__)
    emu_fiber_switch(&scheduler_sp, t->fiber->sp);
#else
    swapcontext(&scheduler_ctx, &t->fiber->ctx);
#endif
    current_thread = nullptr, current_fiber = nullptr;
}

void __syncthreads(void) {
    if (!current_thread) {
        emu_fault(cudaErrorIllegalInstruction, "__syncthreads() called outside a kernel");
        return;
    }
    current_thread->barriers++;
    current_thread->state = Thread::WAITING;
    switch_to_scheduler();
}

/* ---- one block ---- */

static void set_thread_index(unsigned i) {
    threadIdx.x = i % blockDim.x;
    threadIdx.y = i / blockDim.x % blockDim.y;
    threadIdx.z = i / (blockDim.x * blockDim.y);
}

static std::string block_text(void) {
    char text[96];
    snprintf(text, sizeof text, "block (%u,%u,%u)", blockIdx.x, blockIdx.y, blockIdx.z);
    return text;
}

static cudaError_t run_block(const EmuKernelLaunch &l, std::vector<Thread> &threads) {
    unsigned n = (unsigned)threads.size();
    for (Thread &t : threads) t = {Thread::NOT_STARTED, 0, nullptr};
    char *shared = __start_recur_emu_shared, *shared_end = __stop_recur_emu_shared;
    if (shared != shared_end) memset(shared, 0xFF, (size_t)(shared_end - shared));
    for (unsigned round = 0;; round++) {
        unsigned waiting = 0, ended = 0, first_waiting = 0, first_ended = 0;
        for (unsigned i = 0; i < n; i++) {
            Thread &t = threads[i];
            if (t.state == Thread::DONE) continue;
            set_thread_index(i);
            if (t.state == Thread::NOT_STARTED) t.fiber = take_fiber(), start_fiber(t.fiber);
            resume(&t);
            if (t.state == Thread::DONE) {
                free_fibers.push_back(t.fiber), t.fiber = nullptr;
                if (!ended++) first_ended = i;
            } else if (!waiting++) {
                first_waiting = i;
            }
        }
        if (!waiting) return cudaSuccess;
        if (ended) {
            for (Thread &t : threads) /* abandoned mid-kernel: their stacks are free again */
                if (t.fiber) free_fibers.push_back(t.fiber), t.fiber = nullptr;
            return emu_fault(cudaErrorIllegalInstruction, "kernel %s %s: __syncthreads() number %u is "
                             "reached by %u thread(s) (first: thread %u) while %u thread(s) end without "
                             "reaching it (first: thread %u); a barrier must be reached by every thread of "
                             "the block", l.name, block_text().c_str(), round + 1, waiting, first_waiting,
                             ended, first_ended);
        }
    }
}

static cudaError_t run_kernel(const EmuKernelLaunch &l) {
    current_launch = &l;
    gridDim = l.grid, blockDim = l.block;
    std::vector<Thread> threads(l.block.x * l.block.y * l.block.z);
    for (unsigned z = 0; z < l.grid.z; z++)
        for (unsigned y = 0; y < l.grid.y; y++)
            for (unsigned x = 0; x < l.grid.x; x++) {
                blockIdx = {x, y, z};
                cudaError_t rc = run_block(l, threads);
                if (rc != cudaSuccess) return current_launch = nullptr, rc;
            }
    current_launch = nullptr;
    return cudaSuccess;
}

const char *emu_thread_position(void) {
    static char text[96];
    if (!current_launch) return "";
    snprintf(text, sizeof text, " (block (%u,%u,%u) thread (%u,%u,%u))", blockIdx.x, blockIdx.y, blockIdx.z,
             threadIdx.x, threadIdx.y, threadIdx.z);
    return text;
}

/* ---- the launch ---- */

static cudaError_t check_config(const EmuKernelLaunch &l) {
    cudaDeviceProp p;
    cudaGetDeviceProperties(&p, l.stream->device);
    unsigned long threads = (unsigned long)l.block.x * l.block.y * l.block.z;
    if (!l.grid.x || !l.grid.y || !l.grid.z || !threads)
        return emu_call_error(cudaErrorInvalidConfiguration, "kernel %s: an empty grid or block", l.name);
    if (threads > (unsigned long)p.maxThreadsPerBlock || l.block.x > (unsigned)p.maxThreadsDim[0] ||
        l.block.y > (unsigned)p.maxThreadsDim[1] || l.block.z > (unsigned)p.maxThreadsDim[2])
        return emu_call_error(cudaErrorInvalidConfiguration, "kernel %s: a block of %u x %u x %u threads "
                              "(at most %d in all, %d x %d x %d)", l.name, l.block.x, l.block.y, l.block.z,
                              p.maxThreadsPerBlock, p.maxThreadsDim[0], p.maxThreadsDim[1], p.maxThreadsDim[2]);
    if (l.grid.x > (unsigned)p.maxGridSize[0] || l.grid.y > (unsigned)p.maxGridSize[1] ||
        l.grid.z > (unsigned)p.maxGridSize[2])
        return emu_call_error(cudaErrorInvalidConfiguration, "kernel %s: a grid of %u x %u x %u blocks "
                              "(at most %d x %d x %d)", l.name, l.grid.x, l.grid.y, l.grid.z, p.maxGridSize[0],
                              p.maxGridSize[1], p.maxGridSize[2]);
    if (l.shared > p.sharedMemPerBlock)
        return emu_call_error(cudaErrorInvalidConfiguration, "kernel %s: %zu bytes of dynamic shared memory "
                              "(at most %zu per block)", l.name, l.shared, p.sharedMemPerBlock);
    return cudaSuccess;
}

/* Any address this process has mapped (mincore fails with ENOMEM on unmapped pages). */
static int is_mapped(const void *p) {
    unsigned char v;
    void *page = (void *)((uintptr_t)p & ~(uintptr_t)4095);
    return (uintptr_t)p >= 4096 && mincore(page, 1, &v) == 0;
}

static cudaError_t check_pointers(const EmuKernelLaunch &l, std::vector<const void *> &touches) {
    for (const EmuArgWord &w : l.words) {
        if (!w.value) continue;
        const EmuAlloc *a = emu_find_mapping(w.value);
        int device_memory = a && a->device >= 0 && emu_find_device(w.value, 0);
        if (device_memory && a->device != l.stream->device)
            return emu_call_error(cudaErrorInvalidDevicePointer, "kernel %s: argument %d points to memory of "
                                  "device %d, but the kernel runs on device %d", l.name, w.arg + 1, a->device,
                                  l.stream->device);
        if (device_memory) {
            touches.push_back(w.value);
            continue;
        }
        if (!w.in_struct || a || is_mapped(w.value))
            return emu_call_error(cudaErrorInvalidDevicePointer, "kernel %s: argument %d%s is %p, %s", l.name,
                                  w.arg + 1, w.in_struct ? " (a struct) holds a pointer that" : "", w.value,
                                  a ? (a->device < 0 ? "pinned host memory: kernels take device pointers only"
                                                     : "outside its device allocation (a guard or the slack)")
                                    : "host memory: kernels take device pointers only");
    }
    return cudaSuccess;
}

int emu_enqueue_kernel(EmuKernelLaunch &&launch) {
    emu_init();
    if (emu_sticky_error()) return emu_sticky_error();
    launch.stream = emu_stream(launch.stream);
    cudaError_t rc = check_config(launch);
    std::vector<const void *> touches;
    if (rc == cudaSuccess) rc = check_pointers(launch, touches);
    if (rc != cudaSuccess) return rc;
    emu_count("launch", launch.name, 0);
    auto shared = std::make_shared<EmuKernelLaunch>(std::move(launch));
    emu_enqueue(shared->stream, {std::string("kernel ") + shared->name, [shared] { return run_kernel(*shared); },
                                 std::move(touches)});
    return cudaSuccess;
}
