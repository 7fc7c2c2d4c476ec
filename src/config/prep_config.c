/* prep_config.c: the settings of `recur prep` as one key table (key_table.h), their
 * cross-key checks, and the usage text. It only parses and checks: src/prep converts. */
#include "prep_config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "key_table.h"

const char *const prep_format_names[] = {"text-csv", "text-folder", "conllu", "word-tag",
                                         "series", "series-classify", "text-lines", 0};
const char *const scale_kind_names[] = {"none", "minmax", "zscore", 0};
const char *const missing_rule_names[] = {"error", "ffill", "interpolate", "drop", 0};
const char *const encoding_names[] = {"utf-8", "latin-1", 0};
const char *const unknown_labels_names[] = {"error", "unk", "drop", 0};

_Static_assert(sizeof(PrepFormat) == sizeof(int), "PrepFormat is not int-sized");
_Static_assert(sizeof(ScaleKind) == sizeof(int), "ScaleKind is not int-sized");
_Static_assert(sizeof(MissingRule) == sizeof(int), "MissingRule is not int-sized");
_Static_assert(sizeof(TextEncoding) == sizeof(int), "TextEncoding is not int-sized");
_Static_assert(sizeof(TokenizeMode) == sizeof(int), "TokenizeMode is not int-sized");
_Static_assert(sizeof(UnknownLabels) == sizeof(int), "UnknownLabels is not int-sized");

enum { G_INPUT, G_TEXT, G_SPLITS, G_SERIES };
static const char *const group_names[] = {"input", "text", "splits", "series"};

#define ROW(name, path, T, CT, names, def, range, help, group) \
    KEY_ROW(PrepConfig, name, path, T, CT, names, def, range, help, group)
#define STR(name, def, help, group) ROW(#name, name, T_STRING, char *, 0, def, ANY, help, group)

static const Key keys[] = {
    ROW("format", format, T_ENUM, PrepFormat, prep_format_names, "text-csv", ANY,
        "input format (also the first argument: recur prep FORMAT)", G_INPUT),
    STR(train, "", "training input: a file; for text-folder a folder of class folders", G_INPUT),
    STR(valid, "", "validation input; \"\" = carved from train (valid_fraction)", G_INPUT),
    STR(test, "", "test input; \"\" = carved from train (test_fraction)", G_INPUT),
    STR(output, "", "the dataset file to write (.h5)", G_INPUT),
    STR(delimiter, ",", "CSV field separator: one character, or tab", G_INPUT),
    ROW("header", header, T_BOOL, int, 0, "1", ANY,
        "1: the first CSV record names the columns", G_INPUT),
    ROW("max_record_bytes", max_record_bytes, T_LONG, long, 0, "67108864", CLOSED(1024, 1099511627776.0),
        "longest line (or CSV record) of any input, in bytes; a longer one stops with FILE:LINE", G_INPUT),
    STR(label_column, "1", "text-csv: the label column, by name or 1-based index", G_INPUT),
    STR(text_columns, "2", "text-csv: text columns (names or indices, comma-separated), "
        "joined by a space", G_INPUT),
    STR(labels, "", "the label values in class order, comma-separated; \"\" = those in train, "
        "sorted", G_INPUT),
    STR(class_names, "", "display names of `labels`, same order; \"\" = the values", G_INPUT),
    ROW("unknown_labels", unknown_labels, T_ENUM, UnknownLabels, unknown_labels_names, "error", ANY,
        "a valid/test label or tag that is not a class: error (stop, naming its line), unk (an "
        "<unk> class the model never predicts: a miss) or drop (leave out its example)", G_INPUT),
    ROW("tokenize", tokenizer.mode, T_ENUM, TokenizeMode, tokenize_mode_names, "word", ANY,
        "word tokens, or char (one token per character: Chinese)", G_TEXT),
    ROW("lowercase", tokenizer.lowercase, T_BOOL, int, 0, "1", ANY, "lower-case the text", G_TEXT),
    ROW("strip_punct", tokenizer.strip_punct, T_BOOL, int, 0, "0", ANY,
        "drop punctuation (else each mark is a token)", G_TEXT),
    ROW("strip_html", tokenizer.strip_html, T_BOOL, int, 0, "0", ANY,
        "replace <...> tags (IMDB's <br />) by a space", G_TEXT),
    ROW("min_freq", min_freq, T_LONG, long, 0, "1", AT_LEAST(1),
        "keep tokens seen at least this often in train; others become <unk>", G_TEXT),
    ROW("max_vocab", max_vocab, T_INT, int, 0, "0", CLOSED(0, 1 << 24),
        "vocabulary size including <pad> <unk> <bos> <eos>; 0 = no limit", G_TEXT),
    ROW("max_len", max_len, T_INT, int, 0, "0", CLOSED(0, 1 << 24),
        "keep the first max_len tokens of longer texts; 0 = no limit", G_TEXT),
    ROW("bos_eos", bos_eos, T_BOOL, int, 0, "0", ANY, "wrap each sequence in <bos> ... <eos>",
        G_TEXT),
    STR(glove, "", "GloVe-format text vectors -> /embedding aligned to the vocabulary", G_TEXT),
    ROW("encoding", encoding, T_ENUM, TextEncoding, encoding_names, "utf-8", ANY,
        "encoding of the text inputs: utf-8 (invalid bytes are an error) or latin-1 "
        "(ISO-8859-1, re-encoded to UTF-8)", G_TEXT),
    STR(tag_column, "", "conllu: upos or xpos; word-tag: the tag's 1-based field; \"\" = upos / "
        "the last field", G_TEXT),
    ROW("word_column", word_column, T_INT, int, 0, "1", CLOSED(1, 1 << 20),
        "word-tag: the word's 1-based field", G_TEXT),
    ROW("valid_fraction", valid_fraction, T_DOUBLE, double, 0, "0.1", UNIT,
        "share of train carved into valid when there is no valid input (series: last "
        "rows before test)", G_SPLITS),
    ROW("test_fraction", test_fraction, T_DOUBLE, double, 0, "0", UNIT,
        "share of train carved into test when there is no test input (series: the last rows)",
        G_SPLITS),
    ROW("split_seed", split_seed, T_U64, uint64_t, 0, "1", ANY, "which examples are carved",
        G_SPLITS),
    STR(train_until, "", "series: the last training row, as a count of the file's data rows "
        "(26304) or a date of time_column, inclusive (2012-12-31: all of that day); \"\" = "
        "split by valid_fraction and test_fraction", G_SPLITS),
    STR(valid_until, "", "series, with train_until: the last validation row, as train_until; "
        "test is the rest; \"\" = valid is the rest (no test)", G_SPLITS),
    STR(test_until, "", "series, with valid_until: the last test row, as train_until; later rows "
        "are left out; \"\" = test is the rest", G_SPLITS),
    STR(time_column, "", "series: a column kept out of the features (e.g. Date Time)", G_SERIES),
    STR(columns, "", "series: feature columns, comma-separated; \"\" = all but time_column and "
        "drop_columns", G_SERIES),
    STR(drop_columns, "", "series: columns left out (e.g. categorical ones)", G_SERIES),
    STR(targets, "", "series: predicted columns; series-classify: the column whose rise is "
        "the label", G_SERIES),
    ROW("input_steps", input_steps, T_INT, int, 0, "24", CLOSED(1, 1 << 20), "series: steps per window",
        G_SERIES),
    ROW("horizon", horizon, T_INT, int, 0, "1", CLOSED(1, 1 << 20),
        "series: steps predicted; series-classify: steps ahead", G_SERIES),
    ROW("stride", stride, T_INT, int, 0, "1", CLOSED(1, 1 << 30), "series: rows between window starts",
        G_SERIES),
    ROW("every", every, T_INT, int, 0, "1", CLOSED(1, 1 << 30),
        "series: keep every this-many-th row (6: hourly from 10-minute rows)", G_SERIES),
    ROW("scale", scale, T_ENUM, ScaleKind, scale_kind_names, "zscore", ANY,
        "series: per-column scaling fitted on the training rows", G_SERIES),
    ROW("missing", missing, T_ENUM, MissingRule, missing_rule_names, "error", ANY,
        "series: what a missing cell becomes", G_SERIES),
    STR(na_values, "NA,NaN,nan,", "series: cell texts that mean missing (comma-separated; a "
        "trailing comma adds the empty cell)", G_SERIES),
    ROW("rise_threshold", rise_threshold, T_DOUBLE, double, 0, "0", ANY,
        "series-classify: label rise when target[t+h] - target[t] > this (real units)",
        G_SERIES),
};

static const KeyTable table = {"prep", keys, sizeof keys / sizeof keys[0], group_names, 4,
                                sizeof(PrepConfig)};

void prep_config_set_defaults(PrepConfig *cfg) { key_table_defaults(&table, cfg); }

const char *prep_config_set(PrepConfig *cfg, const char *key, const char *value) {
    return key_table_set(&table, cfg, key, value);
}

void prep_config_write(const PrepConfig *cfg, FILE *out) { key_table_write(&table, cfg, out); }

char *prep_config_text(const PrepConfig *cfg) { return key_table_text(&table, cfg); }

void prep_config_print_usage(FILE *out) {
    fputs("usage: recur prep FORMAT [--config FILE] [--key=value ...] [--print-config]\n\n"
          "Converts a dataset into one recur dataset file (HDF5; docs/FORMATS.md). FORMAT is\n"
          "one of text-csv, text-folder, text-lines, conllu, word-tag, series, series-classify.\n"
          "Settings: "
          "defaults, then FILE, then --key=value; later sources win.\n\n", out);
    key_table_print_help(&table, out);
}

static _Noreturn void bad(const char *fmt, const char *what) {
    recur_die(EXIT_USAGE, fmt, what);
}

TagColumn prep_conllu_tag(const PrepConfig *cfg) {
    return strcmp(cfg->tag_column, "xpos") ? TAG_UPOS : TAG_XPOS;
}

int prep_word_tag_tag_column(const PrepConfig *cfg) { return atoi(cfg->tag_column); }

/* tag_column is a column name for conllu and a field number for word-tag; word_column
 * applies to word-tag only. */
static void check_tag_columns(const PrepConfig *c) {
    const char *t = c->tag_column;
    if (c->format == PREP_CONLLU && *t && strcmp(t, "upos") && strcmp(t, "xpos"))
        recur_die(EXIT_USAGE, "tag_column = %s: conllu takes upos or xpos", t);
    if (c->format == PREP_WORD_TAG && *t &&
        (strspn(t, "0123456789") != strlen(t) || atoi(t) < 1 || strlen(t) > 7))
        recur_die(EXIT_USAGE, "tag_column = %s: word-tag takes the tag's 1-based field number "
                  "(e.g. 2), or \"\" for the last field", t);
    if (c->format != PREP_WORD_TAG && c->word_column != 1)
        recur_die(EXIT_USAGE, "word_column = %d: only word-tag has a word column setting",
                  c->word_column);
    if (c->format == PREP_WORD_TAG && *t && atoi(t) == c->word_column)
        recur_die(EXIT_USAGE, "tag_column and word_column are both %d", c->word_column);
}

/* Checks between keys, after every source has been applied. */
static void check_combination(const PrepConfig *c) {
    if (!*c->output) bad("%s: no output file: give --output=FILE.h5", "output");
    if (!*c->train) bad("%s: no input: give --train=FILE (or a folder for text-folder)", "train");
    if (c->valid_fraction + c->test_fraction >= 1)
        recur_die(EXIT_USAGE, "valid_fraction + test_fraction must be below 1 (got %g + %g)",
                  c->valid_fraction, c->test_fraction);
    if (strcmp(c->delimiter, "tab") && strlen(c->delimiter) != 1)
        recur_die(EXIT_USAGE, "delimiter must be one character or 'tab' (got '%s')", c->delimiter);
    check_tag_columns(c);
    const char *until = *c->train_until ? "train_until" : *c->valid_until ? "valid_until"
                        : *c->test_until ? "test_until" : NULL;
    if (until && c->format != PREP_SERIES && c->format != PREP_SERIES_CLASSIFY)
        recur_die(EXIT_USAGE, "%s: only series and series-classify split by rows or dates", until);
}

void prep_config_load(PrepConfig *cfg, int argc, char **argv) {
    /* `recur prep FORMAT ...` is `recur prep ... --format=FORMAT` */
    char **args = xmalloc(sizeof(char *) * (size_t)(argc + 1), "arguments"), format[64] = "";
    int n = 0;
    for (int i = 0; i < argc; i++) args[n++] = argv[i];
    if (argc > 0 && argv[0][0] != '-') {
        snprintf(format, sizeof format, "--format=%.50s", argv[0]);
        args[0] = format;
    }
    key_table_load(&table, cfg, prep_config_print_usage, n, args);
    free(args);
    /* conllu's "" is upos, written out so the recipe (and so the fingerprint) of a conllu
     * dataset reads as before word-tag's numeric tag_column existed */
    if (cfg->format == PREP_CONLLU && !*cfg->tag_column) snprintf(cfg->tag_column, sizeof cfg->tag_column, "upos");
    check_combination(cfg);
}
