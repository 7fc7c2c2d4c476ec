/* cooperative_groups.h (emulated device): the grid and block groups the persistent kernels
 * of kernels/ synchronise with. grid.sync() is the emulator's grid-wide barrier, legal
 * only in a cooperative launch (cudaLaunchCooperativeKernel, LAUNCH_COOPERATIVE in
 * kernels/launch.cuh), where every block of the grid runs at once as on a GPU. */
#ifndef RECUR_EMU_COOPERATIVE_GROUPS_H
#define RECUR_EMU_COOPERATIVE_GROUPS_H

#include <cuda_runtime.h>

namespace cooperative_groups {

struct grid_group {
    void sync() const { emu_grid_sync(); }
};
static inline grid_group this_grid() { return grid_group(); }

struct thread_block {
    void sync() const { __syncthreads(); }
};
static inline thread_block this_thread_block() { return thread_block(); }

} // namespace cooperative_groups

#endif
