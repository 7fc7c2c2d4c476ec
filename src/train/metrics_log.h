/* metrics_log.h: <run_dir>/metrics.jsonl, one JSON object per line, flushed per line so a
 * crashed or killed run keeps every line it wrote. Rank 0 only writes. */
#ifndef RECUR_METRICS_LOG_H
#define RECUR_METRICS_LOG_H

#include <stdio.h>

typedef struct MetricsLog {
    FILE *file;
    char path[1024];
} MetricsLog;

/* Creates run_dir (and parents) and starts a fresh metrics.jsonl in it, or, for a run
 * resumed from step resume_step (>= 0), keeps the lines of steps up to resume_step —
 * the later ones belong to steps the resumed run does again — and appends after them. */
void metrics_log_open(MetricsLog *log, const char *run_dir, long resume_step);
/* The same for a file named directly (recur eval --output); its directory must exist. */
void metrics_log_open_file(MetricsLog *log, const char *path, int append);
/* Writes `{` + fields + `}` and a newline; fields is a printf format of JSON members. */
void metrics_log_write(MetricsLog *log, const char *fields_fmt, ...)
    __attribute__((format(printf, 2, 3)));
void metrics_log_close(MetricsLog *log);

#endif
