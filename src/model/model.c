/* model.c: parameter table, initialisation, and the forward/backward orchestration of
 * model.h. The arithmetic is the backend's (ops.h), sequenced by layer.c and the cells;
 * this file only wires buffers between them, in the backend's memory. */
#include "model.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/check.h"
#include "../core/rng.h"
#include "batch_staging.h"
#include "layer.h"
#include "linear.h"
#include "ops.h"
#include "step_scalars.h"

enum { HEAD_DROPOUT_STREAM = 1 << 20 };

struct ModelActivations {
    int cap_T, cap_B;         /* buffers hold this many steps x samples */
    BatchStaging *staging;    /* batches in the backend's memory (outlive the activations) */
    const StagedBatch *staged; /* the last forward's batch, as the ops see it */
    int32_t *host_lengths;    /* [B] the last batch's lengths, on the host */
    real *host_logits;        /* [rows][C] model_outputs' copy (not on a host backend) */
    int T, B, rows, train;    /* of the last forward */
    long counted;             /* items the last forward's loss counted (from the host batch) */
    double *own_loss;         /* [1] backend memory: model_forward's loss */
    StepScalars next;         /* host: what the next model_prepare uploads (step_scalars.h) */
    StepScalars *scalars;     /* [1] backend memory: the uploaded ones the ops read */
    int step_loop;            /* a layer ran layer.c's step loop since model_prepare */
    double *loss;             /* where the last forward wrote its loss (backend memory) */
    uint8_t *valid;           /* [T*B] step t of sample b exists */
    real *x0;                 /* [T*B][E] embedded tokens */
    DirectionState *dir;      /* [L*D] */
    real **y;                 /* [L] [T*B][D*H] layer outputs, zero at padding */
    real **dropped, **mask;   /* [L-1] outputs after dropout, and the masks */
    LayerScratch scratch[2];  /* per direction; [1] only where both time loops run at once */
    int scratches;            /* 1 or 2 */
    LayerScratch *layer_scratch; /* [L] the wavefront's, one per layer ([0] unused: layer 0
                                    has scratch[0]); allocated at its first use */
    LayerPass *stack_passes;  /* [L] the wavefront's layer passes and the jobs of its op, */
    RecurrenceJob *stack_jobs; /* [L] allocated with layer_scratch, refilled each step */
    int wavefront;            /* the last forward ran the stack as one layer wavefront */
    real *grad_a, *grad_b;    /* [T*B][max(I0, D*H)] gradients flowing down the stack */
    real *pooled, *dpooled;   /* [B][D*H] */
    int32_t *argmax;          /* [B][D*H] */
    real *hidden, *hidden_dropped, *hidden_mask, *dhidden; /* [rows][Hh] */
    real *logits, *dlogits;   /* [rows][C] */
};

/* ---- parameter table ---- */

static int first_layer_tensor(const Model *m) { return m->cfg.vocab_size > 0 ? 1 : 0; }
static int first_head_tensor(const Model *m) {
    return first_layer_tensor(m) + m->cfg.num_layers * m->directions * 4;
}
static int layer_input_size(const Model *m, int l) {
    return l == 0 ? m->cfg.input_size : m->cfg.hidden_size * m->directions;
}
static int top_width(const Model *m) { return m->cfg.hidden_size * m->directions; }

static void add_tensor(Model *m, int cap, const char *name, int rows, int cols) {
    if (m->num_tensors >= cap) recur_die(EXIT_RUNTIME, "internal: parameter table overflow");
    ParamTensor *t = &m->tensors[m->num_tensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->rows = rows, t->cols = cols, t->offset = m->num_params;
    m->num_params += tensor_size(t);
}

static void build_tensor_table(Model *m) {
    const ModelConfig *c = &m->cfg;
    int G = m->cell->gates, H = c->hidden_size, cap = 1 + c->num_layers * m->directions * 4 + 4;
    m->tensors = xcalloc((size_t)cap, sizeof(ParamTensor), "parameter table");
    if (c->vocab_size > 0) add_tensor(m, cap, "embedding.weight", c->vocab_size, c->input_size);
    char name[48];
    for (int l = 0; l < c->num_layers; l++)
        for (int d = 0; d < m->directions; d++) {
            const char *sfx = d ? "_reverse" : "";
            snprintf(name, sizeof name, "rnn.weight_ih_l%d%s", l, sfx);
            add_tensor(m, cap, name, G * H, layer_input_size(m, l));
            snprintf(name, sizeof name, "rnn.weight_hh_l%d%s", l, sfx);
            add_tensor(m, cap, name, G * H, H);
            snprintf(name, sizeof name, "rnn.bias_ih_l%d%s", l, sfx);
            add_tensor(m, cap, name, G * H, 0);
            snprintf(name, sizeof name, "rnn.bias_hh_l%d%s", l, sfx);
            add_tensor(m, cap, name, G * H, 0);
        }
    int in = top_width(m);
    if (c->head_hidden > 0) {
        add_tensor(m, cap, "head.hidden.weight", c->head_hidden, in);
        add_tensor(m, cap, "head.hidden.bias", c->head_hidden, 0);
        in = c->head_hidden;
    }
    add_tensor(m, cap, "head.out.weight", c->output_size, in);
    add_tensor(m, cap, "head.out.bias", c->output_size, 0);
}

size_t tensor_size(const ParamTensor *t) { return (size_t)t->rows * (size_t)(t->cols ? t->cols : 1); }

const ParamTensor *model_find_tensor(const Model *m, const char *name) {
    for (int i = 0; i < m->num_tensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0) return &m->tensors[i];
    return 0;
}

static RecurrentParams layer_params(const Model *m, real *base, int l, int d) {
    const ParamTensor *t = &m->tensors[first_layer_tensor(m) + (l * m->directions + d) * 4];
    return (RecurrentParams){base + t[0].offset, base + t[1].offset, base + t[2].offset,
                             base + t[3].offset};
}

/* Views of the head: hidden (optional) then output linear layer. */
typedef struct HeadParams { real *hidden_w, *hidden_b, *out_w, *out_b; } HeadParams;

static HeadParams head_params(const Model *m, real *base) {
    const ParamTensor *t = &m->tensors[first_head_tensor(m)];
    HeadParams p = {0};
    if (m->cfg.head_hidden > 0) p.hidden_w = base + t[0].offset, p.hidden_b = base + t[1].offset, t += 2;
    p.out_w = base + t[0].offset, p.out_b = base + t[1].offset;
    return p;
}

/* PyTorch's defaults: embedding N(0,1); recurrent U(+-1/sqrt(H)); linear U(+-1/sqrt(fan_in)). */
static void init_weights(Model *m, uint64_t seed) {
    real *host = m->ops->host_memory ? m->weights : xcalloc(m->num_params, sizeof(real), "initial weights");
    for (int i = 0; i < m->num_tensors; i++) {
        const ParamTensor *t = &m->tensors[i];
        real *w = host + t->offset;
        size_t n = tensor_size(t);
        int is_head = i >= first_head_tensor(m), is_embedding = i < first_layer_tensor(m);
        double fan = is_head ? (double)m->tensors[i - (t->cols ? 0 : 1)].cols : m->cfg.hidden_size;
        double bound = 1.0 / sqrt(fan);
        for (size_t k = 0; k < n; k++)
            w[k] = is_embedding ? (real)rng_normal(seed, (uint64_t)i, k)
                                : (real)((2 * rng_uniform(seed, (uint64_t)i, k) - 1) * bound);
    }
    if (!m->ops->host_memory) m->ops->upload(m->weights, host, sizeof(real) * m->num_params), free(host);
}

void model_init(Model *m, const ModelConfig *cfg, uint64_t seed) {
    model_init_on(m, cfg, seed, cpu_model_ops());
}

/* Physical memory of this machine in bytes (0 when unknown). */
static uint64_t memory_bytes(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
}

/* Refuses (exit 2) a model whose weights and gradients alone exceed the memory, before
 * any of it is allocated; the count is 64-bit (every size is bounded: model_config.h). */
static void require_fits(const Model *m) {
    uint64_t params = m->num_params, bytes = params * sizeof(real) * 2, have = memory_bytes();
    if (have && bytes > have)
        recur_die(EXIT_USAGE, "model too large: %s, %d layer(s), hidden_size %d, vocab_size %d: %" PRIu64
                  " parameters need %" PRIu64 " bytes for weights and gradients, more than this machine's %" PRIu64
                  " bytes of memory", cell_type_names[m->cfg.cell], m->cfg.num_layers, m->cfg.hidden_size,
                  m->cfg.vocab_size, params, bytes, have);
}

void model_init_on(Model *m, const ModelConfig *cfg, uint64_t seed, const ModelOps *ops) {
    const char *err = model_config_error(cfg);
    if (err) recur_die(EXIT_USAGE, "%s", err);
    memset(m, 0, sizeof *m);
    m->ops = ops;
    m->cfg = *cfg;
    m->cell = cell_kind(cfg->cell);
    m->directions = cfg->bidirectional ? 2 : 1;
    build_tensor_table(m);
    require_fits(m);
    m->weights = ops->alloc(sizeof(real) * m->num_params, "model weights");
    m->grads = ops->alloc(sizeof(real) * m->num_params, "model gradients");
    m->act = xcalloc(1, sizeof(ModelActivations), "activations");
    m->act->own_loss = ops->alloc(sizeof(double), "model loss");
    m->act->scalars = ops->alloc(sizeof(StepScalars), "step scalars");
    m->act->staging = batch_staging_new(ops, cfg);
    init_weights(m, seed);
}

void model_zero_grads(Model *m) { m->ops->zero(m->grads, sizeof(real) * m->num_params); }

/* ---- activations ---- */

static real *alloc_reals(const Model *m, long n) {
    return m->ops->alloc(sizeof(real) * (size_t)(n > 0 ? n : 1), "activations");
}

static void release_scratch(const ModelOps *ops, LayerScratch *s) {
    void *bufs[] = {s->step, s->dxp, s->dhp, s->dh, s->dc, s->dh_prev, s->dc_prev, s->dh_carry,
                    s->dc_carry, s->cell_scratch};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) ops->release(bufs[i]);
}

/* Every buffer of the backend's memory in the activations, for release. */
static void release_activations(Model *m) {
    ModelActivations *a = m->act;
    const ModelOps *ops = m->ops;
    int L = m->cfg.num_layers, LD = L * m->directions;
    if (a->dir)
        for (int i = 0; i < LD; i++)
            ops->release(a->dir[i].xp), ops->release(a->dir[i].states),
                ops->release(a->dir[i].cells), ops->release(a->dir[i].cache);
    for (int l = 0; a->y && l < L; l++) ops->release(a->y[l]);
    for (int l = 0; a->dropped && l + 1 < L; l++) ops->release(a->dropped[l]), ops->release(a->mask[l]);
    for (int k = 0; k < a->scratches; k++) release_scratch(ops, &a->scratch[k]);
    for (int l = 1; a->layer_scratch && l < L; l++) release_scratch(ops, &a->layer_scratch[l]);
    void *bufs[] = {a->valid, a->x0, a->grad_a, a->grad_b, a->pooled, a->dpooled,
                    a->argmax, a->hidden, a->hidden_dropped, a->hidden_mask, a->dhidden,
                    a->logits, a->dlogits};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) ops->release(bufs[i]);
    free(a->dir), free(a->y), free(a->dropped), free(a->mask), free(a->host_lengths), free(a->host_logits);
    free(a->layer_scratch), free(a->stack_passes), free(a->stack_jobs);
    ModelActivations kept = *a; /* what outlives the activations */
    memset(a, 0, sizeof *a);
    a->staging = kept.staging, a->own_loss = kept.own_loss, a->scalars = kept.scalars, a->next = kept.next;
}

/* Host-side copies of a batch's outputs and lengths. */
static void alloc_host_copies(Model *m, int B, long rows) {
    ModelActivations *a = m->act;
    a->host_lengths = xcalloc((size_t)B, sizeof(int32_t), "activations");
    if (!m->ops->host_memory)
        a->host_logits = xcalloc((size_t)(rows * m->cfg.output_size), sizeof(real), "activations");
}

/* What one direction's time loop needs beside its own state (layer.h). */
static void alloc_scratch(Model *m, LayerScratch *s, int T, int B) {
    int H = m->cfg.hidden_size, G = m->cell->gates;
    long TB = (long)T * B;
    s->step = alloc_reals(m, (long)B * G * H);
    s->dxp = alloc_reals(m, TB * G * H);
    if (m->cell->split_grads) s->dhp = alloc_reals(m, TB * G * H);
    real **small[] = {&s->dh, &s->dc, &s->dh_prev, &s->dc_prev, &s->dh_carry, &s->dc_carry, &s->cell_scratch};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) *small[i] = alloc_reals(m, (long)B * H);
}

static void alloc_activations(Model *m, int T, int B) {
    ModelActivations *a = m->act;
    const ModelConfig *c = &m->cfg;
    int L = c->num_layers, H = c->hidden_size, G = m->cell->gates, DH = top_width(m);
    long TB = (long)T * B, rows = c->pooling == POOL_NONE ? TB : B;
    int widest = c->input_size > DH ? c->input_size : DH;
    a->cap_T = T, a->cap_B = B;
    alloc_host_copies(m, B, rows);
    a->valid = m->ops->alloc((size_t)TB, "activations");
    if (c->vocab_size > 0) a->x0 = alloc_reals(m, TB * c->input_size);
    a->dir = xcalloc((size_t)(L * m->directions), sizeof(DirectionState), "activations");
    for (int i = 0; i < L * m->directions; i++) {
        a->dir[i].xp = alloc_reals(m, TB * G * H);
        a->dir[i].states = alloc_reals(m, (TB + B) * H);
        if (m->cell->has_cell_state) a->dir[i].cells = alloc_reals(m, (TB + B) * H);
        a->dir[i].cache = alloc_reals(m, TB * m->cell->cache_width * H);
    }
    a->y = xcalloc((size_t)L, sizeof(real *), "activations");
    a->dropped = xcalloc((size_t)L, sizeof(real *), "activations");
    a->mask = xcalloc((size_t)L, sizeof(real *), "activations");
    for (int l = 0; l < L; l++) a->y[l] = alloc_reals(m, TB * DH);
    if (c->dropout > 0)
        for (int l = 0; l + 1 < L; l++) a->dropped[l] = alloc_reals(m, TB * DH), a->mask[l] = alloc_reals(m, TB * DH);
    /* one scratch per direction where the backend runs both time loops at once */
    a->scratches = m->directions == 2 && m->ops->recurrence_forward ? 2 : 1;
    for (int k = 0; k < a->scratches; k++) alloc_scratch(m, &a->scratch[k], T, B);
    a->grad_a = alloc_reals(m, TB * widest), a->grad_b = alloc_reals(m, TB * widest);
    a->pooled = alloc_reals(m, (long)B * DH), a->dpooled = alloc_reals(m, rows * DH);
    a->argmax = m->ops->alloc(sizeof(int32_t) * (size_t)B * DH, "activations");
    if (c->head_hidden > 0) {
        long n = rows * c->head_hidden;
        a->hidden = alloc_reals(m, n), a->hidden_dropped = alloc_reals(m, n);
        a->hidden_mask = alloc_reals(m, n), a->dhidden = alloc_reals(m, n);
    }
    a->logits = alloc_reals(m, rows * c->output_size), a->dlogits = alloc_reals(m, rows * c->output_size);
}

static void ensure_capacity(Model *m, int T, int B) {
    ModelActivations *a = m->act;
    if (T <= a->cap_T && B <= a->cap_B) return; /* flat [T*B] buffers of a smaller batch fit */
    int cap_T = T > a->cap_T ? T : a->cap_T, cap_B = B > a->cap_B ? B : a->cap_B;
    release_activations(m);
    alloc_activations(m, cap_T, cap_B);
}

/* The batch as the ops see it (batch_staging.h); lengths are kept on the host too, for
 * the time loop. */
static void stage_batch(Model *m, const Batch *bt) {
    ModelActivations *a = m->act;
    memcpy(a->host_lengths, bt->lengths, sizeof(int32_t) * (size_t)bt->B);
    a->staged = batch_staging_use(a->staging, bt);
}

void model_stage(Model *m, const Batch *bt) { batch_staging_ahead(m->act->staging, bt); }

void model_free(Model *m) {
    if (m->act) {
        release_activations(m);
        m->ops->release(m->act->own_loss), m->ops->release(m->act->scalars);
        batch_staging_free(m->act->staging);
        free(m->act);
    }
    if (m->ops) m->ops->release(m->weights), m->ops->release(m->grads);
    free(m->tensors);
    memset(m, 0, sizeof *m);
}

/* ---- forward ---- */

static LayerShape layer_shape(const Model *m, int l, int d, int T, int B) {
    return (LayerShape){.T = T, .B = B, .I = layer_input_size(m, l), .H = m->cfg.hidden_size,
                        .reverse = d, .out_stride = top_width(m), .out_offset = d * m->cfg.hidden_size};
}

/* What layer l reads: the embedded tokens or features, or the previous layer's output. */
static const real *layer_input(const Model *m, const Batch *bt, int l) {
    const ModelActivations *a = m->act;
    if (l == 0) return m->cfg.vocab_size > 0 ? a->x0 : bt->features;
    return (a->train && m->cfg.dropout > 0) ? a->dropped[l - 1] : a->y[l - 1];
}

/* Layer l of the stack, both directions, as layer.c runs it. */
static LayerPass layer_pass(const Model *m, const Batch *bt, int l) {
    ModelActivations *a = m->act;
    LayerPass p = {.ops = m->ops, .cell = m->cell, .directions = m->directions, .step_loop = &a->step_loop,
                   .host_lengths = a->host_lengths, .lengths = bt->lengths, .x = layer_input(m, bt, l)};
    for (int d = 0; d < m->directions; d++) {
        p.shape[d] = layer_shape(m, l, d, bt->T, bt->B);
        p.w[d] = layer_params(m, m->weights, l, d);
        p.st[d] = a->dir[l * m->directions + d];
        p.scratch[d] = a->wavefront && l > 0 ? &a->layer_scratch[l] : &a->scratch[d < a->scratches ? d : 0];
    }
    return p;
}

/* Whether the stack runs as one layer wavefront: unidirectional, 2 layers or more, no
 * dropout between them in this pass, and the backend takes the shape. */
static int wavefront_wanted(const Model *m, int B) {
    const ModelConfig *c = &m->cfg;
    const ModelOps *ops = m->ops;
    return m->directions == 1 && c->num_layers >= 2 && !(m->act->train && c->dropout > 0) && ops->wavefront_fits &&
           ops->wavefront_forward && ops->wavefront_fits(c->cell, B, c->hidden_size, c->num_layers);
}

/* The wavefront's per-layer scratch, at its first use (layer 0 keeps scratch[0]). */
static void ensure_layer_scratch(Model *m) {
    ModelActivations *a = m->act;
    if (a->layer_scratch) return;
    size_t L = (size_t)m->cfg.num_layers;
    a->layer_scratch = xcalloc(L, sizeof(LayerScratch), "activations");
    a->stack_passes = xcalloc(L, sizeof(LayerPass), "activations");
    a->stack_jobs = xcalloc(L, sizeof(RecurrenceJob), "activations");
    for (int l = 1; l < m->cfg.num_layers; l++) alloc_scratch(m, &a->layer_scratch[l], a->cap_T, a->cap_B);
}

/* Every layer's pass, into the activations' table. */
static LayerPass *stack_passes(const Model *m, const Batch *bt) {
    LayerPass *p = m->act->stack_passes;
    for (int l = 0; l < m->cfg.num_layers; l++) p[l] = layer_pass(m, bt, l);
    return p;
}

/* The stack as one wavefront; 0 when the backend declines it (a->wavefront stays 0). */
static int stack_forward_wavefront(Model *m, const Batch *bt) {
    ModelActivations *a = m->act;
    if (!wavefront_wanted(m, bt->B)) return 0;
    ensure_layer_scratch(m);
    a->wavefront = 1; /* layer_pass hands each layer its own scratch */
    LayerPass *p = stack_passes(m, bt);
    a->wavefront = layer_stack_forward(p, m->cfg.num_layers, a->y, a->stack_jobs);
    return a->wavefront;
}

static void recurrent_stack_forward(Model *m, const Batch *bt) {
    ModelActivations *a = m->act;
    int L = m->cfg.num_layers, T = bt->T, B = bt->B;
    a->wavefront = 0;
    if (stack_forward_wavefront(m, bt)) return;
    for (int l = 0; l < L; l++) {
        LayerPass p = layer_pass(m, bt, l);
        layer_forward(&p, a->y[l]);
        if (a->train && m->cfg.dropout > 0 && l + 1 < L)
            m->ops->dropout_forward((long)T * B * top_width(m), m->cfg.dropout, &a->scalars->dropout_seed,
                                    (uint64_t)l, a->y[l], a->dropped[l], a->mask[l]);
    }
}

/* Rows the head sees: the pooled vectors [B][D], or every step [T*B][D] when tagging. */
static const real *head_input(const Model *m) {
    const ModelActivations *a = m->act;
    return m->cfg.pooling == POOL_NONE ? a->y[m->cfg.num_layers - 1] : a->pooled;
}

/* Input of the output layer: the hidden layer's activations, or the head input itself. */
static const real *output_layer_input(const Model *m) {
    const ModelActivations *a = m->act;
    if (m->cfg.head_hidden == 0) return head_input(m);
    return (a->train && m->cfg.head_dropout > 0) ? a->hidden_dropped : a->hidden;
}

static void head_forward(Model *m) {
    ModelActivations *a = m->act;
    const ModelConfig *c = &m->cfg;
    HeadParams p = head_params(m, m->weights);
    int DH = top_width(m), out_in = c->head_hidden > 0 ? c->head_hidden : DH;
    if (c->head_hidden > 0) {
        long n = (long)a->rows * c->head_hidden;
        linear_forward(m->ops, a->rows, DH, c->head_hidden, head_input(m), p.hidden_w, p.hidden_b,
                       a->hidden);
        m->ops->tanh_forward(n, a->hidden);
        if (a->train && c->head_dropout > 0)
            m->ops->dropout_forward(n, c->head_dropout, &a->scalars->dropout_seed, HEAD_DROPOUT_STREAM, a->hidden,
                                    a->hidden_dropped, a->hidden_mask);
    }
    linear_forward(m->ops, a->rows, out_in, c->output_size, output_layer_input(m), p.out_w, p.out_b,
                   a->logits);
}

static LossInput loss_input(const Model *m, const Batch *bt) {
    const ModelActivations *a = m->act;
    return (LossInput){.type = m->cfg.loss, .N = a->rows, .C = m->cfg.output_size,
                       .logits = a->logits, .valid = m->cfg.pooling == POOL_NONE ? a->valid : 0,
                       .labels = bt->labels, .targets = bt->targets,
                       .ignore_index = m->cfg.ignore_index, .huber_delta = m->cfg.huber_delta};
}

long model_count_items(const Model *m, const Batch *host_batch) {
    int pooled = m->cfg.pooling != POOL_NONE;
    LossInput li = loss_input(m, host_batch);
    li.N = pooled ? host_batch->B : host_batch->T * host_batch->B;
    return loss_count(&li, host_batch->B, pooled ? NULL : host_batch->lengths);
}

StepScalars *model_step_scalars(Model *m) { return &m->act->next; }
const StepScalars *model_device_scalars(const Model *m) { return m->act->scalars; }
int model_launches_fixed(const Model *m) { return !m->act->step_loop; }

void model_prepare(Model *m, const Batch *host_batch, int train, uint64_t dropout_seed) {
    ensure_capacity(m, host_batch->T, host_batch->B);
    ModelActivations *a = m->act;
    stage_batch(m, host_batch);
    a->T = host_batch->T, a->B = host_batch->B, a->train = train, a->step_loop = 0;
    a->rows = m->cfg.pooling == POOL_NONE ? a->T * a->B : a->B;
    a->counted = model_count_items(m, host_batch);
    a->next.loss_count = (double)a->counted, a->next.dropout_seed = dropout_seed;
    m->ops->upload(a->scalars, &a->next, sizeof a->next);
}

void model_forward_queued(Model *m, double *loss) {
    ModelActivations *a = m->act;
    const Batch *bt = &a->staged->batch;
    m->ops->mark_valid(bt->T, bt->B, bt->lengths, a->valid);
    if (m->cfg.vocab_size > 0)
        m->ops->embedding_forward(bt->T * bt->B, m->cfg.input_size, bt->tokens,
                          m->weights + m->tensors[0].offset, a->x0);
    recurrent_stack_forward(m, bt);
    if (m->cfg.pooling != POOL_NONE)
        m->ops->pool_forward(m->cfg.pooling, bt->T, bt->B, top_width(m), m->directions, bt->lengths,
                     a->y[m->cfg.num_layers - 1], a->pooled, a->argmax);
    head_forward(m);
    LossInput li = loss_input(m, bt);
    a->loss = loss ? loss : a->own_loss;
    m->ops->loss_forward(&li, &a->scalars->loss_count, a->loss);
}

void model_forward_into(Model *m, const Batch *host_batch, int train, uint64_t dropout_seed, double *loss) {
    model_prepare(m, host_batch, train, dropout_seed);
    model_forward_queued(m, loss);
}

real model_forward(Model *m, const Batch *host_batch, int train, uint64_t dropout_seed) {
    model_forward_into(m, host_batch, train, dropout_seed, NULL);
    double loss;
    m->ops->download(&loss, m->act->loss, sizeof loss);
    return (real)loss;
}

long model_counted(const Model *m) { return m->act->counted; }

const real *model_outputs(const Model *m, int *rows, long *counted) {
    const ModelActivations *a = m->act;
    if (rows) *rows = a->rows;
    if (counted) *counted = a->counted;
    if (m->ops->host_memory) return a->logits;
    m->ops->download(a->host_logits, a->logits, sizeof(real) * (size_t)a->rows * m->cfg.output_size);
    return a->host_logits;
}

/* ---- backward ---- */

/* d(loss)/d(head input) into `out`: [B][D] (pooled) or [T*B][D] (tagging). */
static void head_backward(Model *m, const Batch *bt, real *out) {
    ModelActivations *a = m->act;
    const ModelConfig *c = &m->cfg;
    HeadParams p = head_params(m, m->weights), g = head_params(m, m->grads);
    int DH = top_width(m), out_in = c->head_hidden > 0 ? c->head_hidden : DH;
    LossInput li = loss_input(m, bt);
    m->ops->loss_backward(&li, &a->scalars->loss_count, a->loss, a->dlogits);
    if (c->head_hidden == 0) {
        linear_backward(m->ops, a->rows, DH, c->output_size, head_input(m), p.out_w, a->dlogits,
                        g.out_w, g.out_b, out);
        return;
    }
    long n = (long)a->rows * c->head_hidden;
    linear_backward(m->ops, a->rows, out_in, c->output_size, output_layer_input(m), p.out_w,
                    a->dlogits, g.out_w, g.out_b, a->dhidden);
    if (a->train && c->head_dropout > 0)
        m->ops->dropout_backward(n, a->hidden_mask, a->dhidden, a->dhidden);
    m->ops->tanh_backward(n, a->hidden, a->dhidden);
    linear_backward(m->ops, a->rows, DH, c->head_hidden, head_input(m), p.hidden_w, a->dhidden,
                    g.hidden_w, g.hidden_b, out);
}

/* Tells the hook (if any) that tensors [first, last) have their final gradients. */
static void grads_ready(const Model *m, int first, int last) {
    if (!m->grads_ready || first >= last) return;
    size_t from = m->tensors[first].offset;
    size_t to = last < m->num_tensors ? m->tensors[last].offset : m->num_params;
    m->grads_ready(m->grads_ready_ctx, from, to - from);
}

/* The wavefront's BPTT, then each layer's weight gradients from the top (dx of layer 0
 * only); 0 when the backend declines. */
static int stack_backward_wavefront(Model *m, const Batch *bt, const real *dy, real *dx0) {
    int L = m->cfg.num_layers;
    LayerPass *p = stack_passes(m, bt);
    if (!layer_stack_backward(p, L, dy, m->act->stack_jobs)) return 0;
    for (int l = L - 1; l >= 0; l--) {
        RecurrentParams grad[1] = {layer_params(m, m->grads, l, 0)};
        layer_weight_gradients(&p[l], grad, l == 0 ? dx0 : 0);
        int first = first_layer_tensor(m) + l * 4;
        grads_ready(m, first, first + 4);
    }
    return 1;
}

/* BPTT down the stack; dy holds d(loss)/d(top output) on entry. Returns d(loss)/d(x0)
 * (token input) or NULL. */
static real *recurrent_stack_backward(Model *m, const Batch *bt, real *dy, real *spare) {
    ModelActivations *a = m->act;
    int L = m->cfg.num_layers;
    real *dx0 = m->cfg.vocab_size > 0 ? spare : 0;
    if (a->wavefront && stack_backward_wavefront(m, bt, dy, dx0)) return dx0;
    for (int l = L - 1; l >= 0; l--) {
        real *dx = (l > 0 || m->cfg.vocab_size > 0) ? spare : 0;
        LayerPass p = layer_pass(m, bt, l);
        RecurrentParams grad[2];
        for (int d = 0; d < m->directions; d++) grad[d] = layer_params(m, m->grads, l, d);
        layer_backward(&p, dy, grad, dx);
        int first = first_layer_tensor(m) + l * m->directions * 4;
        grads_ready(m, first, first + m->directions * 4);
        if (l > 0 && a->train && m->cfg.dropout > 0)
            m->ops->dropout_backward((long)bt->T * bt->B * top_width(m), a->mask[l - 1], dx, dx);
        spare = dy, dy = dx;
    }
    return dy;
}

void model_backward(Model *m, const Batch *host_batch) {
    (void)host_batch; /* the last forward's batch, already staged */
    ModelActivations *a = m->act;
    const Batch *bt = &a->staged->batch;
    int DH = top_width(m);
    real *dtop = a->grad_a;
    if (m->cfg.pooling == POOL_NONE) {
        head_backward(m, bt, dtop);
    } else {
        head_backward(m, bt, a->dpooled);
        m->ops->pool_backward(m->cfg.pooling, bt->T, bt->B, DH, m->directions, bt->lengths, a->argmax,
                      a->dpooled, dtop);
    }
    grads_ready(m, first_head_tensor(m), m->num_tensors);
    real *dx0 = recurrent_stack_backward(m, bt, dtop, a->grad_b);
    const StagedBatch *st = a->staged;
    if (m->cfg.vocab_size > 0)
        m->ops->embedding_backward(bt->T * bt->B, st->num_heads, m->cfg.input_size, bt->tokens, st->heads,
                                   st->next, dx0, m->grads + m->tensors[0].offset);
    grads_ready(m, 0, first_layer_tensor(m));
}
