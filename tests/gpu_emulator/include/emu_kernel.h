/* emu_kernel.h (emulated device): what a .cu file of kernels/ needs to compile as host C++
 * — the kernel qualifiers, the built-in variables (threadIdx, blockIdx, blockDim,
 * gridDim), __syncthreads, the atomics and bit casts the kernels use, and
 * emu_launch_kernel, which LAUNCH_KERNEL (kernels/launch.cuh) expands to.
 *
 * A launch checks its configuration and its pointer arguments at once (as the GPU's
 * launch does, and stricter: every pointer must be device memory of the stream's
 * device), then queues the kernel on its stream; it runs at the next synchronisation
 * point, block after block, each thread of a block a fiber, so __syncthreads really waits
 * for the whole block. __shared__ variables live in one section, poisoned before each
 * block. Included by cuda_runtime.h in C++ only. */
#ifndef RECUR_EMU_KERNEL_H
#define RECUR_EMU_KERNEL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <stdlib.h>

#include <functional>
#include <new>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
/* One copy per kernel, shared by the threads of the block that runs (blocks run one at a
 * time); the emulator fills the section with NaN bytes before each block. */
#define __shared__ static __attribute__((section("recur_emu_shared")))

struct uint3 {
    unsigned x, y, z;
};
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

/* Set by the emulator for the thread it is running. */
extern uint3 threadIdx, blockIdx;
extern dim3 blockDim, gridDim;

/* Waits until every thread of the block has reached it; a thread that ends while others
 * wait at a barrier is an error (the launch fails with cudaErrorIllegalInstruction). */
void __syncthreads(void);
/* cooperative_groups::this_grid().sync(): waits until every thread of the grid has reached
 * it; only in a cooperative launch (all blocks run at once), else an error. */
void emu_grid_sync(void);
/* Threads run one at a time on one core: every write is seen by every later read. */
static inline void __threadfence(void) {}
/* The block's dynamic shared memory (the launch's `shared` bytes, NaN-poisoned per block);
 * what `extern __shared__ T name[]` is on a GPU (DYNAMIC_SHARED in kernels/launch.cuh). */
void *emu_dynamic_shared(void);

/* Threads run one at a time, so read-modify-write is atomic. */
template <typename T> static inline T emu_atomic_add(T *p, T v) {
    T old = *p;
    *p = old + v;
    return old;
}
static inline float atomicAdd(float *p, float v) { return emu_atomic_add(p, v); }
static inline double atomicAdd(double *p, double v) { return emu_atomic_add(p, v); }
static inline int atomicAdd(int *p, int v) { return emu_atomic_add(p, v); }
static inline unsigned long long atomicAdd(unsigned long long *p, unsigned long long v) {
    return emu_atomic_add(p, v);
}
static inline unsigned long long atomicMax(unsigned long long *p, unsigned long long v) {
    unsigned long long old = *p;
    if (v > old) *p = v;
    return old;
}
static inline int atomicMax(int *p, int v) {
    int old = *p;
    if (v > old) *p = v;
    return old;
}
static inline long long __double_as_longlong(double x) {
    long long r;
    memcpy(&r, &x, sizeof r);
    return r;
}
static inline double __longlong_as_double(long long x) {
    double r;
    memcpy(&r, &x, sizeof r);
    return r;
}
static inline int __float_as_int(float x) {
    int r;
    memcpy(&r, &x, sizeof r);
    return r;
}
static inline float __int_as_float(int x) {
    float r;
    memcpy(&r, &x, sizeof r);
    return r;
}

/* One argument word the launch checks: a pointer argument, or an 8-byte word inside a
 * struct argument that may hold one. */
struct EmuArgWord {
    int arg;           /* 0-based argument position */
    const void *value;
    bool in_struct;
};

struct EmuKernelLaunch {
    const char *name;
    const void *function; /* the kernel, for cudaFuncSetAttribute's limits */
    bool cooperative;     /* cudaLaunchCooperativeKernel: all blocks at once, grid.sync() */
    dim3 grid, block;
    size_t shared;
    struct EmuStream *stream;
    std::vector<EmuArgWord> words;
    std::function<void()> body; /* one thread, with the built-ins set */
};

/* Checks and queues a launch (emu_launch.cpp); the result is also cudaGetLastError's. */
int emu_enqueue_kernel(EmuKernelLaunch &&launch);

template <typename T> static void emu_note_arg(EmuKernelLaunch &l, int index, const T &arg) {
    if constexpr (std::is_pointer_v<T>) {
        l.words.push_back({index, (const void *)arg, false});
    } else if constexpr (std::is_class_v<T>) {
        for (size_t at = 0; at + sizeof(void *) <= sizeof(T); at += alignof(void *)) {
            const void *word;
            memcpy(&word, (const char *)&arg + at, sizeof word);
            l.words.push_back({index, word, true});
        }
    }
}

template <typename... P, typename... A>
int emu_queue_launch(const char *name, bool cooperative, void (*kernel)(P...), dim3 grid, dim3 block,
                     size_t shared, struct EmuStream *stream, A &&...args) {
    static_assert(sizeof...(P) == sizeof...(A), "kernel launched with the wrong number of arguments");
    /* Built in zeroed memory: padding a member-wise copy skips holds no stale words. */
    using Params = std::tuple<std::decay_t<P>...>;
    void *storage = calloc(1, sizeof(Params));
    std::shared_ptr<Params> params(new (storage) Params(std::forward<A>(args)...), [](Params *p) {
        p->~Params();
        free(p);
    });
    EmuKernelLaunch l{name, (const void *)kernel, cooperative, grid, block, shared, stream, {}, {}};
    int index = 0;
    std::apply([&](const auto &...p) { (emu_note_arg(l, index++, p), ...); }, *params);
    l.body = [kernel, params] { std::apply(kernel, *params); };
    return emu_enqueue_kernel(std::move(l));
}

/* kernel<<<grid, block, shared, stream>>>(args...), emulated. */
template <typename... P, typename... A>
void emu_launch_kernel(const char *name, void (*kernel)(P...), dim3 grid, dim3 block, size_t shared,
                       struct EmuStream *stream, A &&...args) {
    emu_queue_launch(name, false, kernel, grid, block, shared, stream, std::forward<A>(args)...);
}

/* cudaLaunchCooperativeKernel(kernel, grid, block, {&arg}, shared, stream), emulated: refused
 * with cudaErrorCooperativeLaunchTooLarge when the grid cannot be resident all at once. */
template <typename P, typename A>
cudaError_t emu_launch_cooperative_kernel(const char *name, void (*kernel)(P), dim3 grid, dim3 block,
                                          size_t shared, struct EmuStream *stream, A &&arg) {
    return (cudaError_t)emu_queue_launch(name, true, kernel, grid, block, shared, stream, std::forward<A>(arg));
}

#endif
