/* address_space.h: refusing to start under an address-space limit (`ulimit -v`) that leaves
 * too little room. recur's libraries map a lot they never touch (a CUDA build's cuBLAS,
 * cuBLASLt and NCCL about 1 GB), so a limit that looks generous can leave OpenBLAS unable
 * to map its buffers, and its worker threads then spin (and exit() would wait on them
 * forever). Checked first thing in main: one line naming the limit and what is mapped. */
#ifndef RECUR_ADDRESS_SPACE_H
#define RECUR_ADDRESS_SPACE_H

/* Room recur wants beyond what is mapped at start: OpenBLAS's buffers and working memory. */
#define ADDRESS_SPACE_HEADROOM_MB 512L

/* Ends the process (exit 1) when RLIMIT_AS is below what is mapped now plus the headroom. */
void check_address_space(void);

#endif
