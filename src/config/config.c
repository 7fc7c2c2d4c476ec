/* config.c: the settings of `recur train` as one table (name, type, place in RunConfig,
 * default, allowed range, help) for the generic parser of key_table.h.
 *
 * It must not build models, read datasets or start MPI: it only turns text into a
 * checked RunConfig. Every error is one line on stderr and exit status 2. */
#include "config.h"

#include <math.h>
#include <stddef.h>

#include "key_table.h"

const char *const optimizer_names[] = {"sgd", "adam", "adamw", "rmsprop", "adadelta", "adagrad", 0};
const char *const schedule_names[] = {"constant", "step", "exponential", "cosine", 0};
const char *const nonfinite_names[] = {"stop", "skip", 0};
const char *const progress_names[] = {"auto", "bar", "lines", 0};
const char *const device_names[] = {"cpu", "gpu", 0};
const char *const gpu_recurrence_names[] = {"persistent", "steps", 0};
const char *const target_kind_names[] = {"auto", "level", "delta", 0};
const char *const window_norm_names[] = {"none", "last", "standard", 0};

/* Enum fields are read and written as int. */
_Static_assert(sizeof(CellType) == sizeof(int), "CellType is not int-sized");
_Static_assert(sizeof(Pooling) == sizeof(int), "Pooling is not int-sized");
_Static_assert(sizeof(LossType) == sizeof(int), "LossType is not int-sized");
_Static_assert(sizeof(OptimizerType) == sizeof(int), "OptimizerType is not int-sized");
_Static_assert(sizeof(ScheduleType) == sizeof(int), "ScheduleType is not int-sized");
_Static_assert(sizeof(NonfinitePolicy) == sizeof(int), "NonfinitePolicy is not int-sized");
_Static_assert(sizeof(ProgressStyle) == sizeof(int), "ProgressStyle is not int-sized");
_Static_assert(sizeof(DeviceKind) == sizeof(int), "DeviceKind is not int-sized");
_Static_assert(sizeof(GpuRecurrence) == sizeof(int), "GpuRecurrence is not int-sized");
_Static_assert(sizeof(TargetKind) == sizeof(int), "TargetKind is not int-sized");
_Static_assert(sizeof(WindowNorm) == sizeof(int), "WindowNorm is not int-sized");

enum { GROUP_model, GROUP_train };
static const char *const group_names[] = {"model", "train"};

#define ROW(grp, key, T, CT, names, def, range, help) \
    KEY_ROW(RunConfig, #key, grp.key, T, CT, names, def, range, help, GROUP_##grp)

static const Key keys[] = {
    ROW(model, cell, T_ENUM, CellType, cell_type_names, "lstm", ANY,
        "recurrent cell (PyTorch gate order; gru_textbook: reset gate before the matmul)"),
    ROW(model, vocab_size, T_INT, int, 0, "0", CLOSED(0, MODEL_MAX_VOCAB),
        "token vocabulary size; 0 = from the dataset"),
    ROW(model, input_size, T_INT, int, 0, "32", CLOSED(1, MODEL_MAX_WIDTH),
        "embedding width (token input) or features per step (numeric input)"),
    ROW(model, hidden_size, T_INT, int, 0, "64", CLOSED(1, MODEL_MAX_WIDTH), "hidden units per direction"),
    ROW(model, num_layers, T_INT, int, 0, "1", CLOSED(1, MODEL_MAX_LAYERS), "stacked recurrent layers"),
    ROW(model, bidirectional, T_BOOL, int, 0, "0", ANY,
        "1 = also run each layer backwards in time and concatenate both directions"),
    ROW(model, dropout, T_REAL, real, 0, "0", UNIT,
        "dropout between recurrent layers (not after the last)"),
    ROW(model, pooling, T_ENUM, Pooling, pooling_names, "last", ANY,
        "sequence to vector: last state, mean or max over the steps; none = per-step output"),
    ROW(model, head_hidden, T_INT, int, 0, "0", CLOSED(0, MODEL_MAX_WIDTH),
        "width of a hidden head layer (Linear + tanh) before the output; 0 = none"),
    ROW(model, head_dropout, T_REAL, real, 0, "0", UNIT, "dropout after the hidden head layer"),
    ROW(model, output_size, T_INT, int, 0, "0", CLOSED(0, MODEL_MAX_OUTPUTS),
        "classes (cross_entropy) or outputs (mse, l1, huber); 0 = from the dataset"),
    ROW(model, loss, T_ENUM, LossType, loss_type_names, "cross_entropy", ANY,
        "training loss: cross_entropy (classification, tagging); mse, l1, huber (regression); bce is "
        "refused by every dataset kind"),
    ROW(model, ignore_index, T_INT, int, 0, "-100", ANY,
        "cross_entropy: labels equal to this are not counted"),
    ROW(model, huber_delta, T_REAL, real, 0, "1", ABOVE(0), "threshold of the huber loss"),

    ROW(train, data, T_STRING, char *, 0, "synthetic", ANY,
        "dataset: a recur dataset file (.h5, made by recur prep), or synthetic (generated)"),
    ROW(train, run_dir, T_STRING, char *, 0, "runs/demo", ANY,
        "directory for metrics.jsonl and checkpoints"),
    ROW(train, batch_size, T_INT, int, 0, "32", CLOSED(1, 1 << 20), "samples per optimizer step"),
    ROW(train, steps, T_LONG, long, 0, "300", AT_LEAST(1), "optimizer steps (when epochs = 0)"),
    ROW(train, epochs, T_LONG, long, 0, "0", AT_LEAST(0),
        "passes over the training split; 0 = run `steps` optimizer steps"),
    ROW(train, optimizer, T_ENUM, OptimizerType, optimizer_names, "sgd", ANY,
        "optimizer (each as torch.optim defines it)"),
    ROW(train, lr, T_DOUBLE, double, 0, "0.1", ABOVE(0), "learning rate (peak, with a schedule)"),
    ROW(train, momentum, T_DOUBLE, double, 0, "0", UNIT, "sgd and rmsprop momentum; 0 = none"),
    ROW(train, nesterov, T_BOOL, int, 0, "0", ANY, "sgd: Nesterov momentum (needs momentum > 0)"),
    ROW(train, beta1, T_DOUBLE, double, 0, "0.9", UNIT, "adam, adamw: first-moment decay"),
    ROW(train, beta2, T_DOUBLE, double, 0, "0.999", UNIT, "adam, adamw: second-moment decay"),
    ROW(train, eps, T_DOUBLE, double, 0, "0", AT_LEAST(0),
        "denominator term; 0 = PyTorch's default (adam, adamw, rmsprop 1e-8; adadelta 1e-6; "
        "adagrad 1e-10)"),
    ROW(train, alpha, T_DOUBLE, double, 0, "0.99", UNIT, "rmsprop: smoothing constant"),
    ROW(train, centered, T_BOOL, int, 0, "0", ANY, "rmsprop: centred (divide by the variance)"),
    ROW(train, rho, T_DOUBLE, double, 0, "0.9", UNIT, "adadelta: decay of the running averages"),
    ROW(train, lr_decay, T_DOUBLE, double, 0, "0", AT_LEAST(0), "adagrad: learning-rate decay"),
    ROW(train, initial_accumulator, T_DOUBLE, double, 0, "0", AT_LEAST(0),
        "adagrad: initial value of the squared-gradient sums"),
    ROW(train, weight_decay, T_DOUBLE, double, 0, "0", AT_LEAST(0),
        "weight decay: added to the gradient (L2), adamw: decoupled (w -= lr * wd * w)"),
    ROW(train, clip_norm, T_DOUBLE, double, 0, "5", AT_LEAST(0),
        "clip the global gradient norm to this; 0 = off"),
    ROW(train, clip_value, T_DOUBLE, double, 0, "0", AT_LEAST(0),
        "clip each gradient element to [-clip_value, clip_value]; 0 = off"),
    ROW(train, schedule, T_ENUM, ScheduleType, schedule_names, "constant", ANY,
        "learning-rate schedule: step and exponential decay per epoch, cosine per step"),
    ROW(train, step_size, T_LONG, long, 0, "1", AT_LEAST(1), "schedule step: epochs between decays"),
    ROW(train, gamma, T_DOUBLE, double, 0, "0.1", ABOVE(0),
        "schedule step, exponential: multiply the rate by this (0.9 per epoch: the AG News recipe)"),
    ROW(train, min_lr, T_DOUBLE, double, 0, "0", AT_LEAST(0), "schedule cosine: the final rate"),
    ROW(train, warmup_steps, T_LONG, long, 0, "0", AT_LEAST(0),
        "linear warm-up from 0 to lr over this many steps, then the schedule"),
    ROW(train, log_every, T_LONG, long, 0, "50", AT_LEAST(1),
        "log the training loss every this many steps"),
    ROW(train, eval_every, T_LONG, long, 0, "100", AT_LEAST(0),
        "evaluate on the validation split every this many steps; 0 = at the end only"),
    ROW(train, checkpoint_every, T_LONG, long, 0, "0", AT_LEAST(0),
        "write a checkpoint every this many steps; 0 = at each evaluation"),
    ROW(train, keep_checkpoints, T_INT, int, 0, "3", CLOSED(1, 1 << 20),
        "newest checkpoints kept in run_dir/checkpoints (best.h5 is kept too)"),
    ROW(train, best_metric, T_STRING, char *, 0, "auto", ANY,
        "validation metric that picks best.h5: loss, accuracy, macro_f1, mae, rmse; auto = "
        "accuracy (classification, tagging) or loss (regression)"),
    ROW(train, resume, T_BOOL, int, 0, "0", ANY,
        "1: continue from the newest whole checkpoint in run_dir/checkpoints"),
    ROW(train, pretrained_embedding, T_BOOL, int, 0, "1", ANY,
        "start the embedding from the dataset's pretrained vectors (recur prep --glove) when it "
        "has them; input_size becomes their width"),
    ROW(train, freeze_embedding, T_BOOL, int, 0, "0", ANY, "1: keep the embedding as it starts"),
    ROW(train, unk_replace, T_STRING, char *, 0, "auto", ANY,
        "replace a training token seen n times by <unk> with probability alpha / (alpha + n), "
        "drawn anew each epoch (trains the <unk> embedding): alpha; 0 = off; auto = 0.25 for "
        "tagging, off otherwise"),
    ROW(train, allreduce_overlap, T_BOOL, int, 0, "1", ANY,
        "ranks > 1: start each layer's gradient all-reduce as soon as backward finishes it "
        "(0: one all-reduce after backward, for comparison)"),
    ROW(train, nonfinite, T_ENUM, NonfinitePolicy, nonfinite_names, "stop", ANY,
        "a NaN/Inf loss or gradient: stop (naming the step and parameter; checkpoints kept) "
        "or skip the step and count it"),
    ROW(train, progress, T_ENUM, ProgressStyle, progress_names, "auto", ANY,
        "rank 0's output: a live bar on a terminal, plain lines otherwise (auto), or force one"),
    ROW(train, seed, T_U64, uint64_t, 0, "1", ANY,
        "random seed: initial weights, data order, dropout"),
    ROW(train, threads, T_INT, int, 0, "0", CLOSED(0, 4096),
        "CPU threads (time loops, products, optimizer; OpenBLAS runs on one of them at a "
        "time); 0 = OpenBLAS's own default"),
    ROW(train, device, T_ENUM, DeviceKind, device_names, "cpu", ANY,
        "where the model trains: cpu (OpenBLAS) or gpu (CUDA, one GPU per rank; needs the GPU "
        "build)"),
    ROW(train, gpu, T_INT, int, 0, "-1", AT_LEAST(-1),
        "device = gpu: the CUDA device number; -1 = this rank's local rank on its node"),
    ROW(train, tf32, T_BOOL, int, 0, "0", ANY,
        "device = gpu: 1 lets cuBLAS use TF32 tensor cores for the float32 matrix products "
        "(faster, about 3 fewer significant digits); 0 = full float32"),
    ROW(train, gpu_recurrence, T_ENUM, GpuRecurrence, gpu_recurrence_names, "persistent", ANY,
        "device = gpu: persistent = each direction's time loop is one kernel holding W_hh on chip "
        "(where it fits; else the step loop, said at start); steps = a small GEMM and kernels per "
        "time step"),
    ROW(train, gpu_graph, T_BOOL, int, 0, "1", ANY,
        "device = gpu: 1 captures the training step once per batch shape (T, B) as a CUDA graph "
        "and replays it (8 shapes kept); 0 = every operation launched one by one"),
    ROW(train, target, T_ENUM, TargetKind, target_kind_names, "auto", ANY,
        "series regression: level (the values) or delta (the change of each target from the "
        "window's last value); auto = delta when the dataset has a change scaler (recur prep "
        "series writes one), else level"),
    ROW(train, window_norm, T_ENUM, WindowNorm, window_norm_names, "none", ANY,
        "series: normalise each window's inputs by its last value (last) or its own mean and "
        "std (standard); outputs are mapped back; none = as stored"),
    ROW(train, season, T_INT, int, 0, "0", CLOSED(0, 1 << 20),
        "series regression: the seasonal-naive baseline repeats the value this many steps "
        "earlier (24 for hourly data); 0 = no seasonal baseline; at most input_steps"),
    ROW(train, synthetic_train_size, T_INT, int, 0, "2000", CLOSED(1, 1 << 24),
        "data = synthetic: training sequences"),
    ROW(train, synthetic_valid_size, T_INT, int, 0, "500", CLOSED(1, 1 << 24),
        "data = synthetic: validation sequences"),
    ROW(train, synthetic_max_len, T_INT, int, 0, "24", CLOSED(9, 1 << 16),
        "data = synthetic: longest sequence, in tokens"),
};
static const KeyTable table = {"train", keys, sizeof keys / sizeof keys[0], group_names, 2,
                                sizeof(RunConfig)};

void config_set_defaults(RunConfig *cfg) { key_table_defaults(&table, cfg); }

const char *config_set(RunConfig *cfg, const char *key, const char *value) {
    return key_table_set(&table, cfg, key, value);
}

void config_load_text(RunConfig *cfg, const char *text, const char *name) {
    key_table_load_text(&table, cfg, text, name);
}

void config_write(const RunConfig *cfg, FILE *out) { key_table_write(&table, cfg, out); }

char *config_text(const RunConfig *cfg) { return key_table_text(&table, cfg); }

void config_print_help(FILE *out) { key_table_print_help(&table, out); }

void config_print_usage(const char *command, FILE *out) {
    fprintf(out,
            "usage: recur %s [--config FILE] [--key=value ...] [--print-config]\n\n"
            "Settings start from the defaults below, then FILE (`key = value` lines, # comments),\n"
            "then --key=value arguments; later sources win. --print-config prints the resolved\n"
            "settings as a config file and exits. docs/CONFIG.md describes every key.\n\n",
            command);
    config_print_help(out);
}

static void print_train_usage(FILE *out) { config_print_usage("train", out); }

void config_load(RunConfig *cfg, const char *command, int argc, char **argv) {
    (void)command;
    key_table_load(&table, cfg, print_train_usage, argc, argv);
}
