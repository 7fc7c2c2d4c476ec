/* metrics_log.c: the metrics.jsonl writer (metrics_log.h). */
#include "metrics_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/check.h"
#include "io/durable_file.h"

/* The step of a metrics line ("step": N), or -1. */
static long line_step(const char *line) {
    const char *at = strstr(line, "\"step\": ");
    return at ? strtol(at + 8, NULL, 10) : -1;
}

/* Rewrites path keeping only the whole lines of steps <= last_step (temp file + rename):
 * a last line without its newline was cut by a kill and is dropped too. */
static void drop_lines_after(const char *path, long last_step) {
    FILE *in = fopen(path, "r");
    if (!in) return; /* nothing logged yet */
    char tmp[1100];
    durable_temp_name(path, tmp, sizeof tmp);
    FILE *out = fopen(tmp, "w");
    if (!out) recur_die(EXIT_RUNTIME, "cannot write '%s': %s", tmp, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) >= 0)
        if (len > 0 && line[len - 1] == '\n' && line_step(line) <= last_step) fputs(line, out);
    free(line);
    fclose(in);
    if (fclose(out) != 0) recur_die(EXIT_RUNTIME, "cannot write '%s': %s", tmp, strerror(errno));
    durable_commit(tmp, path);
}

void metrics_log_open(MetricsLog *log, const char *run_dir, long resume_step) {
    make_directories(run_dir);
    snprintf(log->path, sizeof log->path, "%s/metrics.jsonl", run_dir);
    if (resume_step >= 0) drop_lines_after(log->path, resume_step);
    log->file = fopen(log->path, resume_step >= 0 ? "a" : "w");
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
