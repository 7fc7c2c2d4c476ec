/* test_activations.c: the float build's fast exp, tanh and sigmoid (core/activations.h)
 * against double-precision libm on a dense grid. Fails if any relative error exceeds
 * 2.5e-7 (about 2 float ulp; measured maxima are 7.7e-8 .. 1.5e-7), or if tanh is not odd
 * or leaves [-1, 1], or sigmoid leaves [0, 1]. */
#include <math.h>
#include <stdio.h>

#include "core/activations.h"

static int report(const char *what, double worst, double at, double limit) {
    int ok = worst <= limit;
    printf("%s %-8s max relative error %.3e at x = %.5g (limit %.1e)\n", ok ? "ok  " : "FAIL", what, worst, at, limit);
    return ok;
}

int main(void) {
    double limit = 2.5e-7, wt = 0, ws = 0, we = 0, at_t = 0, at_s = 0, at_e = 0;
    int shape_ok = 1;
    for (double xd = -20; xd <= 20; xd += 1e-5) {
        float x = (float)xd;
        double t = tanh((double)x), s = 1 / (1 + exp(-(double)x));
        float ft = act_tanh(x), fs = act_sigmoid(x);
        double et = fabs(ft - t) / fmax(fabs(t), 1e-30), es = fabs(fs - s) / s;
        if (et > wt) wt = et, at_t = x;
        if (es > ws) ws = es, at_s = x;
        shape_ok &= act_tanh(-x) == -ft && fabsf(ft) <= 1 && fs >= 0 && fs <= 1;
    }
    for (double xd = -87; xd <= 88; xd += 1e-4) {
        float x = (float)xd;
        double e = exp((double)x), err = fabs(act_exp(x) - e) / e;
        if (err > we) we = err, at_e = x;
    }
    int passed = report("tanh", wt, at_t, limit) + report("sigmoid", ws, at_s, limit) +
                 report("exp", we, at_e, limit);
    printf("%s tanh odd and in [-1, 1], sigmoid in [0, 1]\n", shape_ok ? "ok  " : "FAIL");
    passed += shape_ok;
    printf("%d passed, %d failed\n", passed, 4 - passed);
    return passed == 4 ? 0 : 1;
}
