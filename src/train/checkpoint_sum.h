/* checkpoint_sum.h: what a checkpoint's numbers must satisfy — a checksum per tensor and
 * one of the whole state, written with them and verified when they are read back, and
 * finite values (a NaN or Inf weight is refused with the tensor's name).
 *
 * Tensor checksum: FNV-1a 64 (core/hash.h) over the tensor's values as stored in the file
 * (float32 or float64, little-endian), written as the attribute `checksum` (16 lower-case
 * hex digits) of its dataset. State checksum (root attribute `checksum`): FNV-1a 64 over,
 * in order, each /model tensor's checksum then each /optimizer buffer's (8 bytes,
 * little-endian, in the model's parameter order and the optimizer's state order), then
 * step, epoch, next_batch, skipped_steps, log_loss_steps, ranks (int64), best_value,
 * log_loss_sum (float64), the fingerprint and the config text (each with its NUL). It knows no HDF5 calls beyond attributes. */
#ifndef RECUR_CHECKPOINT_SUM_H
#define RECUR_CHECKPOINT_SUM_H

#include <stddef.h>
#include <stdint.h>

#include "core/real.h"

/* FNV-1a 64 over n values as stored with `stored_bytes` (4: float32, 8: float64) each. */
uint64_t checkpoint_values_sum(const real *values, size_t n, size_t stored_bytes);
/* Folds one 64-bit value (a tensor checksum or an integer) into a state checksum. */
uint64_t checkpoint_sum_fold(uint64_t state, uint64_t value);
/* "%016" PRIx64 into out (17 bytes); parsing it back: 1 on success. */
void checkpoint_sum_format(uint64_t sum, char out[17]);
int checkpoint_sum_parse(const char *text, uint64_t *sum);
/* Exit 2 naming file and tensor when a value is NaN or infinite. */
void checkpoint_require_finite(const char *file, const char *tensor, const real *values, size_t n);

#endif
