/* Unit tests: UTF-16 told without a byte-order mark (public API). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "licscan.h"

static const char MIT[] =
    "Copyright (c) 2024 Example\r\n\r\n"
    "Permission is hereby granted, free of charge, to any person obtaining a "
    "copy of this software and associated documentation files (the "
    "\"Software\"), to deal in the Software without restriction, including "
    "without limitation the rights to use, copy, modify, merge, publish, "
    "distribute, sublicense, and/or sell copies of the Software, and to "
    "permit persons to whom the Software is furnished to do so, subject to "
    "the following conditions:\r\n\r\nThe above copyright notice and this "
    "permission notice shall be included in all copies or substantial "
    "portions of the Software.\r\n\r\nTHE SOFTWARE IS PROVIDED \"AS IS\", "
    "WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT "
    "LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR "
    "PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT "
    "HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN "
    "AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN "
    "CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE "
    "SOFTWARE.\r\n";

/* text as UTF-16 code units of its bytes (ASCII, or Latin-1 for the
 * bytes above 0x7F), little- or big-endian, no byte-order mark */
static uint8_t *utf16(const char *text, size_t n, int big, size_t *len)
{
    uint8_t *out = malloc(2 * n);
    for (size_t i = 0; i < n; i++) {
        out[2 * i + big] = (uint8_t)text[i];
        out[2 * i + !big] = 0;
    }
    *len = 2 * n;
    return out;
}

static int scan(licscan_db *db, const uint8_t *d, size_t n, licscan_result **r)
{
    *r = NULL;
    return licscan_scan(db, d, n, NULL, r);
}

static void test_mit_without_bom(licscan_db *db, int big)
{
    size_t n;
    uint8_t *d = utf16(MIT, sizeof(MIT) - 1, big, &n);
    licscan_result *r;
    CHECK_EQ_INT(scan(db, d, n, &r), LICSCAN_OK);
    CHECK_EQ_INT(licscan_result_encoding(r),
                 big ? LICSCAN_ENCODING_UTF16BE : LICSCAN_ENCODING_UTF16LE);
    CHECK(!(licscan_result_input_flags(r) & LICSCAN_INPUT_BOM));
    CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_CRLF);
    CHECK_EQ_STR(licscan_result_spdx(r), "MIT");
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    if (licscan_result_match_count(r) == 1) {
        const licscan_match *m = licscan_result_match(r, 0);
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_EXACT);
        /* spans are offsets in the UTF-16 bytes: "Copyright" at 0, the
         * final "SOFTWARE." ends 3 units (".\r\n") before the end */
        CHECK_EQ_INT(licscan_match_start(m), 0);
        CHECK_EQ_INT(licscan_match_end(m), n - 6);
    }
    licscan_result_free(r);
    free(d);
}

/* A few non-ASCII characters (here Latin-1 'é', a unit 0x00E9) still
 * leave over 90 % of the pairs ASCII. */
static void test_some_non_ascii(licscan_db *db)
{
    char text[sizeof(MIT)];
    memcpy(text, MIT, sizeof(MIT));
    for (size_t i = 40; i < sizeof(MIT) - 1; i += 40)
        if (text[i] == ' ')
            text[i] = (char)0xE9;
    size_t n;
    uint8_t *d = utf16(text, sizeof(MIT) - 1, 0, &n);
    licscan_result *r;
    CHECK_EQ_INT(scan(db, d, n, &r), LICSCAN_OK);
    CHECK_EQ_INT(licscan_result_encoding(r), LICSCAN_ENCODING_UTF16LE);
    licscan_result_free(r);
    free(d);
}

/* What stays binary: NUL bytes with no such pattern, the pattern on too
 * few pairs, and pairs whose other byte is a control or non-ASCII byte. */
static void test_still_binary(licscan_db *db)
{
    licscan_result *r;
    static const uint8_t blob[] = { 0x7F, 'E', 'L', 'F', 2, 1, 1, 0,    0,
                                    0,    0,   0,   0,   0, 3, 0, 0x3E, 0 };
    CHECK_EQ_INT(scan(db, blob, sizeof(blob), &r), LICSCAN_EBINARY);
    licscan_result_free(r);

    static const uint8_t short_le[] = { 'a', 0, 'b', 0, 'c', 0 };
    CHECK_EQ_INT(scan(db, short_le, sizeof(short_le), &r), LICSCAN_EBINARY);
    licscan_result_free(r);

    /* half the pairs like UTF-16LE, half not: under 90 % */
    size_t n;
    uint8_t *d = utf16(MIT, sizeof(MIT) - 1, 0, &n);
    for (size_t i = 0; i + 3 < n; i += 4)
        d[i + 1] = 0x41;
    CHECK_EQ_INT(scan(db, d, n, &r), LICSCAN_EBINARY);
    licscan_result_free(r);

    /* zero on one side, control bytes on the other */
    for (size_t i = 0; i < n; i += 2) {
        d[i] = (uint8_t)(1 + i % 8);
        d[i + 1] = 0;
    }
    CHECK_EQ_INT(scan(db, d, n, &r), LICSCAN_EBINARY);
    licscan_result_free(r);
    free(d);
}

/* With a byte-order mark nothing changes: the mark decides. */
static void test_bom_still_decides(licscan_db *db)
{
    size_t n;
    uint8_t *body = utf16(MIT, sizeof(MIT) - 1, 1, &n);
    uint8_t *d = malloc(n + 2);
    d[0] = 0xFE;
    d[1] = 0xFF;
    memcpy(d + 2, body, n);
    licscan_result *r;
    CHECK_EQ_INT(scan(db, d, n + 2, &r), LICSCAN_OK);
    CHECK_EQ_INT(licscan_result_encoding(r), LICSCAN_ENCODING_UTF16BE);
    CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_BOM);
    licscan_result_free(r);
    free(d);
    free(body);
}

int main(void)
{
    licscan_db *db = NULL;
    if (licscan_db_open_default(NULL, &db) != LICSCAN_OK) {
        fprintf(stderr, "unit_decode_utf16: cannot open the database\n");
        return 1;
    }
    test_mit_without_bom(db, 0);
    test_mit_without_bom(db, 1);
    test_some_non_ascii(db);
    test_still_binary(db);
    test_bom_still_decides(db);
    licscan_db_free(db);
    return check_report("unit_decode_utf16");
}
