/* metrics_log.c: the metrics.jsonl writer (metrics_log.h). */
#include "metrics_log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "core/check.h"

static void make_dirs(const char *dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; ; p++) {
        if (*p != '/' && *p != 0) continue;
        char keep = *p;
        *p = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            recur_die(EXIT_RUNTIME, "run_dir: cannot create '%s': %s", path, strerror(errno));
        if (!keep) break;
        *p = keep;
    }
}

void metrics_log_open(MetricsLog *log, const char *run_dir) {
    make_dirs(run_dir);
    snprintf(log->path, sizeof log->path, "%s/metrics.jsonl", run_dir);
    log->file = fopen(log->path, "w");
    if (!log->file) recur_die(EXIT_RUNTIME, "cannot write '%s': %s", log->path, strerror(errno));
}

void metrics_log_write(MetricsLog *log, const char *fields_fmt, ...) {
    va_list ap;
    va_start(ap, fields_fmt);
    fputc('{', log->file);
    vfprintf(log->file, fields_fmt, ap);
    fputs("}\n", log->file);
    va_end(ap);
    if (fflush(log->file) != 0 || ferror(log->file))
        recur_die(EXIT_RUNTIME, "write to '%s' failed: %s", log->path, strerror(errno));
}

void metrics_log_close(MetricsLog *log) {
    if (log->file && fclose(log->file) != 0)
        recur_die(EXIT_RUNTIME, "closing '%s' failed: %s", log->path, strerror(errno));
    log->file = 0;
}
