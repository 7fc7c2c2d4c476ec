/* predict_main.h: `recur predict --checkpoint=C [--input=FILE|-] [--output-format=text|json]
 * [--batch_size=N] [--delimiter=C]` — a trained model applied to new raw input with only
 * its checkpoint: texts (one per line) through the stored tokenizer and vocabulary, words
 * of sentences (tagging), or windows of a numeric CSV through the stored scaler; prints
 * labels and probabilities, tags per word, or forecasts in real units (one process). */
#ifndef RECUR_PREDICT_MAIN_H
#define RECUR_PREDICT_MAIN_H

/* argv[0] is the first argument after `predict`. Returns the exit status. */
int predict_main(int argc, char **argv);

#endif
