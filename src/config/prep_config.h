/* prep_config.h: the settings of `recur prep` — which converter, which input files, how
 * text is tokenized and how series are windowed and scaled — parsed by the same key-table
 * machinery as the training settings (config/key_table.h), checked, documented in
 * docs/FORMATS.md. This module only parses; src/prep converts. */
#ifndef RECUR_PREP_CONFIG_H
#define RECUR_PREP_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "data/tokenizer.h"

typedef enum {
    PREP_TEXT_CSV,        /* label + text columns of a CSV/TSV file */
    PREP_TEXT_FOLDER,     /* one sub-folder of .txt files per class (aclImdb) */
    PREP_CONLLU,          /* Universal Dependencies CoNLL-U: word and UPOS/XPOS tag */
    PREP_WORD_TAG,        /* word<TAB>tag per line, blank line between sentences */
    PREP_SERIES,          /* numeric CSV: windows of input steps -> next horizon steps */
    PREP_SERIES_CLASSIFY, /* numeric CSV: window -> does the target rise over horizon */
    PREP_TEXT_LINES,      /* `label text` per line (SST-2, TREC; fastText __label__) */
} PrepFormat;
extern const char *const prep_format_names[];

typedef enum { SCALE_NONE, SCALE_MINMAX, SCALE_ZSCORE } ScaleKind;
extern const char *const scale_kind_names[];

typedef enum { MISSING_ERROR, MISSING_FFILL, MISSING_INTERPOLATE, MISSING_DROP } MissingRule;
extern const char *const missing_rule_names[];

typedef enum { UNKNOWN_LABELS_ERROR, UNKNOWN_LABELS_UNK, UNKNOWN_LABELS_DROP } UnknownLabels;
extern const char *const unknown_labels_names[];

typedef enum { TAG_UPOS, TAG_XPOS } TagColumn;
typedef enum { ENCODING_UTF8, ENCODING_LATIN1 } TextEncoding;
extern const char *const encoding_names[];

enum { PREP_PATH = 1024, PREP_LIST = 1024 };

typedef struct PrepConfig {
    PrepFormat format;
    char train[PREP_PATH], valid[PREP_PATH], test[PREP_PATH]; /* inputs; "" = none */
    char output[PREP_PATH];
    /* CSV layout (text-csv, series, series-classify) */
    char delimiter[8];              /* "," or "tab" or one character */
    int header;                     /* 1: the first record names the columns */
    long max_record_bytes;          /* longest line or record read (data/record_limit.h) */
    char label_column[128];         /* text-csv: a column name (header) or 1-based index */
    char text_columns[PREP_LIST];   /* text-csv: comma-separated names or indices, joined by a space */
    char labels[PREP_LIST];         /* allowed label values in class order; "" = those seen in train */
    char class_names[PREP_LIST];    /* display names for `labels`, same order; "" = the values */
    UnknownLabels unknown_labels;   /* a valid/test label or tag not among the classes: stop,
                                       map to the <unk> class (id = number of classes), or
                                       drop the example */
    /* tokenizer and vocabulary (text formats) */
    TokenizerOptions tokenizer;     /* tokenize, lowercase, strip_punct, strip_html */
    long min_freq;                  /* keep tokens seen at least this often in train */
    int max_vocab;                  /* vocabulary size incl. the 4 specials; 0 = no limit */
    int max_len;                    /* truncate longer sequences to this; 0 = no limit */
    int bos_eos;                    /* 1: wrap each sequence in <bos> ... <eos> */
    char glove[PREP_PATH];          /* GloVe text file -> /embedding; "" = none */
    char tag_column[16];            /* conllu: upos or xpos; word-tag: a 1-based field;
                                       "" = upos / the last field (prep_conllu_tag,
                                       prep_word_tag_tag_column) */
    int word_column;                /* word-tag: the word's 1-based field */
    TextEncoding encoding;          /* of the text inputs: utf-8, or latin-1 (re-encoded) */
    /* splits */
    double valid_fraction;          /* carved from train when there is no valid file;
                                       series: the share of rows, by time */
    double test_fraction;           /* carved when there is no test file; series: by time */
    uint64_t split_seed;            /* which examples are carved */
    char train_until[64];           /* series: train ends here: a row count or a date (""
                                       = split by valid_fraction, test_fraction) */
    char valid_until[64];           /* series: valid ends here ("" = at the end, no test) */
    char test_until[64];            /* series: test ends here ("" = at the end) */
    /* series and series-classify */
    char time_column[128];          /* column kept out of the features ("" = none) */
    char columns[PREP_LIST];        /* feature columns; "" = every column but time_column
                                       and drop_columns */
    char drop_columns[PREP_LIST];   /* columns left out */
    char targets[PREP_LIST];        /* series: predicted columns; series-classify: the one
                                       whose rise is the label */
    int input_steps;                /* steps in each window */
    int horizon;                    /* series: steps predicted; classify: steps ahead */
    int stride;                     /* rows between window starts */
    int every;                      /* resample: keep every this-many-th row (6 = hourly
                                       from 10-minute readings) */
    ScaleKind scale;                /* fitted on the training rows only */
    MissingRule missing;            /* what an NA cell becomes */
    char na_values[256];            /* comma-separated cell texts that mean missing */
    double rise_threshold;          /* classify: label 1 when target[t+h] - target[t] > this */
} PrepConfig;

/* Defaults, then --config FILE, then --key=value (argv after the format name). Exit 2 on
 * a bad key, value or combination, naming it; --help prints the keys and exits 0. */
void prep_config_load(PrepConfig *cfg, int argc, char **argv);
void prep_config_set_defaults(PrepConfig *cfg);
const char *prep_config_set(PrepConfig *cfg, const char *key, const char *value);
void prep_config_print_usage(FILE *out);
/* The settings as `key = value` lines (stored in the dataset as its recipe). */
void prep_config_write(const PrepConfig *cfg, FILE *out);
char *prep_config_text(const PrepConfig *cfg);
/* tag_column for conllu (checked by prep_config_load): UPOS unless "xpos". */
TagColumn prep_conllu_tag(const PrepConfig *cfg);
/* tag_column for word-tag: its 1-based field, 0 = the last field. */
int prep_word_tag_tag_column(const PrepConfig *cfg);

#endif
