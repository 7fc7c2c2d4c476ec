/* config.h: a run's settings — every key, its default, its check — from a config file and
 * --key=value arguments.
 *
 * File format: one `key = value` per line; `#` starts a comment; blank lines ignored.
 * Later sources win: defaults < --config FILE < --key=value on the command line.
 * Every error (unknown key, bad value, out of range, unreadable file) is one line naming
 * the file:line or argument and the key, and exit status 2 (EXIT_USAGE).
 * This module only parses and validates; it does not build models or read data. */
#ifndef RECUR_CONFIG_H
#define RECUR_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "core/forecast_kinds.h"
#include "core/optimizer_type.h"
#include "model/model_config.h"

typedef enum { SCHED_CONSTANT, SCHED_STEP, SCHED_EXPONENTIAL, SCHED_COSINE } ScheduleType;
typedef enum { NONFINITE_STOP, NONFINITE_SKIP } NonfinitePolicy;
typedef enum { PROGRESS_AUTO, PROGRESS_BAR, PROGRESS_LINES } ProgressStyle;
typedef enum { DEVICE_CPU, DEVICE_GPU } DeviceKind;
/* device = gpu: how a recurrent direction's time loop runs (kernels/recurrence_kernels.cu). */
typedef enum { GPU_RECURRENCE_PERSISTENT, GPU_RECURRENCE_STEPS } GpuRecurrence;

typedef struct TrainConfig {
    char data[512];       /* a recur dataset file, or "synthetic" (generated, datasets/README.md) */
    char run_dir[512];    /* where metrics.jsonl goes */
    int batch_size;       /* samples per step */
    long steps;           /* optimizer steps (when epochs = 0) */
    long epochs;          /* passes over the training split; 0 = run `steps` steps */
    OptimizerType optimizer;
    double lr;
    double momentum;      /* SGD and RMSprop momentum, 0 = none */
    int nesterov;         /* SGD: Nesterov momentum */
    double beta1, beta2;  /* Adam, AdamW */
    double eps;           /* 0 = the optimizer's PyTorch default */
    double alpha;         /* RMSprop smoothing constant */
    int centered;         /* RMSprop: divide by the centred second moment */
    double rho;           /* Adadelta */
    double lr_decay;      /* Adagrad */
    double initial_accumulator; /* Adagrad */
    double weight_decay;  /* L2 added to the gradient; AdamW: decoupled decay */
    double clip_norm;     /* clip the global gradient norm to this; 0 = off */
    double clip_value;    /* clip every gradient element to [-v, v]; 0 = off */
    ScheduleType schedule;
    long step_size;       /* schedule step: epochs between decays */
    double gamma;         /* schedule step/exponential: the decay factor */
    double min_lr;        /* schedule cosine: the rate at the end */
    long warmup_steps;    /* linear warm-up from 0 over this many steps, before the schedule */
    long log_every;       /* print and log the training loss every this many steps */
    long eval_every;      /* evaluate on the validation split every this many steps; 0 = end only */
    long checkpoint_every; /* write a checkpoint every this many steps; 0 = at evaluations only */
    int keep_checkpoints; /* newest checkpoints kept (plus the best) */
    char best_metric[32]; /* valid metric that picks best.h5, e.g. accuracy, loss, mae */
    int resume;           /* 1: continue from the newest checkpoint in run_dir */
    int pretrained_embedding; /* 1: start the embedding from the dataset's /embedding */
    int freeze_embedding; /* 1: never update the embedding */
    char unk_replace[32]; /* alpha of rare-token replacement by <unk>: auto, 0 (off), > 0 (unk_replace.h) */
    int allreduce_overlap; /* 1: all-reduce each layer's gradients as backward finishes it */
    NonfinitePolicy nonfinite;
    ProgressStyle progress;
    uint64_t seed;        /* initial weights, data order, dropout */
    int threads;          /* CPU threads (OpenBLAS's count holds it); 0 = OpenBLAS's own default */
    DeviceKind device;    /* cpu or gpu */
    int gpu;              /* device = gpu: CUDA device number; -1 = the local rank */
    int tf32;             /* device = gpu: TF32 tensor-core GEMMs */
    GpuRecurrence gpu_recurrence; /* device = gpu: persistent kernels or the step loop */
    int gpu_graph;        /* device = gpu: the step as one CUDA graph per batch shape */
    /* series regression (data/window_transform.h, train/forecast_metrics.h) */
    TargetKind target;    /* what the outputs are: level, delta (change from the last value), auto */
    WindowNorm window_norm; /* per-window input normalisation */
    int season;           /* seasonal-naive baseline period in steps; 0 = none */
    /* generated corpus (data = synthetic) */
    int synthetic_train_size, synthetic_valid_size, synthetic_max_len;
} TrainConfig;

typedef struct RunConfig {
    ModelConfig model; /* vocab_size / output_size 0 = taken from the dataset */
    TrainConfig train;
} RunConfig;

extern const char *const optimizer_names[];
extern const char *const schedule_names[];
extern const char *const nonfinite_names[];
extern const char *const progress_names[];
extern const char *const device_names[];
extern const char *const gpu_recurrence_names[];
extern const char *const target_kind_names[];
extern const char *const window_norm_names[];

/* Defaults, then --config FILE, then --key=value from argv[0..argc). Exits 2 on error;
 * `--help` / `-h` prints config_print_usage and exits 0; `--print-config` prints the
 * resolved configuration (config_write) on stdout and exits 0. A key given twice on the
 * command line or in one file is an error. */
void config_load(RunConfig *cfg, const char *command, int argc, char **argv);
void config_set_defaults(RunConfig *cfg);
/* Defaults, then the `key = value` lines of text (a config stored in a checkpoint). */
void config_load_text(RunConfig *cfg, const char *text, const char *name);
/* Sets one key from text; returns NULL or an error message naming the key. */
const char *config_set(RunConfig *cfg, const char *key, const char *value);
/* The full configuration as `key = value` lines (loadable again by config_load). */
void config_write(const RunConfig *cfg, FILE *out);
/* The same as a malloc'd string. */
char *config_text(const RunConfig *cfg);
/* Every key, its default and what it means, grouped model / train. */
void config_print_help(FILE *out);
/* `usage: recur <command> ...`, how settings combine, then config_print_help. */
void config_print_usage(const char *command, FILE *out);

#endif
