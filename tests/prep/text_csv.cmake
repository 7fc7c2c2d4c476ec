# text_csv.cmake: the text-classification converters (text-csv, text-folder) and the CSV
# reader under them. test_csv unit-tests the reader (line endings, quoting, BOM, blank
# lines, delimiters, every error with its line); test_text_csv.sh and test_text_folder.sh
# run `recur prep` on the samples in datasets/samples/{ag_news,reviews,chinese,aclimdb},
# check the decoded examples with `recur inspect`, the carve, the shard reader, and the
# broken inputs (exit 2, file:line).
add_executable(test_csv ${CMAKE_CURRENT_SOURCE_DIR}/prep/test_csv.c)
target_link_libraries(test_csv PRIVATE recur_app)
add_test(NAME prep_csv_reader COMMAND test_csv)

# The shard check program is the lead's (tests/CMakeLists.txt); TARGET_EXISTS is evaluated
# when the build is generated, so the order of definition does not matter.
foreach(area IN ITEMS text_csv text_folder)
  add_test(NAME prep_${area}
           COMMAND ${CMAKE_COMMAND} -E env RECUR=$<TARGET_FILE:recur>
                   SHARD_CHECK=$<$<TARGET_EXISTS:test_shard_read>:$<TARGET_FILE:test_shard_read>>
                   SAMPLES=${PROJECT_SOURCE_DIR}/datasets/samples
                   bash ${CMAKE_CURRENT_SOURCE_DIR}/prep/test_${area}.sh)
endforeach()
