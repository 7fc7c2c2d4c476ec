/* cpu_isa.h: which instruction set the CPU backend's own loops and kernels use
 * (core/packed_gemm.c, model/cpu_loops.c): the best this CPU runs, or the one
 * RECUR_CPU_KERNEL=avx512|avx2|portable names (an error when the CPU or the build lacks
 * it), so tests can run every path the machine has. The float64 build has portable only.
 * Chosen once at first use; tests switch with cpu_isa_use. */
#ifndef RECUR_CPU_ISA_H
#define RECUR_CPU_ISA_H

typedef enum { CPU_ISA_AVX512, CPU_ISA_AVX2, CPU_ISA_PORTABLE, CPU_ISAS } CpuIsa;

CpuIsa cpu_isa(void);
const char *cpu_isa_name(CpuIsa isa);
/* 1 when this build and CPU run it. */
int cpu_isa_supported(CpuIsa isa);
/* Switches to the named one; 0 (and no switch) when unknown or not supported. */
int cpu_isa_use(const char *name);

/* Whether the CPU backend uses its own packed products (core/packed_gemm.h: the fused
 * time loop, the whole-sequence products with an untransposed left side):
 * RECUR_CPU_RECURRENCE=fused (yes), =steps (no: OpenBLAS for every product and layer.c's
 * step loop, the arithmetic from before these paths existed); by default yes unless the
 * ISA is portable, where OpenBLAS's own kernels are faster than plain C vectors. */
int cpu_packed_products(void);

#endif
