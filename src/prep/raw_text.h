/* raw_text.h: what the text converters share — examples as token strings with their label
 * (classify) or per-token tags (tag) and where each came from, then one finishing pass:
 * carve missing valid/test splits (seeded), build the vocabulary from train only, fix the
 * classes, map to ids (truncation, <bos>/<eos>, an empty text becomes one <unk>), and
 * fill a PreparedDataset. Classes are the labels of the whole training input (before
 * carving) or `labels`; a label or tag outside them is an error naming the file and
 * line of the example (of the token, for a tag) — in train always, in valid and test
 * unless unknown_labels says to map it to the <unk> class (id = the number of classes,
 * the root attribute unknown_class) or to drop its example; the summary counts them. */
#ifndef RECUR_RAW_TEXT_H
#define RECUR_RAW_TEXT_H

#include "config/prep_config.h"
#include "data/tokenizer.h"
#include "prepared.h"

typedef struct RawSplit {
    long n;                  /* examples */
    TokenList tokens;        /* every token of every example, in order */
    int64_t *offsets;        /* [n+1] example i is tokens offsets[i] .. offsets[i+1]-1 */
    TokenList labels;        /* classify: one per example; tag: one per token */
    int32_t *source;         /* [n] index into RawText.sources of the example's file */
    long *line;              /* [n] line where the example starts */
    long cap;
    long *tag_line;          /* tag: [labels.count] line of each token's tag (raw_push_tag) */
    long tag_line_cap;
} RawSplit;

typedef struct RawText {
    DatasetTask task;        /* TASK_CLASSIFY or TASK_TAG */
    RawSplit splits[SPLIT_COUNT];
    int has_split[SPLIT_COUNT]; /* 1 when the split came from an input (not to be carved) */
    char **sources;          /* file names, for messages */
    int num_sources;
} RawText;

void raw_text_init(RawText *raw, DatasetTask task);
void raw_text_free(RawText *raw);
/* Registers a source file name; returns its index for raw_end_example. */
int raw_text_source(RawText *raw, const char *path);
/* Appends the tag of one token of the open example (task tag), read on `line`. */
void raw_push_tag(RawSplit *s, const char *tag, size_t len, long line);
/* Closes the example whose tokens (and tags) were appended to s->tokens (s->labels) since
 * the last call; `label` is the example's label (classify) or NULL (tag). */
void raw_end_example(RawSplit *s, const char *label, size_t label_len, int source, long line);
/* Carve, vocabulary, classes, ids: fills out (prepared_init is called here). */
void raw_text_finish(RawText *raw, const PrepConfig *cfg, PreparedDataset *out);

/* Reads one split's file (or folder) into raw; ctx is the converter's own (or NULL). */
typedef void (*RawSplitReader)(RawText *raw, SplitId k, const char *path, const PrepConfig *cfg,
                               const void *ctx);
/* The whole of a text converter: train (always), valid and test (when given) through
 * `read`, then raw_text_finish into out. */
void raw_text_convert(DatasetTask task, const PrepConfig *cfg, RawSplitReader read, const void *ctx,
                      PreparedDataset *out);

#endif
