/* startup_checkin.c: the start-up check-in files of this node's ranks (startup_checkin.h). */
#include "startup_checkin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/check.h"

static char folder[512], mine[600];

static int env_int(const char *const *names) {
    for (; *names; names++) {
        const char *v = getenv(*names);
        if (v && *v) return atoi(v);
    }
    return -1;
}

int startup_env_rank(void) {
    static const char *const names[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID", 0};
    return env_int(names);
}

int startup_env_size(void) {
    static const char *const names[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS", 0};
    return env_int(names);
}

static int env_local_size(void) {
    static const char *const names[] = {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", 0};
    return env_int(names);
}

/* The launcher's id of this job, into out; 0 when there is none. */
static int job_id(char *out, size_t n) {
    const char *ns = getenv("PMIX_NAMESPACE"), *ompi = getenv("OMPI_MCA_ess_base_jobid");
    const char *slurm = getenv("SLURM_JOB_ID"), *step = getenv("SLURM_STEP_ID");
    if (ns && *ns) snprintf(out, n, "%s", ns);
    else if (ompi && *ompi) snprintf(out, n, "%s", ompi);
    else if (slurm && *slurm) snprintf(out, n, "%s.%s", slurm, step ? step : "0");
    else return 0;
    for (char *c = out; *c; c++)
        if (*c == '/' || *c == ' ') *c = '_';
    return 1;
}

void startup_checkin(void) {
    char id[256];
    int rank = startup_env_rank();
    if (rank < 0 || !job_id(id, sizeof id)) return;
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/recur-start-%ld-%s", tmp && *tmp ? tmp : "/tmp", (long)getuid(), id);
    if (mkdir(folder, 0700) != 0 && errno != EEXIST) { folder[0] = 0; return; } /* naming is a help, not a need */
    snprintf(mine, sizeof mine, "%s/%d", folder, rank);
    FILE *f = fopen(mine, "w");
    if (!f) { mine[0] = 0; return; }
    fprintf(f, "%s %ld\n", recur_host_name(), (long)getpid());
    fclose(f);
}

void startup_checkin_done(void) {
    if (mine[0]) unlink(mine);
    if (folder[0]) rmdir(folder); /* fails while other ranks' files are there */
    mine[0] = folder[0] = 0;
}

/* State letter of process pid from /proc (R, S, T, ...), or 0 when it is gone. */
static char process_state(long pid) {
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    char *close = got ? strrchr(line, ')') : NULL; /* "pid (name) S ..." */
    return close && close[1] == ' ' ? close[2] : '?';
}

/* Appends one rank's trouble to out; returns 1 when it is missing, stopped or gone. */
static int explain_rank(int rank, int size, char *out, int n) {
    char path[700], host[256] = "";
    long pid = 0;
    snprintf(path, sizeof path, "%s/%d", folder, rank);
    FILE *f = fopen(path, "r");
    int fields = f ? fscanf(f, "%255s %ld", host, &pid) : 0;
    if (f) fclose(f);
    size_t at = strlen(out);
    if (fields != 2) {
        snprintf(out + at, (size_t)n - at, "%s rank %d/%d on %s never reached MPI_Init (not started, or stopped "
                 "before it)", *out ? ";" : ":", rank, size, recur_host_name());
        return 1;
    }
    char state = process_state(pid);
    if (state != 'T' && state != 't' && state != 0) return 0;
    snprintf(out + at, (size_t)n - at, "%s rank %d/%d on %s (pid %ld) %s", *out ? ";" : ":", rank, size, host, pid,
             state ? "is stopped (SIGSTOP, or a debugger)" : "has exited");
    return 1;
}

void startup_explain(char *out, int n) {
    int size = startup_env_size(), local = env_local_size(), found = 0;
    out[0] = 0;
    if (!folder[0] || size <= 0) {
        snprintf(out, (size_t)n, ": a rank did not start or is stopped (no job id to look its rank up by)");
        return;
    }
    if (local == size) { /* every rank on this node: each one can be looked at */
        for (int r = 0; r < size; r++) found += explain_rank(r, size, out, n);
        if (!found) snprintf(out, (size_t)n, ": every rank is in MPI_Init and running; MPI itself is stuck");
        return;
    }
    for (int r = 0; r < size; r++) { /* ranks of other nodes have no file here: name only the stopped */
        char path[700];
        snprintf(path, sizeof path, "%s/%d", folder, r);
        if (access(path, F_OK) == 0) found += explain_rank(r, size, out, n);
    }
    if (!found)
        snprintf(out, (size_t)n, ": the ranks started on %s are all in MPI_Init; a rank on another node did not "
                 "arrive", recur_host_name());
}
