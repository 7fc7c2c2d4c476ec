/* optimizer_type.h: the OptimizerType tag, alone, so that the per-element optimizer math
 * (core/optimizer_math.h) and the CUDA kernels can name an optimizer without the config.
 * config.h includes it for the `optimizer` key. Holds only the enum: no names, no
 * defaults, no parsing (config.c does those). */
#ifndef RECUR_OPTIMIZER_TYPE_H
#define RECUR_OPTIMIZER_TYPE_H

typedef enum { OPT_SGD, OPT_ADAM, OPT_ADAMW, OPT_RMSPROP, OPT_ADADELTA, OPT_ADAGRAD } OptimizerType;

#endif
