/* real.h: the floating-point type of the CPU model path.
 *
 * Everything in src/model and src/core is written against `real`. The normal build uses
 * float; the gradient-check build compiles the same sources with -DRECUR_REAL_DOUBLE so
 * finite differences are meaningful. Nothing here may depend on which one is chosen
 * except the BLAS entry points (blas.c) and printf formats (REAL_FMT). */
#ifndef RECUR_REAL_H
#define RECUR_REAL_H

#include <math.h>

#ifdef RECUR_REAL_DOUBLE
typedef double real;
#define REAL_NAME "float64"
#define REAL_EPS 2.220446049250313e-16
#define real_exp exp
#define real_tanh tanh
#define real_log log
#define real_sqrt sqrt
#define real_fabs fabs
#else
typedef float real;
#define REAL_NAME "float32"
#define REAL_EPS 1.1920929e-07
#define real_exp expf
#define real_tanh tanhf
#define real_log logf
#define real_sqrt sqrtf
#define real_fabs fabsf
#endif

#endif
