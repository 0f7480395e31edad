/* Unit tests: a license with terms added in the same document
 * (lib/modified.c): near at best, LicenseRef-<id>-modified in the SPDX
 * expression, the added flags as flag changes; the plain license and a
 * text that only mentions terms far from a license stay as they were. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "licscan.h"
#include "mit_text.h"

#define ADDED                                                                  \
    "\nIf the Software is used in a commercial service with more than 30 "     \
    "million monthly active users, you must display \"Made with Wren\" on "    \
    "its home page.\n"

static licscan_db *DB;

static licscan_result *scan(const char *s)
{
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(DB, s, strlen(s), NULL, &r), LICSCAN_OK);
    return r;
}

static void test_added_terms(void)
{
    licscan_result *r = scan("Copyright (c) 2025 Wren Labs\n\n" MIT_TEXT ADDED);
    CHECK_EQ_STR(licscan_result_spdx(r), "LicenseRef-MIT-modified");
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = licscan_result_match(r, 0);
    if (m) {
        CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_NEAR);
        CHECK_EQ_STR(licscan_match_modified(m), "LicenseRef-MIT-modified");
        bool mau = false;
        for (uint32_t i = 0; i < licscan_match_flag_change_count(m); i++) {
            uint32_t flag;
            int added;
            uint64_t s, e;
            CHECK_EQ_INT(licscan_match_flag_change(m, i, &flag, &added, &s, &e),
                         LICSCAN_OK);
            if (flag == LICSCAN_FLAG_MAU_THRESHOLD) {
                mau = added == 1;
                const char *in =
                    "Copyright (c) 2025 Wren Labs\n\n" MIT_TEXT ADDED;
                CHECK_EQ_INT(s, strstr(in, "If the Software") - in);
            }
        }
        CHECK(mau);
    }
    licscan_result_free(r);
}

static void test_plain(void)
{
    licscan_result *r = scan("Copyright (c) 2025 Wren Labs\n\n" MIT_TEXT);
    CHECK_EQ_STR(licscan_result_spdx(r), "MIT");
    const licscan_match *m = licscan_result_match(r, 0);
    CHECK(m && licscan_match_modified(m) == NULL);
    CHECK(m && licscan_match_kind(m) == LICSCAN_KIND_EXACT);
    licscan_result_free(r);
}

/* The license is a small part of a long document: terms elsewhere in it
 * are the document's, not added to the license. */
static void test_small_part(void)
{
    size_t n = 20000;
    char *s = malloc(n);
    strcpy(s, "Release notes\n\n");
    for (int i = 0; i < 60; i++)
        strcat(s, "The lighthouse lamp now turns twice as fast and the fog "
                  "horn sounds at dusk. ");
    strcat(s, "\n\n" MIT_TEXT ADDED);
    licscan_result *r = scan(s);
    CHECK_EQ_STR(licscan_result_spdx(r), "MIT");
    licscan_result_free(r);
    free(s);
}

int main(void)
{
    CHECK_EQ_INT(licscan_db_open_default(NULL, &DB), LICSCAN_OK);
    if (!DB)
        return check_report("unit_modified");
    test_added_terms();
    test_plain();
    test_small_part();
    licscan_db_free(DB);
    return check_report("unit_modified");
}
