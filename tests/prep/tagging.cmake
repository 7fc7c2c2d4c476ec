# tagging.cmake: sequence-tagging converters (CoNLL-U, word-tag). test_conllu unit-tests
# the two pure parsers; test_tagging.sh runs `recur prep conllu|word-tag` on the samples in
# datasets/samples/{ud,word_tag}, checks the decoded examples with `recur inspect`, the
# shard reader, and the broken inputs (exit 2, file:line).
add_executable(test_conllu ${CMAKE_CURRENT_SOURCE_DIR}/prep/test_conllu.c)
target_link_libraries(test_conllu PRIVATE recur_app)
add_test(NAME prep_tagging_parsers COMMAND test_conllu)

if(TARGET test_shard_read)
  add_test(NAME prep_tagging
           COMMAND ${CMAKE_COMMAND} -E env RECUR=$<TARGET_FILE:recur>
                   SHARD_CHECK=$<TARGET_FILE:test_shard_read>
                   SAMPLES=${PROJECT_SOURCE_DIR}/datasets/samples
                   bash ${CMAKE_CURRENT_SOURCE_DIR}/prep/test_tagging.sh)
endif()
