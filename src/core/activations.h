/* activations.h: tanh, sigmoid and exp for the cell and head loops.
 *
 * float build: branch-free approximations the compiler vectorizes (glibc's tanhf is a
 * scalar call and took ~40% of an LSTM step). Against double libm on a dense grid
 * (tests/test_activations.c asserts <= 2.5e-7): tanh 1.0e-7, sigmoid 1.5e-7, exp 7.7e-8
 * relative, about 1 float ulp. The clamps are plain selects: nested ones, or building
 * without -fno-trapping-math, stop GCC from vectorizing the loops that call these.
 * The polynomials and the range reduction are fused multiply-adds (fmaf: one rounding
 * each; GCC inlines it as an instruction where the caller's target has FMA, and glibc's
 * correctly rounded fmaf gives the same value where it has not), so every instruction set
 * gets the same bits with about half the operations of separate multiplies and adds.
 * double build (gradient checks): libm. The CUDA kernels compile these same functions
 * (RECUR_HD): both paths use the same approximations. */
#ifndef RECUR_ACTIVATIONS_H
#define RECUR_ACTIVATIONS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "hd.h"
#include "real.h"

#ifdef RECUR_REAL_DOUBLE

RECUR_HD static inline real act_tanh(real x) { return tanh(x); }
RECUR_HD static inline real act_sigmoid(real x) { return 1 / (1 + exp(-x)); }

#else

/* exp by 2^n * p(r), x = n ln2 + r, |r| <= ln2/2 (+ an ulp), p degree 7 (Taylor). */
RECUR_HD static inline float act_exp(float x) {
    x = x > 88.0f ? 88.0f : x; /* two plain selects: a nested one stops vectorization */
    x = x < -87.0f ? -87.0f : x;
    const float round_magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    float n = fmaf(x, 1.44269504088896341f, round_magic) - round_magic;
    float r = fmaf(-n, 0.693145751953125f, x);
    r = fmaf(-n, 1.428606765330187045e-06f, r);
    float p = 1.0f / 5040;
    p = fmaf(p, r, 1.0f / 720);
    p = fmaf(p, r, 1.0f / 120);
    p = fmaf(p, r, 1.0f / 24);
    p = fmaf(p, r, 1.0f / 6);
    p = fmaf(p, r, 0.5f);
    p = fmaf(p, r, 1.0f);
    p = fmaf(p, r, 1.0f);
    int32_t bits = ((int32_t)n + 127) * (1 << 23);
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* tanh: |x| < 1: x * P(x^2), P of degree 7 least-squares fitted on Chebyshev nodes
 * (4.5e-9 in exact arithmetic); |x| >= 1: 1 - 2 / (exp(2|x|) + 1), with the sign of x.
 * Both are computed and one selected, so the loop stays branch-free. */
RECUR_HD static inline float act_tanh(float x) {
    float ax = x < 0 ? -x : x, u = x * x;
    float p = -0.0003548834125961542f;
    p = fmaf(p, u, 0.002287645487114927f);
    p = fmaf(p, u, -0.007924946303125248f);
    p = fmaf(p, u, 0.021469980646062675f);
    p = fmaf(p, u, -0.05387273877778071f);
    p = fmaf(p, u, 0.1333219053192642f);
    p = fmaf(p, u, -0.333332806374792f);
    p = fmaf(p, u, 0.9999999959831498f);
    float big = 1.0f - 2.0f / (act_exp(2.0f * ax) + 1.0f);
    big = x < 0 ? -big : big;
    return ax < 1.0f ? x * p : big;
}

RECUR_HD static inline float act_sigmoid(float x) { return 1.0f / (1.0f + act_exp(-x)); }

#endif
#endif
