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
 * more than a loop.
 *
 * A cooperative launch (cudaLaunchCooperativeKernel) must fit on the device at once
 * (blocks per SM from threads and shared memory, times the SMs; else
 * cudaErrorCooperativeLaunchTooLarge, where a GPU would deadlock), and runs all its blocks
 * together: round after round every block's runnable threads run until they wait, each
 * block with its own shared memory swapped into place; grid.sync() is passed when every
 * thread of the grid waits at it. A block that ends while others wait at grid.sync(), or
 * threads of one block waiting at different kinds of barrier, are faults. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <map>
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
    enum State { RUNNABLE, WAIT_BLOCK, WAIT_GRID, DONE } state;
    Fiber *fiber;        /* NULL until it first runs */
};

/* A block of the launch: its threads, and while other blocks run (a cooperative launch)
 * its __shared__ variables and dynamic shared memory. */
struct Block {
    uint3 index;
    std::vector<Thread> threads;
    std::vector<char> statics;  /* the shared section's bytes while another block runs */
    std::vector<char> dynamic;  /* the launch's dynamic shared memory */
    unsigned block_barriers;    /* __syncthreads passed, for messages */
};

static std::vector<Fiber *> free_fibers;
static Fiber *current_fiber;
static Thread *current_thread;
static Block *current_block;
static void *scheduler_sp;
#if !defined(__x86_64__)
static ucontext_t scheduler_ctx;
#endif
static const EmuKernelLaunch *current_launch;

/* Stacks come in slabs of STACKS_PER_SLAB with one guard page below the slab, so a
 * cooperative launch of tens of thousands of threads stays within the kernel's limit on
 * mappings (vm.max_map_count); each stack's lowest word holds a canary instead, checked
 * when its thread ends. */
enum { STACKS_PER_SLAB = 64 };
static const uint64_t STACK_CANARY = 0x5ac4ed6e57ac4ed5ull;

static Fiber *take_fiber(void) {
    if (!free_fibers.empty()) {
        Fiber *f = free_fibers.back();
        free_fibers.pop_back();
        return f;
    }
    size_t slab = (size_t)STACK_BYTES * STACKS_PER_SLAB;
    char *m = (char *)mmap(nullptr, slab + GUARD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                           -1, 0);
    if (m == MAP_FAILED) {
        perror("emulated device: fiber stacks");
        _exit(1);
    }
    mprotect(m, GUARD, PROT_NONE);
    for (int i = STACKS_PER_SLAB - 1; i > 0; i--) {
        Fiber *f = new Fiber{m + GUARD + (size_t)i * STACK_BYTES, nullptr};
        memcpy(f->stack, &STACK_CANARY, sizeof STACK_CANARY);
        free_fibers.push_back(f);
    }
    Fiber *f = new Fiber{m + GUARD, nullptr};
    memcpy(f->stack, &STACK_CANARY, sizeof STACK_CANARY);
    return f;
}

/* A thread's stack back to the pool; 0 when the thread overran it. */
static int give_back_fiber(Fiber *f) {
    free_fibers.push_back(f);
    return memcmp(f->stack, &STACK_CANARY, sizeof STACK_CANARY) == 0;
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

static void wait_at(Thread::State barrier, const char *what) {
    if (!current_thread) {
        emu_fault(cudaErrorIllegalInstruction, "%s called outside a kernel", what);
        return;
    }
    current_thread->state = barrier;
    switch_to_scheduler();
}

void __syncthreads(void) { wait_at(Thread::WAIT_BLOCK, "__syncthreads()"); }

void emu_grid_sync(void) { wait_at(Thread::WAIT_GRID, "grid.sync()"); }

void *emu_dynamic_shared(void) { return current_block ? current_block->dynamic.data() : nullptr; }

/* ---- blocks ---- */

static void set_thread_index(unsigned i) {
    threadIdx.x = i % blockDim.x;
    threadIdx.y = i / blockDim.x % blockDim.y;
    threadIdx.z = i / (blockDim.x * blockDim.y);
}

static std::string block_text(const Block &b) {
    char text[96];
    snprintf(text, sizeof text, "block (%u,%u,%u)", b.index.x, b.index.y, b.index.z);
    return text;
}

static void release_fibers(std::vector<Block> &blocks) {
    for (Block &b : blocks) /* abandoned mid-kernel: their stacks are free again */
        for (Thread &t : b.threads)
            if (t.fiber) give_back_fiber(t.fiber), t.fiber = nullptr;
}

/* Runs the block's runnable threads until each ends or waits at a barrier; the block's
 * shared memory is in the section meanwhile. Threads that end give their stack to the
 * next, so threads that never wait cost one stack in all. */
static void run_threads(Block &b, bool swap_statics) {
    char *section = __start_recur_emu_shared;
    size_t section_bytes = (size_t)(__stop_recur_emu_shared - __start_recur_emu_shared);
    if (swap_statics && section_bytes) memcpy(section, b.statics.data(), section_bytes);
    current_block = &b, blockIdx = b.index;
    for (unsigned i = 0; i < b.threads.size(); i++) {
        Thread &t = b.threads[i];
        if (t.state != Thread::RUNNABLE) continue;
        set_thread_index(i);
        if (!t.fiber) t.fiber = take_fiber(), start_fiber(t.fiber);
        resume(&t);
        if (t.state == Thread::DONE && !give_back_fiber(t.fiber))
            emu_fault(cudaErrorLaunchFailure, "kernel %s: thread %u of block (%u,%u,%u) overran its %d KB stack",
                      current_launch->name, i, b.index.x, b.index.y, b.index.z, STACK_BYTES >> 10);
        if (t.state == Thread::DONE) t.fiber = nullptr;
    }
    current_block = nullptr;
    if (swap_statics && section_bytes) memcpy(b.statics.data(), section, section_bytes);
}

struct BlockCount {
    unsigned at_block, at_grid, ended, first_block, first_grid, first_ended;
};

static BlockCount count_states(const Block &b) {
    BlockCount c = {0, 0, 0, 0, 0, 0};
    for (unsigned i = 0; i < b.threads.size(); i++) {
        Thread::State s = b.threads[i].state;
        if (s == Thread::WAIT_BLOCK && !c.at_block++) c.first_block = i;
        if (s == Thread::WAIT_GRID && !c.at_grid++) c.first_grid = i;
        if (s == Thread::DONE && !c.ended++) c.first_ended = i;
    }
    return c;
}

static void release(Block &b, Thread::State waiting) {
    for (Thread &t : b.threads)
        if (t.state == waiting) t.state = Thread::RUNNABLE;
}

/* After a round: passes the barriers every thread concerned has reached; a barrier that
 * some thread can never reach (it ended, or waits at the other kind) is a fault. */
static cudaError_t pass_barriers(const EmuKernelLaunch &l, std::vector<Block> &blocks, unsigned *grid_syncs,
                                 bool *running) {
    unsigned blocks_at_grid = 0, blocks_ended = 0;
    const Block *ended_block = nullptr;
    *running = false;
    for (Block &b : blocks) {
        BlockCount c = count_states(b);
        unsigned n = (unsigned)b.threads.size();
        if (c.at_block && (c.ended || c.at_grid))
            return emu_fault(cudaErrorIllegalInstruction, "kernel %s %s: __syncthreads() number %u is reached by %u "
                             "thread(s) (first: thread %u) while %u thread(s) %s (first: thread %u); a barrier must "
                             "be reached by every thread of the block", l.name, block_text(b).c_str(),
                             b.block_barriers + 1, c.at_block, c.first_block, c.ended ? c.ended : c.at_grid,
                             c.ended ? "end without reaching it" : "wait at grid.sync() instead",
                             c.ended ? c.first_ended : c.first_grid);
        if (c.at_block == n) release(b, Thread::WAIT_BLOCK), b.block_barriers++, *running = true;
        if (c.at_grid && !l.cooperative)
            return emu_fault(cudaErrorIllegalInstruction, "kernel %s: grid.sync() in a kernel launched without "
                             "cudaLaunchCooperativeKernel (its blocks need not be resident together)", l.name);
        if (c.at_grid && c.ended)
            return emu_fault(cudaErrorIllegalInstruction, "kernel %s %s: grid.sync() number %u is reached by %u "
                             "thread(s) while %u end without reaching it", l.name, block_text(b).c_str(),
                             *grid_syncs + 1, c.at_grid, c.ended);
        if (c.at_grid == n) blocks_at_grid++;
        if (c.ended == n) blocks_ended++, ended_block = &b;
    }
    if (blocks_at_grid && blocks_at_grid + blocks_ended == blocks.size() && blocks_ended)
        return emu_fault(cudaErrorIllegalInstruction, "kernel %s: grid.sync() number %u is reached by %u block(s) "
                         "while %u end without reaching it (first: %s); every block of the grid must reach it",
                         l.name, *grid_syncs + 1, blocks_at_grid, blocks_ended, block_text(*ended_block).c_str());
    if (blocks_at_grid == blocks.size()) {
        for (Block &b : blocks) release(b, Thread::WAIT_GRID);
        ++*grid_syncs, *running = true;
    }
    return cudaSuccess;
}

/* Runs a set of blocks together until all their threads end: one block of an ordinary
 * launch, every block of a cooperative one. */
static cudaError_t run_blocks(const EmuKernelLaunch &l, std::vector<Block> &blocks) {
    size_t section_bytes = (size_t)(__stop_recur_emu_shared - __start_recur_emu_shared);
    bool swap = blocks.size() > 1;
    if (!swap && section_bytes) memset(__start_recur_emu_shared, 0xFF, section_bytes);
    unsigned grid_syncs = 0;
    for (;;) {
        for (Block &b : blocks) run_threads(b, swap);
        bool running;
        cudaError_t rc = pass_barriers(l, blocks, &grid_syncs, &running);
        if (rc != cudaSuccess) return release_fibers(blocks), rc;
        if (!running) break;
    }
    for (Block &b : blocks)
        for (const Thread &t : b.threads)
            if (t.state != Thread::DONE) /* cannot happen: pass_barriers reports it first */
                return release_fibers(blocks), emu_fault(cudaErrorIllegalInstruction, "kernel %s: deadlock", l.name);
    return cudaSuccess;
}

static Block make_block(const EmuKernelLaunch &l, uint3 index, size_t section_bytes, bool keep_statics) {
    Block b{index, std::vector<Thread>(l.block.x * l.block.y * l.block.z, Thread{Thread::RUNNABLE, nullptr}),
            std::vector<char>(keep_statics ? section_bytes : 0, (char)0xFF), std::vector<char>(l.shared, (char)0xFF),
            0};
    return b;
}

static cudaError_t run_kernel(const EmuKernelLaunch &l) {
    current_launch = &l;
    gridDim = l.grid, blockDim = l.block;
    size_t section_bytes = (size_t)(__stop_recur_emu_shared - __start_recur_emu_shared);
    std::vector<Block> blocks;
    cudaError_t rc = cudaSuccess;
    for (unsigned z = 0; z < l.grid.z && rc == cudaSuccess; z++)
        for (unsigned y = 0; y < l.grid.y && rc == cudaSuccess; y++)
            for (unsigned x = 0; x < l.grid.x && rc == cudaSuccess; x++) {
                blocks.push_back(make_block(l, {x, y, z}, section_bytes, l.cooperative));
                if (l.cooperative) continue;
                rc = run_blocks(l, blocks);
                blocks.clear();
            }
    if (l.cooperative && rc == cudaSuccess) rc = run_blocks(l, blocks);
    current_launch = nullptr;
    return rc;
}

const char *emu_thread_position(void) {
    static char text[96];
    if (!current_launch) return "";
    snprintf(text, sizeof text, " (block (%u,%u,%u) thread (%u,%u,%u))", blockIdx.x, blockIdx.y, blockIdx.z,
             threadIdx.x, threadIdx.y, threadIdx.z);
    return text;
}

/* ---- the launch ---- */

/* ---- limits: shared memory, occupancy ---- */

static std::map<const void *, size_t> raised_shared_limits; /* cudaFuncSetAttribute */

static size_t dynamic_shared_limit(const void *function, const cudaDeviceProp &p) {
    auto it = raised_shared_limits.find(function);
    return it == raised_shared_limits.end() ? p.sharedMemPerBlock : it->second;
}

extern "C" cudaError_t emu_func_set_attribute(const void *function, cudaFuncAttribute attr, int value) {
    cudaDeviceProp p;
    cudaGetDeviceProperties(&p, emu_current_device());
    if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize)
        return emu_call_error(cudaErrorInvalidValue, "cudaFuncSetAttribute: attribute %d is not emulated", (int)attr);
    if (value < 0 || (size_t)value > p.sharedMemPerBlockOptin)
        return emu_call_error(cudaErrorInvalidValue, "cudaFuncSetAttribute: %d bytes of dynamic shared memory "
                              "(the device allows at most %zu)", value, p.sharedMemPerBlockOptin);
    raised_shared_limits[function] = (size_t)value;
    return cudaSuccess;
}

static int blocks_per_sm(const cudaDeviceProp &p, unsigned long threads, size_t shared) {
    long by_threads = p.maxThreadsPerMultiProcessor / (long)threads;
    long by_shared = (long)(p.sharedMemPerMultiprocessor / (shared + 1024));
    long n = by_threads < by_shared ? by_threads : by_shared;
    return (int)(n < 32 ? n : 32);
}

extern "C" cudaError_t emu_occupancy_blocks_per_sm(int *blocks, const void *function, int block_threads,
                                                   size_t dynamic_shared) {
    cudaDeviceProp p;
    cudaGetDeviceProperties(&p, emu_current_device());
    if (block_threads <= 0 || block_threads > p.maxThreadsPerBlock)
        return emu_call_error(cudaErrorInvalidValue, "cudaOccupancyMaxActiveBlocksPerMultiprocessor: %d threads "
                              "per block", block_threads);
    *blocks = dynamic_shared > dynamic_shared_limit(function, p) ? 0 : blocks_per_sm(p, block_threads, dynamic_shared);
    return cudaSuccess;
}

/* A cooperative grid must be resident all at once: on a GPU a larger one would wait for
 * blocks that never start, so the launch is refused. */
static cudaError_t check_resident(const EmuKernelLaunch &l, const cudaDeviceProp &p) {
    unsigned long threads = (unsigned long)l.block.x * l.block.y * l.block.z;
    unsigned long blocks = (unsigned long)l.grid.x * l.grid.y * l.grid.z;
    unsigned long resident = (unsigned long)blocks_per_sm(p, threads, l.shared) * p.multiProcessorCount;
    if (blocks > resident)
        return emu_call_error(cudaErrorCooperativeLaunchTooLarge, "kernel %s: a cooperative grid of %lu blocks "
                              "(%lu threads, %zu bytes of shared memory each), but the device holds at most %lu at "
                              "once (%d SMs)", l.name, blocks, threads, l.shared, resident, p.multiProcessorCount);
    return cudaSuccess;
}

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
    size_t shared_limit = dynamic_shared_limit(l.function, p);
    if (l.shared > shared_limit)
        return emu_call_error(cudaErrorInvalidConfiguration, "kernel %s: %zu bytes of dynamic shared memory "
                              "(at most %zu per block%s)", l.name, l.shared, shared_limit,
                              shared_limit < p.sharedMemPerBlockOptin ? " without cudaFuncSetAttribute" : "");
    if (l.cooperative) return check_resident(l, p);
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
