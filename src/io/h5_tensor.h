/* h5_tensor.h: small HDF5 helpers for whole tensors and attributes — open, create and
 * close a file; list a group; read a dataset into a `real` or int32 buffer with its shape;
 * read string, integer and double attributes; write a `real` dataset.
 *
 * Used by the PyTorch fixture test and by checkpoints. It knows no file layout (no model,
 * dataset or checkpoint schema: callers name every path) and reads whole datasets only
 * (hyperslab readers for sharded data belong in src/data). Paths are relative to the root
 * ("case/params/rnn.weight_ih_l0"; a leading '/' is allowed; "/" is the root itself).
 *
 * Every HDF5 call is checked with CHECK(H5, ...): a library failure stops the job with
 * exit 1 and one line (the file and the OS error when there is one; h5_failure.h). Bad content — a missing object, a wrong shape, a type
 * that cannot hold the values asked for — stops it with exit 2 (EXIT_USAGE) and a
 * message naming the file and the object's path. Opening a file turns off HDF5's own
 * automatic error printing (main turns it off for good: h5_library.h). Not thread-safe. */
#ifndef RECUR_H5_TENSOR_H
#define RECUR_H5_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "../core/real.h"

enum { TENSOR_MAX_RANK = 8 };

typedef struct TensorShape {
    int rank;                        /* 0: a scalar */
    int64_t dims[TENSOR_MAX_RANK];   /* outermost first (row-major, rightmost fastest) */
} TensorShape;

typedef struct H5File {
    int64_t id;                      /* the HDF5 file handle (hid_t) */
    char *path;                      /* for messages */
} H5File;

/* Elements in a shape (1 for a scalar). */
int64_t tensor_shape_count(const TensorShape *s);
/* "[3][4]" ("[]" for a scalar) into buf; returns buf. */
char *tensor_shape_format(const TensorShape *s, char *buf, int size);
/* 1 when rank and every dimension are equal. */
int tensor_shape_equal(const TensorShape *a, const TensorShape *b);

/* Read-only. Exit 2 when the file is missing, unreadable, a directory or not HDF5. */
H5File h5_open(const char *path);
/* 1 when path is an HDF5 file that opens (not truncated), 0 otherwise; never exits. */
int h5_probe(const char *path);
/* A new file, replacing any file at path. */
H5File h5_create(const char *path);
void h5_close(H5File *f);

/* 1 when path names an object (group or dataset), 0 otherwise. */
int h5_exists(const H5File *f, const char *path);
/* Names of the links in a group, in name order, each malloc'd; *count set. Exit 2 when
 * the group is missing. Free with h5_free_names. */
char **h5_list(const H5File *f, const char *group, int *count);
void h5_free_names(char **names, int count);

/* Shape of a dataset; exit 2 when missing or not a dataset. */
TensorShape h5_shape(const H5File *f, const char *dataset);
/* Bytes of one element of a dataset as stored (4 for float32, ...). */
size_t h5_element_size(const H5File *f, const char *dataset);

/* A whole floating-point dataset, converted to `real` by HDF5 (float32 or float64 stored);
 * *shape gets its shape. The buffer is malloc'd. */
real *h5_read_real(const H5File *f, const char *dataset, TensorShape *shape);
/* Into out, which holds `expect` (not NULL); exit 2 when the stored shape differs. */
void h5_read_real_into(const H5File *f, const char *dataset, const TensorShape *expect, real *out);
/* The same for an integer dataset; values outside int32 end the job with exit 2. */
int32_t *h5_read_int32(const H5File *f, const char *dataset, TensorShape *shape);
void h5_read_int32_into(const H5File *f, const char *dataset, const TensorShape *expect, int32_t *out);

/* Attributes of the object at `object` (a group or dataset; "/" for the root), each a
 * single value. Exit 2 when missing or of the wrong kind. */
int h5_attr_exists(const H5File *f, const char *object, const char *name);
/* Fixed-length or variable-length string; malloc'd, NUL-terminated, trailing padding cut. */
char *h5_attr_string(const H5File *f, const char *object, const char *name);
/* An integer attribute (any integer type). */
int64_t h5_attr_int(const H5File *f, const char *object, const char *name);
/* A floating-point or integer attribute, as double. */
double h5_attr_double(const H5File *f, const char *object, const char *name);

/* A new dataset of the given shape stored as `real` (IEEE float32 or float64, little
 * endian); missing parent groups are created. Exit 1 when it already exists. */
void h5_write_real(H5File *f, const char *dataset, const TensorShape *shape, const real *data);

#endif
