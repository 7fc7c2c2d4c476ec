/* emu_counts.cpp: the counting mode. With RECUR_EMU_COUNT=FILE the emulated device counts
 * what the host asks of it — kernel launches by kernel name, GEMMs and GEMVs by shape,
 * copies by direction and host memory kind (with bytes), memsets, NCCL collectives, host
 * synchronisations and event polls — and writes the totals to FILE when the process
 * exits ("%p" in FILE becomes the process id), and also at ncclCommAbort (recur's fatal
 * path, which ends the process with _exit, skipping exit handlers), one tab-separated line
 * each:
 *
 *   kind  key  count  bytes
 *
 * tools/emu_counts.py turns two such files (a run of N steps and one of M steps) into a
 * per-step table: the difference divided by M - N, so set-up and tear-down cancel out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <map>
#include <string>
#include <utility>

#include "emu_internal.h"

struct Tally {
    long count;
    double bytes;
};

static std::map<std::pair<std::string, std::string>, Tally> *tallies;
static std::string out_path;

static void write_counts(void) {
    if (out_path.empty() || !tallies) return;
    FILE *f = fopen(out_path.c_str(), "w");
    if (!f) {
        emu_report("cannot write the counts to %s", out_path.c_str());
        return;
    }
    for (auto &kv : *tallies)
        fprintf(f, "%s\t%s\t%ld\t%.0f\n", kv.first.first.c_str(), kv.first.second.c_str(), kv.second.count,
                kv.second.bytes);
    fclose(f);
}

static int counting(void) {
    static int state = -1;
    if (state >= 0) return state;
    const char *path = getenv("RECUR_EMU_COUNT");
    state = path && *path;
    if (!state) return 0;
    out_path = path;
    size_t at = out_path.find("%p");
    if (at != std::string::npos) out_path.replace(at, 2, std::to_string((long)getpid()));
    tallies = new std::map<std::pair<std::string, std::string>, Tally>;
    atexit(write_counts);
    return 1;
}

void emu_counts_write(void) { write_counts(); }

void emu_count(const char *kind, const std::string &key, double bytes) {
    if (!counting()) return;
    if (emu_capture()) { /* counted when the graph is launched */
        emu_capture()->counts.push_back({kind, key, bytes});
        return;
    }
    Tally &t = (*tallies)[{kind, key}];
    t.count++, t.bytes += bytes;
}

int emu_gemm_uses_blas(void) {
    static int state = -1;
    if (state < 0) {
        const char *mode = getenv("RECUR_EMU_GEMM");
        state = mode && !strcmp(mode, "blas");
    }
    return state;
}
