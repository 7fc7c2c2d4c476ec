/* cuda_graph.c: capture of the backend's stream into a CUDA graph, its instantiation,
 * replay and release (cuda_ops.h). Only the CUDA calls: which step is captured when, and
 * the cache of graphs by batch shape, are train/step_graph.c's. */
#include "cuda_ops.h"
#include "gpu_check.h"

void cuda_graph_begin_capture(void) {
    CHECK(CUDA, cudaStreamBeginCapture(cuda_ops_stream(), cudaStreamCaptureModeGlobal));
}

void *cuda_graph_end_capture(void) {
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    CHECK(CUDA, cudaStreamEndCapture(cuda_ops_stream(), &graph));
    CHECK(CUDA, cudaGraphInstantiate(&exec, graph, 0));
    CHECK(CUDA, cudaGraphDestroy(graph)); /* the instantiated copy is independent of it */
    return exec;
}

void cuda_graph_launch(void *exec) { CHECK(CUDA, cudaGraphLaunch((cudaGraphExec_t)exec, cuda_ops_stream())); }

void cuda_graph_free(void *exec) {
    if (exec) CHECK(CUDA, cudaGraphExecDestroy((cudaGraphExec_t)exec));
}
