/* train_device.c: picking the backend of a training run (train_device.h). */
#include "train_device.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/check.h"
#ifdef RECUR_HAVE_GPU
#include "cuda_ops.h"
#endif

#ifdef RECUR_HAVE_GPU
/* The GPU a rank uses: the gpu key; else, where the rank sees exactly one device (Slurm's
 * --gpus-per-task=1 or --gpu-bind, or CUDA_VISIBLE_DEVICES set per rank), that one;
 * else its local rank on the node. */
static int choose_gpu(const TrainConfig *t, const Comm *c, int count) {
    if (count == 0)
        recur_die(EXIT_USAGE, "device = gpu: rank %d on %s: no CUDA device is visible there (driver, "
                  "CUDA_VISIBLE_DEVICES, or the job's GPU request)", c->rank, recur_host_name());
    int index = t->gpu >= 0 ? t->gpu : count == 1 ? 0 : c->local_rank;
    if (index >= count)
        recur_die(EXIT_USAGE, "device = gpu: rank %d on %s needs GPU %d (%s), but %s has %d visible "
                  "CUDA device(s); start at most one rank per GPU, or set gpu", c->rank,
                  recur_host_name(), index, t->gpu >= 0 ? "the gpu key" : "its local rank",
                  recur_host_name(), count);
    return index;
}

/* Rank 0 prints which GPU each rank took, in rank order (a collective). */
static void print_gpu_table(const Comm *c, int index) {
    double mine = index;
    int64_t total = 0;
    double *all = comm_gather_double(c, &mine, 1, &total);
    if (!all) return;
    printf("recur: GPUs (%s):", cuda_device_name(index));
    for (int64_t r = 0; r < total; r++) printf(" rank %ld -> GPU %.0f%s", (long)r, all[r], r + 1 < total ? "," : "\n");
    fflush(stdout);
    free(all);
}
#endif

#ifdef RECUR_HAVE_GPU
/* The layer wavefront's line, where it runs (a unidirectional stack without dropout
 * between layers whose plan fits and predicts a gain, or RECUR_WAVEFRONT=1): 1 when
 * printed. */
static int print_wavefront_plan(const TrainConfig *t, const ModelConfig *mc) {
    CudaWavefrontPlan w;
    if (t->gpu_recurrence == GPU_RECURRENCE_STEPS || mc->bidirectional || mc->num_layers < 2 || mc->dropout > 0 ||
        !cuda_wavefront_plan(mc->cell, mc->hidden_size, t->batch_size, mc->num_layers, &w))
        return 0;
    printf("recur: recurrence: layer wavefront, all %d layers in one persistent kernel (T + %d grid steps), %d "
           "block(s) of %d unit(s) x %d sample(s), %.1f KB of shared memory each; predicted %.2f us per grid step "
           "vs %.2f us per layer-step one layer at a time\n", mc->num_layers, mc->num_layers - 1, w.blocks,
           w.units, w.samples, w.shared_bytes / 1024.0, w.wave_us, w.layer_us);
    return 1;
}

/* Rank 0's line on the recurrence: the layer wavefront, persistent (grid per direction)
 * or the step loop, why. */
static void print_recurrence_plan(const TrainConfig *t, const ModelConfig *mc, const Comm *c) {
    if (c->rank != 0) return;
    int blocks, units, samples;
    size_t shared;
    if (print_wavefront_plan(t, mc))
        ; /* said */
    else if (t->gpu_recurrence == GPU_RECURRENCE_STEPS)
        printf("recur: recurrence: step loop (gpu_recurrence = steps)\n");
    else if (cuda_recurrence_plan(mc->cell, mc->hidden_size, t->batch_size, mc->bidirectional ? 2 : 1, &blocks,
                                  &units, &samples, &shared))
        printf("recur: recurrence: persistent kernels, %d block(s) of %d unit(s) x %d sample(s)%s, %.1f KB of "
               "shared memory each\n", blocks, units, samples, mc->bidirectional ? " (both directions at once)" : "",
               shared / 1024.0);
    else
        printf("recur: recurrence: step loop: W_hh of hidden %d does not fit in the shared memory of this GPU's "
               "co-resident blocks (persistent kernels need all of it on chip)\n", mc->hidden_size);
    fflush(stdout);
}
#endif

const ModelOps *train_device_open(const TrainConfig *t, const ModelConfig *mc, const Comm *c) {
    if (t->device == DEVICE_CPU) return cpu_model_ops();
#ifdef RECUR_HAVE_GPU
    int index = choose_gpu(t, c, cuda_device_count());
    const ModelOps *ops = cuda_ops_open(index);
    cuda_ops_set_tf32(t->tf32);
    cuda_ops_set_persistent(t->gpu_recurrence == GPU_RECURRENCE_PERSISTENT);
    print_gpu_table(c, index);
    print_recurrence_plan(t, mc, c);
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
