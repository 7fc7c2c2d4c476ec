/* fuzz_conllu.c: libFuzzer target for the CoNLL-U sentence reader (src/prep/conllu.h). The
 * first byte picks the tag column (even: UPOS, odd: XPOS); the rest is the input. Reads
 * sentences until the end or the first error, checking each (fuzz_tagged.h) and that no
 * tag is the unannotated `_`; on an error, a filled one-line message on a line of the
 * input. */
#include <stdint.h>

#include "fuzz_tagged.h"
#include "prep/conllu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    TaggedInput in = {.text = (const char *)data + 1, .size = size - 1, .separator = '\t'};
    in.lines = fuzz_count_lines(in.text, in.size);
    ConlluReader r;
    conllu_init(&r, in.text, in.size, data[0] & 1 ? TAG_XPOS : TAG_UPOS);
    const TaggedSentence *s;
    ParseError err;
    fuzz_reset_error(&err);
    int rc;
    long sentences = 0;
    while ((rc = conllu_next_sentence(&r, &s, &err)) == 1) {
        fuzz_check_sentence(&in, s);
        for (long i = 0; i < s->count; i++) FUZZ_CHECK(!(s->words[i].tag_len == 1 && s->words[i].tag[0] == '_'));
        FUZZ_CHECK(++sentences <= in.lines);
    }
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == -1) {
        fuzz_check_error(&err, 1);
        FUZZ_CHECK(err.line <= in.lines);
    } else {
        FUZZ_CHECK(conllu_next_sentence(&r, &s, &err) == 0);
    }
    conllu_free(&r);
    return 0;
}
