/* test_step_graph.c: the cache of captured steps (src/train/step_graph.h) on the emulated
 * device, with a "step" that is one memset: a shape's first step runs, its second is
 * captured and launched, later ones replay (and run what was captured: the memset's value
 * as at capture, whatever the host passes later); a ninth shape drops the least recently
 * used one, which then runs again; a freed buffer drops every kept graph; disabled, every
 * step runs. Exit 1 on any difference. */
#include <stdio.h>

#include "cuda_ops.h"
#include "gpu_check.h"
#include "train/step_graph.h"

static int failures;

typedef struct Work {
    const ModelOps *ops;
    unsigned char *buf; /* device, 64 bytes */
    int value, ran;
} Work;

static void queue_memset(void *ctx, int capturing) {
    Work *w = ctx;
    (void)capturing;
    CHECK(CUDA, cudaMemsetAsync(w->buf, w->value, 64, cuda_ops_stream()));
    w->ran++;
}

static const char *how_name(StepHow h) { return h == STEP_RAN ? "ran" : h == STEP_CAPTURED ? "captured" : "replayed"; }

static void expect(StepGraphs *g, Work *w, int T, StepHow want, const char *why) {
    StepHow got = step_graphs_run(g, T, 8, queue_memset, w);
    int ok = got == want;
    failures += !ok;
    printf("%s shape T = %d: %s (%s)\n", ok ? "ok  " : "FAIL", T, how_name(got), why);
}

int main(void) {
    Work w = {cuda_ops_open(0), NULL, 5, 0};
    w.buf = w.ops->alloc(64, "step graph test");
    StepGraphs *g = step_graphs_new(w.ops, 1);
    expect(g, &w, 1, STEP_RAN, "first step of a shape");
    expect(g, &w, 1, STEP_CAPTURED, "second");
    expect(g, &w, 1, STEP_REPLAYED, "third");
    w.ops->zero(w.buf, 64);
    w.value = 7;
    expect(g, &w, 1, STEP_REPLAYED, "a replay with another host value");
    unsigned char back[64];
    w.ops->download(back, w.buf, sizeof back);
    int baked = back[0] == 5; /* the captured memset ran, with its value fixed at capture, as on CUDA */
    failures += !baked;
    printf("%s a replay runs the captured work: byte %d (5; 0: nothing ran, 7: not the graph)\n", baked ? "ok  " : "FAIL",
           back[0]);
    for (int T = 2; T <= STEP_GRAPH_SHAPES + 1; T++) expect(g, &w, T, STEP_RAN, "a new shape");
    expect(g, &w, 1, STEP_RAN, "shape 1 was the least recently used of 9: dropped");
    expect(g, &w, STEP_GRAPH_SHAPES + 1, STEP_CAPTURED, "the newest is kept");
    void *spare = w.ops->alloc(16, "freed");
    w.ops->release(spare);
    expect(g, &w, STEP_GRAPH_SHAPES + 1, STEP_RAN, "a freed buffer drops every graph");
    step_graphs_disable(g);
    expect(g, &w, STEP_GRAPH_SHAPES + 1, STEP_RAN, "disabled");
    expect(g, &w, STEP_GRAPH_SHAPES + 1, STEP_RAN, "disabled");
    long captured, replayed;
    step_graphs_counts(g, &captured, &replayed);
    int counted = captured == 2 && replayed == 2;
    failures += !counted;
    printf("%s counts: %ld captured, %ld replayed\n", counted ? "ok  " : "FAIL", captured, replayed);
    step_graphs_free(g);
    w.ops->release(w.buf);
    return failures ? 1 : 0;
}
