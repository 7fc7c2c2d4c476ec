/* text_file.c: reading a whole input file into memory with a NUL after it (text_file.h),
 * gunzipping it when it is gzip-compressed (by its magic bytes, not its name). It does not
 * parse or check the contents; a missing, directory, unreadable or damaged .gz path is
 * exit 2 naming the path. */
#include "text_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/check.h"
#include "core/record_limit.h"

#include <zlib.h>

static _Noreturn void cannot_read(const char *path, const char *why) {
    recur_die(EXIT_USAGE, "cannot read '%s': %s", path, why);
}

/* Size of the regular file behind the open stream f. */
static size_t regular_file_size(FILE *f, const char *path) {
    struct stat st;
    if (fstat(fileno(f), &st) != 0) cannot_read(path, strerror(errno));
    if (S_ISDIR(st.st_mode)) cannot_read(path, "is a directory");
    if (!S_ISREG(st.st_mode)) return 0; /* a pipe or device: size unknown, read to EOF */
    return (size_t)st.st_size;
}

static char *grow(char *data, size_t cap, const char *path) {
    char *grown = realloc(data, cap);
    if (!grown) recur_die(EXIT_RUNTIME, "out of memory reading '%s' (%zu bytes)", path, cap);
    return grown;
}

enum { READ_SLICE = 16 << 20 }; /* read in slices so a line's length is checked as it grows */

/* Reads f to its end, expecting about `hint` bytes (the file's size; 0 when unknown):
 * a file read whole in one pass is never copied or over-allocated. A line longer than the
 * record limit stops it (record_limit.h), however long the file. */
static char *read_all(FILE *f, const char *path, size_t hint, size_t *size) {
    size_t cap = hint + 1, used = 0, line_start = 0;
    char *data = xmalloc(cap, path);
    for (;;) {
        size_t want = cap - 1 - used < READ_SLICE ? cap - 1 - used : READ_SLICE;
        size_t got = fread(data + used, 1, want, f);
        record_limit_check(path, data, used, used + got, &line_start);
        used += got;
        if (got < want) break;         /* a short read: end of file or an error */
        if (used + 1 < cap) continue;
        int c = getc(f);               /* full: is there more (a file that grew, a pipe)? */
        if (c == EOF) break;
        cap = cap < 4096 ? 4096 : cap * 2;
        data = grow(data, cap, path);
        data[used++] = (char)c;
    }
    if (ferror(f)) cannot_read(path, strerror(errno ? errno : EIO));
    data[used] = '\0';
    *size = used;
    return data;
}

/* gzip members (one or several, concatenated) inflated into a new buffer. */
static char *gunzip(const char *path, const char *in, size_t in_size, size_t *out_size) {
    size_t cap = in_size * 4 + 4096, used = 0, line_start = 0;
    char *out = xmalloc(cap, path);
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) recur_die(EXIT_RUNTIME, "%s: zlib cannot start", path);
    z.next_in = (Bytef *)in, z.avail_in = (uInt)in_size; /* inputs beyond 4 GB: read in slices below */
    size_t fed = in_size;
    if (in_size > UINT32_MAX) z.avail_in = UINT32_MAX, fed = UINT32_MAX;
    for (;;) {
        if (cap - used < 65536) out = grow(out, cap *= 2, path);
        z.next_out = (Bytef *)out + used, z.avail_out = (uInt)(cap - used - 1 > UINT32_MAX ? UINT32_MAX : cap - used - 1);
        uInt room = z.avail_out;
        int rc = inflate(&z, Z_NO_FLUSH);
        record_limit_check(path, out, used, used + (room - z.avail_out), &line_start);
        used += room - z.avail_out;
        if (z.avail_in == 0 && fed < in_size) {
            size_t more = in_size - fed > UINT32_MAX ? UINT32_MAX : in_size - fed;
            z.next_in = (Bytef *)in + fed, z.avail_in = (uInt)more, fed += more;
        }
        if (rc == Z_STREAM_END && z.avail_in == 0) break;
        if (rc == Z_STREAM_END) { inflateReset(&z); continue; } /* another member follows */
        if (rc != Z_OK && rc != Z_BUF_ERROR) cannot_read(path, z.msg ? z.msg : "damaged gzip data");
        if (rc == Z_BUF_ERROR && z.avail_in == 0) cannot_read(path, "the gzip data ends early (truncated file?)");
    }
    inflateEnd(&z);
    out[used] = '\0';
    *out_size = used;
    return out;
}

TextFile text_file_read(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) cannot_read(path, strerror(errno));
    size_t hint = regular_file_size(f, path);
    TextFile t;
    t.data = read_all(f, path, hint, &t.size);
    fclose(f);
    if (t.size >= 2 && (unsigned char)t.data[0] == 0x1f && (unsigned char)t.data[1] == 0x8b) {
        size_t n;
        char *plain = gunzip(path, t.data, t.size, &n);
        free(t.data);
        t.data = plain, t.size = n;
    }
    size_t n = strlen(path) + 1;
    t.path = memcpy(xmalloc(n, "file name"), path, n);
    return t;
}

void text_file_free(TextFile *f) {
    free(f->path), free(f->data);
    memset(f, 0, sizeof *f);
}

void text_file_from_latin1(TextFile *f) {
    size_t high = 0;
    for (size_t i = 0; i < f->size; i++) high += (unsigned char)f->data[i] >= 0x80;
    if (!high) return;
    char *out = xmalloc(f->size + high + 1, f->path);
    size_t n = 0;
    for (size_t i = 0; i < f->size; i++) {
        unsigned char c = (unsigned char)f->data[i];
        if (c < 0x80) out[n++] = (char)c;
        else out[n++] = (char)(0xC0 | (c >> 6)), out[n++] = (char)(0x80 | (c & 0x3F));
    }
    out[n] = 0;
    free(f->data);
    f->data = out, f->size = n;
}
