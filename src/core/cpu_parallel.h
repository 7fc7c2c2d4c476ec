/* cpu_parallel.h: run n independent parts of one piece of CPU work at once: part 0 on
 * the calling thread, parts 1..n-1 on worker threads (a pool started on first use, whose
 * threads spin ~50-100 us after a call before they sleep), all finished before it
 * returns. For coarse parts only (a whole time loop, a range of a large product): waking
 * a sleeping worker costs tens of microseconds. One caller at a time (the model's ops
 * run on one thread); a part that calls cpu_parallel runs those parts in turn. Parts may
 * call OpenBLAS only while it is set to one thread (ops_cpu.c's products). */
#ifndef RECUR_CPU_PARALLEL_H
#define RECUR_CPU_PARALLEL_H

enum { CPU_PARALLEL_MAX = 16 };

/* The least work (FLOPs) a part should have to be worth a thread of its own (starting
 * and joining one costs 15-30 us here; 16 MFLOP is ~150 us of products):
 * RECUR_CPU_TASK_MIN_MFLOP (default 16) MFLOP; tests set 0 to force splits. */
double cpu_parallel_min_flops(void);

/* Parts for an element-wise pass over `elements` values on `threads` threads: one per
 * 128 K elements (~0.15 ms of Adam here, several times a worker's wake-up; 256 K kept the
 * small rows' Adam and the mid rows' embedding scatter on one thread, and 64 K split
 * nothing more that paid), at most one per thread and one per `units` (ranges that can be
 * split), at most CPU_PARALLEL_MAX; at least 1. */
int cpu_parallel_parts(long elements, int units, int threads);

/* Where part i of `parts` even ranges of [0, n) starts (part `parts` starts at n), so
 * part i is [cpu_part_start(n, i, parts), cpu_part_start(n, i + 1, parts)). */
static inline long cpu_part_start(long n, int i, int parts) { return n * i / parts; }

/* Runs part(arg, i) for i = 0..n-1 (n <= CPU_PARALLEL_MAX), in parallel when `parallel`,
 * else in turn on this thread. */
void cpu_parallel(int n, int parallel, void (*part)(void *arg, int i), void *arg);

#endif
