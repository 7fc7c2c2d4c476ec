/* runtime_args.h: the command-line keys that say how a command runs rather than what it
 * computes, accepted by every command that reads a checkpoint (`recur eval`, `recur
 * predict`) as `recur train` accepts them, so one command line's habits work for all:
 *   --threads=N   OpenBLAS threads, 0 to 4096 (0 = OpenBLAS's default), as train's key.
 * Keys that would change what the command computes stay the checkpoint's. */
#ifndef RECUR_RUNTIME_ARGS_H
#define RECUR_RUNTIME_ARGS_H

/* 1 when `arg` is one of these keys (applied at once; a bad value ends with exit 2
 * naming it), 0 for any other argument. */
int runtime_arg(const char *arg);

/* For usage lines. */
#define RUNTIME_ARGS_USAGE "[--threads=N]"

#endif
