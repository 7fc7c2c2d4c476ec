/* model.h: the whole network — embedding or dense input, stacked (bi)directional recurrent
 * layers with dropout between them, pooling, head, loss — forward and backward, on the
 * backend the model was made on (ops.h: the CPU, or CUDA in the GPU build).
 *
 * Parameters live in one flat buffer (`weights`), gradients in another of the same layout
 * (`grads`), in PyTorch's state_dict order and names:
 *   embedding.weight [V][E]                      (token input only)
 *   rnn.weight_ih_l{k}[_reverse] [G*H][I_k]       rnn.weight_hh_l{k}[_reverse] [G*H][H]
 *   rnn.bias_ih_l{k}[_reverse] [G*H]              rnn.bias_hh_l{k}[_reverse] [G*H]
 *   head.hidden.weight [Hh][D] head.hidden.bias  (when head_hidden > 0)
 *   head.out.weight [C][Hh or D] head.out.bias [C]
 * with D = H * directions. A batch (core/batch.h) is time-major and padded: row t*B+b is
 * step t of sample b; steps at t >= lengths[b] are padding and never reach the loss.
 * Activations are owned by the model and grow to the largest batch seen; a step of a size
 * already seen allocates nothing.
 *
 * `weights`, `grads` and the activations live in the backend's memory (device memory on
 * CUDA). Batches are always given in host memory; a GPU model copies them over itself, and
 * model_outputs returns a host copy. */
#ifndef RECUR_MODEL_H
#define RECUR_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "cell.h"
#include "core/batch.h"
#include "model_config.h"
#include "ops.h"
#include "step_scalars.h"

typedef struct ParamTensor {
    char name[48];
    int rows, cols;         /* a vector has cols == 0 */
    size_t offset;          /* into weights / grads */
} ParamTensor;

typedef struct ModelActivations ModelActivations; /* model.c */

/* Called by model_backward as each part's gradients become final — the head first, then
 * layer L-1 .. 0, then the embedding — with the part's range of the flat gradient buffer
 * (parts are contiguous). The data-parallel trainer starts that range's all-reduce
 * there, overlapping the rest of the backward pass. */
typedef void (*GradsReadyHook)(void *ctx, size_t offset, size_t count);

typedef struct Model {
    const ModelOps *ops;        /* the backend */
    ModelConfig cfg;
    const CellKind *cell;
    int directions;
    int num_tensors;
    ParamTensor *tensors;
    size_t num_params;
    real *weights;
    real *grads;
    ModelActivations *act;
    GradsReadyHook grads_ready; /* NULL: none */
    void *grads_ready_ctx;
} Model;

/* Returns NULL and writes a message naming the key at fault when cfg is inconsistent. */
const char *model_config_error(const ModelConfig *cfg);

/* Builds the parameter table and initialises weights as PyTorch does (recurrent and
 * linear weights uniform(+-1/sqrt(fan)), embedding normal(0,1)), from `seed`. */
void model_init(Model *m, const ModelConfig *cfg, uint64_t seed); /* on the CPU */
void model_init_on(Model *m, const ModelConfig *cfg, uint64_t seed, const ModelOps *ops);
void model_free(Model *m);

/* Loss of the batch (mean over counted items); keeps what backward needs. train = 1 applies
 * dropout with masks drawn from (dropout_seed, layer, position). */
real model_forward(Model *m, const Batch *batch, int train, uint64_t dropout_seed);
/* The same with the loss left in the backend's memory at `loss` (a double; NULL: the
 * model's own), queued without waiting for the device. */
void model_forward_into(Model *m, const Batch *batch, int train, uint64_t dropout_seed, double *loss);
/* model_forward_into in two halves, for a caller that queues the step's work apart from
 * the host's part (a captured step: train/step_graph.h): model_prepare sizes the
 * activations, stages the batch and uploads the step's scalars (step_scalars.h: the
 * caller may fill the optimizer's and the reducer's into model_step_scalars first);
 * model_forward_queued then queues the forward of that batch, the same work for every
 * batch of its shape. */
void model_prepare(Model *m, const Batch *batch, int train, uint64_t dropout_seed);
void model_forward_queued(Model *m, double *loss);
/* The host copy the next model_prepare uploads, and the uploaded one (backend memory). */
StepScalars *model_step_scalars(Model *m);
const StepScalars *model_device_scalars(const Model *m);
/* The items the loss of `batch` counts, from the host batch alone. */
long model_count_items(const Model *m, const Batch *batch);
/* 1 when the work queued since model_prepare depended on the batch's shape alone; 0 when
 * a layer ran layer.c's step loop, whose launches follow the batch's lengths. */
int model_launches_fixed(const Model *m);
/* Uploads `batch` to the backend ahead of its forward (a GPU model; nothing on the CPU),
 * so the copy overlaps the work still queued: the next model_forward given this same
 * pointer uses it instead of uploading. The caller must not change the batch's arrays in
 * between, nor stage another batch. */
void model_stage(Model *m, const Batch *batch);
/* Adds d(loss)/d(weights) of the last forward into grads. */
void model_backward(Model *m, const Batch *batch);
void model_zero_grads(Model *m);

/* Logits / predictions of the last forward, in host memory: [rows][output_size], rows = B,
 * or T*B when pooling is none; also the number of items the loss counted. */
const real *model_outputs(const Model *m, int *rows, long *counted);
/* The number of items the last forward's loss counted (no copy of the outputs). */
long model_counted(const Model *m);

const ParamTensor *model_find_tensor(const Model *m, const char *name);
size_t tensor_size(const ParamTensor *t);

#endif
