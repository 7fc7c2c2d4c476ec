/* converters.h: one function per `recur prep` input format. Each reads its inputs (named
 * in the PrepConfig), checks them, and fills a PreparedDataset; prep_main writes it.
 * Bad input ends the process with exit 2 and `recur: FILE:LINE: what` (prep_fail). */
#ifndef RECUR_CONVERTERS_H
#define RECUR_CONVERTERS_H

#include "config/prep_config.h"
#include "data/parse_error.h"
#include "prepared.h"

void convert_text_csv(const PrepConfig *cfg, PreparedDataset *out);     /* prep_text_csv.c */
void convert_text_folder(const PrepConfig *cfg, PreparedDataset *out);  /* prep_text_folder.c */
void convert_text_lines(const PrepConfig *cfg, PreparedDataset *out);   /* prep_text_lines.c */
void convert_conllu(const PrepConfig *cfg, PreparedDataset *out);       /* prep_tagging.c */
void convert_word_tag(const PrepConfig *cfg, PreparedDataset *out);     /* prep_tagging.c */
void convert_series(const PrepConfig *cfg, PreparedDataset *out);       /* prep_series.c */
void convert_series_classify(const PrepConfig *cfg, PreparedDataset *out); /* prep_series.c */

/* Pretrained vectors (GloVe text: `word v1 ... vD` per line) aligned to d->vocab into
 * d->embedding; rows of words not found are drawn from N(0, s^2), s the vectors' own
 * standard deviation (seeded); <pad> is zero. Prints the hit rate. (glove.c) */
void glove_attach(PreparedDataset *d, const char *path, uint64_t seed);

/* Exit 2 with "recur: FILE:LINE: message" (line 0: "recur: FILE: message"). */
_Noreturn void prep_fail(const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same from a parser's error. */
_Noreturn void prep_fail_parse(const char *file, const ParseError *err);

#endif
