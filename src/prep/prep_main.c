/* prep_main.c: `recur prep` — settings, the converter for the format, pretrained
 * vectors, the write. The converters live in their own files (converters.h). */
#include "core/clock.h"
#include "prep.h"

#include <stdio.h>
#include <time.h>

#include "config/prep_config.h"
#include "converters.h"
#include "core/record_limit.h"
#include "prep_paths.h"

typedef void (*Converter)(const PrepConfig *cfg, PreparedDataset *out);

static const Converter converters[] = {
    [PREP_TEXT_CSV] = convert_text_csv,       [PREP_TEXT_FOLDER] = convert_text_folder,
    [PREP_CONLLU] = convert_conllu,           [PREP_WORD_TAG] = convert_word_tag,
    [PREP_SERIES] = convert_series,           [PREP_SERIES_CLASSIFY] = convert_series_classify,
    [PREP_TEXT_LINES] = convert_text_lines,
};

int prep_main(int argc, char **argv) {
    PrepConfig cfg;
    prep_config_load(&cfg, argc, argv);
    prep_check_paths(&cfg);
    record_limit_set((size_t)cfg.max_record_bytes);
    double start = now_s();
    PreparedDataset d;
    converters[cfg.format](&cfg, &d);
    if (*cfg.glove) {
        if (d.input != INPUT_TOKENS) prep_fail(cfg.glove, 0, "glove: vectors need token input, "
                                               "not format %s", prep_format_names[cfg.format]);
        glove_attach(&d, cfg.glove, cfg.split_seed);
    }
    prepared_write(&d, cfg.output);
    prepared_free(&d);
    printf("prep: %.2f s\n", now_s() - start);
    return 0;
}
