/* metrics_log.c: the metrics.jsonl writer (metrics_log.h). */
#include "metrics_log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "core/check.h"
#include "io/durable_file.h"

void metrics_log_open(MetricsLog *log, const char *run_dir, int append) {
    make_directories(run_dir);
    snprintf(log->path, sizeof log->path, "%s/metrics.jsonl", run_dir);
    log->file = fopen(log->path, append ? "a" : "w");
    if (!log->file) recur_die(EXIT_RUNTIME, "cannot write '%s': %s", log->path, strerror(errno));
}

void metrics_log_open_file(MetricsLog *log, const char *path, int append) {
    snprintf(log->path, sizeof log->path, "%s", path);
    log->file = fopen(log->path, append ? "a" : "w");
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
