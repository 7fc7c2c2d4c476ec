/* predict_input.h: the raw input of `recur predict` as an in-memory Dataset
 * (data/dataset.h) that batch_fill pads, made with a checkpoint's DatasetMeta:
 *   classify tokens: each line is a text, tokenized with the stored options, ids from the
 *     stored vocabulary (unknown -> <unk>), cut to max_len, <bos>/<eos> when bos_eos; an
 *     empty line is one <unk> (as `recur prep` makes it);
 *   tag: each line is a sentence of whitespace-separated words, each word one token
 *     (lower-cased when the stored tokenizer lower-cases), never cut; an empty line holds
 *     no example (the printer shows it empty);
 *   series (regress, classify): a CSV with a header naming at least the stored feature
 *     columns (others ignored); every window of input_steps consecutive rows (stride 1),
 *     scaled as the dataset was.
 * Lines end at LF or CRLF; a UTF-8 byte-order mark at the start is skipped. Labels, tags
 * and targets are zeros: the model's loss needs them, predict ignores it. Bad input ends
 * the process with exit 2 and `recur: INPUT:LINE: what` (prep_fail). This module does not
 * run the model or print results. */
#ifndef RECUR_PREDICT_INPUT_H
#define RECUR_PREDICT_INPUT_H

#include "data/dataset.h"
#include "data/dataset_meta.h"
#include "data/tokenizer.h"

typedef struct PredictInput {
    char *name;        /* the input in messages: the path, or "standard input" for "-" */
    Dataset data;      /* the examples, in input order */
    long *lines;       /* [data.n] input line of each example (series: the window's last row) */
    long num_lines;    /* tag: lines in the input, empty ones included */
    TokenList words;   /* tag: the words as written, one per token, in token order */
} PredictInput;

/* Reads path ("-" = standard input) as meta's task and input expect. delimiter: the CSV
 * field separator of series input. */
void predict_input_read(PredictInput *in, const char *path, const DatasetMeta *meta, char delimiter);
void predict_input_free(PredictInput *in);

#endif
