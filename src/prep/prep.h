/* prep.h: `recur prep FORMAT [--config FILE] [--key=value ...]` — converts a dataset in
 * a common format into one recur dataset file. Single process; no MPI. */
#ifndef RECUR_PREP_H
#define RECUR_PREP_H

/* argv[0] is the first argument after `prep`. Returns the exit status. */
int prep_main(int argc, char **argv);

#endif
