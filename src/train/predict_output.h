/* predict_output.h: what `recur predict` prints for each example, as text or JSON lines.
 *   classify tokens  text: `LABEL<TAB>p1 p2 ...` after `# label<TAB>p(A) p(B) ...`
 *                    json: {"line", "label", "probabilities": {class: p}, "ids"}
 *   tag              text: `word/TAG word/TAG ...` (the words as written; an empty line
 *                          stays empty)
 *                    json: {"line", "words", "tags", "ids", "probabilities": [[per token]]}
 *   series classify  text: `ROW<TAB>LABEL<TAB>p1 p2` after `# window_end_row<TAB>label<TAB>p(A) p(B)`
 *                    json: {"window_end_row", "line", "label", "probabilities": {class: p}}
 *   series regress   text: `ROW<TAB>v<TAB>v ...` after `# window_end_row<TAB>NAME@+1<TAB>...`
 *                    json: {"window_end_row", "line", "forecast": {target: [step 1, 2, ...]}}
 * Probabilities are the softmax of the logits; forecasts are in real units (the model's
 * outputs mapped back through the window transform of in->data, then the stored scaler
 * undone). ROW counts data rows from 1 (the row after the header); "line" is the
 * input line. Text numbers are %.6g, JSON numbers %.9g (float32 exactly; null when not
 * finite). The printer does not run the model or read input. */
#ifndef RECUR_PREDICT_OUTPUT_H
#define RECUR_PREDICT_OUTPUT_H

#include <stdio.h>

#include "core/real.h"
#include "data/dataset_meta.h"
#include "predict_input.h"

typedef enum { PREDICT_TEXT, PREDICT_JSON } PredictFormat;
extern const char *const predict_format_names[]; /* "text", "json", 0 */

typedef struct PredictPrinter {
    FILE *out;
    PredictFormat format;
    const DatasetMeta *meta;
    const PredictInput *in;
    int outputs;          /* the model's outputs per item (classes, or horizon x targets) */
    long next_line;       /* tag: the next input line not yet printed */
    double *values;       /* [outputs] scratch: probabilities or real-unit forecasts */
} PredictPrinter;

/* Starts printing (the text header line, when the task has one). */
void predict_printer_init(PredictPrinter *p, FILE *out, PredictFormat format, const DatasetMeta *meta,
                          const PredictInput *in, int outputs);
/* Example i of the input; outputs: its model outputs, [outputs] (pooled) or
 * [length][outputs] (tag). Examples must come in input order. */
void predict_print(PredictPrinter *p, long i, const real *outputs);
/* Prints what is left (the empty lines at the end of a tagging input) and frees. */
void predict_printer_finish(PredictPrinter *p);

#endif
