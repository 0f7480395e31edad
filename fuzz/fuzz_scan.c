/* fuzz_scan.c -- a whole scan with the embedded database: matching,
 * differences, clause extraction, JSON rendering with and without the
 * differences, and every accessor of the result. Valid UTF-8 input is
 * scanned a second time as UTF-16 and must give the same result, with its
 * offsets mapped to the UTF-16 bytes. A database that never takes a text
 * for one template whole (lib/match.c) and judges every chain, leaving
 * none out as unable to change the answer (lib/match5_rank.c), must give
 * the same JSON. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "testctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define UTF16_MAX_INPUT 65536

static licscan_db *db, *searches_all;

static void free_db(void)
{
    licscan_db_free(db);
    licscan_db_free(searches_all);
}

/* The JSON of r (with differences) as a copy. */
static char *json_copy(licscan_result *r)
{
    const char *j;
    size_t n;
    FUZZ_ASSERT(licscan_result_json(r, "f", LICSCAN_JSON_DIFFS, &j, &n) ==
                LICSCAN_OK);
    char *c = malloc(n + 1);
    FUZZ_ASSERT(c != NULL);
    memcpy(c, j, n + 1);
    return c;
}

/* The same JSON from a scan that searches every template. */
static void same_without_shortcut(const uint8_t *data, size_t size,
                                  const licscan_scan_options *opts,
                                  licscan_result *r)
{
    licscan_result *all = NULL;
    FUZZ_ASSERT(licscan_scan(searches_all, data, size, opts, &all) ==
                licscan_result_status(r));
    char *a = json_copy(r), *b = json_copy(all);
    FUZZ_ASSERT(strcmp(a, b) == 0);
    free(a);
    free(b);
    licscan_result_free(all);
}

/* Scan options vary with the input length so that small limits and the
 * no-clauses path get exercised without spending input bytes on them. */
static void pick_options(size_t size, licscan_scan_options *o)
{
    licscan_scan_options_init(o, sizeof(*o));
    switch (size % 4) {
    case 1:
        o->max_differences = 1;
        o->max_evidence = 1;
        break;
    case 2: o->flags = LICSCAN_SCAN_NO_CLAUSES; break;
    default: break;
    }
}

static void same_span(uint64_t s8, uint64_t e8, uint64_t s16, uint64_t e16,
                      const uint64_t *map)
{
    FUZZ_ASSERT(map[s8] != UINT64_MAX && map[e8] != UINT64_MAX);
    FUZZ_ASSERT(map[s8] == s16);
    FUZZ_ASSERT(map[e8] == e16);
}

static void same_match(const licscan_match *a, const licscan_match *b,
                       const uint64_t *map)
{
    /* a license only a model card names belongs to its result: the
     * same id, not the same object */
    const licscan_license *la = licscan_match_license(a);
    const licscan_license *lb = licscan_match_license(b);
    FUZZ_ASSERT(la == lb ||
                strcmp(licscan_license_id(la), licscan_license_id(lb)) == 0);
    FUZZ_ASSERT(licscan_match_kind(a) == licscan_match_kind(b));
    FUZZ_ASSERT(licscan_match_coverage(a) == licscan_match_coverage(b));
    same_span(licscan_match_start(a), licscan_match_end(a),
              licscan_match_start(b), licscan_match_end(b), map);
    FUZZ_ASSERT(licscan_match_matched_words(a) ==
                licscan_match_matched_words(b));
    FUZZ_ASSERT(licscan_match_extra_words(a) == licscan_match_extra_words(b));
    double ca = 0, cb = 0;
    FUZZ_ASSERT(licscan_match_runner_up(a, &ca) ==
                licscan_match_runner_up(b, &cb));
    FUZZ_ASSERT(ca == cb);
    uint32_t n = licscan_match_diff_count(a);
    FUZZ_ASSERT(n == licscan_match_diff_count(b));
    for (uint32_t d = 0; d < n; d++) {
        uint32_t opa, opb;
        uint64_t sa, ea, sb, eb;
        const char *ta, *tb;
        licscan_match_diff(a, d, &opa, &sa, &ea, &ta);
        licscan_match_diff(b, d, &opb, &sb, &eb, &tb);
        FUZZ_ASSERT(opa == opb);
        same_span(sa, ea, sb, eb, map);
        FUZZ_ASSERT(strcmp(ta, tb) == 0);
    }
    n = licscan_match_flag_change_count(a);
    FUZZ_ASSERT(n == licscan_match_flag_change_count(b));
    for (uint32_t c = 0; c < n; c++) {
        uint32_t fa, fb;
        int adda, addb;
        uint64_t sa, ea, sb, eb;
        licscan_match_flag_change(a, c, &fa, &adda, &sa, &ea);
        licscan_match_flag_change(b, c, &fb, &addb, &sb, &eb);
        FUZZ_ASSERT(fa == fb && adda == addb);
        same_span(sa, ea, sb, eb, map);
    }
}

static void same_restriction(const licscan_restriction *a,
                             const licscan_restriction *b, const uint64_t *map)
{
    FUZZ_ASSERT(licscan_restriction_flag(a) == licscan_restriction_flag(b));
    FUZZ_ASSERT(licscan_restriction_number(a) == licscan_restriction_number(b));
    FUZZ_ASSERT(
        !strcmp(licscan_restriction_text(a), licscan_restriction_text(b)));
    FUZZ_ASSERT(!strcmp(licscan_restriction_qualifier(a),
                        licscan_restriction_qualifier(b)));
    uint32_t n = licscan_restriction_item_count(a);
    FUZZ_ASSERT(n == licscan_restriction_item_count(b));
    for (uint32_t i = 0; i < n; i++)
        FUZZ_ASSERT(!strcmp(licscan_restriction_item(a, i),
                            licscan_restriction_item(b, i)));
    n = licscan_restriction_evidence_count(a);
    FUZZ_ASSERT(n == licscan_restriction_evidence_count(b));
    for (uint32_t i = 0; i < n; i++) {
        uint64_t sa, ea, sb, eb;
        const char *ta, *la, *ra, *tb, *lb, *rb;
        licscan_restriction_evidence(a, i, &sa, &ea, &ta, &la, &ra);
        licscan_restriction_evidence(b, i, &sb, &eb, &tb, &lb, &rb);
        same_span(sa, ea, sb, eb, map);
        FUZZ_ASSERT(!strcmp(ta, tb) && !strcmp(la, lb) && !strcmp(ra, rb));
    }
}

static void check_as_utf16(const uint8_t *data, size_t size,
                           const licscan_scan_options *opts,
                           const licscan_result *r8)
{
    int big_endian = (int)(size & 8) != 0;
    uint64_t *map = malloc((size + 1) * sizeof(*map));
    FUZZ_ASSERT(map != NULL);
    size_t len;
    uint8_t *u16 = fuzz_utf8_to_utf16(data, size, big_endian, &len, map);
    licscan_result *r16 = NULL;
    FUZZ_ASSERT(licscan_scan(db, u16, len, opts, &r16) == LICSCAN_OK);
    fuzz_check_result(r16, len, opts);
    FUZZ_ASSERT(licscan_result_input_flags(r16) ==
                (licscan_result_input_flags(r8) | LICSCAN_INPUT_BOM));
    FUZZ_ASSERT(!strcmp(licscan_result_spdx(r8), licscan_result_spdx(r16)));
    uint32_t n = licscan_result_match_count(r8);
    FUZZ_ASSERT(n == licscan_result_match_count(r16));
    for (uint32_t i = 0; i < n; i++)
        same_match(licscan_result_match(r8, i), licscan_result_match(r16, i),
                   map);
    n = licscan_result_restriction_count(r8);
    FUZZ_ASSERT(n == licscan_result_restriction_count(r16));
    for (uint32_t i = 0; i < n; i++)
        same_restriction(licscan_result_restriction(r8, i),
                         licscan_result_restriction(r16, i), map);
    FUZZ_ASSERT(licscan_result_openness(r8) == licscan_result_openness(r16));
    licscan_result_free(r16);
    free(u16);
    free(map);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        FUZZ_ASSERT(licscan_db_open_default(NULL, &db) == LICSCAN_OK);
        FUZZ_ASSERT(licscan_db_open_default(NULL, &searches_all) ==
                    LICSCAN_OK);
        FUZZ_ASSERT(ls_test_control(searches_all, LS_TEST_WHOLE_TEMPLATE, 0) ==
                    LICSCAN_OK);
        FUZZ_ASSERT(ls_test_control(searches_all, LS_TEST_PRUNING, 0) ==
                    LICSCAN_OK);
        atexit(free_db);
    }
    licscan_scan_options opts;
    pick_options(size, &opts);
    licscan_result *r = NULL;
    int rc = licscan_scan(db, data, size, &opts, &r);
    FUZZ_ASSERT(r != NULL);
    FUZZ_ASSERT(licscan_result_status(r) == rc);
    FUZZ_ASSERT(rc == LICSCAN_OK || rc == LICSCAN_EBINARY);
    fuzz_check_result(r, size, &opts);
    fuzz_check_json(r, "fuzz/input.txt", 0);
    fuzz_check_json(r, "fuzz/input.txt", LICSCAN_JSON_DIFFS);
    if (opts.flags & LICSCAN_SCAN_NO_CLAUSES)
        FUZZ_ASSERT(licscan_result_restriction_count(r) == 0);
    if (rc == LICSCAN_OK)
        same_without_shortcut(data, size, &opts, r);

    uint32_t flags = licscan_result_input_flags(r);
    if (rc == LICSCAN_OK && size <= UTF16_MAX_INPUT &&
        !(flags & LICSCAN_INPUT_BOM) &&
        fuzz_utf8_valid((const char *)data, size))
        check_as_utf16(data, size, &opts, r);
    licscan_result_free(r);
    return 0;
}
