/* step_graph.h: a training step's queued work as one CUDA graph per batch shape (T, B).
 *
 * The trainer hands over the step's work as a function that queues it (forward, backward,
 * the all-reduce hand-off, clipping, the optimizer) and that depends on the shape alone:
 * every per-step value is read from backend memory (model/step_scalars.h), every batch
 * lands at the same addresses (model/batch_staging.h). The first step of a shape runs it
 * as it is (buffers are sized, lazily made things made); the second captures it into a
 * graph on the backend's stream and launches that; later ones launch the graph alone, one
 * call for the whole step. At most STEP_GRAPH_SHAPES shapes are kept, the least recently
 * used dropped first; all are dropped when the backend frees a buffer (their addresses
 * may be stale). Off (gpu_graph = 0, the CPU, a build without CUDA, or after
 * step_graphs_disable), every step runs the function. Nothing here reads or writes the
 * model. */
#ifndef RECUR_STEP_GRAPH_H
#define RECUR_STEP_GRAPH_H

#include "model/ops.h"

enum { STEP_GRAPH_SHAPES = 8 };

/* Queues one step's work; `capturing`: the work is being captured, so it must not wait
 * for the device nor copy from the host (both would be captured, or refused). */
typedef void (*StepWork)(void *ctx, int capturing);

typedef enum { STEP_RAN, STEP_CAPTURED, STEP_REPLAYED } StepHow;

typedef struct StepGraphs StepGraphs;

/* enabled: gpu_graph; only a CUDA backend captures. */
StepGraphs *step_graphs_new(const ModelOps *ops, int enabled);
void step_graphs_free(StepGraphs *g);
int step_graphs_on(const StepGraphs *g);
/* The step of shape (T, B): run, captured and launched, or replayed (returned). */
StepHow step_graphs_run(StepGraphs *g, int T, int B, StepWork work, void *ctx);
/* Steps so far that were captured, and that replayed a kept graph. */
void step_graphs_counts(const StepGraphs *g, long *captured, long *replayed);
/* Stops capturing for the rest of the run (kept graphs are freed). */
void step_graphs_disable(StepGraphs *g);

#endif
