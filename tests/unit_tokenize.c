/* Unit tests: tokenization (lib/tokenize.c, internal API).
 *
 * The SPDX matching guidelines say which differences between two texts do
 * not count: case, punctuation, quotes and dashes, whitespace, list
 * bullets and numbers, the copyright sign and "(c)", "&" for "and",
 * https for http, and varietal spellings (equivalentwords.txt). The
 * tokenizer applies them, so texts that differ only in those ways give
 * the same words, and texts that differ in a word do not. Each pair below
 * is compared word for word; the pairs that must differ show the
 * comparison can fail. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

static ls_alloc A;
static licscan_db *DB; /* for its lexicon: an empty database, equivalences
                          loaded */

static int tokenize(const char *s, size_t n, bool intern, ls_tokens *out)
{
    *out = (ls_tokens){ .alloc = &A };
    ls_tokstate st = { .line_start = true, .intern = intern };
    return ls_tokenize(&DB->lex, s, 0, n, &st, out);
}

/* The words of s joined by single spaces ("?" for an unknown word). */
static const char *words(const char *s)
{
    static char out[2048];
    ls_tokens t;
    CHECK_EQ_INT(tokenize(s, strlen(s), true, &t), LICSCAN_OK);
    size_t o = 0;
    out[0] = 0;
    for (uint32_t i = 0; i < t.n && o < sizeof(out) - 200; i++) {
        const char *w = ls_dict_word(&DB->lex.dict, t.v[i].id);
        size_t k = strlen(w);
        if (i)
            out[o++] = ' ';
        memcpy(out + o, *w ? w : "?", *w ? k : 1);
        o += *w ? k : 1;
        out[o] = 0;
    }
    ls_tokens_free(&t);
    return out;
}

/* 1 when a and b give the same word ids. */
static int same_words(const char *a, const char *b)
{
    ls_tokens ta, tb;
    int ok = tokenize(a, strlen(a), true, &ta) == LICSCAN_OK &&
             tokenize(b, strlen(b), true, &tb) == LICSCAN_OK;
    if (ok) {
        ok = ta.n == tb.n;
        for (uint32_t i = 0; ok && i < ta.n; i++)
            ok = ta.v[i].id == tb.v[i].id;
        ls_tokens_free(&tb);
    }
    ls_tokens_free(&ta);
    return ok;
}

#define SAME(a, b)                                                             \
    do {                                                                       \
        if (!same_words(a, b))                                                 \
            fprintf(stderr, "  \"%s\" -> \"%s\"\n", a, words(a)),              \
                fprintf(stderr, "  \"%s\" -> \"%s\"\n", b, words(b));          \
        CHECK(same_words(a, b));                                               \
    } while (0)
#define DIFFERENT(a, b) CHECK(!same_words(a, b))

static void test_case_punctuation_quotes_dashes(void)
{
    SAME("MIT License", "mit license");
    SAME("Permission Is Hereby GRANTED", "permission is hereby granted");
    SAME("as-is, without warranty; (see below)!",
         "as is without warranty see below");
    /* straight, curly and guillemet quotes */
    SAME("the \"Software\"", "the Software");
    SAME("the \xE2\x80\x9CSoftware\xE2\x80\x9D", "the 'Software'");
    SAME("the \xC2\xAB"
         "Software\xC2\xBB",
         "the Software");
    SAME("licensor\xE2\x80\x99s", "licensor's");
    /* hyphen, en dash, em dash, minus */
    SAME("a \xE2\x80\x93 b \xE2\x80\x94 c \xE2\x88\x92 d", "a - b -- c - d");
    SAME("a \xE2\x80\x93 b", "a b");
    /* whitespace of any kind and amount */
    SAME("a\t\tb\r\n\r\nc   d\xC2\xA0"
         "e",
         "a b c d e");
    CHECK_EQ_STR(words("The \"SOFTWARE\" -- As-Is!"), "the software as is");
    DIFFERENT("MIT License", "MIT Licensed");
    DIFFERENT("the Software", "the Softwares");
}

static void test_copyright_sign_and_ampersand(void)
{
    SAME("Copyright (c) 2024 Example", "Copyright 2024 Example");
    SAME("Copyright (C) 2024 Example", "Copyright \xC2\xA9 2024 Example");
    SAME("Copyright \xC2\xA9 (c) 2024", "copyright 2024");
    CHECK_EQ_STR(words("Copyright \xC2\xA9 2024"), "copyright 2024");
    /* "&" and "&amp;" are "and"; another entity is punctuation */
    SAME("Smith & Jones", "Smith and Jones");
    SAME("Smith &amp; Jones", "Smith and Jones");
    SAME("Smith&Jones", "Smith and Jones");
    SAME("&quot;x&quot;", "x");
    DIFFERENT("Smith & Jones", "Smith or Jones");
    DIFFERENT("Copyright 2024", "Copyright 2025");
}

static void test_equivalent_words(void)
{
    SAME("https://example.org/LICENSE", "http://example.org/license");
    CHECK_EQ_STR(words("https://x.org"), "http x org");
    SAME("licence", "license");
    SAME("acknowledgment", "acknowledgement");
    SAME("catalogue", "catalog");
    SAME("noncommercial", "non-commercial");
    /* "copyright owner" is "copyright holder"; "owner" alone is not */
    SAME("the copyright owner", "the copyright holder");
    DIFFERENT("an owner", "a holder");
    DIFFERENT("http://example.org", "ftp://example.org");
}

static void test_list_markers(void)
{
    /* bullets and list numbers at a line start do not count */
    SAME("* one\n* two\n- three\n+ four", "one two three four");
    SAME("\xE2\x80\xA2 one\n\xE2\x80\xA2 two", "one two");
    SAME("1. one\n2) two\n10. three", "one two three");
    SAME("a. one\nb) two\niv. three", "one two three");
    SAME("(a) one (b) two (iv) three (12) four", "one two three four");
    SAME("1.2. one\n3.4.5 two", "one two");
    /* a number inside a sentence stays */
    CHECK_EQ_STR(words("see section 4. here"), "see section 4 here");
    DIFFERENT("see section 4", "see section 5");
}

/* Each word keeps its byte span in the text, whatever normalization did
 * to it; words of the text the lexicon does not know are LS_TOKEN_UNKNOWN
 * when the lexicon is only read. */
static void test_spans_and_unknown_words(void)
{
    static const char s[] = "  \xE2\x80\x9CLicen\xC3\xA7"
                            "a\xE2\x80\x9D, "
                            "\xEF\xBC\xAD\xEF\xBC\xA9\xEF\xBC\xB4!";
    ls_tokens t;
    CHECK_EQ_INT(tokenize(s, sizeof s - 1, true, &t), LICSCAN_OK);
    CHECK_EQ_INT(t.n, 2);
    if (t.n == 2) {
        CHECK_EQ_INT(t.v[0].start, 5); /* after the opening quote */
        CHECK_EQ_INT(t.v[0].end, 13);  /* "Licença": the cedilla is 2 bytes */
        CHECK_EQ_STR(ls_dict_word(&DB->lex.dict, t.v[0].id), "licenca");
        CHECK_EQ_INT(t.v[1].start, 18); /* fullwidth "ＭＩＴ", 9 bytes */
        CHECK_EQ_INT(t.v[1].end, 27);
        CHECK_EQ_STR(ls_dict_word(&DB->lex.dict, t.v[1].id), "mit");
    }
    ls_tokens_free(&t);

    static const char u[] = "zyxwvut qqqq";
    CHECK_EQ_INT(tokenize(u, sizeof u - 1, false, &t), LICSCAN_OK);
    CHECK_EQ_INT(t.n, 2);
    if (t.n == 2)
        CHECK(t.v[0].id == LS_TOKEN_UNKNOWN && t.v[1].id == LS_TOKEN_UNKNOWN);
    ls_tokens_free(&t);
}

/* A text tokenized in two pieces, the state carried across, gives the
 * same tokens as in one call. */
static void test_pieces(void)
{
    static const char s[] =
        "1. Definitions.\n  (a) \"License\" shall mean the terms & "
        "conditions\n* for use, reproduction\xE2\x80\x94"
        "and distribution.\n";
    const size_t n = sizeof s - 1;
    ls_tokens whole;
    CHECK_EQ_INT(tokenize(s, n, true, &whole), LICSCAN_OK);
    int differing = 0;
    for (size_t cut = 1; cut < n; cut++) {
        /* cut only between words: where a space or line end begins */
        if (s[cut] != ' ' && s[cut] != '\n')
            continue;
        ls_tokens t = { .alloc = &A };
        ls_tokstate st = { .line_start = true, .intern = true };
        int rc = ls_tokenize(&DB->lex, s, 0, cut, &st, &t);
        if (!rc)
            rc = ls_tokenize(&DB->lex, s, cut, n, &st, &t);
        CHECK_EQ_INT(rc, LICSCAN_OK);
        int same = t.n == whole.n;
        for (uint32_t i = 0; same && i < t.n; i++)
            same = t.v[i].id == whole.v[i].id &&
                   t.v[i].start == whole.v[i].start &&
                   t.v[i].end == whole.v[i].end;
        differing += !same;
        ls_tokens_free(&t);
    }
    CHECK_EQ_INT(differing, 0);
    /* definitions license shall mean the terms and conditions for use
     * reproduction and distribution */
    CHECK_EQ_INT(whole.n, 13);
    ls_tokens_free(&whole);
}

int main(void)
{
    ls_alloc_default(&A);
    if (licscan_db_open_empty(NULL, &DB) != LICSCAN_OK)
        return 1;
    test_case_punctuation_quotes_dashes();
    test_copyright_sign_and_ampersand();
    test_equivalent_words();
    test_list_markers();
    test_spans_and_unknown_words();
    test_pieces();
    licscan_db_free(DB);
    return check_report("unit_tokenize");
}
