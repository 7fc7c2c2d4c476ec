/* train_device.h: the backend a training run uses (`device`, `gpu`, `tf32`, `gpu_recurrence`
 * keys): the CPU,
 * or one CUDA device per rank — by default the rank's local rank on its node, so ranks
 * launched one per GPU by mpirun or srun take different GPUs; a rank that sees exactly one
 * device (Slurm's --gpus-per-task=1, --gpu-bind) takes that one. Rank 0 prints which GPU
 * each rank took. A GPU run on a build without
 * the CUDA backend, or on a rank whose node has too few GPUs, stops the job with a message
 * naming the host and rank (recur_die prefixes them in a multi-rank job). Rank 0 also says
 * how the recurrence runs on the GPU: persistent kernels (with their grid), or the step
 * loop and why. */
#ifndef RECUR_TRAIN_DEVICE_H
#define RECUR_TRAIN_DEVICE_H

#include "comm/comm.h"
#include "config/config.h"
#include "model/model_config.h"
#include "model/ops.h"

const ModelOps *train_device_open(const TrainConfig *t, const ModelConfig *mc, const Comm *c);

/* "cpu", or "cuda (N device(s) visible)", or "not built" — for `recur version`. */
const char *train_device_summary(void);

#endif
