# series.cmake: the series and series-classify converters (src/prep/prep_series.c,
# numeric_table.c, series_ops.c). test_series_unit checks the table parser, the fill
# rules, the split, scaling and windowing on hand-computed tables; test_series.sh runs
# `recur prep series|series-classify` on the samples in datasets/samples/{jena,pm25,stocks},
# checks decoded windows with `recur inspect`, the shard reader, and the broken inputs.
add_executable(test_series_unit ${CMAKE_CURRENT_LIST_DIR}/test_series_unit.c)
target_link_libraries(test_series_unit PRIVATE recur_app)
add_test(NAME prep_series_unit COMMAND test_series_unit)

if(TARGET test_shard_read)
  add_test(NAME prep_series
           COMMAND ${CMAKE_COMMAND} -E env RECUR=$<TARGET_FILE:recur>
                   SHARD_CHECK=$<TARGET_FILE:test_shard_read>
                   SAMPLES=${PROJECT_SOURCE_DIR}/datasets/samples
                   bash ${CMAKE_CURRENT_LIST_DIR}/test_series.sh)
endif()
