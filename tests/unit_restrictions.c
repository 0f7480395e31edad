/* Unit tests: restriction assembly (lib/restrictions.c) and the openness
 * verdict over it (lib/restrict.c, taken by licscan_scan) -- a single
 * value from the rule loaded first, list items in text order without
 * duplicates, qualifiers, one evidence per clause with its label and
 * span, the evidence limit, value trimming and item look-up. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "jit_off.h"
#include "restrictions.h"

static const char rules[] =
    "rule law-first\n"
    "  flag governing_law\n"
    "  keywords laws\n"
    "  match laws of (?<where>[A-Z][a-z]+)\n"
    "  value capture where\n"
    "end\n"
    "rule law-second\n"
    "  flag governing_law\n"
    "  keywords courts\n"
    "  match courts of (?<where>[A-Z][a-z]+)\n"
    "  value capture where\n"
    "end\n"
    "rule uses\n"
    "  flag use_restrictions\n"
    "  keywords use\n"
    "  match no use for (?<what>\\w+)\n"
    "  value capture what\n"
    "end\n"
    "rule users\n"
    "  flag mau_threshold\n"
    "  keywords users\n"
    "  match (?<n>[0-9][0-9,]*) (?<unit>monthly|daily) users\n"
    "  value number n\n"
    "  qualifier capture unit\n"
    "end\n"
    "rule nc\n"
    "  flag non_commercial\n"
    "  keywords commercial\n"
    "  match non-commercial\n"
    "end\n";

static licscan_db *open_db(void)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_empty(&o, &db), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_add_rules(db, rules, sizeof rules - 1, "t.rules"),
                 LICSCAN_OK);
    return db;
}

static licscan_result *scan_with(const licscan_db *db, const char *text,
                                 const licscan_scan_options *o)
{
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)text, strlen(text), o, &r),
                 LICSCAN_OK);
    return r;
}

/* A single value comes from the rule loaded first among those that fired,
 * wherever it fired; the evidence lists every clause, in text order. */
static void test_value_priority(void)
{
    licscan_db *db = open_db();
    static const char t[] = "Disputes go to the courts of Dublin. "
                            "It is read under the laws of Ireland.\n";
    licscan_result *r = scan_with(db, t, NULL);
    const licscan_restriction *x =
        licscan_result_find_restriction(r, LICSCAN_FLAG_GOVERNING_LAW);
    CHECK(x != NULL);
    CHECK_EQ_STR(licscan_restriction_text(x), "Ireland");
    CHECK_EQ_INT(licscan_restriction_evidence_count(x), 2);
    uint64_t s, e;
    const char *text, *label, *rule;
    CHECK_EQ_INT(
        licscan_restriction_evidence(x, 0, &s, &e, &text, &label, &rule),
        LICSCAN_OK);
    CHECK_EQ_STR(rule, "law-second");
    CHECK_EQ_STR(text, "Disputes go to the courts of Dublin.");
    CHECK_EQ_STR(label, "");
    CHECK_EQ_INT(s, 0);
    CHECK_EQ_INT(e, strlen("Disputes go to the courts of Dublin."));
    CHECK_EQ_INT(
        licscan_restriction_evidence(x, 1, &s, NULL, NULL, NULL, &rule),
        LICSCAN_OK);
    CHECK_EQ_STR(rule, "law-first");
    CHECK_EQ_INT(s, strstr(t, "It is") - t);
    licscan_result_free(r);
    licscan_db_free(db);
}

/* List items in text order, a repeat (any case) once; labels of list
 * items; a number with its qualifier. */
static void test_items_and_qualifier(void)
{
    licscan_db *db = open_db();
    licscan_result *r = scan_with(db,
                                  "2. Limits\n"
                                  "a. No use for Weapons.\n"
                                  "b. No use for spam.\n"
                                  "c. No use for weapons.\n"
                                  "d. Up to 1,000 daily users.\n",
                                  NULL);
    const licscan_restriction *x =
        licscan_result_find_restriction(r, LICSCAN_FLAG_USE_RESTRICTIONS);
    CHECK(x != NULL);
    CHECK_EQ_INT(licscan_restriction_item_count(x), 2);
    CHECK_EQ_STR(licscan_restriction_item(x, 0), "Weapons");
    CHECK_EQ_STR(licscan_restriction_item(x, 1), "spam");
    CHECK_EQ_INT(licscan_restriction_evidence_count(x), 3);
    const char *label = NULL;
    licscan_restriction_evidence(x, 1, NULL, NULL, NULL, &label, NULL);
    CHECK_EQ_STR(label, "2.b");
    const licscan_restriction *m =
        licscan_result_find_restriction(r, LICSCAN_FLAG_MAU_THRESHOLD);
    CHECK(m != NULL);
    CHECK_EQ_INT(licscan_restriction_number(m), 1000);
    CHECK_EQ_STR(licscan_restriction_qualifier(m), "daily");
    /* in flag order */
    CHECK_EQ_INT(licscan_result_restriction_count(r), 2);
    CHECK_EQ_INT(licscan_restriction_flag(licscan_result_restriction(r, 0)),
                 LICSCAN_FLAG_MAU_THRESHOLD);
    licscan_result_free(r);
    licscan_db_free(db);
}

/* More clauses than max_evidence: the rest is counted as truncated. */
static void test_evidence_limit(void)
{
    licscan_db *db = open_db();
    licscan_scan_options o;
    licscan_scan_options_init(&o, sizeof(o));
    o.max_evidence = 1;
    licscan_result *r = scan_with(db,
                                  "No use for one. No use for two. No use "
                                  "for three.\n",
                                  &o);
    const licscan_restriction *x =
        licscan_result_find_restriction(r, LICSCAN_FLAG_USE_RESTRICTIONS);
    CHECK(x != NULL);
    CHECK_EQ_INT(licscan_restriction_evidence_count(x), 1);
    CHECK_EQ_INT(licscan_restriction_item_count(x), 3);
    CHECK(licscan_result_input_flags(r) & LICSCAN_INPUT_TRUNCATED_EVIDENCE);
    licscan_result_free(r);
    licscan_db_free(db);
}

/* The verdict is taken over the assembled restrictions. */
static void test_openness(void)
{
    licscan_db *db = open_db();
    licscan_result *r = scan_with(db, "For non-commercial use only.\n", NULL);
    CHECK_EQ_INT(licscan_result_openness(r), LICSCAN_OPENNESS_NON_COMMERCIAL);
    uint64_t broken = 0;
    CHECK_EQ_INT(licscan_result_freedom(r, LICSCAN_FREEDOM_SHARE, &broken), 0);
    CHECK_EQ_INT(broken, 1ull << LICSCAN_FLAG_NON_COMMERCIAL);
    licscan_result_free(r);
    r = scan_with(db, "Up to 1,000 monthly users.\n", NULL);
    CHECK_EQ_INT(licscan_result_openness(r),
                 LICSCAN_OPENNESS_OPEN_WEIGHT_RESTRICTED);
    licscan_result_free(r);
    r = scan_with(db, "Nothing to see here.\n", NULL);
    CHECK_EQ_INT(licscan_result_openness(r), LICSCAN_OPENNESS_UNKNOWN);
    licscan_result_free(r);
    licscan_db_free(db);
}

static void test_helpers(void)
{
    static const char d[] = " (\"Built with Foo\"), ";
    uint32_t vs = 0, ve = sizeof d - 1;
    ls_trim_value(d, &vs, &ve);
    char out[32];
    snprintf(out, sizeof out, "%.*s", (int)(ve - vs), d + vs);
    CHECK_EQ_STR(out, "Built with Foo");
    vs = 0, ve = 3;
    ls_trim_value("\"\" ", &vs, &ve);
    CHECK_EQ_INT(ve - vs, 0);

    const char *items[2] = { "weapons", "Spam" };
    licscan_restriction x = { .items = items, .nitems = 2 };
    CHECK(ls_has_item(&x, items[0]));
    CHECK(ls_has_item(&x, "WEAPONS"));
    CHECK(ls_has_item(&x, "spam"));
    CHECK(!ls_has_item(&x, "spa"));
    CHECK(!ls_has_item(&x, "malware"));
}

int main(void)
{
    test_value_priority();
    test_items_and_qualifier();
    test_evidence_limit();
    test_openness();
    test_helpers();
    return check_report("unit_restrictions");
}
