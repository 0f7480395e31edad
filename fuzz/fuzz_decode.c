/* fuzz_decode.c -- decoding and normalization. Any bytes, scanned with an
 * empty database so the time goes to decoding and tokenizing, must give a
 * clean status and a result whose facts agree with the bytes; valid UTF-8
 * re-encoded as UTF-16 must decode to the same facts. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Largest input also tried as UTF-16, to keep executions fast. */
#define UTF16_MAX_INPUT 65536

static licscan_db *db;

static void free_db(void) { licscan_db_free(db); }

static int has_crlf(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == '\r' && data[i + 1] == '\n')
            return 1;
    return 0;
}

/* The same text as UTF-16 decodes to the same facts, plus the BOM. */
static void check_as_utf16(const uint8_t *data, size_t size, uint32_t flags,
                           int big_endian)
{
    size_t len;
    uint8_t *u16 = fuzz_utf8_to_utf16(data, size, big_endian, &len, NULL);
    licscan_result *r = NULL;
    int rc = licscan_scan(db, u16, len, NULL, &r);
    FUZZ_ASSERT(rc == LICSCAN_OK);
    FUZZ_ASSERT(
        licscan_result_encoding(r) ==
        (big_endian ? LICSCAN_ENCODING_UTF16BE : LICSCAN_ENCODING_UTF16LE));
    FUZZ_ASSERT(licscan_result_input_flags(r) == (flags | LICSCAN_INPUT_BOM));
    fuzz_check_result(r, len, NULL);
    licscan_result_free(r);
    free(u16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        FUZZ_ASSERT(licscan_db_open_empty(NULL, &db) == LICSCAN_OK);
        atexit(free_db);
    }
    licscan_result *r = NULL;
    int rc = licscan_scan(db, data, size, NULL, &r);
    FUZZ_ASSERT(r != NULL);
    FUZZ_ASSERT(licscan_result_status(r) == rc);
    FUZZ_ASSERT(rc == LICSCAN_OK || rc == LICSCAN_EBINARY);
    if (rc == LICSCAN_EBINARY)
        FUZZ_ASSERT(memchr(data, 0, size) != NULL);
    fuzz_check_result(r, size, NULL);

    uint32_t enc = licscan_result_encoding(r);
    uint32_t flags = licscan_result_input_flags(r);
    int utf8 = fuzz_utf8_valid((const char *)data, size);
    if (rc == LICSCAN_OK) {
        /* invalid bytes are read as Latin-1, and only invalid bytes */
        FUZZ_ASSERT((enc == LICSCAN_ENCODING_UTF8_LATIN1) ==
                    !!(flags & LICSCAN_INPUT_INVALID_UTF8));
        if (utf8)
            FUZZ_ASSERT(enc == LICSCAN_ENCODING_UTF8);
        if (enc == LICSCAN_ENCODING_UTF8)
            FUZZ_ASSERT(utf8);
        /* UTF-16 after its byte-order mark, or sniffed from an input
         * that holds NUL bytes (a BOM-less file) */
        if (enc == LICSCAN_ENCODING_UTF16LE || enc == LICSCAN_ENCODING_UTF16BE)
            FUZZ_ASSERT((flags & LICSCAN_INPUT_BOM)
                            ? size >= 2 && (data[0] == 0xFF || data[0] == 0xFE)
                            : memchr(data, 0, size) != NULL);
        else
            FUZZ_ASSERT(!(flags & LICSCAN_INPUT_INVALID_UTF16));
        if (enc == LICSCAN_ENCODING_UTF8 || enc == LICSCAN_ENCODING_UTF8_LATIN1)
            FUZZ_ASSERT(!!(flags & LICSCAN_INPUT_CRLF) == has_crlf(data, size));
        if (size == 0)
            FUZZ_ASSERT(flags & LICSCAN_INPUT_EMPTY);
    }
    if (flags & LICSCAN_INPUT_EMPTY)
        FUZZ_ASSERT(licscan_result_match_count(r) == 0);

    /* the input's first bytes as a file name: need not be UTF-8 */
    char name[64];
    fuzz_copy_name(name, sizeof(name), data, size);
    fuzz_check_json(r, name, 0);
    fuzz_check_json(r, NULL, LICSCAN_JSON_DIFFS);
    licscan_result_free(r);

    /* a UTF-8 BOM would become a second BOM character after the UTF-16 one */
    if (rc == LICSCAN_OK && utf8 && !(flags & LICSCAN_INPUT_BOM) &&
        size <= UTF16_MAX_INPUT) {
        check_as_utf16(data, size, flags, 0);
        check_as_utf16(data, size, flags, 1);
    }
    return 0;
}
