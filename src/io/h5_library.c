/* h5_library.c: starting and stopping HDF5 (h5_library.h). Nothing else. */
#include "h5_library.h"

#include <hdf5.h>

#include "../core/check.h"

void h5_library_start(void) {
    H5dont_atexit(); /* must come before any other HDF5 call to take effect */
    CHECK(H5, H5open());
    CHECK(H5, H5Eset_auto2(H5E_DEFAULT, NULL, NULL));
}

void h5_library_stop(void) { H5close(); }
