/* train.h: the training run — data, model, optimizer steps, evaluation, metrics log. */
#ifndef RECUR_TRAIN_H
#define RECUR_TRAIN_H

#include "comm/comm.h"
#include "config/config.h"

/* Runs the configured training; returns the process exit status (0 ok, 1 runtime failure). */
int train_run(const RunConfig *cfg, const Comm *comm);

#endif
