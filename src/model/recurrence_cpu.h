/* recurrence_cpu.h: the CPU backend's whole-sequence time loops (ModelOps.recurrence_*,
 * ops.h): layer.c's step loop with the recurrent product of every step done by
 * core/packed_gemm.h against W_hh packed once per sequence, each block of rows taken
 * through product, cell step, freeze (forward) or gather, cell step, product, carry
 * (backward) while it is in cache, and the work split over threads where it is
 * independent: the two directions, and row ranges of the batch (a sample's recurrence
 * never reads another sample's state, so a range runs all T steps on its own).
 *
 * Threads: OpenBLAS's thread count (the `threads` key); a split is made only when each
 * part has at least cpu_parallel_min_flops() of recurrent products per pass, so small
 * layers stay on one thread. Declines every job when cpu_packed_products() says no
 * (RECUR_CPU_RECURRENCE=steps, or the portable ISA unless =fused), and always the
 * textbook GRU (two dependent products per step). */
#ifndef RECUR_RECURRENCE_CPU_H
#define RECUR_RECURRENCE_CPU_H

#include "ops.h"

int cpu_recurrence_forward(const RecurrenceJob *jobs, int count);
int cpu_recurrence_backward(const RecurrenceJob *jobs, int count);

/* The threads the last call ran on (0: it declined; tests: that the threaded path ran). */
int cpu_recurrence_last_tasks(void);

#endif
