/* eval_reduce.c: combining per-rank EvalResults (eval_reduce.h). */
#include "eval_reduce.h"

#include <stdlib.h>

void eval_result_reduce(EvalResult *e, const Comm *c) {
    if (c->size == 1) return;
    double sums[1 + REG_SUMS] = {e->loss_sum};
    int64_t counts[2 + REG_COUNTS] = {e->items, e->examples};
    RegressionErrors *r = &e->regression;
    int regress = e->task == TASK_REGRESS;
    for (int i = 0; regress && i < REG_SUMS; i++) sums[1 + i] = r->sums[i];
    for (int i = 0; regress && i < REG_COUNTS; i++) counts[2 + i] = r->counts[i];
    comm_sum_double(c, sums, regress ? 1 + REG_SUMS : 1);
    comm_sum_int64(c, counts, regress ? 2 + REG_COUNTS : 2);
    e->loss_sum = sums[0], e->items = counts[0], e->examples = counts[1];
    if (!regress) {
        int k = e->confusion.classes;
        comm_sum_int64(c, e->confusion.counts, (size_t)k * (size_t)k);
        return;
    }
    for (int i = 0; i < REG_SUMS; i++) r->sums[i] = sums[1 + i];
    for (int i = 0; i < REG_COUNTS; i++) r->counts[i] = counts[2 + i];
    int64_t total;
    double *all = comm_gather_double(c, r->abs_errors, r->abs_count, &total);
    r->abs_count = 0; /* rank 0: replaced by every rank's, in rank order */
    if (c->rank == 0) regression_errors_append_abs(r, all, total);
    free(all);
}
