/* h5_tensor.c: the HDF5 helpers of h5_tensor.h. Every HDF5 call is wrapped in CHECK(H5,..);
 * content errors die with EXIT_USAGE naming the file and the object. It must not learn any
 * file layout, and must not use HDF5 calls whose signature changed between 1.10 and 1.14
 * (H5Oget_info*, H5Literate*): it uses H5Oopen + H5Iget_type and H5Lget_name_by_idx. */
#include "h5_tensor.h"

#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/check.h"

_Static_assert(sizeof(hid_t) == sizeof(int64_t), "hid_t must be 64-bit (HDF5 >= 1.10)");

static hid_t real_memory_type(void) {
    return sizeof(real) == sizeof(double) ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
}
static hid_t real_file_type(void) {
    return sizeof(real) == sizeof(double) ? H5T_IEEE_F64LE : H5T_IEEE_F32LE;
}

/* H5Tget_size answers 0 on error; CHECK wants a negative value for that. */
static size_t type_size(hid_t type) {
    return (size_t)(CHECK(H5, (int64_t)H5Tget_size(type) - 1) + 1);
}

static char *copy_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *out = xmalloc(n, "string");
    memcpy(out, s, n);
    return out;
}

/* ---- shapes ---- */

int64_t tensor_shape_count(const TensorShape *s) {
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++) n *= s->dims[i];
    return n;
}

char *tensor_shape_format(const TensorShape *s, char *buf, int size) {
    int used = 0;
    buf[0] = 0;
    if (s->rank == 0) snprintf(buf, (size_t)size, "[]");
    for (int i = 0; i < s->rank && used < size; i++)
        used += snprintf(buf + used, (size_t)(size - used), "[%" PRId64 "]", s->dims[i]);
    return buf;
}

int tensor_shape_equal(const TensorShape *a, const TensorShape *b) {
    if (a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return 0;
    return 1;
}

/* ---- files ---- */

H5File h5_open(const char *path) {
    struct stat st;
    if (access(path, R_OK) != 0)
        recur_die(EXIT_USAGE, "%s: cannot open: %s", path, strerror(errno));
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        recur_die(EXIT_USAGE, "%s: is a directory, not an HDF5 file", path);
    CHECK(H5, H5Eset_auto2(H5E_DEFAULT, NULL, NULL));
    if (CHECK(H5, H5Fis_hdf5(path)) == 0) recur_die(EXIT_USAGE, "%s: not an HDF5 file", path);
    hid_t id = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0) /* HDF5 checks the stored end of file against the real one on open */
        recur_die(EXIT_USAGE, "%s: HDF5 cannot open it: the file is truncated or damaged", path);
    H5File f = {id, copy_string(path)};
    return f;
}

int h5_probe(const char *path) {
    if (access(path, R_OK) != 0) return 0;
    CHECK(H5, H5Eset_auto2(H5E_DEFAULT, NULL, NULL));
    if (H5Fis_hdf5(path) <= 0) return 0;
    hid_t id = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0) return 0;
    CHECK(H5, H5Fclose(id));
    return 1;
}

H5File h5_create(const char *path) {
    CHECK(H5, H5Eset_auto2(H5E_DEFAULT, NULL, NULL));
    H5File f = {CHECK(H5, H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)),
                copy_string(path)};
    return f;
}

void h5_close(H5File *f) {
    if (f->id >= 0) CHECK(H5, H5Fclose(f->id));
    free(f->path);
    f->id = -1, f->path = NULL;
}

/* ---- objects ---- */

/* 1 when path resolves to an object: each component is checked in turn, because
 * H5Lexists fails (instead of answering 0) when a parent is missing or not a group. */
int h5_exists(const H5File *f, const char *path) {
    size_t n = strlen(path);
    if (strspn(path, "/") == n) return 1; /* the root */
    char *prefix = copy_string(path);
    int found = 1;
    for (size_t i = 1; i <= n && found; i++) {
        if (i < n && path[i] != '/') continue;
        if (path[i - 1] == '/') continue; /* "//" or a trailing '/' */
        prefix[i] = 0;
        found = CHECK(H5, H5Lexists(f->id, prefix, H5P_DEFAULT)) > 0 &&
                CHECK(H5, H5Oexists_by_name(f->id, prefix, H5P_DEFAULT)) > 0;
        if (found && i < n) { /* a parent must be a group */
            hid_t obj = CHECK(H5, H5Oopen(f->id, prefix, H5P_DEFAULT));
            found = CHECK(H5, H5Iget_type(obj)) == H5I_GROUP;
            CHECK(H5, H5Oclose(obj));
        }
        prefix[i] = path[i];
    }
    free(prefix);
    return found;
}

/* Opens path, dying with EXIT_USAGE unless it is an object of the given kind. */
static hid_t open_object(const H5File *f, const char *path, H5I_type_t kind) {
    const char *what = kind == H5I_DATASET ? "dataset" : kind == H5I_GROUP ? "group" : "object";
    if (!h5_exists(f, path)) recur_die(EXIT_USAGE, "%s: no %s %s", f->path, what, path);
    hid_t obj = CHECK(H5, H5Oopen(f->id, path, H5P_DEFAULT));
    H5I_type_t type = (H5I_type_t)CHECK(H5, H5Iget_type(obj));
    if (kind != H5I_BADID && type != kind) {
        CHECK(H5, H5Oclose(obj));
        recur_die(EXIT_USAGE, "%s: %s is not a %s", f->path, path, what);
    }
    return obj;
}

char **h5_list(const H5File *f, const char *group, int *count) {
    hid_t g = open_object(f, group, H5I_GROUP);
    H5G_info_t info;
    CHECK(H5, H5Gget_info(g, &info));
    char **names = xcalloc(info.nlinks ? info.nlinks : 1, sizeof(char *), "group listing");
    for (hsize_t i = 0; i < info.nlinks; i++) {
        ssize_t len = (ssize_t)CHECK(H5, H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                                            NULL, 0, H5P_DEFAULT));
        names[i] = xmalloc((size_t)len + 1, "group listing");
        CHECK(H5, H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, names[i],
                                     (size_t)len + 1, H5P_DEFAULT));
    }
    CHECK(H5, H5Gclose(g));
    *count = (int)info.nlinks;
    return names;
}

void h5_free_names(char **names, int count) {
    for (int i = 0; i < count; i++) free(names[i]);
    free(names);
}

/* ---- datasets ---- */

static TensorShape space_shape(const H5File *f, const char *path, hid_t space) {
    TensorShape s = {0};
    H5S_class_t cls = (H5S_class_t)CHECK(H5, H5Sget_simple_extent_type(space));
    if (cls == H5S_NULL) recur_die(EXIT_USAGE, "%s: %s holds no data (null dataspace)", f->path, path);
    int rank = (int)CHECK(H5, H5Sget_simple_extent_ndims(space));
    if (rank > TENSOR_MAX_RANK)
        recur_die(EXIT_USAGE, "%s: %s has rank %d, more than %d", f->path, path, rank, TENSOR_MAX_RANK);
    hsize_t dims[TENSOR_MAX_RANK];
    CHECK(H5, H5Sget_simple_extent_dims(space, dims, NULL));
    s.rank = rank;
    for (int i = 0; i < rank; i++) s.dims[i] = (int64_t)dims[i];
    return s;
}

static TensorShape dataset_shape(const H5File *f, const char *path, hid_t dset) {
    hid_t space = CHECK(H5, H5Dget_space(dset));
    TensorShape s = space_shape(f, path, space);
    CHECK(H5, H5Sclose(space));
    return s;
}

TensorShape h5_shape(const H5File *f, const char *dataset) {
    hid_t d = open_object(f, dataset, H5I_DATASET);
    TensorShape s = dataset_shape(f, dataset, d);
    CHECK(H5, H5Oclose(d));
    return s;
}

size_t h5_element_size(const H5File *f, const char *dataset) {
    hid_t d = open_object(f, dataset, H5I_DATASET);
    hid_t type = CHECK(H5, H5Dget_type(d));
    size_t size = type_size(type);
    CHECK(H5, H5Tclose(type));
    CHECK(H5, H5Oclose(d));
    return size;
}

/* Opens a dataset whose stored type is of class `want`, checking its shape against
 * expect (when not NULL); *shape gets the shape. */
static hid_t open_dataset(const H5File *f, const char *path, H5T_class_t want,
                          const TensorShape *expect, TensorShape *shape, hid_t *type) {
    hid_t d = open_object(f, path, H5I_DATASET);
    *shape = dataset_shape(f, path, d);
    *type = CHECK(H5, H5Dget_type(d));
    H5T_class_t cls = (H5T_class_t)CHECK(H5, H5Tget_class(*type));
    if (cls != want)
        recur_die(EXIT_USAGE, "%s: %s holds %s values, expected %s", f->path, path,
                  cls == H5T_INTEGER ? "integer" : cls == H5T_FLOAT ? "floating-point" : "non-numeric",
                  want == H5T_INTEGER ? "integers" : "floating-point numbers");
    if (expect && !tensor_shape_equal(expect, shape)) {
        char got[128], want_s[128];
        recur_die(EXIT_USAGE, "%s: %s has shape %s, expected %s", f->path, path,
                  tensor_shape_format(shape, got, sizeof got),
                  tensor_shape_format(expect, want_s, sizeof want_s));
    }
    return d;
}

static void read_real(const H5File *f, const char *path, const TensorShape *expect, real **out,
                      TensorShape *shape) {
    hid_t type;
    hid_t d = open_dataset(f, path, H5T_FLOAT, expect, shape, &type);
    int64_t n = tensor_shape_count(shape);
    if (!*out) *out = xcalloc((size_t)(n ? n : 1), sizeof(real), path);
    if (n > 0) CHECK(H5, H5Dread(d, real_memory_type(), H5S_ALL, H5S_ALL, H5P_DEFAULT, *out));
    CHECK(H5, H5Tclose(type));
    CHECK(H5, H5Dclose(d));
}

real *h5_read_real(const H5File *f, const char *dataset, TensorShape *shape) {
    real *out = NULL;
    read_real(f, dataset, NULL, &out, shape);
    return out;
}

void h5_read_real_into(const H5File *f, const char *dataset, const TensorShape *expect, real *out) {
    if (!expect) recur_die(EXIT_RUNTIME, "internal: h5_read_real_into(%s) without a shape", dataset);
    TensorShape shape;
    read_real(f, dataset, expect, &out, &shape);
}

/* Integers: read as int32 directly when every stored value fits, else through int64
 * with a range check (HDF5 would clip out-of-range values silently). */
static void read_int32(const H5File *f, const char *path, const TensorShape *expect,
                       int32_t **out, TensorShape *shape) {
    hid_t type;
    hid_t d = open_dataset(f, path, H5T_INTEGER, expect, shape, &type);
    int64_t n = tensor_shape_count(shape);
    size_t size = type_size(type);
    H5T_sign_t sign = (H5T_sign_t)CHECK(H5, H5Tget_sign(type));
    int fits = size < 4 || (size == 4 && sign == H5T_SGN_2);
    if (!*out) *out = xcalloc((size_t)(n ? n : 1), sizeof(int32_t), path);
    if (n > 0 && fits) {
        CHECK(H5, H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out));
    } else if (n > 0) {
        int64_t *wide = xmalloc(sizeof(int64_t) * (size_t)n, path);
        CHECK(H5, H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, wide));
        for (int64_t i = 0; i < n; i++) {
            if (wide[i] < INT32_MIN || wide[i] > INT32_MAX || (sign == H5T_SGN_NONE && wide[i] < 0))
                recur_die(EXIT_USAGE, "%s: %s: element %" PRId64 " does not fit in int32", f->path,
                          path, i);
            (*out)[i] = (int32_t)wide[i];
        }
        free(wide);
    }
    CHECK(H5, H5Tclose(type));
    CHECK(H5, H5Dclose(d));
}

int32_t *h5_read_int32(const H5File *f, const char *dataset, TensorShape *shape) {
    int32_t *out = NULL;
    read_int32(f, dataset, NULL, &out, shape);
    return out;
}

void h5_read_int32_into(const H5File *f, const char *dataset, const TensorShape *expect,
                        int32_t *out) {
    if (!expect) recur_die(EXIT_RUNTIME, "internal: h5_read_int32_into(%s) without a shape", dataset);
    TensorShape shape;
    read_int32(f, dataset, expect, &out, &shape);
}

/* ---- attributes ---- */

int h5_attr_exists(const H5File *f, const char *object, const char *name) {
    hid_t obj = open_object(f, object, H5I_BADID);
    int found = CHECK(H5, H5Aexists(obj, name)) > 0;
    CHECK(H5, H5Oclose(obj));
    return found;
}

/* Opens a one-value attribute and its stored type's class. */
static hid_t open_attr(const H5File *f, const char *object, const char *name, hid_t *type,
                       H5T_class_t *cls) {
    if (!h5_attr_exists(f, object, name))
        recur_die(EXIT_USAGE, "%s: %s has no attribute %s", f->path, object, name);
    hid_t obj = open_object(f, object, H5I_BADID);
    hid_t a = CHECK(H5, H5Aopen(obj, name, H5P_DEFAULT));
    CHECK(H5, H5Oclose(obj));
    hid_t space = CHECK(H5, H5Aget_space(a));
    H5S_class_t scls = (H5S_class_t)CHECK(H5, H5Sget_simple_extent_type(space));
    hssize_t n = scls == H5S_NULL ? 0 : CHECK(H5, H5Sget_simple_extent_npoints(space));
    CHECK(H5, H5Sclose(space));
    if (n != 1)
        recur_die(EXIT_USAGE, "%s: attribute %s of %s holds %lld values, expected one", f->path,
                  name, object, (long long)n);
    *type = CHECK(H5, H5Aget_type(a));
    *cls = (H5T_class_t)CHECK(H5, H5Tget_class(*type));
    return a;
}

static void close_attr(hid_t a, hid_t type) {
    CHECK(H5, H5Tclose(type));
    CHECK(H5, H5Aclose(a));
}

char *h5_attr_string(const H5File *f, const char *object, const char *name) {
    hid_t type;
    H5T_class_t cls;
    hid_t a = open_attr(f, object, name, &type, &cls);
    if (cls != H5T_STRING)
        recur_die(EXIT_USAGE, "%s: attribute %s of %s is not a string", f->path, name, object);
    char *out;
    if (CHECK(H5, H5Tis_variable_str(type)) > 0) {
        hid_t mem = CHECK(H5, H5Tcopy(H5T_C_S1));
        CHECK(H5, H5Tset_size(mem, H5T_VARIABLE));
        CHECK(H5, H5Tset_cset(mem, (H5T_cset_t)CHECK(H5, H5Tget_cset(type))));
        char *value = NULL;
        CHECK(H5, H5Aread(a, mem, &value));
        out = copy_string(value ? value : "");
        if (value) CHECK(H5, H5free_memory(value));
        CHECK(H5, H5Tclose(mem));
    } else {
        size_t size = type_size(type);
        out = xcalloc(size + 1, 1, name);
        CHECK(H5, H5Aread(a, type, out)); /* the stored type itself: no conversion */
        size_t len = strnlen(out, size);
        while (len > 0 && out[len - 1] == ' ') len--; /* space padding (Fortran) */
        out[len] = 0;
    }
    close_attr(a, type);
    return out;
}

int64_t h5_attr_int(const H5File *f, const char *object, const char *name) {
    hid_t type;
    H5T_class_t cls;
    hid_t a = open_attr(f, object, name, &type, &cls);
    if (cls != H5T_INTEGER)
        recur_die(EXIT_USAGE, "%s: attribute %s of %s is not an integer", f->path, name, object);
    int64_t value = 0;
    CHECK(H5, H5Aread(a, H5T_NATIVE_INT64, &value));
    close_attr(a, type);
    return value;
}

double h5_attr_double(const H5File *f, const char *object, const char *name) {
    hid_t type;
    H5T_class_t cls;
    hid_t a = open_attr(f, object, name, &type, &cls);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        recur_die(EXIT_USAGE, "%s: attribute %s of %s is not a number", f->path, name, object);
    double value = 0;
    CHECK(H5, H5Aread(a, H5T_NATIVE_DOUBLE, &value));
    close_attr(a, type);
    return value;
}

/* ---- writing ---- */

void h5_write_real(H5File *f, const char *dataset, const TensorShape *shape, const real *data) {
    if (h5_exists(f, dataset)) recur_die(EXIT_RUNTIME, "%s: %s already exists", f->path, dataset);
    if (shape->rank < 0 || shape->rank > TENSOR_MAX_RANK)
        recur_die(EXIT_RUNTIME, "%s: %s: rank %d is not in [0, %d]", f->path, dataset, shape->rank,
                  TENSOR_MAX_RANK);
    hsize_t dims[TENSOR_MAX_RANK];
    for (int i = 0; i < shape->rank; i++) dims[i] = (hsize_t)shape->dims[i];
    hid_t space = shape->rank ? CHECK(H5, H5Screate_simple(shape->rank, dims, NULL))
                              : CHECK(H5, H5Screate(H5S_SCALAR));
    hid_t lcpl = CHECK(H5, H5Pcreate(H5P_LINK_CREATE));
    CHECK(H5, H5Pset_create_intermediate_group(lcpl, 1));
    hid_t d = CHECK(H5, H5Dcreate2(f->id, dataset, real_file_type(), space, lcpl, H5P_DEFAULT,
                                   H5P_DEFAULT));
    if (tensor_shape_count(shape) > 0)
        CHECK(H5, H5Dwrite(d, real_memory_type(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
    CHECK(H5, H5Dclose(d));
    CHECK(H5, H5Pclose(lcpl));
    CHECK(H5, H5Sclose(space));
}
