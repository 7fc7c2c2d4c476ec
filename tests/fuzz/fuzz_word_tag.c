/* fuzz_word_tag.c: libFuzzer target for the one-token-per-line tagging reader
 * (src/prep/word_tag.h); the whole input is the file. Reads sentences until the end or the
 * first error, checking each (fuzz_tagged.h; the separator is TAB when the input holds
 * one, else space); on an error, a filled one-line message on a line of the input. */
#include <stdint.h>

#include "fuzz_tagged.h"
#include "prep/word_tag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    TaggedInput in = {.text = (const char *)data, .size = size};
    in.separator = size > 0 && memchr(data, '\t', size) ? '\t' : ' ';
    in.lines = fuzz_count_lines(in.text, in.size);
    WordTagReader r;
    word_tag_init(&r, in.text, in.size);
    const TaggedSentence *s;
    ParseError err;
    fuzz_reset_error(&err);
    int rc;
    long sentences = 0;
    while ((rc = word_tag_next_sentence(&r, &s, &err)) == 1) {
        fuzz_check_sentence(&in, s);
        FUZZ_CHECK(++sentences <= in.lines);
    }
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == -1) {
        fuzz_check_error(&err, 1);
        FUZZ_CHECK(err.line <= in.lines);
    } else {
        FUZZ_CHECK(word_tag_next_sentence(&r, &s, &err) == 0);
    }
    word_tag_free(&r);
    return 0;
}
