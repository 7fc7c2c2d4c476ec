/* rank_agreement.h: every rank must train with the same settings on the same data. The
 * settings are compared key by key, the data by its fingerprint (not its path: the same
 * file at another path on another node is the same data). Keys that may differ per rank
 * are left out: threads, run_dir (only rank 0 writes), progress (only rank 0 draws), gpu
 * (each rank's device) and data (the path). The first difference ends the job with one
 * message naming the key and both ranks' values (exit 2). Collective. */
#ifndef RECUR_RANK_AGREEMENT_H
#define RECUR_RANK_AGREEMENT_H

#include "comm/comm.h"
#include "config/config.h"

void rank_agreement_check(const Comm *c, const RunConfig *cfg, const char *fingerprint);

#endif
