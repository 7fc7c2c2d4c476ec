/* eval_reduce.h: one EvalResult for the whole job from every rank's shard — counts and
 * sums added exactly (integers) or in rank order (doubles), absolute errors gathered to
 * rank 0 for the median. After it, rank 0's result is the metric of the whole split,
 * the same as one process evaluating all of it; other ranks' results are partial. */
#ifndef RECUR_EVAL_REDUCE_H
#define RECUR_EVAL_REDUCE_H

#include "comm/comm.h"
#include "evaluate.h"

void eval_result_reduce(EvalResult *e, const Comm *c);

#endif
