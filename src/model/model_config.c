/* model_config.c: the names of the model's choices and the consistency check of a
 * ModelConfig. Messages name the config key at fault. */
#include "model_config.h"

#include <stdio.h>

#include "model.h"

const char *const cell_type_names[] = {"rnn_tanh", "rnn_relu", "lstm", "gru", "gru_textbook", 0};
const char *const pooling_names[] = {"last", "mean", "max", "none", 0};
const char *const loss_type_names[] = {"cross_entropy", "bce", "mse", "l1", "huber", 0};

const char *model_config_error(const ModelConfig *c) {
    static char msg[160];
#define BAD(...) return (snprintf(msg, sizeof msg, __VA_ARGS__), msg)
    if (c->hidden_size < 1) BAD("hidden_size: must be at least 1 (got %d)", c->hidden_size);
    if (c->num_layers < 1) BAD("num_layers: must be at least 1 (got %d)", c->num_layers);
    if (c->input_size < 1) BAD("input_size: must be at least 1 (got %d)", c->input_size);
    if (c->vocab_size < 0) BAD("vocab_size: must be 0 (dense input) or more (got %d)", c->vocab_size);
    if (c->output_size < 1) BAD("output_size: must be at least 1 (got %d)", c->output_size);
    if (c->loss == LOSS_CROSS_ENTROPY && c->output_size < 2)
        BAD("output_size: cross_entropy needs at least 2 classes (got %d)", c->output_size);
    if (c->head_hidden < 0) BAD("head_hidden: must be 0 (no hidden layer) or more (got %d)", c->head_hidden);
    if (!(c->dropout >= 0 && c->dropout < 1)) BAD("dropout: must be in [0, 1) (got %g)", (double)c->dropout);
    if (!(c->head_dropout >= 0 && c->head_dropout < 1))
        BAD("head_dropout: must be in [0, 1) (got %g)", (double)c->head_dropout);
    if (!(c->huber_delta > 0)) BAD("huber_delta: must be positive (got %g)", (double)c->huber_delta);
    if (c->bidirectional != 0 && c->bidirectional != 1)
        BAD("bidirectional: must be 0 or 1 (got %d)", c->bidirectional);
    if (c->hidden_size > MODEL_MAX_WIDTH) BAD("hidden_size: at most %d (got %d)", MODEL_MAX_WIDTH, c->hidden_size);
    if (c->input_size > MODEL_MAX_WIDTH) BAD("input_size: at most %d (got %d)", MODEL_MAX_WIDTH, c->input_size);
    if (c->head_hidden > MODEL_MAX_WIDTH) BAD("head_hidden: at most %d (got %d)", MODEL_MAX_WIDTH, c->head_hidden);
    if (c->vocab_size > MODEL_MAX_VOCAB) BAD("vocab_size: at most %d (got %d)", MODEL_MAX_VOCAB, c->vocab_size);
    if (c->output_size > MODEL_MAX_OUTPUTS) BAD("output_size: at most %d (got %d)", MODEL_MAX_OUTPUTS, c->output_size);
    if (c->num_layers > MODEL_MAX_LAYERS) BAD("num_layers: at most %d (got %d)", MODEL_MAX_LAYERS, c->num_layers);
#undef BAD
    return 0;
}
