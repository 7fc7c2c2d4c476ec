/* dataset_schema.h: the names and constants of the recur dataset file (HDF5), shared by
 * the writer (src/prep) and the reader (dataset_file, shard reader). docs/FORMATS.md is
 * the prose version; change both together and bump DATASET_VERSION on any change that an
 * older reader would misread. */
#ifndef RECUR_DATASET_SCHEMA_H
#define RECUR_DATASET_SCHEMA_H

#define DATASET_FORMAT "recur-dataset"
#define DATASET_VERSION 1

typedef enum { TASK_CLASSIFY, TASK_TAG, TASK_REGRESS } DatasetTask;
extern const char *const dataset_task_names[];   /* "classify", "tag", "regress", 0 */

typedef enum { INPUT_TOKENS, INPUT_SERIES } DatasetInput;
extern const char *const dataset_input_names[];  /* "tokens", "series", 0 */

typedef enum { SPLIT_TRAIN, SPLIT_VALID, SPLIT_TEST, SPLIT_COUNT } SplitId;
extern const char *const split_names[];          /* "train", "valid", "test", 0 */

/* Chunk sizes (elements) of the 1-D arrays: large enough for deflate to pay, small
 * enough that a shard's first and last chunk waste little reading. */
enum { CHUNK_TOKENS = 1 << 16, CHUNK_EXAMPLES = 1 << 14, DEFLATE_LEVEL = 4 };

#endif
