/* Unit tests: JSON rendering (lib/json.c) and the names it spells, through
 * the public API: licscan_json_escape, licscan_result_json, and
 * licscan_status_name / licscan_input_flag_name / licscan_warning_*. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jit_off.h"
#include "licscan.h"

static size_t esc(const char *s, size_t n, char *out, size_t cap)
{
    return licscan_json_escape(s, n, out, cap);
}

/* The escape of s[0, n) must be want. */
static void check_escape(const char *s, size_t n, const char *want)
{
    char out[256];
    size_t len = esc(s, n, out, sizeof out);
    CHECK_EQ_INT(len, strlen(want));
    CHECK_EQ_STR(out, want);
}
#define ESCAPE(lit, want) check_escape(lit, sizeof(lit) - 1, want)

static void test_escape(void)
{
    ESCAPE("plain text", "plain text");
    ESCAPE("", "");
    ESCAPE("say \"hi\" \\o/", "say \\\"hi\\\" \\\\o/");
    ESCAPE("a\nb\tc\rd", "a\\nb\\tc\\rd");
    /* the other control characters, NUL included, as \u00XX */
    ESCAPE("\x01\x08\x0b\x0c\x1b\x1f",
           "\\u0001\\u0008\\u000b\\u000c\\u001b\\u001f");
    ESCAPE("a\0b", "a\\u0000b");
    /* DEL is not a control character for JSON: copied as is */
    ESCAPE("del\x7f!", "del\x7f!");
    ESCAPE(" ~", " ~");
    /* valid UTF-8 is copied, 2 to 4 bytes */
    ESCAPE("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
           "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    /* each byte that begins no valid sequence is U+FFFD: a Latin-1 byte,
     * a stray continuation byte, an overlong form, a surrogate, a
     * sequence cut by the end of the text */
    ESCAPE("caf\xE9", "caf\\ufffd");
    ESCAPE("\x80x", "\\ufffdx");
    ESCAPE("\xC0\xAF", "\\ufffd\\ufffd");
    ESCAPE("\xED\xA0\x80", "\\ufffd\\ufffd\\ufffd");
    ESCAPE("ok\xE2\x82", "ok\\ufffd\\ufffd");
    /* n bytes, not up to a NUL; and n = 0 */
    check_escape("abc\"def", 3, "abc");
    check_escape(NULL, 0, "");

    /* measuring: no output needed */
    CHECK_EQ_INT(esc("a\"b", 3, NULL, 0), 4);
    CHECK_EQ_INT(esc("\x01", 1, NULL, 0), 6);
    /* the worst case: 6 bytes of output per byte of input */
    CHECK_EQ_INT(esc("\x01\xFF\x1f", 3, NULL, 0), 18);

    /* a short buffer: a NUL-terminated prefix of the whole, ended where
     * an escape or character ends, and the whole length returned */
    static const char s[] = "x\"y\xC3\xA9\x01z\xFFw";
    const size_t n = sizeof s - 1;
    char full[128];
    size_t whole = esc(s, n, full, sizeof full);
    CHECK_EQ_STR(full, "x\\\"y\xC3\xA9\\u0001z\\ufffdw");
    /* where the output may be cut: between the pieces of the whole */
    static const size_t cuts[] = { 0, 1, 3, 4, 6, 12, 13, 19, 20 };
    int bad = 0;
    for (size_t cap = 1; cap <= whole + 1; cap++) {
        char out[128];
        memset(out, '#', sizeof out);
        size_t len = esc(s, n, out, cap);
        size_t got = strlen(out);
        int at_cut = 0;
        for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++)
            at_cut |= got == cuts[k];
        /* the longest piece boundary that fits */
        size_t best = 0;
        for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++)
            if (cuts[k] < cap && cuts[k] > best)
                best = cuts[k];
        bad += len != whole || got >= cap || !at_cut || got != best ||
               memcmp(out, full, got) != 0 || out[cap] != '#';
    }
    CHECK_EQ_INT(bad, 0);
    /* a byte that needs escaping at each place of a long plain run (runs
     * are read eight bytes at a time): as a byte at a time would give */
    static const char *const specials[] = { "\x01", "\x1f",     "\"",
                                            "\\",   "\xC3\xA9", "\xFF",
                                            "\x7f", " ",        "\x20\x21" };
    static const char *const escaped[] = { "\\u0001", "\\u001f",  "\\\"",
                                           "\\\\",    "\xC3\xA9", "\\ufffd",
                                           "\x7f",    " ",        "\x20\x21" };
    int wrong = 0;
    for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++)
        for (size_t at = 0; at < 20; at++) {
            char in[64], want[96], out[96];
            memset(in, 'a', at);
            strcpy(in + at, specials[k]);
            strcat(in, "bbbbbbbbbbbbbbbbbbbb");
            memset(want, 'a', at);
            strcpy(want + at, escaped[k]);
            strcat(want, "bbbbbbbbbbbbbbbbbbbb");
            size_t len = esc(in, strlen(in), out, sizeof out);
            wrong += len != strlen(want) || strcmp(out, want) != 0;
        }
    CHECK_EQ_INT(wrong, 0);
    /* cap 0 writes nothing */
    char untouched[4] = "abc";
    CHECK_EQ_INT(esc("zz", 2, untouched, 0), 2);
    CHECK_EQ_STR(untouched, "abc");
}

static void test_names(void)
{
    static const struct {
        int status;
        const char *name;
    } statuses[] = {
        { LICSCAN_OK, "LICSCAN_OK" },
        { LICSCAN_ENOMEM, "LICSCAN_ENOMEM" },
        { LICSCAN_EINVAL, "LICSCAN_EINVAL" },
        { LICSCAN_EIO, "LICSCAN_EIO" },
        { LICSCAN_EBINARY, "LICSCAN_EBINARY" },
        { LICSCAN_ETOOBIG, "LICSCAN_ETOOBIG" },
        { LICSCAN_ETEMPLATE, "LICSCAN_ETEMPLATE" },
        { LICSCAN_ERULE, "LICSCAN_ERULE" },
        { LICSCAN_ELIMIT, "LICSCAN_ELIMIT" },
        { LICSCAN_ENOTFOUND, "LICSCAN_ENOTFOUND" },
        { LICSCAN_EDUPLICATE, "LICSCAN_EDUPLICATE" },
        { LICSCAN_EINTERNAL, "LICSCAN_EINTERNAL" },
        { LICSCAN_EFORMAT, "LICSCAN_EFORMAT" },
        { LICSCAN_ESTOPPED, "LICSCAN_ESTOPPED" },
    };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        CHECK_EQ_STR(licscan_status_name(statuses[i].status), statuses[i].name);
    CHECK(licscan_status_name(1) == NULL);
    CHECK(licscan_status_name(LICSCAN_ESTOPPED - 1) == NULL);

    static const struct {
        uint32_t flag;
        const char *name;
        int warning;
    } flags[] = {
        { LICSCAN_INPUT_INVALID_UTF8, "invalid-utf8", 0 },
        { LICSCAN_INPUT_BOM, "bom", 0 },
        { LICSCAN_INPUT_CRLF, "crlf", 0 },
        { LICSCAN_INPUT_EMPTY, "empty", 0 },
        { LICSCAN_INPUT_INVALID_UTF16, "invalid-utf16", 0 },
        { LICSCAN_INPUT_TRUNCATED_DIFFS, "differences-truncated", 1 },
        { LICSCAN_INPUT_SEARCH_LIMIT, "search-limit", 1 },
        { LICSCAN_INPUT_RULE_LIMIT, "rule-limit", 1 },
        { LICSCAN_INPUT_TRUNCATED_EVIDENCE, "evidence-truncated", 1 },
        { LICSCAN_INPUT_VAR_LIMIT, "var-limit", 1 },
    };
    uint32_t known = 0;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        uint32_t f = flags[i].flag;
        known |= f;
        CHECK_EQ_STR(licscan_input_flag_name(f), flags[i].name);
        if (flags[i].warning) {
            CHECK_EQ_STR(licscan_warning_code(f), flags[i].name);
            CHECK(licscan_warning_message(f) &&
                  strlen(licscan_warning_message(f)) > 20);
        } else {
            CHECK(licscan_warning_code(f) == NULL);
            CHECK(licscan_warning_message(f) == NULL);
        }
    }
    /* no name for no bit, two bits, or a bit this library does not set */
    int named = 0;
    for (int b = 0; b < 32;
         named += licscan_input_flag_name(1u << b) != NULL, b++)
        ;
    CHECK_EQ_INT(named, sizeof flags / sizeof flags[0]);
    CHECK(licscan_input_flag_name(0) == NULL);
    CHECK(licscan_input_flag_name(LICSCAN_INPUT_BOM | LICSCAN_INPUT_CRLF) ==
          NULL);
    CHECK(licscan_input_flag_name(known + 1) == NULL);
    CHECK(licscan_warning_code(0x80000000u) == NULL);
}

/* A copy of the result's JSON (NULL on failure). */
static char *render(licscan_result *r, const char *file, uint32_t flags)
{
    const char *json = NULL;
    size_t len = 0;
    if (licscan_result_json(r, file, flags, &json, &len) != LICSCAN_OK)
        return NULL;
    CHECK_EQ_INT(strlen(json), len); /* NUL-terminated, no NUL inside */
    char *copy = malloc(len + 1);
    if (copy)
        memcpy(copy, json, len + 1);
    return copy;
}

static licscan_result *scan(const licscan_db *db, const char *text, size_t n,
                            const licscan_scan_options *o)
{
    licscan_result *r = NULL;
    licscan_scan(db, (const uint8_t *)text, n, o, &r);
    return r;
}

static const char llama_like[] =
    "\xEF\xBB\xBF"
    "Attribution. You must give credit.\r\n"
    "You must retain the attribution notice in all copies.\r\n"
    "Redistributions must reproduce the above copyright notice.\r\n"
    "Licensee may not use the Materials for commercial purposes.\r\n";

static void test_render(void)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof o);
    o.allocator = base_allocator();
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&o, &db), LICSCAN_OK);
    if (!db)
        return;
    licscan_result *r = scan(db, llama_like, sizeof llama_like - 1, NULL);
    CHECK(r != NULL);
    if (!r) {
        licscan_db_free(db);
        return;
    }
    /* rendered twice: the same bytes; with another file in between too */
    char *a = render(r, "dir/LICENSE", LICSCAN_JSON_DIFFS);
    char *b = render(r, "dir/LICENSE", LICSCAN_JSON_DIFFS);
    char *other = render(r, NULL, 0);
    char *c = render(r, "dir/LICENSE", LICSCAN_JSON_DIFFS);
    CHECK(a && b && c && other);
    if (a && b && c && other) {
        CHECK_EQ_STR(a, b);
        CHECK_EQ_STR(a, c);
        /* the schema member comes first */
        CHECK(strncmp(a, "{\"schema\":\"1\",\"file\":\"dir/LICENSE\",", 35) ==
              0);
        CHECK(strncmp(other, "{\"schema\":\"1\",\"encoding\":", 25) == 0);
        CHECK(strstr(a, "\"input\":[\"bom\",\"crlf\"]") != NULL);
        CHECK(strstr(a, "\"restrictions\":{") != NULL);
        CHECK(strstr(a, "\"openness\":{\"category\":") != NULL);
        CHECK(strstr(a, "\"warnings\"") == NULL);
        CHECK(a[strlen(a) - 1] == '}');
    }
    free(a);
    free(b);
    free(c);
    free(other);

    /* the file member is escaped as licscan_json_escape does: 0x7F kept,
     * CR as \r, a bad byte as U+FFFD, quotes and backslashes */
    static const char file[] = "we\"ird\\\x7f\r\xFFname";
    char want[128] = "\"file\":\"";
    size_t w = strlen(want);
    w += licscan_json_escape(file, sizeof file - 1, want + w, sizeof want - w);
    strcpy(want + w, "\"");
    CHECK_EQ_STR(want, "\"file\":\"we\\\"ird\\\\\x7f\\r\\ufffdname\"");
    a = render(r, file, 0);
    CHECK(a && strstr(a, want) != NULL);
    free(a);
    licscan_result_free(r);

    /* a limit hit: its warning, code and message from the library */
    licscan_scan_options so;
    licscan_scan_options_init(&so, sizeof so);
    so.max_evidence = 1;
    r = scan(db, llama_like, sizeof llama_like - 1, &so);
    a = r ? render(r, NULL, 0) : NULL;
    if (r &&
        (licscan_result_input_flags(r) & LICSCAN_INPUT_TRUNCATED_EVIDENCE)) {
        char warn[512];
        snprintf(warn, sizeof warn,
                 "\"warnings\":[{\"code\":\"evidence-truncated\","
                 "\"message\":\"%s\"}]",
                 licscan_warning_message(LICSCAN_INPUT_TRUNCATED_EVIDENCE));
        CHECK(a && strstr(a, warn) != NULL);
        CHECK(a && strstr(a, "\"evidence-truncated\"]") != NULL); /* input */
    } else {
        CHECK(!"the text sets a flag with two pieces of evidence");
    }
    free(a);
    licscan_result_free(r);

    /* a failed scan: matches empty, error and status members */
    r = scan(db, "ab\0cd", 5, NULL);
    a = r ? render(r, "bin", 0) : NULL;
    CHECK(a && strstr(a, "\"matches\":[]") != NULL);
    CHECK(a && strstr(a, "\"status\":\"binary input (NUL bytes), not text\"") !=
                   NULL);
    CHECK(a && strstr(a, "\"error\":\"NUL byte at offset 2: binary input\"") !=
                   NULL);
    free(a);
    licscan_result_free(r);
    CHECK_EQ_INT(licscan_result_json(NULL, NULL, 0, (const char **)&a, NULL),
                 LICSCAN_EINVAL);
    licscan_db_free(db);
}

int main(void)
{
    test_escape();
    test_names();
    test_render();
    return check_report("unit_json");
}
