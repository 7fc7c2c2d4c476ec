/* test_optim.c: recur's optimizers, gradient clipping and learning-rate schedules against
 * torch.optim, from tests/fixtures/optim_reference.h5 (tools/make_optim_fixtures.py; the
 * layout is described there), then unit checks of what the fixtures cannot show.
 *
 *   test_optim_f32|_f64 FILE.h5
 *
 * Optimizer cases: a TrainConfig from the case's attributes (through config_set, so the
 * real parser checks them), then 12 steps from /params0 with /grads, each clipped by value
 * then by norm as the trainer does, at the rate schedule_lr gives; the rate and the
 * parameters after every step, the state buffers (by name, both ways) and the step count
 * at the end are compared with torch's. Schedule cases: the rates of 20 steps.
 *
 * Error per element: |a - b| / max(|b|, FLOOR * max|b| over that vector), a recur's value,
 * b torch's, FLOOR = 1e-3. Parameters are O(1) but a few pass near zero on the way, where
 * a relative error says nothing (an update computed at scale 1 leaves a rounding error of
 * scale 1 on them); those are judged against a thousandth of the vector's largest value.
 *   float64 build: 1e-6, the bar. recur does torch's operations in torch's order
 *                  and agrees to rounding: measured worst 2.5e-14 (rmsprop_clip_norm),
 *                  most cases below 5e-15 (2026-11-23).
 *   float32 build: 1e-4: the product's float32 arithmetic against torch's float64, float32
 *                  rounding compounded over 12 steps: measured worst 7.9e-6
 *                  (sgd_momentum_step_warmup), 5.6e-6 in Adam's state (2026-11-23).
 * The reference is read as `real`. The unit checks (clipping bounds, warm-up end points,
 * state names, a by-name state round trip that must be bit-exact, Adam's division by its
 * per-step scalar, the clip's sum of squares on 1-3 threads) run in both builds.
 *
 * Prints one line per case (its worst vector and error), failures under it, then exactly
 * "N passed, M failed"; exits 1 when anything failed or the file holds no case. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/blas.h"
#include "core/check.h"
#include "core/optimizer_math.h"
#include "io/h5_tensor.h"
#include "model/ops.h"
#include "train/optimizer.h"
#include "train/schedule.h"

#ifdef RECUR_REAL_DOUBLE
static const double TOLERANCE = 1e-6;
#else
static const double TOLERANCE = 1e-4;
#endif
static const double FLOOR_SHARE = 1e-3;

/* The attributes of every case: recur's config keys, as config-file text. */
static const char *const CONFIG_KEYS[] = {
    "optimizer", "lr", "momentum", "nesterov", "beta1", "beta2", "eps", "alpha", "centered",
    "rho", "lr_decay", "initial_accumulator", "weight_decay", "clip_norm", "clip_value",
    "schedule", "step_size", "gamma", "min_lr", "warmup_steps", "steps", NULL};

typedef struct Case {
    const H5File *f;
    char group[128];
    int failed;
    double worst;
    char worst_at[64];
} Case;

typedef struct Tally {
    int passed, failed;
} Tally;

/* ---- reporting ---- */

static void fail(Case *c, const char *msg) {
    c->failed = 1;
    printf("     %s: %s\n", c->group, msg);
}

static void finish(Case *c, Tally *tally) {
    printf("%s %-40s worst %.2g (%s)\n", c->failed ? "FAIL" : "ok  ", c->group, c->worst,
           c->worst_at);
    c->failed ? tally->failed++ : tally->passed++;
}

/* Compares a[n] with the reference b[n] under the error rule above. */
static void compare(Case *c, const char *what, const real *a, const real *b, long n) {
    double scale = 0, worst = 0;
    for (long i = 0; i < n; i++) scale = fmax(scale, fabs((double)b[i]));
    double floor = scale > 0 ? FLOOR_SHARE * scale : 1;
    long at = -1;
    for (long i = 0; i < n; i++) {
        double err = fabs((double)a[i] - (double)b[i]) / fmax(fabs((double)b[i]), floor);
        if (at < 0 || !(err <= worst)) worst = err, at = i; /* NaN is the worst */
    }
    if (at < 0) return;
    if (!(worst <= c->worst)) {
        c->worst = worst;
        snprintf(c->worst_at, sizeof c->worst_at, "%s", what);
    }
    if (!(worst <= TOLERANCE)) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s: error %.3g at element %ld: recur %.12g, torch %.12g", what,
                 worst, at, (double)a[at], (double)b[at]);
        fail(c, msg);
    }
}

/* ---- reading a case ---- */

/* The case's settings through config_set, from recur's defaults. */
static TrainConfig read_config(Case *c) {
    RunConfig cfg;
    config_set_defaults(&cfg);
    for (int i = 0; CONFIG_KEYS[i]; i++) {
        char *value = h5_attr_string(c->f, c->group, CONFIG_KEYS[i]);
        const char *err = config_set(&cfg, CONFIG_KEYS[i], value);
        if (err) fail(c, err);
        free(value);
    }
    return cfg.train;
}

/* The case's dataset `name` (a path under the case group), which must hold rows * n. */
static real *read_case_array(const Case *c, const char *name, long rows, long n) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", c->group, name);
    TensorShape shape = rows ? (TensorShape){2, {rows, n}} : (TensorShape){1, {n}};
    real *out = xmalloc(sizeof(real) * (size_t)((rows ? rows : 1) * n), path);
    h5_read_real_into(c->f, path, &shape, out);
    return out;
}

/* ---- optimizer cases ---- */

typedef struct Inputs {
    long n, steps;
    real *params0; /* [n] */
    real *grads;   /* [steps][n] */
} Inputs;

static Inputs read_inputs(const H5File *f) {
    TensorShape gs;
    Inputs in = {0};
    in.grads = h5_read_real(f, "grads", &gs);
    if (gs.rank != 2) recur_die(EXIT_USAGE, "%s: grads is not [steps][n]", f->path);
    in.steps = gs.dims[0], in.n = gs.dims[1];
    TensorShape ps = {1, {in.n}};
    in.params0 = xmalloc(sizeof(real) * (size_t)in.n, "params0");
    h5_read_real_into(f, "params0", &ps, in.params0);
    return in;
}

/* One training step as the trainer takes it: clip by value, by norm, rate, update. */
static double train_step(Optimizer *o, const TrainConfig *t, real *w, real *g, long step,
                         long steps_per_epoch) {
    clip_grad_value(g, o->n, t->clip_value);
    clip_grad_norm(g, o->n, grad_norm(g, o->n), t->clip_norm);
    o->lr = schedule_lr(t, step, (step - 1) / steps_per_epoch, t->steps);
    optimizer_step(o, w, g);
    return o->lr;
}

/* Every state buffer torch keeps, recur keeps under that name and equal; and no other. */
static void compare_state(Case *c, Optimizer *o) {
    char group[160], msg[200];
    snprintf(group, sizeof group, "%s/state", c->group);
    int count;
    char **names = h5_list(c->f, group, &count);
    for (int i = 0; i < count; i++) {
        real *mine = optimizer_state_by_name(o, names[i]);
        if (!mine) {
            snprintf(msg, sizeof msg, "torch keeps state %s, recur does not", names[i]);
            fail(c, msg);
            continue;
        }
        char what[64];
        snprintf(what, sizeof what, "state/%s", names[i]);
        real *theirs = read_case_array(c, what, 0, (long)o->n);
        compare(c, what, mine, theirs, (long)o->n);
        free(theirs);
    }
    if (optimizer_state_count(o) != count) {
        snprintf(msg, sizeof msg, "recur keeps %d state buffers, torch %d",
                 optimizer_state_count(o), count);
        fail(c, msg);
    }
    long step = (long)h5_attr_int(c->f, group, "step");
    if (step != o->step) {
        snprintf(msg, sizeof msg, "step count %ld, torch %ld", o->step, step);
        fail(c, msg);
    }
    h5_free_names(names, count);
}

static void run_optim_case(Case *c, const Inputs *in) {
    TrainConfig t = read_config(c);
    long steps_per_epoch = (long)h5_attr_int(c->f, c->group, "steps_per_epoch");
    real *after = read_case_array(c, "params", in->steps, in->n);
    real *torch_lrs = read_case_array(c, "lrs", 0, in->steps);
    real *lrs = xmalloc(sizeof(real) * (size_t)in->steps, "lrs");
    real *w = xmalloc(sizeof(real) * (size_t)in->n, "weights");
    real *g = xmalloc(sizeof(real) * (size_t)in->n, "grads");
    memcpy(w, in->params0, sizeof(real) * (size_t)in->n);
    Optimizer o;
    optimizer_init(&o, &t, (size_t)in->n);
    for (long k = 1; k <= in->steps; k++) {
        memcpy(g, in->grads + (k - 1) * in->n, sizeof(real) * (size_t)in->n);
        lrs[k - 1] = (real)train_step(&o, &t, w, g, k, steps_per_epoch);
        char what[48];
        snprintf(what, sizeof what, "params after step %ld", k);
        compare(c, what, w, after + (k - 1) * in->n, in->n);
    }
    compare(c, "lrs", lrs, torch_lrs, in->steps);
    compare_state(c, &o);
    optimizer_free(&o);
    free(after), free(torch_lrs), free(lrs), free(w), free(g);
}

static void run_schedule_case(Case *c) {
    TrainConfig t = read_config(c);
    long steps_per_epoch = (long)h5_attr_int(c->f, c->group, "steps_per_epoch");
    real *torch_lrs = read_case_array(c, "lrs", 0, t.steps);
    real *lrs = xmalloc(sizeof(real) * (size_t)t.steps, "lrs");
    for (long k = 1; k <= t.steps; k++)
        lrs[k - 1] = (real)schedule_lr(&t, k, (k - 1) / steps_per_epoch, t.steps);
    compare(c, "lrs", lrs, torch_lrs, t.steps);
    free(torch_lrs), free(lrs);
}

/* Runs every case under `root` ("optim" or "schedule"). */
static void run_group(const H5File *f, const char *root, const Inputs *in, Tally *tally) {
    int count;
    char **names = h5_list(f, root, &count);
    for (int i = 0; i < count; i++) {
        Case c = {.f = f, .worst_at = "-"};
        snprintf(c.group, sizeof c.group, "%s/%s", root, names[i]);
        if (in) run_optim_case(&c, in);
        else run_schedule_case(&c);
        finish(&c, tally);
    }
    h5_free_names(names, count);
}

/* ---- unit checks ---- */

static void check(Case *c, int ok, const char *what) {
    if (!ok) fail(c, what);
}

/* A TrainConfig from recur's defaults and "key=value key=value ..." settings. */
static TrainConfig config_from(Case *c, const char *settings) {
    RunConfig cfg;
    config_set_defaults(&cfg);
    char buf[256], *save = NULL;
    snprintf(buf, sizeof buf, "%s", settings);
    for (char *kv = strtok_r(buf, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        const char *err = eq ? (*eq = 0, config_set(&cfg, kv, eq + 1)) : "setting without '='";
        if (err) fail(c, err);
    }
    return cfg.train;
}

static void unit_clip_value(Tally *tally) {
    Case c = {.group = "unit/clip_grad_value", .worst_at = "-"};
    real g[] = {-5, -1, -0.5, 0, 0.25, 1, 7, (real)NAN};
    const real want[] = {-1, -1, -0.5, 0, 0.25, 1, 1};
    clip_grad_value(g, 8, 1.0);
    for (int i = 0; i < 7; i++) check(&c, g[i] == want[i], "an element is not clipped to [-1, 1]");
    check(&c, isnan(g[7]), "NaN did not stay NaN");
    real off[] = {-5, 5};
    clip_grad_value(off, 2, 0);
    check(&c, off[0] == -5 && off[1] == 5, "clip_value 0 changed the gradient");
    finish(&c, tally);
}

static void unit_clip_norm(Tally *tally) {
    Case c = {.group = "unit/clip_grad_norm", .worst_at = "-"};
    real g[] = {3, 4}; /* norm 5 */
    clip_grad_norm(g, 2, grad_norm(g, 2), 1.0);
    double norm = grad_norm(g, 2);
    check(&c, norm <= 1.0 && norm > 1.0 - 1e-5, "the clipped norm is not max_norm");
    check(&c, fabs((double)g[0] / (double)g[1] - 0.75) < 1e-6, "clipping changed the direction");
    real below[] = {3, 4}, off[] = {3, 4};
    clip_grad_norm(below, 2, 5.0, 10.0);
    clip_grad_norm(off, 2, 5.0, 0.0);
    check(&c, below[0] == 3 && below[1] == 4, "a norm below max_norm was scaled");
    check(&c, off[0] == 3 && off[1] == 4, "clip_norm 0 scaled the gradient");
    finish(&c, tally);
}

static int close_to(double a, double b) { return fabs(a - b) <= 1e-12 * fabs(b); }

/* Cosine after warm-up: the peak at W + 1, above min_lr at the last step, min_lr past the
 * end, never rising. */
static void check_cosine_ends(Case *c, const TrainConfig *t, long total) {
    long W = t->warmup_steps;
    check(c, schedule_lr(t, W + 1, 0, total) == t->lr, "cosine does not start at lr");
    check(c, schedule_lr(t, total, 0, total) > t->min_lr, "cosine reached min_lr before the end");
    check(c, schedule_lr(t, total + 3, 0, total) == t->min_lr, "cosine past the end is not min_lr");
    for (long k = W + 1; k < total + 3; k++)
        check(c, schedule_lr(t, k + 1, 0, total) <= schedule_lr(t, k, 0, total), "cosine rose");
}

/* Warm-up: step k <= W runs at k/W of the schedule's rate, step W at the rate itself
 * (epochs of 2 steps, so warm-up crosses an epoch end; cosine's rate there is lr). */
static void unit_warmup(Tally *tally) {
    static const char *const schedules[] = {"constant", "step", "exponential", "cosine", NULL};
    const long W = 5, total = 20, spe = 2;
    for (int s = 0; schedules[s]; s++) {
        Case c = {.worst_at = "-"};
        snprintf(c.group, sizeof c.group, "unit/warmup_%s", schedules[s]);
        char settings[200];
        snprintf(settings, sizeof settings, "lr=0.1 gamma=0.5 min_lr=0.01 schedule=%s",
                 schedules[s]);
        TrainConfig plain = config_from(&c, settings), warm = plain;
        warm.warmup_steps = W;
        int cosine = plain.schedule == SCHED_COSINE;
        for (long k = 1; k <= W; k++) {
            double full = cosine ? plain.lr : schedule_lr(&plain, k, (k - 1) / spe, total);
            double got = schedule_lr(&warm, k, (k - 1) / spe, total);
            check(&c, close_to(got, full * (double)k / (double)W), "a warm-up rate is not k/W");
            if (k == W) check(&c, got == full, "step W is not at the schedule's rate");
        }
        if (cosine) check_cosine_ends(&c, &warm, total);
        finish(&c, tally);
    }
}

typedef struct StateCase {
    const char *settings, *names; /* names: comma-separated, in order */
    double eps;                   /* the eps the optimizer must use */
} StateCase;

static const StateCase STATE_CASES[] = {
    {"optimizer=sgd", "", 0},
    {"optimizer=sgd momentum=0.9 nesterov=1", "momentum_buffer", 0},
    {"optimizer=adam", "exp_avg,exp_avg_sq", 1e-8},
    {"optimizer=adamw eps=0.001", "exp_avg,exp_avg_sq", 1e-3},
    {"optimizer=rmsprop", "square_avg", 1e-8},
    {"optimizer=rmsprop momentum=0.5 centered=1", "square_avg,momentum_buffer,grad_avg", 1e-8},
    {"optimizer=adadelta", "square_avg,acc_delta", 1e-6},
    {"optimizer=adagrad initial_accumulator=0.25", "sum", 1e-10},
};

/* Each optimizer keeps exactly the buffers torch does, under torch's names. */
static void unit_state_names(Tally *tally) {
    Case c = {.group = "unit/state_names", .worst_at = "-"};
    for (size_t k = 0; k < sizeof STATE_CASES / sizeof STATE_CASES[0]; k++) {
        const StateCase *sc = &STATE_CASES[k];
        TrainConfig t = config_from(&c, sc->settings);
        Optimizer o;
        optimizer_init(&o, &t, 4);
        char names[128] = "", msg[256];
        for (int i = 0; i < optimizer_state_count(&o); i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "," : "",
                     optimizer_state_name(&o, i));
        snprintf(msg, sizeof msg, "%s: state %s, expected %s; eps %g, expected %g", sc->settings,
                 names, sc->names, o.eps, sc->eps);
        check(&c, strcmp(names, sc->names) == 0 && o.eps == sc->eps, msg);
        check(&c, !optimizer_state_by_name(&o, "velocity") && !optimizer_state(&o, o.num_states) &&
                      !optimizer_state_name(&o, -1), "a missing state buffer was found");
        real *sum = optimizer_state_by_name(&o, "sum");
        if (sum)
            check(&c, sum[0] == (real)0.25 && sum[3] == (real)0.25,
                  "sum does not start at initial_accumulator");
        optimizer_free(&o);
    }
    finish(&c, tally);
}

/* A made-up but fixed gradient, learning rate and parameter count. */
enum { RT_PARAMS = 29, RT_STEPS = 5 };
static real rt_grad(long step, size_t i) {
    return (real)(sin(1.3 * (double)i + 0.7 * (double)step) * (double)(1 + step));
}
static double rt_lr(long step) { return 0.01 * (double)(1 + step % 3); }

static void rt_steps(Optimizer *o, real *w, long from) {
    real g[RT_PARAMS];
    for (long k = from; k < from + RT_STEPS; k++) {
        for (size_t i = 0; i < RT_PARAMS; i++) g[i] = rt_grad(k, i);
        o->lr = rt_lr(k);
        optimizer_step(o, w, g);
    }
}

/* B = a fresh optimizer given A's buffers by name (and, when `with_step`, its step count). */
static void restore_by_name(Case *c, Optimizer *b, Optimizer *a, int with_step) {
    for (int i = 0; i < optimizer_state_count(b); i++) {
        const real *from = optimizer_state_by_name(a, optimizer_state_name(b, i));
        if (!from) fail(c, "a state buffer is missing by name");
        else memcpy(optimizer_state(b, i), from, sizeof(real) * b->n);
    }
    if (with_step) b->step = a->step;
}

static int same_state(Optimizer *a, Optimizer *b) {
    int same = a->step == b->step && a->num_states == b->num_states;
    for (int i = 0; same && i < a->num_states; i++)
        same = memcmp(a->states[i], b->states[i], sizeof(real) * a->n) == 0;
    return same;
}

/* Steps, a by-name copy of the state into a fresh optimizer, more steps: bit-identical to
 * running on. Without the step count, the optimizers that use it must come out different
 * (sgd's momentum buffer starts as the first gradient, so sgd with momentum uses it too). */
static void round_trip(Case *c, const char *settings) {
    TrainConfig t = config_from(c, settings);
    t.weight_decay = 0.01, t.lr_decay = 0.1;
    Optimizer a, b, nostep;
    real wa[RT_PARAMS], wb[RT_PARAMS], wn[RT_PARAMS];
    for (size_t i = 0; i < RT_PARAMS; i++) wa[i] = (real)cos((double)i);
    optimizer_init(&a, &t, RT_PARAMS), optimizer_init(&b, &t, RT_PARAMS);
    optimizer_init(&nostep, &t, RT_PARAMS);
    rt_steps(&a, wa, 1);
    restore_by_name(c, &b, &a, 1), restore_by_name(c, &nostep, &a, 0);
    memcpy(wb, wa, sizeof wa), memcpy(wn, wa, sizeof wa);
    rt_steps(&a, wa, 1 + RT_STEPS), rt_steps(&b, wb, 1 + RT_STEPS);
    rt_steps(&nostep, wn, 1 + RT_STEPS);
    char msg[160];
    snprintf(msg, sizeof msg, "%s: the restored optimizer does not continue bit for bit", settings);
    check(c, memcmp(wa, wb, sizeof wa) == 0 && same_state(&a, &b), msg);
    int uses_step = t.optimizer == OPT_ADAM || t.optimizer == OPT_ADAMW ||
                    t.optimizer == OPT_ADAGRAD || (t.optimizer == OPT_SGD && t.momentum > 0);
    snprintf(msg, sizeof msg, "%s: the step count made no difference", settings);
    if (uses_step) check(c, memcmp(wa, wn, sizeof wa) != 0, msg);
    optimizer_free(&a), optimizer_free(&b), optimizer_free(&nostep);
}

static void unit_round_trip(Tally *tally) {
    Case c = {.group = "unit/state_round_trip", .worst_at = "-"};
    for (size_t k = 0; k < sizeof STATE_CASES / sizeof STATE_CASES[0]; k++)
        round_trip(&c, STATE_CASES[k].settings);
    finish(&c, tally);
}

/* divide_by_scalar (Adam's sqrt(v) / bias_correction2_sqrt without the divider) against
 * the division: the same bits for a from 2^-100 to 2^100 over the divisors Adam meets
 * (beta2 0.5 .. 0.9999, steps 1 .. 20000); and Adam's whole update through it against the
 * update with the division, the same bits down to a = 0 (eps rounds the corner away). */
static uint64_t xorshift(uint64_t *s) { return *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17; }

static real random_magnitude(uint64_t *s, int lo, int hi) {
    return (real)ldexp(1 + (double)(xorshift(s) >> 11) * 0x1p-53, lo + (int)(xorshift(s) % (uint64_t)(hi - lo)));
}

static void unit_divide_by_scalar(Tally *tally) {
    Case c = {.group = "unit/divide_by_scalar", .worst_at = "-"};
    static const double betas[] = {0.5, 0.9, 0.98, 0.999, 0.9999};
    uint64_t seed = 88172645463325252ull;
    long differ = 0, adam_differ = 0;
    for (size_t k = 0; k < sizeof betas / sizeof betas[0]; k++)
        for (int t = 1; t <= 20000; t += t < 100 ? 1 : 97) {
            real b = (real)sqrt(1 - pow(betas[k], t)), inv_b = 1 / b;
            for (int i = 0; i < 2000; i++) {
                real a = random_magnitude(&seed, -100, 100);
                differ += divide_by_scalar(a, b, inv_b) != a / b;
            }
            OptimizerUpdate u = {.beta1 = (real)0.9, .beta2 = (real)betas[k], .one_minus_beta1 = (real)0.1,
                                 .one_minus_beta2 = (real)(1 - betas[k]), .step_size = (real)1e-3,
                                 .bias_correction2_sqrt = b, .eps = (real)1e-8, .shrink = 1};
            for (int i = 0; i < 200; i++) {
                real g = random_magnitude(&seed, -140, 10), m0 = random_magnitude(&seed, -140, 0);
                real v0 = i % 4 ? random_magnitude(&seed, -149, 0) : 0, w[2] = {1, 1}, m[2] = {m0, m0}, v[2] = {v0, v0};
                u.inv_bias_correction2_sqrt = inv_b;
                adam_element(&u, (OptimizerBuffers){.exp_avg = m, .exp_avg_sq = v}, 0, w, &g);
                u.inv_bias_correction2_sqrt = 0;
                adam_element(&u, (OptimizerBuffers){.exp_avg = m + 1, .exp_avg_sq = v + 1}, 0, w + 1, &g);
                adam_differ += memcmp(&w[0], &w[1], sizeof w[0]) || memcmp(&m[0], &m[1], sizeof m[0]) ||
                               memcmp(&v[0], &v[1], sizeof v[0]);
            }
        }
    char what[96];
    snprintf(what, sizeof what, "%ld quotients differ from a / b", differ);
    check(&c, differ == 0, what);
    snprintf(what, sizeof what, "%ld Adam updates differ from the dividing one", adam_differ);
    check(&c, adam_differ == 0, what);
    finish(&c, tally);
}

/* The clip's sum of squares (ops.h sum_squares, blocks on the CPU threads): the same bits
 * on 1, 2 and 3 threads (enough values that 3 threads each take blocks, and a partial last
 * block), and within 1e-13 of a long double sum. */
static void unit_sum_squares(Tally *tally) {
    Case c = {.group = "unit/sum_squares", .worst_at = "-"};
    enum { N = 12 * 65536 + 777 };
    real *x = xmalloc(sizeof(real) * N, "test values");
    uint64_t seed = 2463534242ull;
    long double want = 0;
    for (long i = 0; i < N; i++) x[i] = random_magnitude(&seed, -20, 4), want += (long double)x[i] * x[i];
    double got[3];
    for (int threads = 1; threads <= 3; threads++) {
        blas_set_threads(threads);
        cpu_model_ops()->sum_squares(N, x, &got[threads - 1]);
    }
    blas_set_threads(1);
    check(&c, !memcmp(&got[0], &got[1], sizeof got[0]) && !memcmp(&got[0], &got[2], sizeof got[0]),
          "2 or 3 threads changed the sum's bits");
    check(&c, fabsl(got[0] - want) <= 1e-13L * want, "the sum is not within 1e-13 of a long double sum");
    free(x);
    finish(&c, tally);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s optim_reference.h5\n", argv[0]);
        return 2;
    }
    printf("test_optim (%s): tolerance %g, floor %g of each vector's largest\n", REAL_NAME,
           TOLERANCE, FLOOR_SHARE);
    H5File f = h5_open(argv[1]);
    Inputs in = read_inputs(&f);
    Tally tally = {0};
    run_group(&f, "optim", &in, &tally);
    run_group(&f, "schedule", NULL, &tally);
    int fixture_cases = tally.passed + tally.failed;
    unit_clip_value(&tally), unit_clip_norm(&tally), unit_warmup(&tally);
    unit_state_names(&tally), unit_round_trip(&tally), unit_divide_by_scalar(&tally);
    unit_sum_squares(&tally);
    printf("%d passed, %d failed\n", tally.passed, tally.failed);
    h5_close(&f);
    free(in.params0), free(in.grads);
    return tally.failed || fixture_cases == 0 ? 1 : 0;
}
