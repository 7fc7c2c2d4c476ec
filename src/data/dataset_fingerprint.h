/* dataset_fingerprint.h: the fingerprint of a dataset file recomputed from its arrays and
 * compared with the stored one, so a file changed after `recur prep` wrote it (an array
 * edited with h5py, bytes damaged on disk) is refused instead of trusted. The bytes that
 * go in, in order, are those docs/FORMATS.md lists (the writer: prep/prepared_write.c).
 * It reads every array once, in slices (bounded memory): one rank does it at start. */
#ifndef RECUR_DATASET_FINGERPRINT_H
#define RECUR_DATASET_FINGERPRINT_H

#include "dataset_file.h"

/* Exit 2 naming the file when the recomputed fingerprint differs from the stored one. */
void dataset_fingerprint_verify(const DatasetFile *f);

#endif
