/* test_gpu_model.c: the CUDA backend against the CPU backend, op by op through the whole
 * model: for every cell x {token input uni mean-pooled; 2-layer bidirectional max-pooled
 * with dropout and a hidden head; dense input with last-state pooling and MSE; per-token
 * tagging bidirectional; 4 stacked layers}, the same weights (made on the host from one
 * seed) and the same ragged batches (one sorted longest first, one not, then a smaller one
 * in the same buffers; each with a sequence of length 1) give the same loss (relative
 * 1e-5), outputs and gradients (per tensor, max |gpu - cpu| / max |cpu| <= 1e-4) on both
 * backends. Float32 on both sides. Twice: with the persistent recurrence kernels (which
 * must be the path taken) and with the step loop of small GEMMs and kernels. Then once
 * more with `tf32 = 1` (cuBLAS rounds its GEMMs' inputs to TF32; the emulated device does
 * the same), persistent kernels: loss, outputs and gradients within 1e-3. These runs
 * keep the layers one launch each (RECUR_WAVEFRONT=0). Then the layer wavefront
 * (RECUR_WAVEFRONT=1: one launch for all layers of a unidirectional stack, forward and
 * backward) for every cell in stacks of 2, 3 and 4 layers (token input mean-pooled,
 * dense input last-state MSE, per-token tagging), float32 tolerances as above; the plan
 * must take it wherever the chip holds all layers' weight slices at once, and at least
 * one stack per cell.
 *
 * Without the GPU build or without a visible GPU it prints "skipped: no GPU" and returns 77,
 * which ctest reports as skipped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "model/model.h"
#ifdef RECUR_HAVE_GPU
#include "cuda_ops.h"

enum { MAX_T = 12, MAX_B = 8, WIDE_B = 300, WIDE_T = 5, V = 50, E = 16, F = 6, H = 32, C = 4 };

typedef struct CaseData {
    int T, B;
    int32_t tokens[WIDE_T * WIDE_B], lengths[WIDE_B], labels[WIDE_T * WIDE_B];
    real features[WIDE_T * WIDE_B * F], targets[WIDE_T * WIDE_B * C];
} CaseData;

static void make_data(CaseData *d, int T, int B, int sorted, uint64_t seed) {
    d->T = T, d->B = B;
    for (int b = 0; b < B; b++) d->lengths[b] = 1 + (int)(rng_bits(seed, 5, (uint64_t)b) % T);
    d->lengths[0] = T;
    d->lengths[B - 1] = 1;
    for (int b = 1; sorted && b < B; b++)
        if (d->lengths[b] > d->lengths[b - 1]) d->lengths[b] = d->lengths[b - 1];
    for (int i = 0; i < T * B; i++) {
        d->tokens[i] = (int32_t)(rng_bits(seed, 1, (uint64_t)i) % V);
        d->labels[i] = (int32_t)(rng_bits(seed, 2, (uint64_t)i) % C);
    }
    d->labels[1] = -100;
    for (int i = 0; i < T * B * F; i++) d->features[i] = (real)rng_normal(seed, 3, (uint64_t)i);
    for (int i = 0; i < T * B * C; i++) d->targets[i] = (real)rng_uniform(seed, 4, (uint64_t)i);
}

static Batch batch_of(const CaseData *d, const ModelConfig *cfg) {
    return (Batch){.T = d->T, .B = d->B, .tokens = cfg->vocab_size ? d->tokens : 0,
                   .features = cfg->vocab_size ? 0 : d->features, .lengths = d->lengths,
                   .labels = d->labels, .targets = d->targets};
}

static double rel_diff(double a, double b) { return fabs(a - b) / fmax(fabs(b), 1e-6); }

/* The tolerances: float32 (loss and outputs 1e-5, gradients 1e-4: each tensor's largest
 * difference over its largest value) or TF32 (all 1e-3; gradients by each tensor's L2
 * norm, ||gpu - cpu|| / ||cpu||: a TF32-rounded pre-activation near a relu's kink or a
 * max-pooling tie can flip one element's path, which no elementwise bound would allow).
 * Under TF32 the relu RNN's gradients are printed but not bounded: every step of its
 * recurrence passes through the kink, and one flipped unit reroutes the gradient of all
 * later steps (0.1 relative seen; the other cells, through the same GEMMs, stay within
 * 1e-3, so a TF32 GEMM defect would not hide behind this). */
static double loss_tolerance = 1e-5, grad_tolerance = 1e-4;
static int grad_norm_metric = 0;

/* Worst per-tensor gradient error of one step; also checks loss and outputs. */
static double compare_step(Model *cpu, Model *gpu, const CaseData *d, const char *label,
                           int *failures) {
    Batch bt = batch_of(d, &cpu->cfg);
    model_zero_grads(cpu), model_zero_grads(gpu);
    double loss_cpu = model_forward(cpu, &bt, 1, 7), loss_gpu = model_forward(gpu, &bt, 1, 7);
    model_backward(cpu, &bt), model_backward(gpu, &bt);
    int rows;
    const real *out_cpu = model_outputs(cpu, &rows, 0), *out_gpu = model_outputs(gpu, 0, 0);
    double out_scale = 0, out_err = 0;
    for (long i = 0; i < (long)rows * cpu->cfg.output_size; i++) {
        out_scale = fmax(out_scale, fabs(out_cpu[i]));
        out_err = fmax(out_err, fabs(out_gpu[i] - out_cpu[i]));
    }
    real *grads = malloc(sizeof(real) * gpu->num_params);
    gpu->ops->download(grads, gpu->grads, sizeof(real) * gpu->num_params);
    double worst = 0;
    const char *worst_name = "";
    for (int k = 0; k < cpu->num_tensors; k++) {
        const ParamTensor *t = &cpu->tensors[k];
        double scale = 0, err = 0;
        for (size_t i = 0; i < tensor_size(t); i++) {
            double c = cpu->grads[t->offset + i], diff = grads[t->offset + i] - c;
            if (grad_norm_metric) scale += c * c, err += diff * diff;
            else scale = fmax(scale, fabs(c)), err = fmax(err, fabs(diff));
        }
        if (grad_norm_metric) scale = sqrt(scale), err = sqrt(err);
        double e = err / fmax(scale, 1e-6);
        if (e > worst) worst = e, worst_name = t->name;
    }
    free(grads);
    double loss_err = rel_diff(loss_gpu, loss_cpu), outputs_err = out_err / fmax(out_scale, 1e-6);
    int bound_grads = !(grad_norm_metric && cpu->cfg.cell == CELL_RNN_RELU);
    int ok = loss_err <= loss_tolerance && outputs_err <= loss_tolerance && (worst <= grad_tolerance || !bound_grads);
    printf("%-4s %-58s loss %.3e outputs %.3e grads %.3e (%s)%s\n", ok ? "ok" : "FAIL", label,
           loss_err, outputs_err, worst, worst_name, bound_grads ? "" : " [grads not bounded: relu, TF32]");
    *failures += !ok;
    return worst;
}

/* `wide` adds a batch of WIDE_B samples: the persistent kernels then stage their input in
 * several tiles and keep several sums per thread (more than 8 per thread with few SMs). */
static int run_case(ModelConfig cfg, const char *what, const ModelOps *cuda, int wide) {
    Model cpu, gpu;
    model_init(&cpu, &cfg, 11);
    model_init_on(&gpu, &cfg, 11, cuda);
    int failures = 0;
    CaseData d;
    char label[128];
    const int shapes[4][3] = {{MAX_T, MAX_B, 1}, {MAX_T, MAX_B, 0}, {MAX_T - 4, MAX_B - 3, 1}, {WIDE_T, WIDE_B, 0}};
    for (int s = 0; s < 3 + wide; s++) {
        make_data(&d, shapes[s][0], shapes[s][1], shapes[s][2], 100 + (uint64_t)s);
        snprintf(label, sizeof label, "%s %s T=%d B=%d %s", cell_type_names[cfg.cell], what,
                 d.T, d.B, shapes[s][2] ? "sorted" : "unsorted");
        compare_step(&cpu, &gpu, &d, label, &failures);
    }
    model_free(&cpu), model_free(&gpu);
    return failures;
}

/* Every cell in every model shape; with `persistent`, the plan must take the persistent
 * path for these sizes (else the test would compare the step loop twice). */
static int run_cells(const ModelOps *cuda, int persistent) {
    int failures = 0;
    for (int cell = CELL_RNN_TANH; cell <= CELL_GRU_TEXTBOOK; cell++) {
        ModelConfig base = {.cell = (CellType)cell, .vocab_size = V, .input_size = E,
                            .hidden_size = H, .num_layers = 1, .pooling = POOL_MEAN,
                            .output_size = C, .loss = LOSS_CROSS_ENTROPY, .ignore_index = -100,
                            .huber_delta = 1};
        failures += run_case(base, "1 layer, mean, CE", cuda, 1);
        ModelConfig deep = base;
        deep.num_layers = 2, deep.bidirectional = 1, deep.pooling = POOL_MAX, deep.dropout = 0.3f;
        deep.head_hidden = 10, deep.head_dropout = 0.2f;
        failures += run_case(deep, "2 layers bi, max, dropout, hidden head", cuda, 0);
        ModelConfig dense = base;
        dense.vocab_size = 0, dense.input_size = F, dense.num_layers = 2, dense.pooling = POOL_LAST;
        dense.loss = LOSS_MSE;
        failures += run_case(dense, "dense input, 2 layers, last, MSE", cuda, 0);
        ModelConfig tagger = base;
        tagger.bidirectional = 1, tagger.pooling = POOL_NONE;
        failures += run_case(tagger, "bi tagger (per token), CE with ignore", cuda, 1);
        ModelConfig stacked = base;
        stacked.num_layers = 4, stacked.pooling = POOL_LAST;
        failures += run_case(stacked, "4 layers, last, CE", cuda, 0);
        int blocks, units, samples;
        size_t shared;
        for (int directions = 1; persistent && directions <= 2; directions++) {
            if (!cuda_recurrence_plan((CellType)cell, H, MAX_B, directions, &blocks, &units, &samples, &shared)) {
                printf("FAIL %s: the persistent kernels declined H=%d B=%d, %d direction(s)\n",
                       cell_type_names[cell], H, MAX_B, directions);
                failures++;
            } else if (cell == CELL_RNN_TANH) {
                printf("     persistent plan, %d direction(s): %d block(s) of %d unit(s) x %d sample(s), %zu bytes "
                       "of shared memory each\n", directions, blocks, units, samples, shared);
            }
        }
    }
    return failures;
}

/* The wavefront's stacks of one cell; *taken counts those the plan runs as a wavefront
 * (a stack is declined only where its weight slices do not fit the chip at once). */
static int run_wavefront_cell(const ModelOps *cuda, CellType cell, int *taken) {
    ModelConfig base = {.cell = cell, .vocab_size = V, .input_size = E, .hidden_size = H, .num_layers = 2,
                        .pooling = POOL_MEAN, .output_size = C, .loss = LOSS_CROSS_ENTROPY, .ignore_index = -100,
                        .huber_delta = 1};
    ModelConfig dense = base, tagger = base;
    dense.vocab_size = 0, dense.input_size = F, dense.num_layers = 3, dense.pooling = POOL_LAST;
    dense.loss = LOSS_MSE;
    tagger.num_layers = 4, tagger.pooling = POOL_NONE;
    const struct { ModelConfig cfg; const char *what; int wide; } cases[] = {
        {base, "wavefront, 2 layers, mean, CE", 1},
        {dense, "wavefront, dense input, 3 layers, last, MSE", 0},
        {tagger, "wavefront, 4 layers, tagger (per token)", 0},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CudaWavefrontPlan plan;
        int L = cases[i].cfg.num_layers, chosen = cuda_wavefront_plan(cell, H, MAX_B, L, &plan);
        if (plan.fits && !chosen) {
            printf("FAIL %s: the wavefront fits (%d layers) but does not run with RECUR_WAVEFRONT=1\n",
                   cell_type_names[cell], L);
            failures++;
        }
        if (!plan.fits) printf("     %s: %d layers do not fit at once here: one launch per layer\n",
                               cell_type_names[cell], L);
        else printf("     %s wavefront plan, %d layers: %d block(s) of %d unit(s) x %d sample(s), %zu bytes of "
                    "shared memory each\n", cell_type_names[cell], L, plan.blocks, plan.units, plan.samples,
                    plan.shared_bytes);
        *taken += chosen;
        failures += run_case(cases[i].cfg, cases[i].what, cuda, cases[i].wide);
    }
    return failures;
}

static int run_wavefront(const ModelOps *cuda, int optional) {
    int failures = 0;
    for (int cell = CELL_RNN_TANH; cell <= CELL_GRU_TEXTBOOK; cell++) {
        int taken = 0;
        failures += run_wavefront_cell(cuda, (CellType)cell, &taken);
        if (!taken && !optional) {
            printf("FAIL %s: no stack ran as a wavefront\n", cell_type_names[cell]);
            failures++;
        }
    }
    return failures;
}
#endif

/* Arguments: --wavefront-only (only the wavefront's cases), --wavefront-optional (a chip
 * too small for any stack's wavefront: no cell need take it). */
int main(int argc, char **argv) {
    int wavefront_only = 0, wavefront_optional = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--wavefront-only")) wavefront_only = 1;
        else if (!strcmp(argv[i], "--wavefront-optional")) wavefront_optional = 1;
        else {
            fprintf(stderr, "test_gpu_model: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
#ifndef RECUR_HAVE_GPU
    printf("skipped: no GPU (built without the CUDA backend)\n");
    return 77;
#else
    if (cuda_device_count() == 0) {
        printf("skipped: no GPU (no CUDA device visible)\n");
        return 77;
    }
    const ModelOps *cuda = cuda_ops_open(0);
    int failures = 0;
    setenv("RECUR_WAVEFRONT", "0", 1);
    for (int persistent = 1; persistent >= 0 && !wavefront_only; persistent--) {
        cuda_ops_set_persistent(persistent);
        printf("== recurrence: %s ==\n", persistent ? "persistent kernels" : "step loop");
        failures += run_cells(cuda, persistent);
    }
    if (!wavefront_only) {
        cuda_ops_set_persistent(1), cuda_ops_set_tf32(1);
        loss_tolerance = grad_tolerance = 1e-3, grad_norm_metric = 1;
        printf("== recurrence: persistent kernels, tf32 = 1 (tolerance 1e-3) ==\n");
        failures += run_cells(cuda, 1);
        cuda_ops_set_tf32(0);
        loss_tolerance = 1e-5, grad_tolerance = 1e-4, grad_norm_metric = 0;
    }
    cuda_ops_set_persistent(1);
    setenv("RECUR_WAVEFRONT", "1", 1);
    printf("== recurrence: layer wavefront (RECUR_WAVEFRONT=1) ==\n");
    failures += run_wavefront(cuda, wavefront_optional);
    printf("%s: %d failing step(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
#endif
}
