/* prep_paths.c: `recur prep`'s output path checked before any input is read (prep.h):
 * its directory must exist and be writable, and it must not be one of the inputs (the
 * same file by device and inode, whatever the spelling: a link, "./x", another path) nor
 * lie inside an input folder. Temporary files of killed earlier preps of the same output
 * are removed. Each refusal is one line and exit 2. It reads no data. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/check.h"
#include "io/durable_file.h"
#include "prep_paths.h"

/* The directory part of path into out. */
static void directory_of(const char *path, char *out, size_t size) {
    char copy[PREP_PATH];
    snprintf(copy, sizeof copy, "%s", path);
    snprintf(out, size, "%s", dirname(copy));
}

static void check_output_directory(const char *output, const char *dir) {
    struct stat st;
    if (stat(dir, &st) != 0)
        recur_die(EXIT_USAGE, "output: cannot write %s: directory %s: %s", output, dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) recur_die(EXIT_USAGE, "output: cannot write %s: %s is not a directory", output, dir);
    if (access(dir, W_OK | X_OK) != 0)
        recur_die(EXIT_USAGE, "output: cannot write %s: directory %s: %s", output, dir, strerror(errno));
    if (stat(output, &st) == 0 && S_ISDIR(st.st_mode))
        recur_die(EXIT_USAGE, "output: %s is a directory; give a file name such as %s/data.h5", output, output);
}

/* 1 when `inner` (a real path) is `outer` or lies below it. */
static int is_within(const char *inner, const char *outer) {
    size_t n = strlen(outer);
    return !strncmp(inner, outer, n) && (inner[n] == '/' || inner[n] == 0 || (n == 1 && outer[0] == '/'));
}

/* Refuses output = input (same device and inode), or output inside an input folder. */
static void check_not_input(const char *output, const char *out_dir, const char *key, const char *input) {
    struct stat in, out;
    if (!*input || stat(input, &in) != 0) return; /* a missing input is the converter's message */
    if (stat(output, &out) == 0 && out.st_dev == in.st_dev && out.st_ino == in.st_ino)
        recur_die(EXIT_USAGE, "output: %s is the same file as the input %s = %s: prep would replace its own "
                  "input; give another output file", output, key, input);
    char real_in[PATH_MAX], real_dir[PATH_MAX];
    if (S_ISDIR(in.st_mode) && realpath(input, real_in) && realpath(out_dir, real_dir) && is_within(real_dir, real_in))
        recur_die(EXIT_USAGE, "output: %s lies inside the input folder %s = %s: prep would read it as input; "
                  "write it elsewhere", output, key, input);
}

void prep_check_paths(const PrepConfig *cfg) {
    char dir[PREP_PATH];
    directory_of(cfg->output, dir, sizeof dir);
    check_output_directory(cfg->output, dir);
    const char *keys[] = {"train", "valid", "test", "glove"};
    const char *inputs[] = {cfg->train, cfg->valid, cfg->test, cfg->glove};
    for (int i = 0; i < 4; i++) check_not_input(cfg->output, dir, keys[i], inputs[i]);
    char base[PREP_PATH];
    snprintf(base, sizeof base, "%s", cfg->output);
    char prefix[PREP_PATH + 8];
    snprintf(prefix, sizeof prefix, "%s.tmp-", basename(base));
    durable_remove_stale_temps(dir, prefix);
}
