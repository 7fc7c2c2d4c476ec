/* crash_on_rename.c: an LD_PRELOAD shim for tests — the process is killed (SIGKILL, no
 * clean-up of any kind) when it calls rename() onto a path containing $CRASH_AT (e.g.
 * "step-000000040.h5"): the temporary file is complete, the rename never happens. This
 * is the worst moment for a crash; the test checks the previous checkpoint survives. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rename(const char *from, const char *to) {
    const char *at = getenv("CRASH_AT");
    if (at && *at && strstr(to, at)) kill(getpid(), SIGKILL);
    int (*real_rename)(const char *, const char *) = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    return real_rename(from, to);
}
