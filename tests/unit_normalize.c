/* Unit tests: decoding and normalization (internal API). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"
#include "segment.h"

static ls_alloc A;
static licscan_db *DB; /* only for its lexicon (equivalences loaded) */

/* Tokenize s and render the words joined by spaces ("?" for unknown). */
static const char *words(const char *s, size_t n, ls_tokens *keep)
{
    static char out[4096];
    ls_tokens t = { .alloc = &A };
    ls_tokstate st = { .line_start = true, .intern = true };
    int rc = ls_tokenize(&DB->lex, s, 0, n, &st, &t);
    CHECK_EQ_INT(rc, LICSCAN_OK);
    size_t o = 0;
    out[0] = 0;
    for (uint32_t i = 0; i < t.n && o < sizeof(out) - 100; i++) {
        const char *w = ls_dict_word(&DB->lex.dict, t.v[i].id);
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? " " : "",
                              *w ? w : "?");
    }
    if (keep)
        *keep = t;
    else
        ls_tokens_free(&t);
    return out;
}
#define W(lit) words(lit, sizeof(lit) - 1, NULL)

static void test_decode(void)
{
    ls_text t;
    char err[128];
    /* ASCII and valid UTF-8 are used in place */
    const char *ascii = "hello world";
    CHECK_EQ_INT(ls_decode(&A, (const uint8_t *)ascii, 11, &t, err, sizeof err),
                 0);
    CHECK(t.text == ascii && t.map == NULL &&
          t.encoding == LICSCAN_ENCODING_UTF8);
    ls_text_free(&A, &t);

    /* UTF-8 BOM is skipped; offsets still point into the input */
    const char bom[] = "\xEF\xBB\xBFMIT";
    CHECK_EQ_INT(ls_decode(&A, (const uint8_t *)bom, 6, &t, err, sizeof err),
                 0);
    CHECK(t.len == 3 && memcmp(t.text, "MIT", 3) == 0);
    CHECK(t.flags & LICSCAN_INPUT_BOM);
    CHECK_EQ_INT(ls_text_input_offset(&t, 0), 3);
    CHECK_EQ_INT(ls_text_input_offset(&t, 3), 6);
    ls_text_free(&A, &t);

    /* invalid UTF-8: the bad byte is read as Latin-1, nothing is lost */
    const char bad[] = "caf\xE9 ok";
    CHECK_EQ_INT(ls_decode(&A, (const uint8_t *)bad, 7, &t, err, sizeof err),
                 0);
    CHECK(t.flags & LICSCAN_INPUT_INVALID_UTF8);
    CHECK_EQ_INT(t.encoding, LICSCAN_ENCODING_UTF8_LATIN1);
    CHECK(t.len == 8 && memcmp(t.text, "caf\xC3\xA9 ok", 8) == 0);
    CHECK_EQ_INT(ls_text_input_offset(&t, 5), 4); /* the space */
    ls_text_free(&A, &t);

    /* overlong encodings and surrogates are invalid UTF-8 */
    const char overlong[] = "a\xC0\xAF"
                            "b\xED\xA0\x80";
    CHECK_EQ_INT(
        ls_decode(&A, (const uint8_t *)overlong, 7, &t, err, sizeof err), 0);
    CHECK(t.flags & LICSCAN_INPUT_INVALID_UTF8);
    ls_text_free(&A, &t);

    /* NUL bytes: binary */
    const char nul[] = "ab\0cd";
    CHECK_EQ_INT(ls_decode(&A, (const uint8_t *)nul, 5, &t, err, sizeof err),
                 LICSCAN_EBINARY);
    CHECK(strstr(err, "offset 2") != NULL);
    ls_text_free(&A, &t);

    /* UTF-16LE and BE with BOM, a surrogate pair and a lone surrogate */
    const uint8_t le[] = { 0xFF, 0xFE, 'H', 0,    'i', 0,    0x3D, 0xD8, 0x00,
                           0xDE, '\r', 0,   '\n', 0,   0x00, 0xD8, 'x',  0 };
    CHECK_EQ_INT(ls_decode(&A, le, sizeof le, &t, err, sizeof err), 0);
    CHECK_EQ_INT(t.encoding, LICSCAN_ENCODING_UTF16LE);
    CHECK(t.len == 2 + 4 + 2 + 3 + 1);
    CHECK(memcmp(t.text, "Hi\xF0\x9F\x98\x80\r\n\xEF\xBF\xBDx", t.len) == 0);
    CHECK(t.flags & LICSCAN_INPUT_INVALID_UTF16);
    CHECK(t.flags & LICSCAN_INPUT_CRLF);
    CHECK_EQ_INT(ls_text_input_offset(&t, 1), 4); /* 'i' */
    CHECK_EQ_INT(ls_text_input_offset(&t, t.len), sizeof le);
    ls_text_free(&A, &t);
    const uint8_t be[] = { 0xFE, 0xFF, 0, 'O', 0, 'K' };
    CHECK_EQ_INT(ls_decode(&A, be, sizeof be, &t, err, sizeof err), 0);
    CHECK(t.encoding == LICSCAN_ENCODING_UTF16BE && t.len == 2 &&
          memcmp(t.text, "OK", 2) == 0);
    ls_text_free(&A, &t);
    const uint8_t be_nul[] = { 0xFE, 0xFF, 0, 'O', 0, 0 };
    CHECK_EQ_INT(ls_decode(&A, be_nul, sizeof be_nul, &t, err, sizeof err),
                 LICSCAN_EBINARY);
    ls_text_free(&A, &t);
}

static void test_tokens(void)
{
    /* case, punctuation, quotes and dashes do not count */
    CHECK_EQ_STR(W("The \"Software\" -- AS-IS!"), "the software as is");
    CHECK_EQ_STR(W("\xE2\x80\x9CLicensed\xE2\x80\x9D \xE2\x80\x94 yes"),
                 "licensed yes");
    /* accents are stripped, compatibility forms folded */
    CHECK_EQ_STR(W("Caf\xC3\xA9 \xEF\xAC\x81le"), "cafe file");
    /* varietal spellings and http/https */
    CHECK_EQ_STR(W("Licence licence LICENSE"), "license license license");
    CHECK_EQ_STR(W("https://x.org http://x.org"), "http x org http x org");
    CHECK_EQ_STR(W("noncommercial sublicense"), "non commercial sub license");
    CHECK_EQ_STR(W("the copyright owner"), "the copyright holder");
    CHECK_EQ_STR(W("an owner"), "an owner");
    /* copyright sign, (c), & */
    CHECK_EQ_STR(W("Copyright \xC2\xA9 (c) 2024 A & B &amp; C"),
                 "copyright 2024 a and b and c");
    /* list markers at line starts and in parentheses */
    CHECK_EQ_STR(W("1. One\n  a) two\n(iv) three\n2.1. four\nv. five"),
                 "one two three four five");
    CHECK_EQ_STR(W("see section 4. here"), "see section 4 here");
    /* comment markers */
    CHECK_EQ_STR(W("/*\n * Hello\n * World\n */\n// x\n# y\n-- z\nREM w"),
                 "hello world x y z w");
    /* markup */
    CHECK_EQ_STR(W("<p>Some <b>bold</b> &quot;x&quot;</p><!-- gone -->"
                   " **md** _it_ <year>"),
                 "some bold x md it year");
    /* scripts without spaces: one word per ideograph */
    CHECK_EQ_STR(W("Yi\xE7\xB3\xBB\xE5\x88\x97 ok"),
                 "yi \xE7\xB3\xBB \xE5\x88\x97 ok");
    /* words keep their spans */
    ls_tokens t;
    words("  Hello, World", 14, &t);
    CHECK_EQ_INT(t.n, 2);
    if (t.n == 2) {
        CHECK_EQ_INT(t.v[0].start, 2);
        CHECK_EQ_INT(t.v[0].end, 7);
        CHECK_EQ_INT(t.v[1].start, 9);
        CHECK_EQ_INT(t.v[1].end, 14);
    }
    ls_tokens_free(&t);
    /* a very long run of letters is one unknown token */
    char *long_word = malloc(5000);
    memset(long_word, 'a', 5000);
    ls_tokens lt = { .alloc = &A };
    ls_tokstate st = { .line_start = true, .intern = false };
    CHECK_EQ_INT(ls_tokenize(&DB->lex, long_word, 0, 5000, &st, &lt), 0);
    CHECK_EQ_INT(lt.n, 1);
    if (lt.n == 1)
        CHECK(lt.v[0].id == LS_TOKEN_UNKNOWN && lt.v[0].end == 5000);
    ls_tokens_free(&lt);
    free(long_word);
}

/* The byte classes segmentation reads plain runs with (ls_plain_masks):
 * the SIMD versions agree with the byte loop on every byte value, at
 * every position of a block, and on blocks of real text. */
static void test_plain_masks(void)
{
    char block[64];
    long disagree = 0, blocks = 0;
    for (int v = 0; v < 256; v++)
        for (int at = 0; at < 64; at++) {
            for (int i = 0; i < 64; i++)
                block[i] = "ab cd. \"x"[(i * 7 + v) % 9];
            block[at] = (char)v;
            uint64_t p[3], sp[3];
            for (int impl = 0; impl < 3; impl++)
                ls_plain_masks(block, impl, &p[impl], &sp[impl]);
            disagree += p[0] != p[2] || p[1] != p[2] || sp[0] != sp[2] ||
                        sp[1] != sp[2];
            blocks++;
        }
    static const char text[] =
        "Licensee shall not use the Llama Materials \"to train\" any other "
        "model (excluding Llama 2) * or_under `code` <b>bold</b> 100% ok?! "
        "\xe2\x80\x9cquoted\xe2\x80\x9d \t tab\r\n\x7f end.";
    for (size_t at = 0; at + 64 <= sizeof text - 1; at++) {
        uint64_t p[3], sp[3];
        for (int impl = 0; impl < 3; impl++)
            ls_plain_masks(text + at, impl, &p[impl], &sp[impl]);
        disagree +=
            p[0] != p[2] || p[1] != p[2] || sp[0] != sp[2] || sp[1] != sp[2];
        blocks++;
    }
    /* the byte loop itself: plain bytes are 0x21..0x7f but markup */
    uint64_t p, sp;
    memset(block, 'a', sizeof block);
    memcpy(block, " .!?\"*`_\\<\x7f\x80\x1f#", 14);
    ls_plain_masks(block, LS_SIMD_NONE, &p, &sp);
    CHECK_EQ_INT(p & 0x7fff, 1 << 10 | 1 << 13 | 1 << 14); /* 0x7f # a */
    CHECK_EQ_INT(sp & 0x7fff, 1);
    CHECK_EQ_INT(disagree, 0);
    CHECK(blocks > 16000);
}

int main(void)
{
    ls_alloc_default(&A);
    if (licscan_db_open_empty(NULL, &DB) != LICSCAN_OK)
        return 1;
    test_decode();
    test_tokens();
    test_plain_masks();
    licscan_db_free(DB);
    return check_report("unit_normalize");
}
