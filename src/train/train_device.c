/* train_device.c: picking the backend of a training run (train_device.h). */
#include "train_device.h"

#include <stdio.h>

#include "core/check.h"
#ifdef RECUR_HAVE_GPU
#include "cuda_ops.h"
#endif

const ModelOps *train_device_open(const TrainConfig *t, const Comm *c) {
    if (t->device == DEVICE_CPU) return cpu_model_ops();
#ifdef RECUR_HAVE_GPU
    int index = t->gpu >= 0 ? t->gpu : c->local_rank, count = cuda_device_count();
    if (count == 0)
        recur_die(EXIT_USAGE, "device = gpu: rank %d on %s: no CUDA device is visible there (driver, "
                  "CUDA_VISIBLE_DEVICES, or the job's GPU request)", c->rank, recur_host_name());
    if (index >= count)
        recur_die(EXIT_USAGE, "device = gpu: rank %d on %s needs GPU %d (%s), but %s has %d visible "
                  "CUDA device(s); start at most one rank per GPU, or set gpu", c->rank,
                  recur_host_name(), index, t->gpu >= 0 ? "the gpu key" : "its local rank",
                  recur_host_name(), count);
    const ModelOps *ops = cuda_ops_open(index);
    cuda_ops_set_tf32(t->tf32);
    return ops;
#else
    recur_die(EXIT_USAGE, "device = gpu: rank %d on %s runs a recur built without the CUDA backend "
              "(CMake found no nvcc, cuBLAS or NCCL: see `recur version`); use device = cpu or rebuild",
              c->rank, recur_host_name());
#endif
}

const char *train_device_summary(void) {
#ifdef RECUR_HAVE_GPU
    static char text[64];
    snprintf(text, sizeof text, "cpu, cuda (%d device(s) visible)", cuda_device_count());
    return text;
#else
    return "cpu (built without the CUDA backend)";
#endif
}
