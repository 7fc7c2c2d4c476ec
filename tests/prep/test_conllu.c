/* test_conllu.c: unit test of the sequence-tagging parsers (src/prep/conllu.h and
 * src/prep/word_tag.h) on small in-memory inputs: each input is rendered as one
 * `word/TAG word/TAG` line per sentence and compared with the expected text, and each
 * broken input must fail with the expected line and a message holding the expected words.
 * It does not touch files or the converter (test_tagging.sh does). Exits 1 on a failure. */
#include <stdio.h>
#include <string.h>

#include "prep/conllu.h"
#include "prep/word_tag.h"

static int failures, checks;

static void expect(int ok, const char *what, const char *detail) {
    checks++;
    if (!ok) failures++, printf("FAIL  %s: %s\n", what, detail);
}

/* PARSE_WORD_TAG_POS: word-tag with the tag from field 2 (word_tag_set_columns). */
typedef enum { PARSE_CONLLU_UPOS, PARSE_CONLLU_XPOS, PARSE_WORD_TAG, PARSE_WORD_TAG_POS } ParserKind;

/* Appends sentence lines "w/T w/T@line\n" to out; returns the last reader result (0 or -1). */
static int render(ParserKind kind, const char *text, char *out, size_t cap, ParseError *err) {
    ConlluReader c;
    WordTagReader w;
    size_t size = strlen(text);
    int word_tag = kind == PARSE_WORD_TAG || kind == PARSE_WORD_TAG_POS;
    if (word_tag) word_tag_init(&w, text, size);
    if (kind == PARSE_WORD_TAG_POS) word_tag_set_columns(&w, 1, 2);
    if (!word_tag) conllu_init(&c, text, size, kind == PARSE_CONLLU_XPOS ? TAG_XPOS : TAG_UPOS);
    const TaggedSentence *s;
    int rc;
    out[0] = 0;
    while ((rc = word_tag ? word_tag_next_sentence(&w, &s, err)
                                        : conllu_next_sentence(&c, &s, err)) == 1) {
        for (long i = 0; i < s->count; i++) {
            const TaggedWord *t = &s->words[i];
            size_t used = strlen(out);
            snprintf(out + used, cap - used, "%s%.*s/%.*s", i ? " " : "", (int)t->word_len, t->word,
                     (int)t->tag_len, t->tag);
        }
        size_t used = strlen(out);
        snprintf(out + used, cap - used, "@%ld\n", s->words[0].line);
    }
    if (word_tag) word_tag_free(&w);
    else conllu_free(&c);
    return rc;
}

static void parses(ParserKind kind, const char *what, const char *text, const char *expected) {
    char out[4096];
    ParseError err = {0};
    int rc = render(kind, text, out, sizeof out, &err);
    char detail[4600];
    snprintf(detail, sizeof detail, "rc %d (%s), got:\n%s-- expected:\n%s", rc, rc ? err.message : "",
             out, expected);
    expect(rc == 0 && !strcmp(out, expected), what, detail);
}

static void rejects(ParserKind kind, const char *what, const char *text, long line, const char *words) {
    char out[4096];
    ParseError err = {0};
    int rc = render(kind, text, out, sizeof out, &err);
    char detail[512];
    snprintf(detail, sizeof detail, "rc %d, line %ld, message '%s' (expected line %ld, '%s')", rc,
             err.line, err.message, line, words);
    expect(rc == -1 && err.line == line && strstr(err.message, words), what, detail);
}

/* The UD English layout: comments, a multi-word token range, an empty node. */
static const char UD_TEXT[] =
    "# newdoc id = d1\n"
    "# sent_id = s1\n"
    "# text = I don't know.\n"
    "1\tI\tI\tPRON\tPRP\tCase=Nom\t4\tnsubj\t4:nsubj\t_\n"
    "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\tdo\tdo\tAUX\tVBP\tMood=Ind\t4\taux\t4:aux\t_\n"
    "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t4:advmod\t_\n"
    "4\tknow\tknow\tVERB\tVB\tVerbForm=Inf\t0\troot\t0:root\tSpaceAfter=No\n"
    "4.1\tknow\tknow\tVERB\tVB\t_\t_\t_\t4:conj\tCopyOf=4\n"
    "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\t_\n"
    "\n"
    "# sent_id = s2\n"
    "1\tYes\tyes\tINTJ\tUH\t_\t0\troot\t0:root\t_\n"
    "\n";

static void conllu_valid(void) {
    parses(PARSE_CONLLU_UPOS, "UD layout, UPOS", UD_TEXT,
           "I/PRON do/AUX n't/PART know/VERB ./PUNCT@4\nYes/INTJ@13\n");
    parses(PARSE_CONLLU_XPOS, "UD layout, XPOS", UD_TEXT, "I/PRP do/VBP n't/RB know/VB ./.@4\nYes/UH@13\n");
    parses(PARSE_CONLLU_UPOS, "CRLF, no final blank line, no final newline",
           "# c\r\n1\ta\t_\tDET\t_\t_\t_\t_\t_\t_\r\n\r\n1\tb\t_\tX\t_\t_\t_\t_\t_\t_",
           "a/DET@2\nb/X@4\n");
    parses(PARSE_CONLLU_UPOS, "BOM, repeated blank lines, a blank line of spaces, space in FORM",
           "\xEF\xBB\xBF\n\n1\tNew York\t_\tPROPN\t_\t_\t_\t_\t_\t_\n \t\n\n\n"
           "1\tx\t_\tX\t_\t_\t_\t_\t_\t_\n2\t_\t_\tSYM\t_\t_\t_\t_\t_\t_\n",
           "New York/PROPN@3\nx/X _/SYM@7\n");
    parses(PARSE_CONLLU_UPOS, "empty input", "", "");
    parses(PARSE_CONLLU_UPOS, "comments and blank lines only", "# a\n\n# b\n\n", "");
    parses(PARSE_CONLLU_UPOS, "a block of skipped lines only, then a sentence",
           "1-2\tab\t_\t_\t_\t_\t_\t_\t_\t_\n\n1\ta\t_\tX\t_\t_\t_\t_\t_\t_\n", "a/X@3\n");
}

static void conllu_broken(void) {
    rejects(PARSE_CONLLU_UPOS, "7 fields", "1\ta\t_\tX\t_\t_\t_\t_\t_\t_\n2\tb\t_\tX\t_\t_\t_\n", 2,
            "expected 10 tab-separated fields, found 7");
    rejects(PARSE_CONLLU_UPOS, "11 fields (a trailing TAB)", "# c\n1\ta\t_\tX\t_\t_\t_\t_\t_\t_\t\n", 2,
            "found 11");
    rejects(PARSE_CONLLU_UPOS, "spaces instead of TABs", "1 a _ X _ _ _ _ _ _\n", 1, "found 1");
    rejects(PARSE_CONLLU_UPOS, "non-integer ID", "1\ta\t_\tX\t_\t_\t_\t_\t_\t_\nx2\tb\t_\tX\t_\t_\t_\t_\t_\t_\n",
            2, "ID 'x2' is not a word number");
    rejects(PARSE_CONLLU_UPOS, "open range ID", "1-\ta\t_\tX\t_\t_\t_\t_\t_\t_\n", 1, "ID '1-'");
    rejects(PARSE_CONLLU_UPOS, "bad empty-node ID", "1.a\ta\t_\tX\t_\t_\t_\t_\t_\t_\n", 1, "ID '1.a'");
    rejects(PARSE_CONLLU_UPOS, "empty ID", "\ta\t_\tX\t_\t_\t_\t_\t_\t_\n", 1, "ID ''");
    rejects(PARSE_CONLLU_UPOS, "ID skips a number",
            "1\ta\t_\tX\t_\t_\t_\t_\t_\t_\n2\ta\t_\tX\t_\t_\t_\t_\t_\t_\n3\ta\t_\tX\t_\t_\t_\t_\t_\t_\n"
            "6\ta\t_\tX\t_\t_\t_\t_\t_\t_\n",
            4, "not consecutive: expected 4, found 6");
    rejects(PARSE_CONLLU_UPOS, "sentence does not start at 1",
            "1\ta\t_\tX\t_\t_\t_\t_\t_\t_\n\n2\ta\t_\tX\t_\t_\t_\t_\t_\t_\n", 3, "expected 1, found 2");
    rejects(PARSE_CONLLU_UPOS, "huge ID", "99999999999999999999\ta\t_\tX\t_\t_\t_\t_\t_\t_\n", 1,
            "expected 1, found");
    rejects(PARSE_CONLLU_UPOS, "empty FORM", "1\t\t_\tX\t_\t_\t_\t_\t_\t_\n", 1, "empty FORM");
    rejects(PARSE_CONLLU_XPOS, "XPOS '_'",
            "1\ta\t_\tDET\tDT\t_\t_\t_\t_\t_\n2\tb\t_\tADP\t_\t_\t_\t_\t_\t_\n", 2,
            "XPOS is '_' (not annotated); use tag_column = upos");
    rejects(PARSE_CONLLU_UPOS, "UPOS '_'", "1\ta\t_\t_\tDT\t_\t_\t_\t_\t_\n", 1, "UPOS is '_'");
    rejects(PARSE_CONLLU_UPOS, "empty UPOS", "1\ta\t_\t\tDT\t_\t_\t_\t_\t_\n", 1, "empty UPOS");
}

/* CoNLL-2003 layout: 4 space-separated columns, document breaks. */
static const char CONLL2003_TEXT[] =
    "-DOCSTART- -X- -X- O\n"
    "\n"
    "EU NNP B-NP B-ORG\n"
    "rejects VBZ B-VP O\n"
    "German JJ B-NP B-MISC\n"
    "\n"
    "Peter NNP B-NP B-PER\n"
    "Blackburn NNP I-NP I-PER\n"
    "-DOCSTART- -X- -X- O\n"
    "BRUSSELS NNP B-NP B-LOC\n";

static void word_tag_valid(void) {
    parses(PARSE_WORD_TAG, "CoNLL-2003: first field word, last field tag; DOCSTART ends a sentence",
           CONLL2003_TEXT, "EU/B-ORG rejects/O German/B-MISC@3\nPeter/B-PER Blackburn/I-PER@7\nBRUSSELS/B-LOC@10\n");
    parses(PARSE_WORD_TAG, "TAB-separated: spaces inside a word, CRLF, trailing blanks",
           "New York\tB-LOC\r\nis\tO \r\n\r\n \r\nit\tO\t\n", "New York/B-LOC is/O@1\nit/O@5\n");
    parses(PARSE_WORD_TAG, "space-separated: runs of spaces, leading spaces, no final newline",
           "  Confidence   NN\nin IN\n\n\n\nthe DT", "Confidence/NN in/IN@1\nthe/DT@6\n");
    parses(PARSE_WORD_TAG_POS, "CoNLL-2003 with tag column 2: the POS",
           CONLL2003_TEXT, "EU/NNP rejects/VBZ German/JJ@3\nPeter/NNP Blackburn/NNP@7\nBRUSSELS/NNP@10\n");
    parses(PARSE_WORD_TAG, "empty input", "", "");
    parses(PARSE_WORD_TAG, "document breaks and blank lines only", "-DOCSTART- O\n\n\n-DOCSTART-\n", "");
}

static void word_tag_broken(void) {
    rejects(PARSE_WORD_TAG, "a line with one field", "a DT\nb\n", 2, "found 1 field");
    rejects(PARSE_WORD_TAG, "a TAB file with a space-separated line", "a\tDT\nb NN\n", 2,
            "separated by TAB, found 1 field");
    rejects(PARSE_WORD_TAG, "a word with a space in a space-separated file", "a DT\n\nNew York NNP\n", 3,
            "expected 2 space-separated fields as on line 1, found 3");
    rejects(PARSE_WORD_TAG, "a TAB line with an extra field", "a\tDT\nb\tx\tNN\n", 2,
            "expected 2 TAB-separated fields as on line 1, found 3");
    rejects(PARSE_WORD_TAG, "empty word", "a\tDT\n\tNN\n", 2, "empty word");
    rejects(PARSE_WORD_TAG_POS, "tag column 2 on a line of 1 field", "a DT\n\nb\n", 3, "found 1 field");
}

int main(void) {
    conllu_valid();
    conllu_broken();
    word_tag_valid();
    word_tag_broken();
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
