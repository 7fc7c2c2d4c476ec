/* bench_model.c: times one training step's worth of model work — zero the gradients,
 * forward with the loss (train mode), backward, and with full_step=1 also gradient
 * clipping and the optimizer update, as the trainer's step — for one model configuration
 * on the CPU or (device=gpu) the GPU, and prints one JSON line (configuration, median and
 * min ms per iteration, samples/s). On the GPU each iteration ends by waiting for the
 * device, so it times the whole step.
 *
 *   bench_model [--seq_len=T] [--iters=N] [--warmup=N] [--ragged=0|1] [--full_step=0|1]
 *               [--KEY=VALUE ...]
 *
 * seq_len, iters, warmup and ragged belong to the benchmark; every other key goes through
 * config_set(), so the model is described by exactly the keys of a recur config file
 * (batch_size, threads and seed are train keys there). Data is synthetic and drawn from
 * (seed, stream, index) with the project's counter RNG; bench/torch_model.py draws the
 * same tokens, features, labels, targets, lengths and initial weights, so both sides run
 * the same computation and report the same first loss (when dropout is 0).
 * On the CPU it also measures OpenBLAS SGEMM in the same process with the same threads
 * (sgemm_peak: the best of a large square product; sgemm_step: the recurrent product's
 * shape, B x G*H x H), so bench/compare.py can state each side's share of the peak.
 * And, paired with the steps (probe=1, not alternating): one 1024^3 SGEMM right after
 * each timed step, so a step and its yardstick run in the same phase of a shared machine
 * whose speed drifts by tens of percent within seconds (sgemm_paired_gflops: median rate
 * of those products; sgemm_paired_equiv_gflop: median over the steps of step time x the
 * rate measured after it, i.e. the matrix work OpenBLAS does in one step's time; the step's
 * FLOPs over this is its share of the SGEMM rate, which compare.py prints).
 * This file measures; it holds no model code and asserts nothing about speed. */
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/blas.h"
#include "core/check.h"
#include "core/packed_gemm.h"
#include "core/rng.h"
#include "model/model.h"
#include "train/optimizer.h"
#include "train/train_device.h"

/* Streams of the synthetic data (bench/torch_model.py uses the same numbers). */
enum { S_LENGTHS = 1001, S_TOKENS, S_FEATURES, S_LABELS, S_TARGETS };

typedef struct BenchArgs {
    int seq_len, iters, warmup, ragged, full_step, probe;
    char alternate[96]; /* "", "paths", "threads" or "env:NAME=VALUE" */
} BenchArgs;

static void usage(FILE *out) {
    fputs("usage: bench_model [--seq_len=T] [--iters=N] [--warmup=N] [--ragged=0|1] [--KEY=VALUE ...]\n"
          "  seq_len  padded steps per batch (default 50)\n"
          "  iters    timed iterations (default 20)\n"
          "  warmup   untimed iterations first (default 3)\n"
          "  ragged   1: lengths uniform in [T/2, T] from the seed, longest first (as the\n"
          "           trainer orders a batch); 0: all T (default 0)\n"
          "  full_step 1: also clip_norm and the optimizer update (optimizer, lr keys)\n"
          "  probe    1 (default): also time OpenBLAS SGEMM (peak, step shape, and one 1024^3\n"
          "           product after each timed step, the paired rate); 0: skip\n"
          "  alternate paths: iterations alternate the packed/fused CPU path and the step\n"
          "           loop with OpenBLAS (RECUR_CPU_RECURRENCE=fused|steps); threads: the\n"
          "           `threads` key and 1 thread; env:NAME=VALUE: NAME unset (a) and set to\n"
          "           VALUE (b), for a switch the code reads per call; prints both medians, an\n"
          "           in-process ratio that load on the machine affects alike\n"
          "  any other key is a recur config key (listed below), e.g.\n"
          "  --cell=lstm --hidden_size=128 --num_layers=1 --bidirectional=0 --vocab_size=5000\n"
          "  --input_size=64 --output_size=2 --batch_size=32 --threads=2\n"
          "  output_size has no dataset to come from here: give it; vocab_size 0 = dense input.\n"
          "Prints one JSON line: config, median_ms, min_ms, samples_per_s, first loss.\n\n",
          out);
}

static int parse_int(const char *key, const char *v, int lo) {
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < lo || x > 1000000000L)
        recur_die(EXIT_USAGE, "--%s: expected an integer >= %d (got '%s')", key, lo, v);
    return (int)x;
}

static void parse_args(int argc, char **argv, RunConfig *cfg, BenchArgs *ba) {
    *ba = (BenchArgs){.seq_len = 50, .iters = 20, .warmup = 3, .ragged = 0, .probe = 1};
    config_set_defaults(cfg);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) usage(stdout), config_print_help(stdout), exit(0);
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--", 2) != 0 || !eq || eq == a + 2)
            usage(stderr), recur_die(EXIT_USAGE, "argument '%s': expected --key=value", a);
        char key[64];
        size_t n = (size_t)(eq - a - 2);
        if (n >= sizeof key) recur_die(EXIT_USAGE, "argument '%s': key too long", a);
        memcpy(key, a + 2, n), key[n] = 0;
        const char *v = eq + 1;
        if (!strcmp(key, "seq_len")) ba->seq_len = parse_int(key, v, 1);
        else if (!strcmp(key, "iters")) ba->iters = parse_int(key, v, 1);
        else if (!strcmp(key, "warmup")) ba->warmup = parse_int(key, v, 0);
        else if (!strcmp(key, "full_step")) ba->full_step = parse_int(key, v, 0) != 0;
        else if (!strcmp(key, "probe")) ba->probe = parse_int(key, v, 0) != 0;
        else if (!strcmp(key, "alternate")) {
            if (strcmp(v, "paths") && strcmp(v, "threads") &&
                (strncmp(v, "env:", 4) || !strchr(v + 4, '=') || strchr(v + 4, '=') == v + 4 ||
                 strlen(v) >= sizeof ba->alternate))
                recur_die(EXIT_USAGE, "--alternate: expected paths, threads or env:NAME=VALUE (got '%s')", v);
            snprintf(ba->alternate, sizeof ba->alternate, "%s", v);
        }
        else if (!strcmp(key, "ragged")) {
            ba->ragged = parse_int(key, v, 0);
            if (ba->ragged > 1) recur_die(EXIT_USAGE, "--ragged: expected 0 or 1 (got '%s')", v);
        } else {
            const char *err = config_set(cfg, key, v);
            if (err) recur_die(EXIT_USAGE, "argument '%s': %s", a, err);
        }
    }
    /* In training these come from the dataset; a benchmark has none. */
    if (cfg->model.output_size < 1)
        recur_die(EXIT_USAGE, "output_size: give it (e.g. --output_size=2); there is no dataset to take it from");
    if (cfg->train.batch_size < 1) recur_die(EXIT_USAGE, "batch_size: must be at least 1");
    const char *err = model_config_error(&cfg->model);
    if (err) recur_die(EXIT_USAGE, "%s", err);
}

/* The synthetic batch, time-major as model.h wants it. */
typedef struct BenchData {
    int32_t *tokens, *lengths, *labels;
    real *features, *targets;
    long lengths_sum;
} BenchData;

static void make_data(const ModelConfig *c, uint64_t seed, int T, int B, int ragged, Batch *bt,
                      BenchData *d) {
    long TB = (long)T * B, rows = c->pooling == POOL_NONE ? TB : B;
    memset(d, 0, sizeof *d);
    d->lengths = xmalloc(sizeof(int32_t) * (size_t)B, "lengths");
    int lo = T / 2 > 0 ? T / 2 : 1;
    for (int b = 0; b < B; b++) {
        d->lengths[b] = ragged ? lo + (int32_t)(rng_bits(seed, S_LENGTHS, (uint64_t)b) % (uint64_t)(T - lo + 1)) : T;
        d->lengths_sum += d->lengths[b];
    }
    /* Longest first, as the trainer's batches are (data/dataset.c): recur skips finished rows. */
    for (int b = 1; b < B; b++)
        for (int p = b; p > 0 && d->lengths[p - 1] < d->lengths[p]; p--) {
            int32_t keep = d->lengths[p];
            d->lengths[p] = d->lengths[p - 1], d->lengths[p - 1] = keep;
        }
    if (c->vocab_size > 0) {
        d->tokens = xmalloc(sizeof(int32_t) * (size_t)TB, "tokens");
        for (long i = 0; i < TB; i++)
            d->tokens[i] = (int32_t)(rng_bits(seed, S_TOKENS, (uint64_t)i) % (uint64_t)c->vocab_size);
    } else {
        long n = TB * c->input_size;
        d->features = xmalloc(sizeof(real) * (size_t)n, "features");
        for (long i = 0; i < n; i++) d->features[i] = (real)(2 * rng_uniform(seed, S_FEATURES, (uint64_t)i) - 1);
    }
    if (c->loss == LOSS_CROSS_ENTROPY) {
        d->labels = xmalloc(sizeof(int32_t) * (size_t)rows, "labels");
        for (long i = 0; i < rows; i++)
            d->labels[i] = (int32_t)(rng_bits(seed, S_LABELS, (uint64_t)i) % (uint64_t)c->output_size);
    } else {
        long n = rows * c->output_size;
        d->targets = xmalloc(sizeof(real) * (size_t)n, "targets");
        for (long i = 0; i < n; i++) d->targets[i] = (real)rng_uniform(seed, S_TARGETS, (uint64_t)i);
    }
    *bt = (Batch){.T = T, .B = B, .tokens = d->tokens, .features = d->features,
                  .lengths = d->lengths, .labels = d->labels, .targets = d->targets};
}

static double clock_ms(clockid_t which) {
    struct timespec ts;
    clock_gettime(which, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static double now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
/* CPU time of all this process's threads: on a shared machine, what a 1-thread run would
 * take alone (other processes' time slices are not counted). */
static double cpu_ms(void) { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Best GFLOP/s of C[M][N] = A[M][K] B[K][N] over `rounds` timed rounds of `reps` calls,
 * OpenBLAS in this process with its current threads: the peak the model's time is read
 * against; by wall time, and by CPU time into *cpu_gflops. */
/* A [M][K] and B [K][N] filled, C [M][N] zeroed: an SGEMM probe's operands. */
static void probe_operands(int M, int N, int K, float **a, float **b, float **c) {
    *a = xcalloc((size_t)M * K, sizeof(float), "probe A");
    *b = xcalloc((size_t)K * N, sizeof(float), "probe B");
    *c = xcalloc((size_t)M * N, sizeof(float), "probe C");
    for (long i = 0; i < (long)M * K; i++) (*a)[i] = (float)(i % 7) * 0.125f;
    for (long i = 0; i < (long)K * N; i++) (*b)[i] = (float)(i % 5) * 0.25f;
}

/* OpenBLAS on the run's threads for a probe ("same library, same threads"), or back on the
 * one thread recur keeps it on (core/blas.c). */
static void probe_threads(int probing) { openblas_set_num_threads(probing ? blas_threads() : 1); }

static double sgemm_gflops(int M, int N, int K, int reps, int rounds, double *cpu_gflops) {
    float *a, *b, *c;
    probe_operands(M, N, K, &a, &b, &c);
    probe_threads(1);
    double best = 1e30, best_cpu = 1e30;
    for (int r = 0; r <= rounds; r++) { /* round 0 warms up */
        double t0 = now_ms(), c0 = cpu_ms();
        for (int i = 0; i < reps; i++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1, a, K, b, N, 0, c, N);
        double t = now_ms() - t0, tc = cpu_ms() - c0;
        if (r > 0 && t < best) best = t;
        if (r > 0 && tc < best_cpu) best_cpu = tc;
    }
    probe_threads(0);
    free(a), free(b), free(c);
    *cpu_gflops = 2.0 * M * N * K * reps / (best_cpu * 1e6);
    return 2.0 * M * N * K * reps / (best * 1e6);
}

/* The paired probe: one n^3 OpenBLAS product after each timed step. */
typedef struct PairedProbe {
    int n, count;
    float *a, *b, *c;
    double *gflops, *equiv; /* per step: the product's rate; step ms x that rate / 1000 */
} PairedProbe;

static void paired_probe_init(PairedProbe *p, int n, int steps) {
    *p = (PairedProbe){.n = n};
    probe_operands(n, n, n, &p->a, &p->b, &p->c);
    p->gflops = xmalloc(sizeof(double) * (size_t)steps, "paired rates");
    p->equiv = xmalloc(sizeof(double) * (size_t)steps, "paired work");
}

/* Times one product right after a step of step_ms. */
static void paired_probe_after(PairedProbe *p, double step_ms) {
    probe_threads(1);
    double t0 = now_ms();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p->n, p->n, p->n, 1, p->a, p->n, p->b, p->n, 0, p->c,
                p->n);
    double t1 = now_ms();
    probe_threads(0);
    double rate = 2.0 * p->n * p->n * p->n / ((t1 - t0) * 1e6);
    p->gflops[p->count] = rate, p->equiv[p->count++] = step_ms * rate / 1e3;
}

static void paired_probe_free(PairedProbe *p) {
    free(p->a), free(p->b), free(p->c), free(p->gflops), free(p->equiv);
}

/* An --alternate run's medians per variant (a: even iterations, b: odd). */
typedef struct Alternation {
    int on;
    double a_ms, a_cpu_ms, b_ms, b_cpu_ms;
} Alternation;

static void print_json(const RunConfig *cfg, const BenchArgs *ba, const BenchData *d, int threads,
                       long num_params, double first_loss, double med, double min, double cpu_med,
                       PairedProbe *paired, const Alternation *alt) {
    const ModelConfig *c = &cfg->model;
    const TrainConfig *t = &cfg->train;
    printf("{\"impl\": \"recur\", \"config\": {\"cell\": \"%s\", \"vocab_size\": %d, \"input_size\": %d, "
           "\"hidden_size\": %d, \"num_layers\": %d, \"bidirectional\": %d, \"dropout\": %.9g, "
           "\"pooling\": \"%s\", \"head_hidden\": %d, \"head_dropout\": %.9g, \"output_size\": %d, "
           "\"loss\": \"%s\", \"ignore_index\": %d, \"huber_delta\": %.9g, \"batch_size\": %d, "
           "\"threads\": %d, \"seed\": %llu, \"seq_len\": %d, \"ragged\": %d, \"iters\": %d, "
           "\"warmup\": %d, \"full_step\": %d, \"optimizer\": \"%s\", \"lr\": %.9g, "
           "\"clip_norm\": %.9g, \"device\": \"%s\", \"tf32\": %d}, ",
           cell_type_names[c->cell], c->vocab_size, c->input_size, c->hidden_size, c->num_layers,
           c->bidirectional, (double)c->dropout, pooling_names[c->pooling], c->head_hidden,
           (double)c->head_dropout, c->output_size, loss_type_names[c->loss], c->ignore_index,
           (double)c->huber_delta, t->batch_size, t->threads, (unsigned long long)t->seed,
           ba->seq_len, ba->ragged, ba->iters, ba->warmup, ba->full_step, optimizer_names[t->optimizer],
           t->lr, t->clip_norm, device_names[t->device], t->tf32);
    printf("\"precision\": \"%s\", \"blas_threads\": %d, \"num_params\": %ld, \"lengths_sum\": %ld, "
           "\"first_loss\": %.9g, \"median_ms\": %.4f, \"min_ms\": %.4f, \"cpu_median_ms\": %.4f, "
           "\"samples_per_s\": %.2f, \"blas\": \"%s\", \"cpu_kernel\": \"%s\", ",
           REAL_NAME, threads, num_params, d->lengths_sum, first_loss, med, min, cpu_med,
           t->batch_size / (med * 1e-3), openblas_get_config(), packed_gemm_kernel_name());
    if (alt->on)
        printf("\"alternate\": \"%s\", \"alt_a_median_ms\": %.4f, \"alt_a_cpu_median_ms\": %.4f, "
               "\"alt_b_median_ms\": %.4f, \"alt_b_cpu_median_ms\": %.4f, ",
               ba->alternate, alt->a_ms, alt->a_cpu_ms, alt->b_ms, alt->b_cpu_ms);
    if (t->device == DEVICE_GPU || !ba->probe) {
        printf("\"sgemm_peak_gflops\": null, \"sgemm_step_gflops\": null, \"sgemm_peak_cpu_gflops\": null}\n");
        return;
    }
    int G = c->cell == CELL_LSTM ? 4 : c->cell == CELL_GRU || c->cell == CELL_GRU_TEXTBOOK ? 3 : 1;
    int H = c->hidden_size, steps = 1 + (int)(2e7 / (2.0 * t->batch_size * G * H * H));
    double peak_cpu, step_cpu, peak = sgemm_gflops(1024, 1024, 1024, 2, 4, &peak_cpu);
    double step = sgemm_gflops(t->batch_size, G * H, H, steps, 5, &step_cpu);
    printf("\"sgemm_peak_gflops\": %.2f, \"sgemm_step_gflops\": %.2f, \"sgemm_peak_cpu_gflops\": %.2f",
           peak, step, peak_cpu);
    if (paired->count)
        printf(", \"sgemm_paired_gflops\": %.2f, \"sgemm_paired_equiv_gflop\": %.6f",
               median(paired->gflops, paired->count), median(paired->equiv, paired->count));
    printf("}\n");
}

/* What the trainer does after backward on one rank: clip by norm, then the update (guarded
 * by the squared norm left in the backend's memory, as train.c's). */
static void full_step_update(const TrainConfig *t, Model *m, Optimizer *opt) {
    static double *sums; /* [2] backend memory */
    if (!sums) sums = m->ops->alloc(2 * sizeof(double), "gradient norms");
    clip_grads_on(m->ops, m->grads, m->num_params, 0, t->clip_norm, sums);
    optimizer_step_guarded(opt, m->weights, m->grads, &sums[0]);
}

/* Iteration `it` of an --alternate run: variant a (even) or b (odd). */
static int set_variant(const BenchArgs *ba, int threads, int it) {
    int b = it % 2;
    if (!strcmp(ba->alternate, "paths")) setenv("RECUR_CPU_RECURRENCE", b ? "steps" : "fused", 1);
    if (!strcmp(ba->alternate, "threads")) blas_set_threads(b ? 1 : threads);
    if (!strncmp(ba->alternate, "env:", 4)) { /* b: NAME=VALUE set; a: NAME unset */
        char name[96];
        const char *eq = strchr(ba->alternate + 4, '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - ba->alternate - 4), ba->alternate + 4);
        if (b) setenv(name, eq + 1, 1);
        else unsetenv(name);
    }
    return b;
}

int main(int argc, char **argv) {
    RunConfig cfg;
    BenchArgs ba;
    parse_args(argc, argv, &cfg, &ba);
    if (cfg.train.threads > 0) blas_set_threads(cfg.train.threads);
    int T = ba.seq_len, B = cfg.train.batch_size;

    Comm one_rank = {.rank = 0, .size = 1, .local_rank = 0, .local_size = 1};
    const ModelOps *ops = train_device_open(&cfg.train, &cfg.model, &one_rank);
    Model m;
    model_init_on(&m, &cfg.model, cfg.train.seed, ops);
    Optimizer opt;
    optimizer_init_on(&opt, &cfg.train, m.num_params, ops);
    Batch bt;
    BenchData d;
    make_data(&cfg.model, cfg.train.seed, T, B, ba.ragged, &bt, &d);

    double *ms = xmalloc(sizeof(double) * (size_t)ba.iters, "timings");
    double *cms = xmalloc(sizeof(double) * (size_t)ba.iters, "CPU timings");
    double first_loss = 0; static double alt[2][2][1000]; /* [variant][wall, cpu][iteration] */
    int alt_n[2] = {0, 0}, alternating = ba.alternate[0] != 0;
    PairedProbe paired = {0};
    int pairing = ba.probe && !alternating && cfg.train.device != DEVICE_GPU;
    if (pairing) paired_probe_init(&paired, 1024, ba.iters);
    if (alternating && ba.iters > 2000) recur_die(EXIT_USAGE, "--alternate: at most 2000 iterations");
    for (int it = 0; it < ba.warmup + ba.iters; it++) {
        int variant = alternating ? set_variant(&ba, cfg.train.threads > 0 ? cfg.train.threads : 1, it) : 0;
        double t0 = now_ms(), c0 = cpu_ms();
        model_zero_grads(&m);
        real loss = model_forward(&m, &bt, 1, cfg.train.seed + (uint64_t)it);
        model_backward(&m, &bt);
        if (ba.full_step) full_step_update(&cfg.train, &m, &opt);
        real done;
        ops->download(&done, m.weights, sizeof done); /* waits for the device */
        double t1 = now_ms(), c1 = cpu_ms();
        if (it == 0) first_loss = (double)loss;
        if (it >= ba.warmup) ms[it - ba.warmup] = t1 - t0, cms[it - ba.warmup] = c1 - c0;
        if (it >= ba.warmup && pairing) paired_probe_after(&paired, t1 - t0);
        if (it >= ba.warmup && alternating) {
            alt[variant][0][alt_n[variant]] = t1 - t0, alt[variant][1][alt_n[variant]++] = c1 - c0;
        }
    }
    Alternation alternation = {0};
    if (alternating) { /* one line before the JSON (and in it): both variants' medians */
        alternation = (Alternation){1, median(alt[0][0], alt_n[0]), median(alt[0][1], alt_n[0]),
                                    median(alt[1][0], alt_n[1]), median(alt[1][1], alt_n[1])};
        printf("alternate %s: a %.3f ms (CPU %.3f), b %.3f ms (CPU %.3f), b/a %.3f\n", ba.alternate,
               alternation.a_ms, alternation.a_cpu_ms, alternation.b_ms, alternation.b_cpu_ms,
               alternation.b_ms / alternation.a_ms);
    }
    double min = ms[0];
    for (int i = 1; i < ba.iters; i++) min = ms[i] < min ? ms[i] : min;
    double med = median(ms, ba.iters);
    print_json(&cfg, &ba, &d, blas_threads(), (long)m.num_params, first_loss, med, min,
               median(cms, ba.iters), &paired, &alternation);
    if (pairing) paired_probe_free(&paired);

    free(ms), free(cms), free(d.tokens), free(d.lengths), free(d.labels), free(d.features), free(d.targets);
    optimizer_free(&opt), model_free(&m);
    return 0;
}
