/* hash.h: FNV-1a, 64-bit — the content fingerprint of dataset files (docs/FORMATS.md says
 * exactly which bytes go in, so other tools can recompute it). Not for security. */
#ifndef RECUR_HASH_H
#define RECUR_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_START 0xcbf29ce484222325ull

/* Continues hash h over n bytes at p. */
static inline uint64_t fnv1a64(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

#endif
