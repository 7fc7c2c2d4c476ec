/* eval_reduce.c: combining per-rank EvalResults (eval_reduce.h). */
#include "eval_reduce.h"

#include <stdlib.h>

#include "core/check.h"

/* One error state: sums and counts added, absolute errors gathered to rank 0. */
static void reduce_regression(RegressionErrors *r, const Comm *c) {
    comm_sum_double(c, r->sums, REG_SUMS);
    comm_sum_int64(c, r->counts, REG_COUNTS);
    int64_t total;
    double *all = comm_gather_double(c, r->abs_errors, r->abs_count, &total);
    r->abs_count = 0; /* rank 0: replaced by every rank's, in rank order */
    if (c->rank == 0) regression_errors_append_abs(r, all, total);
    free(all);
}

static void reduce_forecast(ForecastErrors *f, const Comm *c) {
    if (!f->horizon) return;
    RegressionErrors **parts = xmalloc(sizeof(RegressionErrors *) * (size_t)forecast_errors_count(f), "parts");
    int n = forecast_errors_parts(f, parts);
    for (int i = 0; i < n; i++) reduce_regression(parts[i], c);
    free(parts);
}

void eval_result_reduce(EvalResult *e, const Comm *c) {
    if (c->size == 1) return;
    double sums[1] = {e->loss_sum};
    int64_t counts[2] = {e->items, e->examples};
    comm_sum_double(c, sums, 1);
    comm_sum_int64(c, counts, 2);
    e->loss_sum = sums[0], e->items = counts[0], e->examples = counts[1];
    if (e->task != TASK_REGRESS) {
        int k = e->confusion.classes;
        comm_sum_int64(c, e->confusion.counts, (size_t)k * (size_t)k);
        return;
    }
    reduce_regression(&e->regression, c);
    reduce_forecast(&e->forecast, c);
}
