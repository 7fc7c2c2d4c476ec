/* test_dataset_file.c: the dataset reader refuses broken files with exit 2 and a message
 * naming the file and the HDF5 path at fault. A small valid dataset is written with
 * prepared_write, read back (checked), then copied and damaged one way per case; each
 * damaged copy is opened and read in a child process whose exit status and stderr are
 * checked. Also: the writer leaves no temporary file behind. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/prep_config.h"
#include "core/check.h"
#include "data/dataset_file.h"
#include "io/h5_array.h"
#include "prep/prepared.h"

static int failures;
static char dir[] = "/tmp/recur_dsfile_XXXXXX";

#define EXPECT(cond, ...) do { if (!(cond)) { printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); failures++; } } while (0)

static void write_valid(const char *path, PrepConfig *cfg) {
    prep_config_set_defaults(cfg);
    PreparedDataset d;
    prepared_init(&d, TASK_CLASSIFY, INPUT_TOKENS, cfg);
    const char *words[] = {"<pad>", "<unk>", "<bos>", "<eos>", "good", "bad", "movie"};
    for (int i = 0; i < 7; i++) vocab_add(&d.vocab, words[i], strlen(words[i]));
    vocab_add(&d.classes, "neg", 3), vocab_add(&d.classes, "pos", 3);
    int32_t a[] = {4, 6}, b[] = {5, 6, 6}, c[] = {4};
    for (int k = 0; k < SPLIT_COUNT; k++) {
        prepared_add_tokens(&d.splits[k], a, 2, NULL, 1);
        prepared_add_tokens(&d.splits[k], b, 3, NULL, 0);
        prepared_add_tokens(&d.splits[k], c, 1, NULL, 1);
    }
    prepared_write(&d, path);
    prepared_free(&d);
}

static void check_valid(const char *path) {
    DatasetFile f;
    dataset_file_open(&f, path);
    Dataset d;
    dataset_read_shard(&f, SPLIT_TEST, 1, 2, &d); /* the second half: examples 1..2 */
    EXPECT(d.first == 1 && d.n == 2 && d.total == 3, "shard 1/2 is examples %ld..+%ld of %ld", d.first, d.n, d.total);
    EXPECT(d.offsets[0] == 0 && d.offsets[1] == 3 && d.offsets[2] == 4, "offsets rebased");
    EXPECT(d.tokens[0] == 5 && d.tokens[3] == 4 && d.labels[0] == 0 && d.labels[1] == 1, "shard content");
    EXPECT(f.vocab_size == 7 && f.num_classes == 2 && f.version == DATASET_VERSION, "root attributes");
    dataset_free(&d);
    dataset_file_close(&f);
}

/* Runs open + read of every split in a child; returns its exit status, stderr in err. */
static int read_in_child(const char *path, char *err, size_t size) {
    char errfile[64];
    snprintf(errfile, sizeof errfile, "%s/stderr", dir);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(errfile, "w", stderr)) _exit(99);
        DatasetFile f;
        dataset_file_open(&f, path);
        for (int k = 0; k < SPLIT_COUNT; k++) {
            Dataset d;
            dataset_read_shard(&f, (SplitId)k, 0, 1, &d);
            dataset_free(&d);
        }
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    FILE *e = fopen(errfile, "r");
    size_t n = e ? fread(err, 1, size - 1, e) : 0;
    err[n] = 0;
    if (e) fclose(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void copy_file(const char *from, const char *to) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    if (system(cmd) != 0) recur_die(EXIT_RUNTIME, "cannot copy %s", from);
}

typedef void (*Damage)(hid_t file);

static void replace_int32(hid_t file, const char *path, const int32_t *v, int n) {
    CHECK(H5, H5Ldelete(file, path, H5P_DEFAULT));
    hsize_t dims[1] = {(hsize_t)n};
    hid_t space = CHECK(H5, H5Screate_simple(1, dims, NULL));
    hid_t d = CHECK(H5, H5Dcreate2(file, path, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5, H5Dwrite(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    CHECK(H5, H5Dclose(d)), CHECK(H5, H5Sclose(space));
}

static void set_root_int(hid_t file, const char *name, int64_t v) {
    CHECK(H5, H5Adelete(file, name));
    hid_t space = CHECK(H5, H5Screate(H5S_SCALAR));
    hid_t a = CHECK(H5, H5Acreate2(file, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5, H5Awrite(a, H5T_NATIVE_INT64, &v)), CHECK(H5, H5Aclose(a)), CHECK(H5, H5Sclose(space));
}

static void version_2(hid_t f) { set_root_int(f, "version", 2); }
static void foreign(hid_t f) { CHECK(H5, H5Adelete(f, "format")); }
static void short_labels(hid_t f) { int32_t v[] = {0, 1}; replace_int32(f, "/valid/labels", v, 2); }
static void label_range(hid_t f) { int32_t v[] = {0, 1, 2}; replace_int32(f, "/train/labels", v, 3); }
static void token_range(hid_t f) { int32_t v[] = {4, 6, 5, 6, 7, 4}; replace_int32(f, "/test/tokens", v, 6); }
static void no_split(hid_t f) { CHECK(H5, H5Ldelete(f, "/test", H5P_DEFAULT)); }
static void bad_task(hid_t f) { CHECK(H5, H5Adelete(f, "task")); }

static void damaged_case(const char *valid, const char *name, Damage damage, const char *want) {
    char path[128], err[2048];
    snprintf(path, sizeof path, "%s/%s.h5", dir, name);
    copy_file(valid, path);
    hid_t f = CHECK(H5, H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT));
    damage(f);
    CHECK(H5, H5Fclose(f));
    int rc = read_in_child(path, err, sizeof err);
    EXPECT(rc == 2 && strstr(err, want) && strstr(err, path), "%s: exit %d, stderr '%s' (want '%s')", name, rc, err, want);
    if (rc == 2) printf("ok %-13s %s", name, err);
}

static void file_case(const char *name, const char *path, const char *want) {
    char err[2048];
    int rc = read_in_child(path, err, sizeof err);
    EXPECT(rc == 2 && strstr(err, want), "%s: exit %d, stderr '%s' (want '%s')", name, rc, err, want);
    if (rc == 2) printf("ok %-13s %s", name, err);
}

int main(void) {
    if (!mkdtemp(dir)) recur_die(EXIT_RUNTIME, "mkdtemp failed");
    char valid[128], path[128], cmd[512];
    PrepConfig cfg;
    snprintf(valid, sizeof valid, "%s/valid.h5", dir);
    write_valid(valid, &cfg);
    snprintf(cmd, sizeof cmd, "ls %s | grep -c tmp > /dev/null", dir);
    EXPECT(system(cmd) != 0, "a temporary file was left beside the dataset");
    check_valid(valid);
    damaged_case(valid, "version", version_2, "schema version 2");
    damaged_case(valid, "foreign", foreign, "not a recur dataset");
    damaged_case(valid, "short_labels", short_labels, "/valid/labels has 2 rows, expected 3");
    damaged_case(valid, "label_range", label_range, "/train/labels[2] = 2 is outside [0, 2)");
    damaged_case(valid, "token_range", token_range, "/test/tokens[4] = 7 is outside [0, 7)");
    damaged_case(valid, "no_split", no_split, "group /test is missing");
    damaged_case(valid, "task", bad_task, "root attribute 'task' is missing");
    snprintf(path, sizeof path, "%s/truncated.h5", dir);
    snprintf(cmd, sizeof cmd, "head -c 3000 '%s' > '%s'", valid, path);
    if (system(cmd) != 0) recur_die(EXIT_RUNTIME, "head failed");
    file_case("truncated", path, "truncated or damaged");
    snprintf(path, sizeof path, "%s/text.h5", dir);
    snprintf(cmd, sizeof cmd, "echo 'label,text' > '%s'", path);
    if (system(cmd) != 0) recur_die(EXIT_RUNTIME, "echo failed");
    file_case("not_hdf5", path, "not an HDF5 file");
    file_case("missing", "/nonexistent/recur.h5", "cannot open");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("note: could not remove %s\n", dir);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
