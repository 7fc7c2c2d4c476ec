/* hd.h: RECUR_HD marks small inline functions that both the CPU path (C) and the CUDA
 * kernels (the .cu files in kernels/) compile: the per-element arithmetic of cells,
 * activations and random numbers is written once, and the two backends cannot drift apart. */
#ifndef RECUR_HD_H
#define RECUR_HD_H

/* Also forces inlining on the host: GCC vectorizes a unit loop only when the unit function
 * is inlined early, before it analyses the loop's memory accesses. */
#ifdef __CUDACC__
#define RECUR_HD __host__ __device__
#else
#define RECUR_HD __attribute__((always_inline))
#endif

#endif
