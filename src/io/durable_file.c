/* durable_file.c: temp file + fsync + rename + directory fsync (durable_file.h). */
#include "durable_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/check.h"

void make_directories(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != 0) continue;
        char keep = *p;
        *p = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            recur_die(EXIT_RUNTIME, "cannot create directory '%s': %s", path, strerror(errno));
        if (!keep) break;
        *p = keep;
    }
}

void durable_temp_name(const char *path, char *out, size_t size) {
    int n = snprintf(out, size, "%s.tmp-%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= size) recur_die(EXIT_RUNTIME, "%s: path too long", path);
}

static int fsync_path(const char *path, int flags) {
    int fd = open(path, flags);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

void durable_commit(const char *tmp, const char *path) {
    if (fsync_path(tmp, O_RDONLY) != 0) {
        int e = errno;
        unlink(tmp);
        recur_die(EXIT_RUNTIME, "%s: cannot flush to disk: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        recur_die(EXIT_RUNTIME, "cannot rename %s to %s: %s", tmp, path, strerror(e));
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    /* Some file systems refuse fsync on a directory (EINVAL): the rename is done anyway. */
    if (fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY) != 0 && errno != EINVAL)
        recur_die(EXIT_RUNTIME, "%s: cannot flush its directory: %s", path, strerror(errno));
}
