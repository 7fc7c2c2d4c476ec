/* test_unk_replace.c: training-time replacement of rare tokens by <unk> (src/train/
 * unk_replace.h). On a made-up corpus of 200 five-token examples — id 4 seen once, id 5
 * 600 times, id 6 199 times, <unk> (1) in every example, id 7 never — it checks:
 *   - the probabilities alpha / (alpha + count), 0 for specials and unseen ids;
 *   - the share of draws that replace id 4 over 4000 epochs (0.2 at alpha 0.25) and of id 5;
 *   - <pad> and the specials are never touched, padding positions stay 0;
 *   - the same epoch draws the same replacements, another epoch others;
 *   - two shards of the split (two ranks) replace exactly the tokens the whole split does;
 *   - "auto" is 0.25 for tagging and off for classification; a bad setting is refused
 *     (checked in tests/test_unk_replace.sh through the CLI).
 * Exits 1 on any failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "data/dataset.h"
#include "train/unk_replace.h"

enum { N = 200, LEN = 5, VOCAB = 8, BATCH = 16 };

static int failures;

static void expect(int ok, const char *what) {
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

static void make_corpus(Dataset *d) {
    *d = (Dataset){.task = TASK_CLASSIFY, .input = INPUT_TOKENS, .n = N, .total = N, .vocab_size = VOCAB,
                   .num_classes = 2};
    d->offsets = xmalloc(sizeof(int64_t) * (N + 1), "test");
    d->tokens = xmalloc(sizeof(int32_t) * N * LEN, "test");
    d->labels = xcalloc(N, sizeof(int32_t), "test");
    for (long i = 0; i <= N; i++) d->offsets[i] = i * LEN;
    for (long i = 0; i < N; i++) {
        int32_t *t = d->tokens + i * LEN;
        t[0] = 1, t[1] = t[2] = t[3] = 5, t[4] = i == 0 ? 4 : 6;
    }
}

/* Runs one epoch over d in batches of BATCH (file order) and marks in hit[global example]
 * [position] each token the replacement turned into <unk>; returns how many. */
static long one_epoch(const UnkReplace *u, const Dataset *d, long epoch, unsigned char hit[N][LEN]) {
    BatchBuffer buf = {0};
    long indices[BATCH], total = 0;
    for (long first = 0; first < d->n; first += BATCH) {
        int count = 0;
        for (long i = first; i < d->n && count < BATCH; i++) indices[count++] = i;
        const Batch *bt = batch_fill(&buf, d, indices, count);
        int32_t before[BATCH * LEN];
        memcpy(before, buf.tokens, sizeof(int32_t) * (size_t)bt->T * (size_t)bt->B);
        total += unk_replace_apply(u, &buf, d, epoch);
        for (int b = 0; b < bt->B; b++)
            for (int t = 0; t < bt->T; t++) {
                long at = (long)t * bt->B + b;
                int changed = buf.tokens[at] != before[at];
                if (changed && (buf.tokens[at] != 1 || before[at] < 4)) expect(0, "only a word becomes <unk>");
                hit[d->first + buf.order[b]][t] = (unsigned char)changed;
            }
    }
    batch_buffer_free(&buf);
    return total;
}

static void test_probabilities(const UnkReplace *u) {
    expect(fabs(u->probability[4] - 0.25 / 1.25) < 1e-15, "id seen once: 0.25 / (0.25 + 1) = 0.2");
    expect(fabs(u->probability[5] - 0.25 / 600.25) < 1e-15, "id seen 600 times: 0.25 / 600.25");
    expect(fabs(u->probability[6] - 0.25 / 199.25) < 1e-15, "id seen 199 times: 0.25 / 199.25");
    expect(u->probability[0] == 0 && u->probability[1] == 0 && u->probability[2] == 0 && u->probability[3] == 0,
           "the specials are never replaced");
    expect(u->probability[7] == 0, "an id not in train is never replaced");
}

static void test_shares(const UnkReplace *u, const Dataset *d) {
    static unsigned char hit[N][LEN];
    long rare = 0, frequent = 0, epochs = 4000;
    for (long e = 0; e < epochs; e++) {
        one_epoch(u, d, e, hit);
        rare += hit[0][4];
        for (long i = 0; i < N && e < 100; i++) frequent += hit[i][1] + hit[i][2] + hit[i][3];
    }
    double share = (double)rare / (double)epochs;
    printf("  id 4 replaced in %ld of %ld epochs (%.4f); id 5 in %ld of %d draws (expected %.1f)\n", rare, epochs,
           share, frequent, 100 * N * 3, 100 * N * 3 * 0.25 / 600.25);
    expect(fabs(share - 0.2) < 0.03, "a token seen once becomes <unk> in 20% of the epochs (+- 0.03)");
    expect(frequent >= 10 && frequent <= 45, "a token seen 600 times: about 25 of 60000 draws (10..45)");
}

static void test_determinism(const UnkReplace *u, const Dataset *d) {
    static unsigned char a[N][LEN], b[N][LEN], c[N][LEN];
    long na = one_epoch(u, d, 7, a), nb = one_epoch(u, d, 7, b), nc = one_epoch(u, d, 8, c);
    expect(na == nb && !memcmp(a, b, sizeof a), "the same epoch draws the same replacements");
    expect(memcmp(a, c, sizeof a) != 0 || na != nc, "another epoch draws other replacements");
}

/* Two ranks: each keeps its shard (counts summed over both, as the all-reduce does). */
static void test_shards(const UnkReplace *whole_u, const Dataset *whole) {
    static unsigned char want[N][LEN], got[N][LEN];
    long n_want = 0, n_got = 0;
    for (long e = 0; e < 20; e++) n_want += one_epoch(whole_u, whole, e, want);
    for (int rank = 0; rank < 2; rank++) {
        Dataset d;
        make_corpus(&d);
        dataset_keep_shard(&d, rank, 2);
        UnkReplace u = *whole_u; /* the summed counts: the probabilities of the whole split */
        for (long e = 0; e < 20; e++) n_got += one_epoch(&u, &d, e, got);
        dataset_free(&d);
    }
    expect(n_want == n_got && !memcmp(want, got, sizeof want),
           "two shards replace exactly the tokens the whole split does (20 epochs; the last compared token by token)");
}

int main(void) {
    Dataset d;
    make_corpus(&d);
    expect(unk_replace_alpha("auto", TASK_TAG) == 0.25, "auto: 0.25 for tagging");
    expect(unk_replace_alpha("auto", TASK_CLASSIFY) == 0, "auto: off for classification");
    expect(unk_replace_alpha("0.5", TASK_CLASSIFY) == 0.5 && unk_replace_alpha("0", TASK_TAG) == 0,
           "a number is alpha, 0 is off");
    UnkReplace off;
    unk_replace_init(&off, 0, 1, &d, NULL);
    static unsigned char hit[N][LEN];
    expect(one_epoch(&off, &d, 0, hit) == 0, "alpha 0: nothing replaced");
    UnkReplace u;
    unk_replace_init(&u, 0.25, 1, &d, NULL);
    test_probabilities(&u);
    test_shares(&u, &d);
    test_determinism(&u, &d);
    test_shards(&u, &d);
    unk_replace_free(&u), unk_replace_free(&off), dataset_free(&d);
    printf(failures ? "test_unk_replace: %d failure(s)\n" : "test_unk_replace: all passed\n", failures);
    return failures ? 1 : 0;
}
