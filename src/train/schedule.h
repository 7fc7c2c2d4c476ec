/* schedule.h: the learning rate of each optimizer step, from the schedule keys of the
 * config (schedule, lr, step_size, gamma, min_lr, warmup_steps). A pure function of its
 * arguments: no state, so a resumed run gets the same rates from the step and epoch alone.
 *
 * Step k (1-based) in epoch e (0-based), T = total_steps, W = warmup_steps, lr the peak:
 *   constant      lr
 *   step          lr * gamma^floor(e / step_size)
 *   exponential   lr * gamma^e
 *   cosine        min_lr + (lr - min_lr) * (1 + cos(pi * s / S)) / 2,
 *                 s = k - 1 - W (the steps taken after warm-up before this one; 0 at and
 *                 before step W + 1), S = T - W; s is held at S past the end (the rate
 *                 stays min_lr; the last step of the run, s = S - 1, is just above it)
 *   warm-up       for k <= W the rate above times k / W: linear from lr / W at step 1 to
 *                 the schedule's rate at step W. Cosine's rate during warm-up is lr, so
 *                 steps W and W + 1 both run at the peak.
 * In torch.optim.lr_scheduler terms (what tools/make_optim_fixtures.py builds, with the
 * optimizer's lr = the config's lr; "per step" schedulers are stepped after every
 * optimizer.step(), "per epoch" ones after the last step of each epoch):
 *   step          StepLR(step_size, gamma), per epoch
 *   exponential   ExponentialLR(gamma), per epoch
 *   cosine        CosineAnnealingLR(T_max = T - W, eta_min = min_lr), per step
 *   warm-up       LinearLR(start_factor = 1/W, end_factor = 1, total_iters = W - 1), per
 *                 step; with step/exponential both run (their factors multiply); with
 *                 cosine SequentialLR([LinearLR(...), CosineAnnealingLR(...)],
 *                 milestones = [W]), per step.
 * These match to rounding (torch updates the rate recursively; this is the closed form). */
#ifndef RECUR_SCHEDULE_H
#define RECUR_SCHEDULE_H

#include "config/config.h"

/* The rate of optimizer step `step` (1-based), which falls in epoch `epoch` (0-based), of
 * a run of `total_steps` steps. */
double schedule_lr(const TrainConfig *t, long step, long epoch, long total_steps);

#endif
