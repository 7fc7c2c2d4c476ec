/* h5_array.c: typed array, string and attribute I/O of h5_array.h. Every HDF5 call goes
 * through CHECK(H5, ...). It must not learn any file layout. */
#include "h5_array.h"

#include <hdf5.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../core/check.h"

static hid_t memory_type(ElemType t) {
    switch (t) {
    case ELEM_INT32: return H5T_NATIVE_INT32;
    case ELEM_INT64: return H5T_NATIVE_INT64;
    case ELEM_FLOAT32: return H5T_NATIVE_FLOAT;
    case ELEM_FLOAT64: return H5T_NATIVE_DOUBLE;
    }
    return H5T_NATIVE_INT32;
}

static hid_t file_type(ElemType t) {
    switch (t) {
    case ELEM_INT32: return H5T_STD_I32LE;
    case ELEM_INT64: return H5T_STD_I64LE;
    case ELEM_FLOAT32: return H5T_IEEE_F32LE;
    case ELEM_FLOAT64: return H5T_IEEE_F64LE;
    }
    return H5T_STD_I32LE;
}

static hid_t link_props(void) {
    hid_t lcpl = CHECK(H5, H5Pcreate(H5P_LINK_CREATE));
    CHECK(H5, H5Pset_create_intermediate_group(lcpl, 1));
    CHECK(H5, H5Pset_char_encoding(lcpl, H5T_CSET_UTF8));
    return lcpl;
}

/* No modification times in the file: the same content gives the same bytes. */
static hid_t dataset_props(void) {
    hid_t dcpl = CHECK(H5, H5Pcreate(H5P_DATASET_CREATE));
    CHECK(H5, H5Pset_obj_track_times(dcpl, 0));
    return dcpl;
}

static hid_t chunk_props(const TensorShape *shape, int64_t chunk_rows) {
    hid_t dcpl = dataset_props();
    if (chunk_rows <= 0 || shape->rank == 0 || tensor_shape_count(shape) == 0) return dcpl;
    hsize_t chunk[TENSOR_MAX_RANK];
    for (int i = 0; i < shape->rank; i++) chunk[i] = (hsize_t)shape->dims[i];
    chunk[0] = (hsize_t)(chunk_rows < shape->dims[0] ? chunk_rows : shape->dims[0]);
    CHECK(H5, H5Pset_chunk(dcpl, shape->rank, chunk));
    CHECK(H5, H5Pset_shuffle(dcpl));
    CHECK(H5, H5Pset_deflate(dcpl, 4));
    return dcpl;
}

void h5_write_array(H5File *f, const char *path, ElemType type, const TensorShape *shape,
                    const void *data, int64_t chunk_rows) {
    hsize_t dims[TENSOR_MAX_RANK];
    for (int i = 0; i < shape->rank; i++) dims[i] = (hsize_t)shape->dims[i];
    hid_t space = shape->rank ? CHECK(H5, H5Screate_simple(shape->rank, dims, NULL))
                              : CHECK(H5, H5Screate(H5S_SCALAR));
    hid_t lcpl = link_props(), dcpl = chunk_props(shape, chunk_rows);
    hid_t d = CHECK(H5, H5Dcreate2(f->id, path, file_type(type), space, lcpl, dcpl, H5P_DEFAULT));
    if (tensor_shape_count(shape) > 0)
        CHECK(H5, H5Dwrite(d, memory_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
    CHECK(H5, H5Dclose(d));
    CHECK(H5, H5Pclose(dcpl));
    CHECK(H5, H5Pclose(lcpl));
    CHECK(H5, H5Sclose(space));
}

/* Dies unless the stored element class suits `type` (integers into integers, floats into
 * floats: no silent truncation). */
static void check_class(const H5File *f, const char *path, hid_t d, ElemType type) {
    hid_t t = CHECK(H5, H5Dget_type(d));
    H5T_class_t cls = (H5T_class_t)CHECK(H5, H5Tget_class(t));
    CHECK(H5, H5Tclose(t));
    int want_int = type == ELEM_INT32 || type == ELEM_INT64;
    if (cls != (want_int ? H5T_INTEGER : H5T_FLOAT))
        recur_die(EXIT_USAGE, "%s: %s holds %s, expected %s", f->path, path,
                  cls == H5T_INTEGER ? "integers" : cls == H5T_FLOAT ? "floating-point numbers"
                                                                      : "non-numeric values",
                  want_int ? "integers" : "floating-point numbers");
}

void h5_read_rows(const H5File *f, const char *path, ElemType type, int64_t first, int64_t count,
                  int64_t row_elems, void *out) {
    TensorShape s = h5_shape(f, path);
    int64_t stored_row = 1;
    for (int i = 1; i < s.rank; i++) stored_row *= s.dims[i];
    if (s.rank == 0 || stored_row != row_elems)
        recur_die(EXIT_USAGE, "%s: %s has rows of %" PRId64 " elements, expected %" PRId64,
                  f->path, path, s.rank ? stored_row : 0, row_elems);
    if (first < 0 || count < 0 || first + count > s.dims[0])
        recur_die(EXIT_USAGE, "%s: %s has %" PRId64 " rows; rows %" PRId64 "..%" PRId64
                  " were asked for", f->path, path, s.dims[0], first, first + count - 1);
    if (count == 0) return;
    hid_t d = CHECK(H5, H5Dopen2(f->id, path, H5P_DEFAULT));
    check_class(f, path, d, type);
    hid_t space = CHECK(H5, H5Dget_space(d));
    hsize_t start[TENSOR_MAX_RANK] = {0}, size[TENSOR_MAX_RANK];
    for (int i = 0; i < s.rank; i++) size[i] = (hsize_t)s.dims[i];
    start[0] = (hsize_t)first, size[0] = (hsize_t)count;
    CHECK(H5, H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, size, NULL));
    hid_t mem = CHECK(H5, H5Screate_simple(s.rank, size, NULL));
    CHECK(H5, H5Dread(d, memory_type(type), mem, space, H5P_DEFAULT, out));
    CHECK(H5, H5Sclose(mem));
    CHECK(H5, H5Sclose(space));
    CHECK(H5, H5Dclose(d));
}

static hid_t utf8_string_type(void) {
    hid_t t = CHECK(H5, H5Tcopy(H5T_C_S1));
    CHECK(H5, H5Tset_size(t, H5T_VARIABLE));
    CHECK(H5, H5Tset_cset(t, H5T_CSET_UTF8));
    return t;
}

void h5_write_strings(H5File *f, const char *path, char *const *strings, int64_t count) {
    hsize_t dims[1] = {(hsize_t)count};
    hid_t space = CHECK(H5, H5Screate_simple(1, dims, NULL));
    hid_t type = utf8_string_type(), lcpl = link_props(), dcpl = dataset_props();
    hid_t d = CHECK(H5, H5Dcreate2(f->id, path, type, space, lcpl, dcpl, H5P_DEFAULT));
    CHECK(H5, H5Pclose(dcpl));
    if (count > 0) CHECK(H5, H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, strings));
    CHECK(H5, H5Dclose(d));
    CHECK(H5, H5Pclose(lcpl));
    CHECK(H5, H5Tclose(type));
    CHECK(H5, H5Sclose(space));
}

char **h5_read_strings(const H5File *f, const char *path, int64_t *count) {
    TensorShape s = h5_shape(f, path);
    if (s.rank != 1) recur_die(EXIT_USAGE, "%s: %s is not a 1-D array of strings", f->path, path);
    hid_t d = CHECK(H5, H5Dopen2(f->id, path, H5P_DEFAULT));
    hid_t stored = CHECK(H5, H5Dget_type(d));
    int is_string = CHECK(H5, H5Tget_class(stored)) == H5T_STRING;
    int is_vlen = is_string && CHECK(H5, H5Tis_variable_str(stored)) > 0;
    CHECK(H5, H5Tclose(stored));
    if (!is_vlen)
        recur_die(EXIT_USAGE, "%s: %s does not hold variable-length strings", f->path, path);
    int64_t n = s.dims[0];
    char **raw = xcalloc(n ? (size_t)n : 1, sizeof(char *), path);
    hid_t type = utf8_string_type();
    if (n > 0) CHECK(H5, H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw));
    char **out = xcalloc(n ? (size_t)n : 1, sizeof(char *), path);
    for (int64_t i = 0; i < n; i++) {
        const char *v = raw[i] ? raw[i] : "";
        size_t len = strlen(v) + 1;
        out[i] = xmalloc(len, path);
        memcpy(out[i], v, len);
        if (raw[i]) CHECK(H5, H5free_memory(raw[i]));
    }
    free(raw);
    CHECK(H5, H5Tclose(type));
    CHECK(H5, H5Dclose(d));
    *count = n;
    return out;
}

static void write_attr(H5File *f, const char *object, const char *name, hid_t type,
                       const void *value) {
    if (CHECK(H5, H5Aexists_by_name(f->id, object, name, H5P_DEFAULT)) > 0)
        CHECK(H5, H5Adelete_by_name(f->id, object, name, H5P_DEFAULT));
    hid_t space = CHECK(H5, H5Screate(H5S_SCALAR));
    hid_t a = CHECK(H5, H5Acreate_by_name(f->id, object, name, type, space, H5P_DEFAULT,
                                          H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5, H5Awrite(a, type, value));
    CHECK(H5, H5Aclose(a));
    CHECK(H5, H5Sclose(space));
}

void h5_attr_write_string(H5File *f, const char *object, const char *name, const char *value) {
    hid_t type = utf8_string_type();
    write_attr(f, object, name, type, &value);
    CHECK(H5, H5Tclose(type));
}

void h5_attr_write_int(H5File *f, const char *object, const char *name, int64_t value) {
    write_attr(f, object, name, H5T_NATIVE_INT64, &value);
}

void h5_attr_write_double(H5File *f, const char *object, const char *name, double value) {
    write_attr(f, object, name, H5T_NATIVE_DOUBLE, &value);
}

void h5_create_group(H5File *f, const char *path) {
    hid_t lcpl = link_props(), gcpl = CHECK(H5, H5Pcreate(H5P_GROUP_CREATE));
    CHECK(H5, H5Pset_obj_track_times(gcpl, 0));
    CHECK(H5, H5Gclose(CHECK(H5, H5Gcreate2(f->id, path, lcpl, gcpl, H5P_DEFAULT))));
    CHECK(H5, H5Pclose(gcpl));
    CHECK(H5, H5Pclose(lcpl));
}
