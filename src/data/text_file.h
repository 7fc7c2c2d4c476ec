/* text_file.h: a whole input file in memory (converters parse from a buffer, so the same
 * parser serves files, tests and fuzz targets). Not for large binary data. */
#ifndef RECUR_TEXT_FILE_H
#define RECUR_TEXT_FILE_H

#include <stddef.h>

typedef struct TextFile {
    char *path;  /* as given, for messages */
    char *data;  /* `size` bytes plus a NUL after them */
    size_t size;
} TextFile;

/* Reads the file (gunzipped when it is gzip data, whatever its name); exit 2 naming the
 * path when it is missing, a directory, unreadable, or damaged gzip. */
TextFile text_file_read(const char *path);
void text_file_free(TextFile *f);
/* Re-encodes the contents from ISO-8859-1 (Latin-1) to UTF-8: every byte >= 0x80 becomes
 * the two-byte form of U+0080..U+00FF. */
void text_file_from_latin1(TextFile *f);

#endif
