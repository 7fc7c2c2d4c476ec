/* step_graph.c: the cache of captured training steps by batch shape (step_graph.h). */
#include "step_graph.h"

#include <stdlib.h>

#include "core/check.h"
#ifdef RECUR_HAVE_GPU
#include "cuda_ops.h"
#endif

typedef struct Shape {
    int T, B;
    long used;     /* the clock at its last step: the smallest is dropped first */
    void *exec;    /* the instantiated graph; NULL: seen once, run as it is */
} Shape;

struct StepGraphs {
    int on;
    unsigned long releases; /* the backend's count when the kept graphs were made */
    long clock;
    long captured, replayed;
    int count;
    Shape shapes[STEP_GRAPH_SHAPES];
};

StepGraphs *step_graphs_new(const ModelOps *ops, int enabled) {
    StepGraphs *g = xcalloc(1, sizeof *g, "step graphs");
#ifdef RECUR_HAVE_GPU
    g->on = enabled && ops->cuda;
#else
    (void)ops, (void)enabled;
#endif
    return g;
}

static void forget(Shape *s) {
#ifdef RECUR_HAVE_GPU
    cuda_graph_free(s->exec);
#endif
    s->exec = NULL;
}

static void forget_all(StepGraphs *g) {
    for (int i = 0; i < g->count; i++) forget(&g->shapes[i]);
    g->count = 0;
}

void step_graphs_free(StepGraphs *g) {
    if (!g) return;
    forget_all(g);
    free(g);
}

int step_graphs_on(const StepGraphs *g) { return g->on; }

void step_graphs_counts(const StepGraphs *g, long *captured, long *replayed) {
    *captured = g->captured, *replayed = g->replayed;
}

void step_graphs_disable(StepGraphs *g) {
    forget_all(g);
    g->on = 0;
}

static Shape *find(StepGraphs *g, int T, int B) {
    for (int i = 0; i < g->count; i++)
        if (g->shapes[i].T == T && g->shapes[i].B == B) return &g->shapes[i];
    return NULL;
}

/* A slot for a new shape: a free one, else the least recently used one's. */
static Shape *make_room(StepGraphs *g) {
    if (g->count < STEP_GRAPH_SHAPES) return &g->shapes[g->count++];
    Shape *oldest = &g->shapes[0];
    for (int i = 1; i < g->count; i++)
        if (g->shapes[i].used < oldest->used) oldest = &g->shapes[i];
    forget(oldest);
    return oldest;
}

#ifdef RECUR_HAVE_GPU
static StepHow run_on_device(StepGraphs *g, int T, int B, StepWork work, void *ctx) {
    if (g->releases != cuda_ops_releases()) forget_all(g), g->releases = cuda_ops_releases();
    Shape *s = find(g, T, B);
    if (!s) {
        s = make_room(g);
        *s = (Shape){.T = T, .B = B, .used = ++g->clock};
        work(ctx, 0);
        return STEP_RAN;
    }
    s->used = ++g->clock;
    StepHow how = STEP_REPLAYED;
    if (!s->exec) {
        cuda_graph_begin_capture();
        work(ctx, 1);
        s->exec = cuda_graph_end_capture();
        how = STEP_CAPTURED;
    }
    cuda_graph_launch(s->exec);
    how == STEP_CAPTURED ? g->captured++ : g->replayed++;
    return how;
}
#endif

StepHow step_graphs_run(StepGraphs *g, int T, int B, StepWork work, void *ctx) {
#ifdef RECUR_HAVE_GPU
    if (g->on) return run_on_device(g, T, B, work, ctx);
#else
    (void)T, (void)B;
#endif
    work(ctx, 0);
    return STEP_RAN;
}
