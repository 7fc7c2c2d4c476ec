/* test_config.c: unit test of src/config — config_set accepts and rejects values as
 * documented (leaving the field untouched on error), and config_write output loads back
 * through config_load into a byte-identical RunConfig.
 * It must not exercise failure paths of config_load (they exit; test_config_errors.sh
 * covers them against the real binary). Exits 1 if any check fails. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

static int failures, checks;

static void expect(int ok, const char *what) {
    checks++;
    if (!ok) failures++, printf("FAIL  %s\n", what);
}

/* key=value must be rejected with a message naming the key and not change the config. */
static void rejects(const char *key, const char *value) {
    RunConfig a, b;
    config_set_defaults(&a);
    b = a;
    const char *err = config_set(&a, key, value);
    char what[256];
    snprintf(what, sizeof what, "%s=%s is rejected naming the key (got: %s)", key, value,
             err ? err : "accepted");
    expect(err && strstr(err, key) && !memcmp(&a, &b, sizeof a), what);
}

static void accepts(const char *key, const char *value) {
    RunConfig c;
    config_set_defaults(&c);
    const char *err = config_set(&c, key, value);
    char what[256];
    snprintf(what, sizeof what, "%s=%s is accepted (got: %s)", key, value, err ? err : "ok");
    expect(!err, what);
}

static void check_values(void) {
    rejects("hidden_size", "0");
    rejects("hidden_size", "12abc");
    rejects("hidden_size", " 12");
    rejects("hidden_size", "2147483648");
    rejects("hidden_size", "");
    rejects("steps", "1e5");
    rejects("seed", "-1");
    rejects("seed", "18446744073709551616");
    rejects("dropout", "1");
    rejects("dropout", "0.99999999"); /* rounds to 1.0f in float32 */
    rejects("dropout", "-0.1");
    rejects("dropout", "nan");
    rejects("huber_delta", "1e39"); /* not finite as float32 */
    rejects("lr", "inf");
    rejects("lr", "1e999");
    rejects("lr", "-0.1");
    rejects("momentum", "1");
    rejects("cell", "LSTM");
    rejects("optimizer", "adamm");
    accepts("optimizer", "adamw");
    rejects("bidirectional", "true");
    rejects("synthetic_max_len", "1");
    rejects("data", "a#b");
    rejects("run_dir", "x\ny");
    rejects("nonexistent_key", "1");
    accepts("hidden_size", "+5");
    accepts("ignore_index", "-2147483648");
    accepts("seed", "18446744073709551615");
    accepts("lr", "1e-3");
    accepts("clip_norm", "0");
    accepts("eval_every", "0");
    accepts("data", "path with spaces/x.h5");
    for (int i = 0; cell_type_names[i]; i++) accepts("cell", cell_type_names[i]);
    for (int i = 0; pooling_names[i]; i++) accepts("pooling", pooling_names[i]);
    for (int i = 0; loss_type_names[i]; i++) accepts("loss", loss_type_names[i]);
}

static void check_defaults(void) {
    RunConfig c;
    config_set_defaults(&c);
    expect(c.model.cell == CELL_LSTM && c.model.hidden_size == 64 && c.model.input_size == 32 &&
               c.model.pooling == POOL_LAST && c.model.loss == LOSS_CROSS_ENTROPY &&
               c.model.ignore_index == -100 && c.model.huber_delta == 1,
           "model defaults");
    expect(!strcmp(c.train.data, "synthetic") && !strcmp(c.train.run_dir, "runs/demo") &&
               c.train.batch_size == 32 && c.train.steps == 300 && c.train.lr == 0.1 &&
               c.train.momentum == 0 && c.train.clip_norm == 5 && c.train.seed == 1 &&
               c.train.synthetic_max_len == 24,
           "train defaults");
}

/* Writes `c` to a file and loads it back with config_load; returns the loaded struct. */
static RunConfig reload(const RunConfig *c, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) perror(path), exit(1);
    config_write(c, f);
    fclose(f);
    RunConfig back;
    char flag[] = "--config", *argv[] = {flag, (char *)path, 0};
    config_load(&back, "train", 2, argv);
    return back;
}

static void check_round_trip(const char *path) {
    static const char *const settings[][2] = {
        {"cell", "gru_textbook"}, {"vocab_size", "1000"}, {"hidden_size", "1048576"},
        {"bidirectional", "1"}, {"dropout", "0.3"}, {"pooling", "max"},
        {"head_dropout", "0.1234567"}, {"loss", "huber"}, {"ignore_index", "-2147483648"},
        {"huber_delta", "3.4e38"}, {"data", "my data/train set.h5"},
        {"steps", "9223372036854775807"},
        {"lr", "0.1"}, {"momentum", "0.33333333333333331"}, {"weight_decay", "1e-300"},
        {"clip_norm", "2.2250738585072014e-308"}, {"seed", "18446744073709551615"},
        {"threads", "3"}};
    RunConfig c, back;
    config_set_defaults(&c);
    back = reload(&c, path);
    expect(!memcmp(&c, &back, sizeof c), "defaults: written config loads back identical");
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        const char *err = config_set(&c, settings[i][0], settings[i][1]);
        expect(!err, err ? err : "round-trip setting accepted");
    }
    back = reload(&c, path);
    expect(!memcmp(&c, &back, sizeof c), "changed config: written config loads back identical");
    expect(back.train.seed == UINT64_MAX && back.model.dropout == (real)0.3 &&
               back.train.momentum == 0.33333333333333331,
           "changed config: values as set");
}

int main(void) {
    char path[] = "/tmp/recur_test_config_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return perror("mkstemp"), 1;
    close(fd);
    check_defaults();
    check_values();
    check_round_trip(path);
    remove(path);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
