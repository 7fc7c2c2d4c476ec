/* address_space.c: the start-up check of the address-space limit (address_space.h). */
#include "address_space.h"

#include <stdio.h>
#include <sys/resource.h>

#include "check.h"

/* VmSize of this process in MB, from /proc (0 where there is none). */
static long mapped_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    long kb = 0;
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmSize: %ld kB", &kb) == 1) break;
    if (f) fclose(f);
    return kb / 1024;
}

void check_address_space(void) {
    struct rlimit lim;
    if (getrlimit(RLIMIT_AS, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return;
    long limit_mb = (long)(lim.rlim_cur >> 20), mapped = mapped_mb();
    if (mapped == 0 || limit_mb >= mapped + ADDRESS_SPACE_HEADROOM_MB) return;
    recur_die(EXIT_RUNTIME, "the address-space limit (ulimit -v) is %ld MB and recur's libraries already map %ld MB "
              "of it (a CUDA build's cuBLAS and NCCL map about 1 GB they never touch): too little left to run; "
              "raise it to at least %ld MB, or to unlimited", limit_mb, mapped, mapped + ADDRESS_SPACE_HEADROOM_MB);
}
