/* startup_checkin.h: which ranks of this node reached start-up, to name the one that never
 * arrived when MPI_Init waits too long (a rank not started, stopped or stuck before every
 * rank is in MPI_Init: MPI itself cannot be asked then).
 *
 * Before MPI_Init each rank writes a file named after its rank, holding its host and pid,
 * in ${TMPDIR:-/tmp}/recur-start-UID-JOB (JOB: the launcher's job id: PMIX_NAMESPACE, Open
 * MPI's job id or SLURM_JOB_ID.SLURM_STEP_ID). On a timeout the ranks of this node without
 * a file are named as never started, those whose process is stopped (state T) or gone as
 * such. The rank and size come from the launcher's environment (OMPI_COMM_WORLD_*, PMIX_RANK,
 * PMI_*, SLURM_PROCID/SLURM_NTASKS). Each rank removes its file once start-up is done. */
#ifndef RECUR_STARTUP_CHECKIN_H
#define RECUR_STARTUP_CHECKIN_H

/* This rank and the job's size as the launcher set them (-1 when it did not). */
int startup_env_rank(void);
int startup_env_size(void);
/* Writes this rank's file (nothing without a job id). */
void startup_checkin(void);
/* Removes it (and the folder, by the last rank). */
void startup_checkin_done(void);
/* The ranks of this node that did not arrive, as text starting ": ", for the watchdog
 * (watchdog.h `explain`); runs in the watchdog thread. */
void startup_explain(char *out, int size);

#endif
