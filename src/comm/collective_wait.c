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

/* Asks every other rank how far it is; arrived[r] = 1 for those at or past this wait. */
static void ask_everyone(int *arrived) {
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
    for (int r = 0; r < world; r++) arrived[r] = r == me || (answered[r] && got[2 * r] >= question);
    free(got), free(answered); /* requests still in flight are left: the job ends now */
    (void)req;
}

/* Names the ranks that did not arrive and ends the job. */
static _Noreturn void name_the_missing(const char *what, double waited, double limit, const char *variable) {
    int *arrived = xcalloc((size_t)world, sizeof(int), "watchdog arrivals");
    ask_everyone(arrived);
    int first_arrived = 0, missing = 0;
    while (!arrived[first_arrived]) first_arrived++;
    char names[1024] = "";
    for (int r = 0; r < world; r++) {
        if (arrived[r]) continue;
        size_t at = strlen(names);
        if (missing++ < 8) snprintf(names + at, sizeof names - at, "%s%s", at ? ", " : "", rank_label(r));
    }
    if (missing > 8) snprintf(names + strlen(names), sizeof names - strlen(names), " and %d more", missing - 8);
    if (me != first_arrived) /* one message: the lowest rank that arrived writes it */
        for (double until = now_s() + 5; now_s() < until; pause_briefly()) answer_questions(1);
    char more[1024] = "";
    if (explain_more) explain_more(more, sizeof more);
    if (!missing)
        recur_die(EXIT_RUNTIME, "%s has waited %.0f s (%s = %g s), yet every rank answers that it is in it: MPI "
                  "makes no progress (a network fault?); ending the job", what, waited, variable, limit);
    recur_die(EXIT_RUNTIME, "%s has waited %.0f s (%s = %g s) for %s: %s not arrived (no answer within %g s: "
              "stopped, hung or gone; or still in an earlier step)%s; ending the job", what, waited, variable, limit,
              names, missing > 1 ? "they have" : "it has", COLLECTIVE_ANSWER_S, more);
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
