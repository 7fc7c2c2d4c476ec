/* compare_checkpoints.c: are two checkpoints' tensors the same to a relative tolerance?
 *
 *   compare_checkpoints A.h5 B.h5 GROUP TOLERANCE
 *
 * For every dataset under GROUP (e.g. /model, /optimizer) of A, B must hold one of the same
 * shape with max |a - b| <= TOLERANCE * max |a| (the tensor's scale: elements near zero
 * are not divided by themselves). Prints one line per tensor and the worst; exit 1 when
 * any tensor is over, or missing. Used by the GPU-versus-CPU training test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "io/h5_tensor.h"

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: compare_checkpoints A.h5 B.h5 GROUP TOLERANCE\n");
        return 2;
    }
    double tolerance = atof(argv[4]), worst = 0;
    H5File a = h5_open(argv[1]), b = h5_open(argv[2]);
    int count = 0, failures = 0;
    char **names = h5_list(&a, argv[3], &count);
    for (int i = 0; i < count; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", argv[3], names[i]);
        TensorShape sa, sb;
        real *x = h5_read_real(&a, path, &sa);
        if (!h5_exists(&b, path)) {
            printf("FAIL %s: missing in %s\n", path, argv[2]), failures++, free(x);
            continue;
        }
        real *y = h5_read_real(&b, path, &sb);
        double scale = 0, diff = 0;
        int same_shape = tensor_shape_equal(&sa, &sb);
        for (int64_t k = 0; same_shape && k < tensor_shape_count(&sa); k++) {
            scale = fmax(scale, fabs(x[k]));
            diff = fmax(diff, fabs((double)x[k] - y[k])); /* NaN makes fmax pick the other... */
            if (isnan(x[k]) != isnan(y[k])) diff = INFINITY; /* ...so a NaN on one side fails here */
        }
        double rel = diff / fmax(scale, 1e-30);
        int ok = same_shape && rel <= tolerance;
        printf("%-4s %-40s max |a-b| / max |a| = %.3e\n", ok ? "ok" : "FAIL", path, same_shape ? rel : INFINITY);
        failures += !ok, worst = fmax(worst, rel);
        free(x), free(y);
    }
    h5_free_names(names, count);
    h5_close(&a), h5_close(&b);
    printf("%s: %d tensor(s) under %s, worst %.3e (tolerance %.1e)\n", failures || !count ? "FAIL" : "PASS",
           count, argv[3], worst, tolerance);
    return failures || !count ? 1 : 0;
}
