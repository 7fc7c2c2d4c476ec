/* predict_output.c: `recur predict`'s lines, text or JSON (predict_output.h) — softmax
 * of the logits, the scaler undone on forecasts, names from the checkpoint's meta. It
 * formats only: no model, no input parsing, no exit but on a write error at the end. */
#include "predict_output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/json.h"

const char *const predict_format_names[] = {"text", "json", 0};

/* ---- numbers and strings ---- */

static void put_number(const PredictPrinter *p, double v) {
    if (p->format == PREDICT_TEXT) fprintf(p->out, "%.6g", v);
    else if (isfinite(v)) fprintf(p->out, "%.9g", v);
    else fputs("null", p->out);
}

/* s[0..n) as a JSON string (core/json.h). */
static void put_json_string(FILE *out, const char *s, size_t n) {
    char buf[8];
    putc('"', out);
    for (size_t i = 0; i < n; i++) fputs(json_escape_byte((unsigned char)s[i], buf), out);
    putc('"', out);
}

static void put_name(FILE *out, const char *s) { put_json_string(out, s, strlen(s)); }

/* Class k's name (its index when the checkpoint names none). */
static void put_class(const PredictPrinter *p, int k) {
    char index[16];
    snprintf(index, sizeof index, "%d", k);
    const char *name = p->meta->classes ? p->meta->classes[k] : index;
    if (p->format == PREDICT_JSON) put_name(p->out, name);
    else fputs(name, p->out);
}

static int argmax(const double *v, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) best = v[k] > v[best] ? k : best;
    return best;
}

static void softmax(const real *logits, int n, double *p) {
    double top = logits[0], sum = 0;
    for (int k = 1; k < n; k++) top = logits[k] > top ? logits[k] : top;
    for (int k = 0; k < n; k++) sum += p[k] = exp((double)logits[k] - top);
    for (int k = 0; k < n; k++) p[k] /= sum;
}

/* ---- headers ---- */

static void put_class_header(const PredictPrinter *p) {
    for (int k = 0; k < p->outputs; k++) fprintf(p->out, "%sp(", k ? " " : ""), put_class(p, k), putc(')', p->out);
}

static void put_forecast_header(const PredictPrinter *p) {
    const DatasetMeta *m = p->meta;
    for (int c = 0; c < p->outputs; c++)
        fprintf(p->out, "%s%s@+%d", c ? "\t" : "", m->features[m->target_features[c % m->num_targets]], c / m->num_targets + 1);
}

static void put_header(const PredictPrinter *p) {
    const DatasetMeta *m = p->meta;
    if (p->format != PREDICT_TEXT || m->task == TASK_TAG) return;
    fputs(m->input == INPUT_SERIES ? "# window_end_row\t" : "# ", p->out);
    if (m->task == TASK_CLASSIFY) fputs("label\t", p->out), put_class_header(p);
    else put_forecast_header(p);
    putc('\n', p->out);
}

/* ---- one example ---- */

/* `"ids": [..]` of token example i. */
static void put_ids(const PredictPrinter *p, long i) {
    const Dataset *d = &p->in->data;
    fputs("\"ids\": [", p->out);
    for (int64_t t = d->offsets[i]; t < d->offsets[i + 1]; t++)
        fprintf(p->out, "%s%d", t > d->offsets[i] ? ", " : "", d->tokens[t]);
    putc(']', p->out);
}

/* Where example i comes from: `ROW<TAB>` (series text), `"line": n, ` or
 * `"window_end_row": r, "line": n, ` (JSON); nothing for token text. */
static void put_origin(const PredictPrinter *p, long i) {
    int series = p->meta->input == INPUT_SERIES;
    long row = i + p->meta->input_steps;
    if (p->format == PREDICT_TEXT) {
        if (series) fprintf(p->out, "%ld\t", row);
        return;
    }
    if (series) fprintf(p->out, "{\"window_end_row\": %ld, \"line\": %ld, ", row, p->in->lines[i]);
    else fprintf(p->out, "{\"line\": %ld, ", p->in->lines[i]);
}

static void put_probabilities(const PredictPrinter *p, const double *prob) {
    int json = p->format == PREDICT_JSON;
    fputs(json ? "{" : "", p->out);
    for (int k = 0; k < p->outputs; k++) {
        fputs(k ? (json ? ", " : " ") : "", p->out);
        if (json) put_class(p, k), fputs(": ", p->out);
        put_number(p, prob[k]);
    }
    fputs(json ? "}" : "", p->out);
}

static void print_label(PredictPrinter *p, long i, const real *logits) {
    softmax(logits, p->outputs, p->values);
    put_origin(p, i);
    if (p->format == PREDICT_JSON) fputs("\"label\": ", p->out);
    put_class(p, argmax(p->values, p->outputs));
    fputs(p->format == PREDICT_JSON ? ", \"probabilities\": " : "\t", p->out);
    put_probabilities(p, p->values);
    if (p->format == PREDICT_JSON && p->meta->input == INPUT_TOKENS) fputs(", ", p->out), put_ids(p, i);
    fputs(p->format == PREDICT_JSON ? "}\n" : "\n", p->out);
}

/* Window i's model outputs as scaled levels, into p->values: mapped back through the
 * window transform when there is one (window_transform.h), else as they are. */
static void to_levels(PredictPrinter *p, long i, const real *y) {
    const Dataset *d = &p->in->data;
    const WindowTransform *w = d->window;
    if (window_transform_is_identity(w)) {
        for (int c = 0; c < p->outputs; c++) p->values[c] = (double)y[c];
        return;
    }
    int F = d->num_features, C = p->outputs;
    double *centre = xmalloc(sizeof(double) * (size_t)(2 * F + 2 * C), "window map");
    double *spread = centre + F, *base = spread + F, *scale = base + C;
    const float *rows = d->series + d->starts[i] * F;
    window_stats(w, rows, centre, spread);
    window_output_map(w, rows, centre, spread, base, scale);
    for (int c = 0; c < C; c++) p->values[c] = window_level(y[c], base[c], scale[c]);
    free(centre);
}

/* Window i's model outputs in real units, into p->values. */
static void unscale(PredictPrinter *p, long i, const real *y) {
    const DatasetMeta *m = p->meta;
    to_levels(p, i, y);
    for (int c = 0; c < p->outputs; c++) {
        int f = m->target_features[c % m->num_targets];
        p->values[c] = p->values[c] * m->scale_factor[f] + m->scale_offset[f];
    }
}

static void print_forecast(PredictPrinter *p, long i, const real *scaled) {
    const DatasetMeta *m = p->meta;
    int K = m->num_targets, H = p->outputs / K;
    unscale(p, i, scaled);
    put_origin(p, i);
    if (p->format == PREDICT_TEXT) {
        for (int c = 0; c < p->outputs; c++) fputs(c ? "\t" : "", p->out), put_number(p, p->values[c]);
        putc('\n', p->out);
        return;
    }
    fputs("\"forecast\": {", p->out);
    for (int k = 0; k < K; k++) {
        fputs(k ? "], " : "", p->out), put_name(p->out, m->features[m->target_features[k]]), fputs(": [", p->out);
        for (int h = 0; h < H; h++) fputs(h ? ", " : "", p->out), put_number(p, p->values[h * K + k]);
    }
    fputs("]}}\n", p->out);
}

static const char *word_of(const PredictPrinter *p, int64_t t, size_t *n) {
    *n = p->in->words.len[t];
    return p->in->words.text + p->in->words.start[t];
}

/* `"name": [f(t) for each token t of example i]`, f printing one token's item. */
static void put_token_array(PredictPrinter *p, long i, const char *name, const real *logits,
                            void (*item)(PredictPrinter *, int64_t, const real *)) {
    const Dataset *d = &p->in->data;
    fprintf(p->out, ", \"%s\": [", name);
    for (int64_t t = d->offsets[i]; t < d->offsets[i + 1]; t++)
        fputs(t > d->offsets[i] ? ", " : "", p->out), item(p, t, logits + (t - d->offsets[i]) * p->outputs);
    putc(']', p->out);
}

static void put_word_item(PredictPrinter *p, int64_t t, const real *logits) {
    size_t n;
    const char *w = word_of(p, t, &n);
    put_json_string(p->out, w, n);
}

static void put_tag_item(PredictPrinter *p, int64_t t, const real *logits) {
    softmax(logits, p->outputs, p->values);
    put_class(p, argmax(p->values, p->outputs));
}

static void put_probability_item(PredictPrinter *p, int64_t t, const real *logits) {
    softmax(logits, p->outputs, p->values);
    putc('[', p->out);
    for (int k = 0; k < p->outputs; k++) fputs(k ? ", " : "", p->out), put_number(p, p->values[k]);
    putc(']', p->out);
}

static void print_tags(PredictPrinter *p, long i, const real *logits) {
    const Dataset *d = &p->in->data;
    if (p->format == PREDICT_TEXT) {
        for (int64_t t = d->offsets[i]; t < d->offsets[i + 1]; t++) {
            size_t n;
            const char *w = word_of(p, t, &n);
            fprintf(p->out, "%s%.*s/", t > d->offsets[i] ? " " : "", (int)n, w);
            put_tag_item(p, t, logits + (t - d->offsets[i]) * p->outputs);
        }
        putc('\n', p->out);
        return;
    }
    fprintf(p->out, "{\"line\": %ld", p->in->lines[i]);
    put_token_array(p, i, "words", logits, put_word_item);
    put_token_array(p, i, "tags", logits, put_tag_item);
    fputs(", ", p->out), put_ids(p, i);
    put_token_array(p, i, "probabilities", logits, put_probability_item);
    fputs("}\n", p->out);
}

/* Tagging: input lines before `line` that hold no words, printed empty. */
static void print_empty_lines(PredictPrinter *p, long line) {
    for (; p->next_line < line; p->next_line++)
        if (p->format == PREDICT_TEXT) putc('\n', p->out);
        else fprintf(p->out, "{\"line\": %ld, \"words\": [], \"tags\": [], \"ids\": [], \"probabilities\": []}\n",
                     p->next_line);
}

/* ---- the printer ---- */

void predict_printer_init(PredictPrinter *p, FILE *out, PredictFormat format, const DatasetMeta *meta,
                          const PredictInput *in, int outputs) {
    *p = (PredictPrinter){.out = out, .format = format, .meta = meta, .in = in, .outputs = outputs,
                          .next_line = 1};
    p->values = xmalloc(sizeof(double) * (size_t)outputs, "prediction");
    put_header(p);
}

void predict_print(PredictPrinter *p, long i, const real *outputs) {
    if (p->meta->task == TASK_TAG) {
        print_empty_lines(p, p->in->lines[i]);
        print_tags(p, i, outputs);
        p->next_line = p->in->lines[i] + 1;
    } else if (p->meta->task == TASK_REGRESS) {
        print_forecast(p, i, outputs);
    } else {
        print_label(p, i, outputs);
    }
}

void predict_printer_finish(PredictPrinter *p) {
    if (p->meta->task == TASK_TAG) print_empty_lines(p, p->in->num_lines + 1);
    free(p->values);
    p->values = NULL;
}
