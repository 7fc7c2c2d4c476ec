/* h5_array.h: typed HDF5 arrays beyond whole `real` tensors — chunked, compressed writes
 * of int32/int64/float32/float64 arrays, row ranges read by hyperslab (so a rank reads
 * only its shard), arrays of UTF-8 strings, and attribute writes.
 *
 * Like h5_tensor.h it knows no file layout: callers name every path. Every HDF5 call is
 * checked with CHECK(H5, ...) (exit 1, one line); bad content — a missing object,
 * a wrong element class or rank, rows outside the array — exits 2 naming file and path. */
#ifndef RECUR_H5_ARRAY_H
#define RECUR_H5_ARRAY_H

#include <stdint.h>

#include "h5_tensor.h"

typedef enum { ELEM_INT32, ELEM_INT64, ELEM_FLOAT32, ELEM_FLOAT64 } ElemType;

/* A new dataset holding `data` (shape->dims, row-major). chunk_rows > 0: chunked along
 * dim 0 by that many rows (cut to the row count), byte-shuffled and deflated; 0:
 * contiguous. Parent groups are created. */
void h5_write_array(H5File *f, const char *path, ElemType type, const TensorShape *shape,
                    const void *data, int64_t chunk_rows);
/* Rows first .. first+count-1 (along dim 0) of an array whose other dimensions hold
 * `row_elems` elements in all, converted to `type`, into out. */
void h5_read_rows(const H5File *f, const char *path, ElemType type, int64_t first, int64_t count,
                  int64_t row_elems, void *out);

/* A 1-D dataset of variable-length UTF-8 strings. */
void h5_write_strings(H5File *f, const char *path, char *const *strings, int64_t count);
/* Its strings, each malloc'd; free with h5_free_names(names, (int)*count). */
char **h5_read_strings(const H5File *f, const char *path, int64_t *count);

/* Attributes (replaced when present) on the object at `object` ("/" = root). */
void h5_attr_write_string(H5File *f, const char *object, const char *name, const char *value);
void h5_attr_write_int(H5File *f, const char *object, const char *name, int64_t value);
void h5_attr_write_double(H5File *f, const char *object, const char *name, double value);

/* A group (and missing parents). */
void h5_create_group(H5File *f, const char *path);

#endif
