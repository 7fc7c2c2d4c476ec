/* optimizer_kernels.cu: every optimizer's update on the GPU, one thread per parameter,
 * through core/optimizer_math.h's element functions (the CPU loop runs the same ones). The
 * per-step scalars are read from device memory (model/step_scalars.h), so the launch is the
 * same at every step; the type branch is uniform across the grid. */
#include "cuda_ops.h"
#include "launch.cuh"

__global__ void optimizer_update_kernel(const OptimizerUpdate *update, OptimizerBuffers s, long n, real *w,
                                        const real *g, const double *guard) {
    if (guard && !isfinite(*guard)) return; /* optimizer.h: a skipped step */
    const OptimizerUpdate u = *update;
    GRID_STRIDE_LOOP(i, n) optimizer_element(&u, s, i, w, g);
}

void cuda_optimizer_update(const OptimizerUpdate *u, OptimizerBuffers s, long n, real *w,
                           const real *g, const double *guard) {
    LAUNCH_ELEMENTWISE(optimizer_update_kernel, n, u, s, n, w, g, guard);
}
