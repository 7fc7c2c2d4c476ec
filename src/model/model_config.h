/* model_config.h: what a model is made of — the choices a user makes in a config file.
 *
 * Plain data, no behaviour: src/config fills it from `key = value` text and validates it;
 * src/model builds parameters and buffers from it. Enum names are the config values. */
#ifndef RECUR_MODEL_CONFIG_H
#define RECUR_MODEL_CONFIG_H

#include "../core/real.h"

typedef enum {
    CELL_RNN_TANH,    /* Elman RNN, h = tanh(W_ih x + b_ih + W_hh h + b_hh) */
    CELL_RNN_RELU,    /* Elman RNN with relu */
    CELL_LSTM,        /* PyTorch LSTM, gates i,f,g,o */
    CELL_GRU,         /* PyTorch GRU, gates r,z,n; n = tanh(W_in x + b_in + r*(W_hn h + b_hn)) */
    CELL_GRU_TEXTBOOK /* Cho et al.: n = tanh(W_in x + b_in + W_hn (r*h) + b_hn) */
} CellType;

typedef enum {
    POOL_LAST, /* last state of each direction (t = len-1 forward, t = 0 backward) */
    POOL_MEAN, /* mean over the sample's own timesteps */
    POOL_MAX,  /* elementwise max over the sample's own timesteps */
    POOL_NONE  /* no pooling: one prediction per token (sequence tagging) */
} Pooling;

typedef enum {
    LOSS_CROSS_ENTROPY, /* softmax cross-entropy on int labels, with an ignore index */
    LOSS_BCE,           /* binary cross-entropy with logits on float targets in [0,1] */
    LOSS_MSE,
    LOSS_L1,
    LOSS_HUBER          /* smooth L1 with threshold huber_delta (PyTorch HuberLoss) */
} LossType;

/* Upper bounds of every size (so that no size or product of sizes overflows; the
 * parameter count is 64-bit): widths (input_size, hidden_size, head_hidden) up to 2^20,
 * vocabulary and outputs up to 2^24, up to 1024 layers. A model within them can still be
 * too large for the machine: model_init refuses it before allocating. */
enum {
    MODEL_MAX_WIDTH = 1 << 20,
    MODEL_MAX_VOCAB = 1 << 24,
    MODEL_MAX_OUTPUTS = 1 << 24,
    MODEL_MAX_LAYERS = 1024
};

typedef struct ModelConfig {
    CellType cell;
    int vocab_size;     /* > 0: token input through an embedding; 0: dense float features */
    int input_size;     /* embedding width (token input) or features per step (dense) */
    int hidden_size;    /* H, per direction */
    int num_layers;     /* stacked recurrent layers, >= 1 */
    int bidirectional;  /* 0 or 1 */
    real dropout;       /* between recurrent layers (not after the last), in [0, 1) */
    Pooling pooling;
    int head_hidden;    /* width of the hidden head layer (Linear + tanh + dropout); 0 = none */
    real head_dropout;  /* dropout after the hidden head layer, in [0, 1) */
    int output_size;    /* classes (cross-entropy), outputs (BCE / regression) */
    LossType loss;
    int ignore_index;   /* cross-entropy: labels equal to this are not counted */
    real huber_delta;   /* threshold of the Huber loss */
} ModelConfig;

/* Names used in config files and messages, indexed by the enums above. */
extern const char *const cell_type_names[];
extern const char *const pooling_names[];
extern const char *const loss_type_names[];

#endif
