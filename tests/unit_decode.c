/* Unit tests: decoding (lib/decode.c, internal API, and what a scan
 * reports of it through the public API).
 *
 * ls_decode turns the caller's bytes into valid UTF-8: UTF-8 is used in
 * place, its invalid bytes read as Latin-1; UTF-16 with a byte-order mark
 * is converted; NUL bytes make the input binary. Whenever the text is not
 * the input, a map gives each text byte's input offset, which every span
 * a scan reports goes through: the tests check the maps byte by byte. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

static ls_alloc A;

static int decode(const void *in, size_t len, ls_text *t, char *err,
                  size_t errlen)
{
    return ls_decode(&A, (const uint8_t *)in, len, t, err, errlen);
}

/* Every text byte maps to the first input byte of the character it came
 * from, the map never goes back, and one past the end maps to the end. */
static void check_map(const ls_text *t, size_t in_len)
{
    CHECK(t->map != NULL);
    if (!t->map)
        return;
    int monotone = 1;
    for (size_t i = 1; i <= t->len; i++)
        monotone &= t->map[i] >= t->map[i - 1];
    CHECK(monotone);
    CHECK_EQ_INT(t->map[t->len], in_len);
    CHECK_EQ_INT(ls_text_input_offset(t, t->len), in_len);
}

static void test_utf8_in_place(void)
{
    ls_text t;
    char err[128] = "";
    static const char ascii[] = "MIT License\n\nCopyright (c) 2024";
    CHECK_EQ_INT(decode(ascii, sizeof ascii - 1, &t, err, sizeof err),
                 LICSCAN_OK);
    CHECK(t.text == ascii && t.len == sizeof ascii - 1 && !t.map && !t.owned);
    CHECK_EQ_INT(t.encoding, LICSCAN_ENCODING_UTF8);
    CHECK_EQ_INT(t.flags, 0);
    CHECK_EQ_INT(ls_text_input_offset(&t, 5), 5);
    ls_text_free(&A, &t);

    /* valid multi-byte UTF-8, 2 to 4 bytes: still in place, no flag */
    static const char multi[] = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
    CHECK_EQ_INT(decode(multi, sizeof multi - 1, &t, err, sizeof err), 0);
    CHECK(t.text == multi && !t.map);
    CHECK_EQ_INT(t.flags, 0);
    CHECK_EQ_INT(t.encoding, LICSCAN_ENCODING_UTF8);
    ls_text_free(&A, &t);

    /* empty input */
    CHECK_EQ_INT(decode("", 0, &t, err, sizeof err), LICSCAN_OK);
    CHECK_EQ_INT(t.len, 0);
    CHECK_EQ_INT(t.flags, 0);
    ls_text_free(&A, &t);
}

static void test_invalid_utf8(void)
{
    ls_text t;
    char err[128] = "";
    /* a lone Latin-1 byte, a truncated 3-byte sequence at the end */
    static const char in[] = "na\xEFve \xE2\x82";
    const size_t n = sizeof in - 1; /* 8 */
    CHECK_EQ_INT(decode(in, n, &t, err, sizeof err), LICSCAN_OK);
    CHECK_EQ_INT(t.encoding, LICSCAN_ENCODING_UTF8_LATIN1);
    CHECK_EQ_INT(t.flags, LICSCAN_INPUT_INVALID_UTF8);
    /* each bad byte b became U+00b: C3 AF, C3 A2, C2 82 */
    static const char want[] = "na\xC3\xAFve \xC3\xA2\xC2\x82";
    CHECK_EQ_INT(t.len, sizeof want - 1);
    CHECK(t.len == sizeof want - 1 && memcmp(t.text, want, t.len) == 0);
    check_map(&t, n);
    if (t.map && t.len == sizeof want - 1) {
        /* both bytes of the Latin-1 character map to its one input byte */
        CHECK_EQ_INT(t.map[2], 2);
        CHECK_EQ_INT(t.map[3], 2);
        CHECK_EQ_INT(t.map[4], 3); /* 'v' */
        CHECK_EQ_INT(t.map[7], 6); /* the truncated sequence, byte by byte */
        CHECK_EQ_INT(t.map[9], 7);
    }
    ls_text_free(&A, &t);

    /* overlong forms, surrogates and bytes past U+10FFFF are invalid */
    static const char *const bad[] = { "\xC0\xAF",
                                       "\xE0\x80\xAF",
                                       "\xED\xA0\x80",
                                       "\xF4\x90\x80\x80",
                                       "\xF8\x88\x80\x80\x80",
                                       "\x80",
                                       "\xFF" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_INT(decode(bad[i], strlen(bad[i]), &t, err, sizeof err), 0);
        CHECK(t.flags & LICSCAN_INPUT_INVALID_UTF8);
        /* every input byte gives one Latin-1 character of 2 bytes */
        CHECK_EQ_INT(t.len, 2 * strlen(bad[i]));
        ls_text_free(&A, &t);
    }
    /* the highest valid code point is valid */
    CHECK_EQ_INT(decode("\xF4\x8F\xBF\xBF", 4, &t, err, sizeof err), 0);
    CHECK_EQ_INT(t.flags, 0);
    ls_text_free(&A, &t);
}

static void test_bom_and_crlf(void)
{
    ls_text t;
    char err[128] = "";
    static const char in[] = "\xEF\xBB\xBFGPL\r\nv3\rx\n\r";
    const size_t n = sizeof in - 1;
    CHECK_EQ_INT(decode(in, n, &t, err, sizeof err), LICSCAN_OK);
    CHECK_EQ_INT(t.flags, LICSCAN_INPUT_BOM | LICSCAN_INPUT_CRLF);
    CHECK_EQ_INT(t.encoding, LICSCAN_ENCODING_UTF8);
    /* the BOM is dropped, the line ends are kept */
    CHECK(t.len == n - 3 && memcmp(t.text, in + 3, n - 3) == 0);
    check_map(&t, n);
    if (t.map)
        for (size_t i = 0; i < t.len; i++)
            CHECK_EQ_INT(t.map[i], i + 3);
    ls_text_free(&A, &t);

    /* a lone CR, or LF then CR, is not CRLF */
    CHECK_EQ_INT(decode("a\rb\n\rc", 6, &t, err, sizeof err), 0);
    CHECK_EQ_INT(t.flags, 0);
    ls_text_free(&A, &t);
}

/* The UTF-16 encoding of code points cps[0..n), big or little endian,
 * after a BOM; returns its length. */
static size_t utf16(uint8_t *out, const uint32_t *cps, size_t n, int big)
{
    size_t o = 0;
    uint16_t units[2];
    for (size_t i = 0; i <= n; i++) {
        uint32_t cp = i ? cps[i - 1] : 0xFEFF;
        size_t k = 1;
        units[0] = (uint16_t)cp;
        if (cp >= 0x10000) {
            units[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            units[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
            k = 2;
        }
        for (size_t j = 0; j < k; j++) {
            out[o++] = (uint8_t)(big ? units[j] >> 8 : units[j] & 0xFF);
            out[o++] = (uint8_t)(big ? units[j] & 0xFF : units[j] >> 8);
        }
    }
    return o;
}

static void test_utf16(void)
{
    /* "Apache ©\r\n2.0 €😀" */
    static const uint32_t cps[] = { 'A', 'p',  'a',    'c',    'h', 'e',
                                    ' ', 0xA9, '\r',   '\n',   '2', '.',
                                    '0', ' ',  0x20AC, 0x1F600 };
    static const char want[] =
        "Apache \xC2\xA9\r\n2.0 \xE2\x82\xAC\xF0\x9F\x98\x80";
    const size_t ncp = sizeof cps / sizeof cps[0];
    for (int big = 0; big <= 1; big++) {
        uint8_t in[64];
        size_t n = utf16(in, cps, ncp, big);
        ls_text t;
        char err[128] = "";
        CHECK_EQ_INT(decode(in, n, &t, err, sizeof err), LICSCAN_OK);
        CHECK_EQ_INT(t.encoding,
                     big ? LICSCAN_ENCODING_UTF16BE : LICSCAN_ENCODING_UTF16LE);
        CHECK_EQ_INT(t.flags, LICSCAN_INPUT_BOM | LICSCAN_INPUT_CRLF);
        CHECK(t.len == sizeof want - 1 && memcmp(t.text, want, t.len) == 0);
        check_map(&t, n);
        if (t.map && t.len == sizeof want - 1) {
            /* each character's bytes map to its first code unit */
            CHECK_EQ_INT(t.map[0], 2);         /* 'A' after the BOM */
            CHECK_EQ_INT(t.map[7], 2 + 2 * 7); /* both bytes of the sign */
            CHECK_EQ_INT(t.map[8], 2 + 2 * 7);
            CHECK_EQ_INT(t.map[9], 2 + 2 * 8); /* '\r' */
            /* the emoji's 4 bytes map to its surrogate pair's first unit */
            for (size_t k = t.len - 4; k < t.len; k++)
                CHECK_EQ_INT(t.map[k], n - 4);
        }
        ls_text_free(&A, &t);
    }
    /* a lone surrogate is replaced and flagged; an odd last byte is
     * dropped, the end still maps to the end of the input */
    static const uint8_t lone[] = {
        0xFF, 0xFE, 'x', 0, 0x00, 0xDC, 'y', 0, 'z'
    };
    ls_text t;
    char err[128] = "";
    CHECK_EQ_INT(decode(lone, sizeof lone, &t, err, sizeof err), 0);
    CHECK(t.flags & LICSCAN_INPUT_INVALID_UTF16);
    CHECK(t.len == 5 && memcmp(t.text, "x\xEF\xBF\xBDy", 5) == 0);
    check_map(&t, sizeof lone);
    ls_text_free(&A, &t);
}

static void test_binary(void)
{
    ls_text t;
    char err[128] = "";
    /* UTF-16 without a BOM too short to tell (under 4 units: see
     * unit_decode_utf16.c) is read as UTF-8, and its NULs make it binary */
    static const char le_no_bom[] = "M\0I\0T\0";
    CHECK_EQ_INT(decode(le_no_bom, 6, &t, err, sizeof err), LICSCAN_EBINARY);
    CHECK(strstr(err, "offset 1") != NULL);
    ls_text_free(&A, &t);
    /* a NUL after a UTF-8 BOM, and a NUL unit in UTF-16 */
    CHECK_EQ_INT(decode("\xEF\xBB\xBF"
                        "ab\0",
                        6, &t, err, sizeof err),
                 LICSCAN_EBINARY);
    CHECK(strstr(err, "offset 5") != NULL);
    ls_text_free(&A, &t);
    static const uint8_t be[] = { 0xFE, 0xFF, 0, 'a', 0, 0, 0, 'b' };
    CHECK_EQ_INT(decode(be, sizeof be, &t, err, sizeof err), LICSCAN_EBINARY);
    CHECK(strstr(err, "byte 4") != NULL);
    ls_text_free(&A, &t);
}

/* Through the public API: a scan of the same license in UTF-8 and in
 * UTF-16 finds it at the same characters, the UTF-16 span in UTF-16
 * bytes; the result says how the input was read. */
static const char mit[] =
    "MIT License\n\nCopyright (c) 2024 Example\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a "
    "copy of this software and associated documentation files (the "
    "\"Software\"), to deal in the Software without restriction, including "
    "without limitation the rights to use, copy, modify, merge, publish, "
    "distribute, sublicense, and/or sell copies of the Software, and to "
    "permit persons to whom the Software is furnished to do so, subject to "
    "the following conditions:\n\n"
    "The above copyright notice and this permission notice shall be "
    "included in all copies or substantial portions of the Software.\n\n"
    "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, "
    "EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF "
    "MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. "
    "IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY "
    "CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, "
    "TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE "
    "SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";

static void test_scan_offsets(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(NULL, &db), LICSCAN_OK);
    if (!db)
        return;
    const size_t n = sizeof mit - 1;
    licscan_result *r8 = NULL, *r16 = NULL;
    CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)mit, n, NULL, &r8), 0);
    /* UTF-16BE of the ASCII text: a BOM, then a zero byte before each */
    uint8_t *be = malloc(2 + 2 * n);
    if (!be) {
        licscan_result_free(r8);
        licscan_db_free(db);
        return;
    }
    be[0] = 0xFE;
    be[1] = 0xFF;
    for (size_t i = 0; i < n; i++) {
        be[2 + 2 * i] = 0;
        be[3 + 2 * i] = (uint8_t)mit[i];
    }
    CHECK_EQ_INT(licscan_scan(db, be, 2 + 2 * n, NULL, &r16), 0);
    CHECK_EQ_INT(licscan_result_encoding(r8), LICSCAN_ENCODING_UTF8);
    CHECK_EQ_INT(licscan_result_encoding(r16), LICSCAN_ENCODING_UTF16BE);
    CHECK_EQ_INT(licscan_result_input_flags(r16), LICSCAN_INPUT_BOM);
    CHECK_EQ_STR(licscan_encoding_name(licscan_result_encoding(r16)),
                 "utf-16be");
    CHECK_EQ_INT(licscan_result_match_count(r8), 1);
    CHECK_EQ_INT(licscan_result_match_count(r16), 1);
    const licscan_match *m8 = licscan_result_match(r8, 0);
    const licscan_match *m16 = licscan_result_match(r16, 0);
    if (m8 && m16) {
        CHECK_EQ_STR(licscan_license_id(licscan_match_license(m8)), "MIT");
        CHECK_EQ_INT(licscan_match_kind(m8), LICSCAN_KIND_EXACT);
        CHECK_EQ_INT(licscan_match_start(m16), 2 + 2 * licscan_match_start(m8));
        CHECK_EQ_INT(licscan_match_end(m16), 2 + 2 * licscan_match_end(m8));
        CHECK(licscan_match_end(m8) <= n && licscan_match_end(m8) + 8 > n);
    }
    licscan_result_free(r16);

    /* a NUL: the scan fails as binary, and the result says why */
    CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)"MIT\0", 4, NULL, &r16),
                 LICSCAN_EBINARY);
    CHECK_EQ_INT(licscan_result_status(r16), LICSCAN_EBINARY);
    CHECK(strstr(licscan_result_errmsg(r16), "NUL") != NULL);
    CHECK_EQ_INT(licscan_result_match_count(r16), 0);
    licscan_result_free(r16);
    free(be);
    licscan_result_free(r8);
    licscan_db_free(db);
}

int main(void)
{
    ls_alloc_default(&A);
    test_utf8_in_place();
    test_invalid_utf8();
    test_bom_and_crlf();
    test_utf16();
    test_binary();
    test_scan_offsets();
    return check_report("unit_decode");
}
