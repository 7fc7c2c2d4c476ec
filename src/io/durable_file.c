/* durable_file.c: temp file + fsync + rename + directory fsync (durable_file.h). */
#include "durable_file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
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
        if (mkdir(path, 0777) != 0 && errno != EEXIST) /* a bad path is bad usage; a full disk is not */
            recur_die(errno == ENOSPC || errno == EIO || errno == EDQUOT ? EXIT_RUNTIME : EXIT_USAGE,
                      "cannot create directory '%s': %s", path, strerror(errno));
        if (!keep) break;
        *p = keep;
    }
}

/* The temporary file being written (""), removed by a fatal error. */
static char active_temp[4096];

static void remove_active_temp(void) {
    if (active_temp[0]) unlink(active_temp);
    active_temp[0] = 0;
}

void durable_temp_name(const char *path, char *out, size_t size) {
    static int registered;
    int n = snprintf(out, size, "%s.tmp-%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= size) recur_die(EXIT_RUNTIME, "%s: path too long", path);
    if (!registered) recur_on_fatal(remove_active_temp), registered = 1;
    snprintf(active_temp, sizeof active_temp, "%s", out);
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
    active_temp[0] = 0; /* renamed: no longer ours to remove */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    /* Some file systems refuse fsync on a directory (EINVAL): the rename is done anyway. */
    if (fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY) != 0 && errno != EINVAL)
        recur_die(EXIT_RUNTIME, "%s: cannot flush its directory: %s", path, strerror(errno));
}

/* The pid of a name "<anything>.tmp-<digits>", or 0. */
static long temp_owner(const char *name) {
    const char *t = strstr(name, ".tmp-"), *d;
    while (t && strstr(t + 1, ".tmp-")) t = strstr(t + 1, ".tmp-");
    if (!t || !t[5]) return 0;
    for (d = t + 5; *d; d++)
        if (!isdigit((unsigned char)*d)) return 0;
    return strtol(t + 5, NULL, 10);
}

static int process_gone(long pid) { return kill((pid_t)pid, 0) != 0 && errno == ESRCH; }

int durable_remove_stale_temps(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int removed = 0;
    struct dirent *e;
    size_t plen = strlen(prefix);
    while ((e = readdir(d))) {
        long pid = temp_owner(e->d_name);
        if (pid <= 0 || pid == (long)getpid() || strncmp(e->d_name, prefix, plen)) continue;
        if (!process_gone(pid)) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) == 0) {
            fprintf(stderr, "recur: note: removed %s, a temporary file left by process %ld, which no "
                    "longer runs\n", path, pid);
            removed++;
        }
    }
    closedir(d);
    return removed;
}
