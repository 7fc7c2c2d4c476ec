/* cpu_isa.c: the run-time choice of cpu_isa.h (cpuid through GCC's builtins). */
#include "cpu_isa.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *const names[CPU_ISAS] = {"avx512", "avx2", "portable"};
static int chosen = -1;

const char *cpu_isa_name(CpuIsa isa) { return names[isa]; }

int cpu_isa_supported(CpuIsa isa) {
#if defined(__GNUC__) && defined(__x86_64__) && !defined(RECUR_REAL_DOUBLE)
    if (isa == CPU_ISA_AVX512) return __builtin_cpu_supports("avx512f");
    if (isa == CPU_ISA_AVX2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return isa == CPU_ISA_PORTABLE;
}

static int named(const char *name) {
    for (int i = 0; i < CPU_ISAS; i++)
        if (!strcmp(name, names[i])) return cpu_isa_supported((CpuIsa)i) ? i : -1;
    return -1;
}

CpuIsa cpu_isa(void) {
    if (chosen >= 0) return (CpuIsa)chosen;
    const char *env = getenv("RECUR_CPU_KERNEL");
    if (env && *env) {
        chosen = named(env);
        if (chosen < 0)
            recur_die(EXIT_USAGE, "RECUR_CPU_KERNEL=%s: not a kernel this build and CPU run "
                      "(avx512, avx2, portable; the float64 build has portable only)", env);
        return (CpuIsa)chosen;
    }
    for (int i = 0; i < CPU_ISAS && chosen < 0; i++)
        if (cpu_isa_supported((CpuIsa)i)) chosen = i;
    return (CpuIsa)chosen;
}

int cpu_isa_use(const char *name) {
    int i = named(name);
    if (i >= 0) chosen = i;
    return i >= 0;
}

int cpu_packed_products(void) {
    const char *env = getenv("RECUR_CPU_RECURRENCE");
    if (env && *env && strcmp(env, "steps") && strcmp(env, "fused"))
        recur_die(EXIT_USAGE, "RECUR_CPU_RECURRENCE=%s: expected fused or steps", env);
    if (env && *env) return !strcmp(env, "fused");
    return cpu_isa() != CPU_ISA_PORTABLE;
}
