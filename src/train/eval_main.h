/* eval_main.h: `recur eval --checkpoint=C --data=D [--split=S] [--batch_size=N]
 * [--output=FILE]` — a trained model's loss and metrics on one split of a dataset: the
 * human line on stdout, the metrics.jsonl-style JSON line appended to FILE (default: on
 * stdout after it). The data must be the data the checkpoint was trained on (same
 * fingerprint); one process. */
#ifndef RECUR_EVAL_MAIN_H
#define RECUR_EVAL_MAIN_H

/* argv[0] is the first argument after `eval`. Returns the exit status. */
int eval_main(int argc, char **argv);

#endif
