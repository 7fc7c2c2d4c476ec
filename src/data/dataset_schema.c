/* dataset_schema.c: the names of dataset_schema.h's enums. */
#include "dataset_schema.h"

const char *const dataset_task_names[] = {"classify", "tag", "regress", 0};
const char *const dataset_input_names[] = {"tokens", "series", 0};
const char *const split_names[] = {"train", "valid", "test", 0};
