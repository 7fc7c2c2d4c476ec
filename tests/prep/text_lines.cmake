# `recur prep text-lines` (label-first lines: SST-2, TREC, fastText).
add_test(NAME prep_text_lines
         COMMAND ${CMAKE_COMMAND} -E env RECUR=$<TARGET_FILE:recur> SHARD_CHECK=$<TARGET_FILE:test_shard_read>
                 SAMPLES=${PROJECT_SOURCE_DIR}/datasets/samples
                 bash ${CMAKE_CURRENT_SOURCE_DIR}/prep/test_text_lines.sh)
