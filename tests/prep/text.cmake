# text.cmake: the text primitives (parse_fail, text_file, UTF-8, tokenizer, vocabulary,
# GloVe vectors). test_text unit-tests them, including the exits of text_file_read and
# glove_attach on bad input (run in a child process).
add_executable(test_text ${CMAKE_CURRENT_SOURCE_DIR}/test_text.c)
target_link_libraries(test_text PRIVATE recur_app)
add_test(NAME text COMMAND test_text)
