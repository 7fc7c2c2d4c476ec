/* main.c: the `recur` command line — picks the command and hands over.
 *
 *   recur <command> [--config FILE] [--key=value ...]
 *
 * A short dispatcher: it must not parse settings (src/config does), hold training logic
 * (src/train) or touch MPI itself (src/comm). Settings are parsed and checked before MPI
 * starts, so bad usage exits 2 with one line and nothing else.
 * Exit status: 0 ok, 1 runtime failure, 2 bad usage or bad input. */
#include <stdio.h>
#include <string.h>

#include "comm/comm.h"
#include "config/config.h"
#include "config/prep_config.h"
#include "core/check.h"
#include "data/inspect.h"
#include "core/address_space.h"
#include "io/h5_library.h"
#include "prep/prep.h"
#include "train/eval_main.h"
#include "train/predict_main.h"
#include "train/train.h"
#include "train/train_device.h"

#ifndef RECUR_VERSION
#define RECUR_VERSION "0.1.0"
#endif

#define USAGE "usage: recur <prep|train|eval|predict|inspect|help|version> [--config FILE] [--key=value ...]"

static int cmd_train(int argc, char **argv) {
    RunConfig cfg;
    config_load(&cfg, "train", argc - 2, argv + 2);
    Comm comm;
    comm_init(&comm, &argc, &argv);
    int status = train_run(&cfg, &comm);
    comm_finalize(&comm);
    return status;
}

static int cmd_prep(int argc, char **argv) { return prep_main(argc - 2, argv + 2); }

static int cmd_inspect(int argc, char **argv) { return inspect_main(argc - 2, argv + 2); }

static int cmd_eval(int argc, char **argv) { return eval_main(argc - 2, argv + 2); }

static int cmd_predict(int argc, char **argv) { return predict_main(argc - 2, argv + 2); }

static int cmd_help(int argc, char **argv);

static int cmd_version(int argc, char **argv) {
    if (argc > 2) recur_die(EXIT_USAGE, "version takes no arguments (got '%s')", argv[2]);
    printf("recur %s (CPU path: %s, OpenBLAS, MPI, HDF5)\ndevices: %s\n", RECUR_VERSION, REAL_NAME,
           train_device_summary());
    return 0;
}

static const struct Command {
    const char *name, *alias1, *alias2;
    int (*run)(int argc, char **argv);
    const char *what;
} commands[] = {
    {"prep", 0, 0, cmd_prep, "convert a dataset (CSV, text folders, CoNLL-U, time series) to HDF5"},
    {"train", 0, 0, cmd_train, "train a model; `recur train --help` lists every setting"},
    {"eval", 0, 0, cmd_eval, "a checkpoint's metrics on a split: recur eval --checkpoint=C --data=D"},
    {"predict", 0, 0, cmd_predict, "apply a checkpoint to new texts or CSV windows"},
    {"inspect", 0, 0, cmd_inspect, "describe a dataset file; --examples=N decodes examples"},
    {"help", "--help", "-h", cmd_help, "this text; `recur help train` is `recur train --help`"},
    {"version", "--version", 0, cmd_version, "print the version"},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static const struct Command *find_command(const char *name) {
    for (int i = 0; i < NCOMMANDS; i++) {
        const struct Command *c = &commands[i];
        if (!strcmp(name, c->name) || (c->alias1 && !strcmp(name, c->alias1)) ||
            (c->alias2 && !strcmp(name, c->alias2)))
            return c;
    }
    return 0;
}

static int cmd_help(int argc, char **argv) {
    if (argc > 3) recur_die(EXIT_USAGE, "help takes at most one command (got '%s')", argv[3]);
    if (argc == 3 && !strcmp(argv[2], "train")) {
        config_print_usage("train", stdout);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[2], "prep")) {
        prep_config_print_usage(stdout);
        return 0;
    }
    if (argc == 3) recur_die(EXIT_USAGE, "help: unknown command '%s'; " USAGE, argv[2]);
    printf("recur %s: data-parallel training of recurrent networks\n\n%s\n\ncommands:\n",
           RECUR_VERSION, USAGE);
    for (int i = 0; i < NCOMMANDS; i++) printf("  %-9s %s\n", commands[i].name, commands[i].what);
    printf("\nexit status: 0 ok, 1 runtime failure, 2 bad usage or bad input.\n"
           "Settings and the config file format: docs/CONFIG.md.\n");
    return 0;
}

int main(int argc, char **argv) {
    check_address_space();
    if (argc < 2) recur_die(EXIT_USAGE, "missing command; " USAGE);
    const struct Command *c = find_command(argv[1]);
    if (!c) recur_die(EXIT_USAGE, "unknown command '%.80s'; " USAGE, argv[1]);
    h5_library_start();
    int status = c->run(argc, argv);
    h5_library_stop();
    if (fflush(stdout) || ferror(stdout)) {
        perror("recur: cannot write to standard output");
        return EXIT_RUNTIME;
    }
    return status;
}
