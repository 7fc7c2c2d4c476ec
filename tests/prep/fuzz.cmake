# fuzz.cmake: the libFuzzer targets of tests/fuzz/ (CSV, tokenizer + UTF-8, CoNLL-U,
# word-tag, GloVe lines, numeric table, series dates), built with clang by run_fuzz.sh and run 5 s each
# with AddressSanitizer and UBSan; any crash, sanitizer report or leak fails the test and
# names the reproducer. Without clang/libFuzzer the script exits 77: reported as skipped.
add_test(NAME fuzz_parsers
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run_fuzz.sh 5 ${CMAKE_CURRENT_BINARY_DIR}/fuzz)
set_tests_properties(fuzz_parsers PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
