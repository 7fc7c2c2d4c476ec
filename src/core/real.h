/* real.h: the floating-point type of the CPU model path.
 *
 * Everything in src/model and src/core is written against `real`. The normal build uses
 * float; the gradient-check build compiles the same sources with -DRECUR_REAL_DOUBLE so
 * finite differences are meaningful. Nothing here may depend on which one is chosen
 * except the BLAS entry points (blas.c), core/activations.h and the name REAL_NAME. */
#ifndef RECUR_REAL_H
#define RECUR_REAL_H

#ifdef RECUR_REAL_DOUBLE
typedef double real;
#define REAL_NAME "float64"
#else
typedef float real;
#define REAL_NAME "float32"
#endif

#endif
