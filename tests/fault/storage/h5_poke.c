/* h5_poke.c: damages one element of an HDF5 dataset, for the storage fault tests.
 *
 *   h5_poke set FILE DATASET INDEX VALUE   element INDEX (flat, row-major) := VALUE through
 *                                          HDF5 (float datasets: a number, nan or inf;
 *                                          integer datasets: an integer); no checksum or
 *                                          fingerprint is updated
 *   h5_poke raw FILE DATASET INDEX         the bytes of element INDEX inverted in the file
 *                                          itself, behind HDF5's back (a bad disk block;
 *                                          contiguous datasets only)
 *   h5_poke attr FILE NAME VALUE           the root's integer attribute NAME := VALUE
 *   h5_poke delete FILE OBJECT             the object (group or dataset) unlinked
 *   h5_poke strip FILE                     every `checksum` attribute of a checkpoint
 *                                          removed (as an older recur wrote it)
 *
 * Exit 0 done, 1 failure (message on stderr). A test tool: it checks what it needs and
 * nothing more. */
#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(const char *what) {
    fprintf(stderr, "h5_poke: %s\n", what);
    return 1;
}

static int poke_set(const char *file, const char *name, hsize_t index, const char *value) {
    hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) return fail("cannot open the file read-write");
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) return fail("no such dataset");
    hid_t type = H5Dget_type(d), space = H5Dget_space(d);
    if (H5Sselect_elements(space, H5S_SELECT_SET, 1, &index) < 0) return fail("bad index");
    hsize_t one = 1;
    hid_t mem = H5Screate_simple(1, &one, NULL);
    herr_t rc;
    if (H5Tget_class(type) == H5T_FLOAT) {
        double v = strtod(value, NULL);
        rc = H5Dwrite(d, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, &v);
    } else {
        long long v = strtoll(value, NULL, 10);
        rc = H5Dwrite(d, H5T_NATIVE_LLONG, mem, space, H5P_DEFAULT, &v);
    }
    if (rc < 0) return fail("write failed");
    H5Sclose(mem), H5Sclose(space), H5Tclose(type), H5Dclose(d), H5Fclose(f);
    return 0;
}

static int poke_raw(const char *file, const char *name, hsize_t index) {
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return fail("cannot open the file");
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) return fail("no such dataset");
    haddr_t at = H5Dget_offset(d);
    hid_t type = H5Dget_type(d);
    size_t size = H5Tget_size(type);
    H5Tclose(type), H5Dclose(d), H5Fclose(f);
    if (at == HADDR_UNDEF) return fail("the dataset is not contiguous (chunked or empty)");
    int fd = open(file, O_RDWR);
    unsigned char bytes[16];
    off_t pos = (off_t)(at + index * size);
    if (fd < 0 || size > sizeof bytes || pread(fd, bytes, size, pos) != (ssize_t)size) return fail("cannot read it");
    for (size_t i = 0; i < size; i++) bytes[i] ^= 0x5a;
    if (pwrite(fd, bytes, size, pos) != (ssize_t)size) return fail("cannot write it");
    close(fd);
    return 0;
}

static int poke_attr(const char *file, const char *name, const char *value) {
    hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) return fail("cannot open the file read-write");
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    long long v = strtoll(value, NULL, 10);
    if (a < 0 || H5Awrite(a, H5T_NATIVE_LLONG, &v) < 0) return fail("cannot write the attribute");
    H5Aclose(a), H5Fclose(f);
    return 0;
}

static int poke_delete(const char *file, const char *name) {
    hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0 || H5Ldelete(f, name, H5P_DEFAULT) < 0) return fail("cannot delete it");
    H5Fclose(f);
    return 0;
}

/* Removes the attribute `checksum` from the object at name, when it has one. */
static void drop_checksum(hid_t f, const char *name) {
    if (H5Aexists_by_name(f, name, "checksum", H5P_DEFAULT) > 0) H5Adelete_by_name(f, name, "checksum", H5P_DEFAULT);
}

static int poke_strip(const char *file) {
    hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) return fail("cannot open the file read-write");
    drop_checksum(f, "/");
    const char *groups[] = {"/model", "/optimizer"};
    for (int g = 0; g < 2; g++) {
        hid_t grp = H5Gopen2(f, groups[g], H5P_DEFAULT);
        if (grp < 0) continue;
        drop_checksum(f, groups[g]);
        H5G_info_t info;
        H5Gget_info(grp, &info);
        for (hsize_t i = 0; i < info.nlinks; i++) {
            char name[256];
            H5Lget_name_by_idx(grp, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
            drop_checksum(grp, name);
        }
        H5Gclose(grp);
    }
    H5Fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (argc == 6 && !strcmp(argv[1], "set")) return poke_set(argv[2], argv[3], strtoull(argv[4], NULL, 10), argv[5]);
    if (argc == 5 && !strcmp(argv[1], "raw")) return poke_raw(argv[2], argv[3], strtoull(argv[4], NULL, 10));
    if (argc == 5 && !strcmp(argv[1], "attr")) return poke_attr(argv[2], argv[3], argv[4]);
    if (argc == 4 && !strcmp(argv[1], "delete")) return poke_delete(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "strip")) return poke_strip(argv[2]);
    return fail("usage: h5_poke set FILE DATASET INDEX VALUE | raw FILE DATASET INDEX | attr FILE NAME VALUE | delete FILE OBJECT | strip FILE");
}
