/* cuda_ops.h: the CUDA backend of the model ops (src/model/ops.h), GPU build only.
 *
 * cuda_ops_open picks the device (by number, see src/train for how a rank chooses it),
 * creates the stream and the cuBLAS handle every op uses, and returns the table. One
 * device per process; a second open of the same device returns the same table.
 * cuda_ops_set_tf32 lets cuBLAS use TF32 tensor cores for the float32 GEMMs (off by
 * default: the float32 path is the reference). The backend's ops are queued on one
 * stream, cuda_ops_stream, which the NCCL reducer orders itself after. */
#ifndef RECUR_CUDA_OPS_H
#define RECUR_CUDA_OPS_H

#include <cuda_runtime.h>

#include "core/optimizer_math.h"
#include "model/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of visible CUDA devices; 0 when there is no driver or no device (never dies). */
int cuda_device_count(void);
/* The device's name (cudaGetDeviceProperties), for messages. */
const char *cuda_device_name(int device);
const ModelOps *cuda_ops_open(int device);
void cuda_ops_set_tf32(int enabled);
/* The persistent recurrence kernels (recurrence_kernels.cu): on by default; off, every
 * direction runs layer.c's step loop of small GEMMs and kernels. */
void cuda_ops_set_persistent(int enabled);
/* Whether a layer of `cell` with H units, B samples and 1 or 2 directions runs persistent
 * on the current device, with its grid (in all, blocks of `units` hidden units by
 * `samples` samples, `shared_bytes` of shared memory each: the W_hh slice and a tile). */
int cuda_recurrence_plan(CellType cell, int H, int B, int directions, int *blocks, int *units, int *samples,
                         size_t *shared_bytes);
/* The layer wavefront (wavefront_kernels.cu) for a unidirectional stack of `layers`
 * layers: its grid, the rule's predicted cost of one of its grid steps and of one
 * layer-step of the per-layer kernels (0: they decline), whether it fits on the current
 * device and whether it runs (the rule, or RECUR_WAVEFRONT); returns `chosen`. */
typedef struct CudaWavefrontPlan {
    int fits, chosen, blocks, units, samples;
    size_t shared_bytes;
    double wave_us, layer_us;
} CudaWavefrontPlan;
int cuda_wavefront_plan(CellType cell, int H, int B, int layers, CudaWavefrontPlan *plan);
cudaStream_t cuda_ops_stream(void);
/* How many of the backend's buffers have been freed so far: a captured graph holds the
 * addresses it was captured with, and is stale once this count moves. */
unsigned long cuda_ops_releases(void);
/* cuda_graph.c: the backend's stream captured into a CUDA graph (global capture mode:
 * a synchronisation or a free meanwhile is an error), instantiated, replayed, freed. */
void cuda_graph_begin_capture(void);
void *cuda_graph_end_capture(void); /* the instantiated graph (a cudaGraphExec_t) */
void cuda_graph_launch(void *exec);
void cuda_graph_free(void *exec);
/* Waits for everything queued on the backend's stream. */
void cuda_ops_synchronize(void);
/* One optimizer update of n parameters in device memory (optimizer.c calls it for a GPU
 * model) with the step's scalars *u (device memory); nothing when guard is not NULL and
 * *guard (device memory) is not finite. */
void cuda_optimizer_update(const OptimizerUpdate *u, OptimizerBuffers s, long n, real *w,
                           const real *g, const double *guard);

#ifdef __cplusplus
}
#endif

#endif
