/* inspect.h: `recur inspect FILE [--split=S] [--examples=N] [--recipe]` — describes a
 * dataset file: schema, splits and counts, class balance, length percentiles,
 * vocabulary, scaler, fingerprint; optionally decodes the first N examples of a split
 * back to text (tokens and class names, tags, targets in real units). Single process;
 * it reads whole splits (it is a tool, not the trainer). */
#ifndef RECUR_INSPECT_H
#define RECUR_INSPECT_H

/* argv[0] is the first argument after `inspect`. Returns the exit status. */
int inspect_main(int argc, char **argv);

#endif
