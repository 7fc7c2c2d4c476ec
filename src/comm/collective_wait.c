/* collective_wait.c: polled MPI waits that name the rank that did not arrive
 * (collective_wait.h). Every MPI call goes through CHECK(MPI, ...). */
#include "core/clock.h"
#include "collective_wait.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/check.h"

enum { TAG_QUERY = 0x7ec0, TAG_ANSWER = 0x7ec1 };

static int me, world = 1;
static const char *(*rank_label)(int rank);
static long entered;          /* waits this rank has entered */
static long (*answers_sent)[2]; /* per asking rank: the answer (entered, waiting) in flight */
static void (*explain_more)(char *out, int size);

void collective_wait_set_explain(void (*explain)(char *out, int size)) { explain_more = explain; }

void collective_wait_init(int rank, int size, const char *(*label)(int rank)) {
    me = rank, world = size, rank_label = label;
    answers_sent = xcalloc((size_t)size, sizeof *answers_sent, "watchdog answers");
}

/* Answers every question waiting: how many waits this rank has entered. */
static void answer_questions(int waiting) {
    for (;;) {
        int asked = 0;
        MPI_Status st;
        CHECK(MPI, MPI_Iprobe(MPI_ANY_SOURCE, TAG_QUERY, MPI_COMM_WORLD, &asked, &st));
        if (!asked) return;
        long question;
        CHECK(MPI, MPI_Recv(&question, 1, MPI_LONG, st.MPI_SOURCE, TAG_QUERY, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
        long *answer = answers_sent[st.MPI_SOURCE];
        answer[0] = entered, answer[1] = waiting;
        MPI_Request sent;
        CHECK(MPI, MPI_Isend(answer, 2, MPI_LONG, st.MPI_SOURCE, TAG_ANSWER, MPI_COMM_WORLD, &sent));
        CHECK(MPI, MPI_Request_free(&sent));
    }
}

static void pause_briefly(void) {
    struct timespec t = {0, 1000 * 1000};
    nanosleep(&t, 0);
}

enum { SILENT, BEHIND, ARRIVED }; /* what a rank's answer (or its absence) says */

/* Asks every other rank how far it is: state[r] is SILENT (no answer: stopped, hung in
 * computation, gone), BEHIND (waiting in an earlier collective: held up by another rank
 * too) or ARRIVED (at or past this wait; this rank itself). */
static void ask_everyone(int *state) {
    long *got = xcalloc((size_t)world * 2, sizeof(long), "watchdog answers");
    MPI_Request *req = xmalloc(sizeof(MPI_Request) * (size_t)world * 2, "watchdog requests");
    int *answered = xcalloc((size_t)world, sizeof(int), "watchdog answers");
    static long question; /* sent non-blocking: it must outlive this call */
    question = entered;
    for (int r = 0; r < world; r++) {
        req[2 * r] = req[2 * r + 1] = MPI_REQUEST_NULL;
        if (r == me) continue;
        CHECK(MPI, MPI_Irecv(got + 2 * r, 2, MPI_LONG, r, TAG_ANSWER, MPI_COMM_WORLD, &req[2 * r]));
        CHECK(MPI, MPI_Isend(&question, 1, MPI_LONG, r, TAG_QUERY, MPI_COMM_WORLD, &req[2 * r + 1]));
    }
    int pending = world - 1;
    for (double until = now_s() + COLLECTIVE_ANSWER_S; pending > 0 && now_s() < until; pause_briefly()) {
        answer_questions(1);
        for (int r = 0; r < world; r++) {
            if (r == me || answered[r]) continue;
            CHECK(MPI, MPI_Test(&req[2 * r], &answered[r], MPI_STATUS_IGNORE));
            pending -= answered[r];
        }
    }
    for (int r = 0; r < world; r++)
        state[r] = r == me ? ARRIVED : !answered[r] ? SILENT : got[2 * r] >= question ? ARRIVED : BEHIND;
    free(got), free(answered); /* requests still in flight are left: the job ends now */
    (void)req;
}

/* The labels of the ranks in `state`, "rank 1/4 on a, rank 3/4 on b" (8 at most); count set. */
static void list_ranks(const int *states, int state, char *out, size_t n, int *count) {
    *count = 0, out[0] = 0;
    for (int r = 0; r < world; r++) {
        if (states[r] != state) continue;
        size_t at = strlen(out);
        if ((*count)++ < 8) snprintf(out + at, n - at, "%s%s", at ? ", " : "", rank_label(r));
    }
    if (*count > 8) snprintf(out + strlen(out), n - strlen(out), " and %d more", *count - 8);
}

/* Names the ranks that do not answer (and those held up behind them) and ends the job.
 * One message: the lowest rank that answered writes it; the others follow after a pause
 * (the abort usually ends them first). */
static _Noreturn void name_the_missing(const char *what, double waited, double limit, const char *variable) {
    int *state = xcalloc((size_t)world, sizeof(int), "watchdog arrivals");
    ask_everyone(state);
    int writer = 0, silent, behind;
    while (state[writer] == SILENT) writer++;
    char silent_names[1024], behind_names[1024], held[1200] = "", more[1024] = "";
    list_ranks(state, SILENT, silent_names, sizeof silent_names, &silent);
    list_ranks(state, BEHIND, behind_names, sizeof behind_names, &behind);
    if (me != writer)
        for (double until = now_s() + 5; now_s() < until; pause_briefly()) answer_questions(1);
    if (explain_more) explain_more(more, sizeof more);
    if (behind)
        snprintf(held, sizeof held, "; %s, still in an earlier collective, %s held up too", behind_names,
                 behind > 1 ? "are" : "is");
    if (!silent)
        recur_die(EXIT_RUNTIME, "%s has waited %.0f s (%s = %g s), yet every rank answers%s: MPI makes no "
                  "progress (a network fault?)%s; ending the job", what, waited, variable, limit, held, more);
    recur_die(EXIT_RUNTIME, "%s has waited %.0f s (%s = %g s) for %s: %s not arrived and %s not answer within "
              "%g s (stopped, hung or gone)%s%s; ending the job", what, waited, variable, limit, silent_names,
              silent > 1 ? "they have" : "it has", silent > 1 ? "do" : "does", COLLECTIVE_ANSWER_S, held, more);
}

void collective_wait(MPI_Request *requests, int n, const char *what, double seconds, const char *variable) {
    entered++;
    double start = now_s();
    for (long polls = 0;; polls++) {
        int done = 0;
        CHECK(MPI, MPI_Testall(n, requests, &done, MPI_STATUSES_IGNORE));
        if (done) return;
        if (polls % 64 != 63) continue; /* questions and the clock now and then; MPI progress always */
        answer_questions(1);
        double waited = now_s() - start;
        if (seconds > 0 && waited >= seconds) name_the_missing(what, waited, seconds, variable);
        if (waited > 1e-3) sched_yield(); /* a long wait: let other processes on these cores run */
    }
}
