/* fuzz_rules.c -- the clause-rule parser, and the rules it accepts run
 * over a text.
 *
 * Input: a rule file, then optionally a NUL and a text to scan (no NUL:
 * a built-in sample of restriction clauses). Rules are all or nothing: a
 * rejected file leaves the database unchanged, with its message located
 * as file:line:column. An accepted file is loaded a second time (each rule
 * replaces itself, so the outcome must be the same) and the text scanned. */
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SOURCE "fuzz.rules"

/* Written for this target, in the style of the model licenses: each
 * sentence is something a restriction rule looks for. */
static const char SAMPLE[] =
    "1. License Rights. You are granted a non-exclusive, worldwide, "
    "non-transferable and royalty-free limited license to use, reproduce, "
    "distribute, copy, create derivative works of, and make modifications "
    "to the Materials.\n"
    "2. Additional Commercial Terms. If, on the release date, the monthly "
    "active users of the products or services made available by you exceed "
    "700 million monthly active users in the preceding calendar month, you "
    "must request a license from us.\n"
    "3. If you distribute the Materials you shall prominently display "
    "\"Built with Example\" and include \"Example\" at the beginning of any "
    "such AI model name.\n"
    "4. You will not use the Materials or any output to improve any other "
    "large language model. Your use must comply with the Acceptable Use "
    "Policy at https://example.com/policy, incorporated by reference.\n"
    "5. For non-commercial research purposes only. Not for use in the "
    "European Union. This Agreement is governed by the laws of the State of "
    "California. We may update this Agreement from time to time.\n"
    "6. Annual revenue over USD $1,000,000 requires an enterprise license.\n";

static void check_rejected(const licscan_db *db, uint32_t count_before)
{
    FUZZ_ASSERT(licscan_db_rule_count(db) == count_before);
    const char *msg = licscan_db_errmsg(db);
    fuzz_check_message(msg);
    FUZZ_ASSERT(*msg != '\0');
    const char *file = NULL;
    uint32_t line = 0, column = 0;
    licscan_db_error_location(db, &file, &line, &column);
    FUZZ_ASSERT(file != NULL && !strcmp(file, SOURCE));
    FUZZ_ASSERT(line >= 1 && column >= 1);
    char where[64];
    snprintf(where, sizeof(where), "%s:%u:%u", SOURCE, (unsigned)line,
             (unsigned)column);
    FUZZ_ASSERT(strstr(msg, where) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *rules = (const char *)data;
    size_t rules_len = size;
    const uint8_t *text = (const uint8_t *)SAMPLE;
    size_t text_len = sizeof(SAMPLE) - 1;
    const uint8_t *nul = memchr(data, 0, size);
    if (nul) {
        rules_len = (size_t)(nul - data);
        text = nul + 1;
        text_len = size - rules_len - 1;
    }

    licscan_db *db = NULL;
    FUZZ_ASSERT(licscan_db_open_empty(NULL, &db) == LICSCAN_OK);
    uint32_t before = licscan_db_rule_count(db);
    int rc = licscan_db_add_rules(db, rules, rules_len, SOURCE);
    FUZZ_ASSERT(rc == LICSCAN_OK || rc == LICSCAN_ERULE ||
                rc == LICSCAN_ETOOBIG);
    if (rc == LICSCAN_ERULE) {
        check_rejected(db, before);
    } else if (rc == LICSCAN_OK) {
        uint32_t loaded = licscan_db_rule_count(db);
        FUZZ_ASSERT(loaded >= before);
        FUZZ_ASSERT(licscan_db_add_rules(db, rules, rules_len, SOURCE) ==
                    LICSCAN_OK);
    }

    licscan_result *r = NULL;
    rc = licscan_scan(db, text, text_len, NULL, &r);
    FUZZ_ASSERT(r != NULL);
    FUZZ_ASSERT(rc == LICSCAN_OK || rc == LICSCAN_EBINARY);
    fuzz_check_result(r, text_len, NULL);
    fuzz_check_json(r, SOURCE, 0);
    licscan_result_free(r);
    licscan_db_free(db);
    return 0;
}
