/* enospc_shim.c: LD_PRELOAD library that fills the disk for one process, for the storage
 * fault tests where a small tmpfs cannot be mounted. Writes (write, pwrite, pwrite64,
 * writev) to files whose path contains $FAULT_PATH (opened after it loads) succeed for the
 * first $FAULT_BYTES bytes in all, then fail with errno $FAULT_ERRNO (default 28, ENOSPC;
 * 5 is EIO). Other files are untouched. A test tool: no locking (recur writes files from
 * one thread). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum { MAX_FD = 4096 };
static unsigned char watched[MAX_FD];
static long long budget = -1; /* bytes still allowed; -1 until read from the environment */

static long long remaining(void) {
    if (budget < 0) {
        const char *b = getenv("FAULT_BYTES");
        budget = b ? atoll(b) : 0;
    }
    return budget;
}

static int fault_errno(void) {
    const char *e = getenv("FAULT_ERRNO");
    return e ? atoi(e) : ENOSPC;
}

static void note_open(int fd, const char *path) {
    const char *pattern = getenv("FAULT_PATH");
    if (fd >= 0 && fd < MAX_FD) watched[fd] = pattern && *pattern && path && strstr(path, pattern);
}

/* 1 when a write of n bytes to fd must fail now; else charges it to the budget. */
static int must_fail(int fd, size_t n) {
    if (fd < 0 || fd >= MAX_FD || !watched[fd]) return 0;
    if (remaining() < (long long)n) {
        budget = 0;
        errno = fault_errno();
        return 1;
    }
    budget -= (long long)n;
    return 0;
}

#define REAL(name, type_unused) \
    static __typeof__(&name) real_##name; \
    if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

int open(const char *path, int flags, ...) {
    REAL(open, int (*)(const char *, int, ...));
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    int fd = real_open(path, flags, mode);
    note_open(fd, path);
    return fd;
}
int open64(const char *path, int flags, ...) {
    REAL(open64, int (*)(const char *, int, ...));
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    int fd = real_open64(path, flags, mode);
    note_open(fd, path);
    return fd;
}
int openat(int dir, const char *path, int flags, ...) {
    REAL(openat, int (*)(int, const char *, int, ...));
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    int fd = real_openat(dir, path, flags, mode);
    note_open(fd, path);
    return fd;
}
ssize_t write(int fd, const void *buf, size_t n) {
    REAL(write, ssize_t (*)(int, const void *, size_t));
    return must_fail(fd, n) ? -1 : real_write(fd, buf, n);
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t at) {
    REAL(pwrite, ssize_t (*)(int, const void *, size_t, off_t));
    return must_fail(fd, n) ? -1 : real_pwrite(fd, buf, n, at);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at) {
    REAL(pwrite64, ssize_t (*)(int, const void *, size_t, off_t));
    return must_fail(fd, n) ? -1 : real_pwrite64(fd, buf, n, at);
}
ssize_t writev(int fd, const struct iovec *iov, int count) {
    REAL(writev, ssize_t (*)(int, const struct iovec *, int));
    size_t n = 0;
    for (int i = 0; i < count; i++) n += iov[i].iov_len;
    return must_fail(fd, n) ? -1 : real_writev(fd, iov, count);
}
int close(int fd) {
    REAL(close, int (*)(int));
    if (fd >= 0 && fd < MAX_FD) watched[fd] = 0;
    return real_close(fd);
}
