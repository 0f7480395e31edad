/* Unit tests: restriction assembly (lib/restrictions.c) and the openness
 * verdict over it (lib/restrict.c, taken by licscan_scan) -- a single
 * value from the rule loaded first, list items in text order without
 * duplicates, qualifiers, one evidence per clause with its label and
 * span, the evidence limit, value trimming and item look-up; and the
 * values (lib/values.c): a threshold's measure, period, consequence and
 * currency, scopes, places as items, bilingual texts, attribute rules. */
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

/* ------------------------------------------------------------------ */
/* Values (lib/values.c): a threshold's measure, period, consequence and
 * currency, and the scope of a flag, read by the embedded attribute
 * rules. */

static licscan_db *open_default(void)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator(); /* no JIT under valgrind */
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&o, &db), LICSCAN_OK);
    return db;
}

/* The threshold of flag f in the text (checked to be there). */
static licscan_threshold threshold_of(const licscan_db *db, const char *text,
                                      uint32_t f, licscan_result **keep)
{
    licscan_result *r = scan_with(db, text, NULL);
    const licscan_restriction *x = licscan_result_find_restriction(r, f);
    licscan_threshold t;
    memset(&t, 0, sizeof t);
    t.currency = t.period_text = t.consequence_flags = "(no threshold)";
    CHECK(x != NULL);
    if (x)
        CHECK_EQ_INT(licscan_restriction_threshold(x, &t, sizeof t),
                     LICSCAN_OK);
    else
        t.struct_size = sizeof t;
    CHECK_EQ_INT(t.struct_size, sizeof t);
    *keep = r;
    return t;
}

static void test_threshold_values(void)
{
    licscan_db *db = open_default();
    licscan_result *r;
    /* Llama: another license above 700 million MAU in a month */
    licscan_threshold t = threshold_of(
        db,
        "If the monthly active users of the products or services made "
        "available by Licensee is greater than 700 million monthly active "
        "users in the preceding calendar month, you must request a license "
        "from Acme, which Acme may grant in its sole discretion.\n",
        LICSCAN_FLAG_MAU_THRESHOLD, &r);
    CHECK_EQ_INT(t.measure, LICSCAN_MEASURE_MONTHLY_ACTIVE_USERS);
    CHECK_EQ_INT(t.amount, 700000000);
    CHECK_EQ_STR(t.currency, "");
    CHECK_EQ_INT(t.period, LICSCAN_PERIOD_MONTH);
    CHECK_EQ_STR(t.period_text, "in the preceding calendar month");
    CHECK_EQ_INT(t.consequence, LICSCAN_CONSEQUENCE_LICENSE_REQUIRED);
    CHECK_EQ_STR(t.consequence_flags, "");
    uint64_t broken = 0;
    CHECK_EQ_INT(licscan_result_freedom(r, LICSCAN_FREEDOM_USE, &broken), 0);
    CHECK_EQ_INT(broken, 1ull << LICSCAN_FLAG_MAU_THRESHOLD);
    licscan_result_free(r);

    /* Kimi K2's kind: above the thresholds a display duty starts; both
     * thresholds read it, and the freedom to use holds */
    static const char duty[] =
        "If the Software is used for any of your commercial products or "
        "services that have more than 100 million monthly active users, or "
        "more than 20 million US dollars (or equivalent in other currencies) "
        "in monthly revenue, you shall prominently display \"Acme K2\" on "
        "the user interface of such product or service.\n";
    t = threshold_of(db, duty, LICSCAN_FLAG_MAU_THRESHOLD, &r);
    CHECK_EQ_INT(t.amount, 100000000);
    CHECK_EQ_INT(t.consequence, LICSCAN_CONSEQUENCE_DUTY);
    CHECK_EQ_STR(t.consequence_flags, "branding");
    CHECK_EQ_INT(licscan_result_freedom(r, LICSCAN_FREEDOM_USE, NULL), 1);
    CHECK_EQ_STR(licscan_restriction_scope(
                     licscan_result_find_restriction(r, LICSCAN_FLAG_BRANDING)),
                 "commercial products or services");
    licscan_result_free(r);
    t = threshold_of(db, duty, LICSCAN_FLAG_REVENUE_THRESHOLD, &r);
    CHECK_EQ_INT(t.measure, LICSCAN_MEASURE_REVENUE);
    CHECK_EQ_INT(t.amount, 20000000);
    CHECK_EQ_STR(t.currency, "USD");
    CHECK_EQ_INT(t.period, LICSCAN_PERIOD_MONTH);
    CHECK_EQ_STR(t.period_text, "monthly");
    CHECK_EQ_INT(t.consequence, LICSCAN_CONSEQUENCE_DUTY);
    licscan_result_free(r);

    /* daily active users: the mau_threshold flag, measured per day */
    t = threshold_of(db,
                     "If the daily active users of your service exceed 2 "
                     "million, you must obtain a commercial license from "
                     "us.\n",
                     LICSCAN_FLAG_MAU_THRESHOLD, &r);
    CHECK_EQ_INT(t.measure, LICSCAN_MEASURE_DAILY_ACTIVE_USERS);
    CHECK_EQ_INT(t.amount, 2000000);
    CHECK_EQ_INT(t.period, LICSCAN_PERIOD_DAY);
    CHECK_EQ_INT(t.consequence, LICSCAN_CONSEQUENCE_LICENSE_REQUIRED);
    licscan_result_free(r);

    /* a royalty above a yearly revenue; what crossing it does unread */
    t = threshold_of(db,
                     "A Licensee with annual revenue of more than EUR "
                     "5,000,000 shall pay a royalty of 3% to Acme.\n",
                     LICSCAN_FLAG_REVENUE_THRESHOLD, &r);
    CHECK_EQ_STR(t.currency, "EUR");
    CHECK_EQ_INT(t.period, LICSCAN_PERIOD_YEAR);
    CHECK_EQ_INT(t.consequence, LICSCAN_CONSEQUENCE_FEE);
    licscan_result_free(r);
    t = threshold_of(db,
                     "This offer is for companies with more than US $1,000,000 "
                     "in revenue.\n",
                     LICSCAN_FLAG_REVENUE_THRESHOLD, &r);
    CHECK_EQ_INT(t.period, LICSCAN_PERIOD_UNKNOWN);
    CHECK_EQ_STR(t.period_text, "");
    CHECK_EQ_INT(t.consequence, LICSCAN_CONSEQUENCE_UNKNOWN);
    /* an unread consequence still breaks the freedom to use */
    CHECK_EQ_INT(licscan_result_freedom(r, LICSCAN_FREEDOM_USE, NULL), 0);
    licscan_result_free(r);
    licscan_db_free(db);
}

/* The accessor's contract: sizes, errors, a flag that is no threshold. */
static void test_threshold_api(void)
{
    licscan_db *db = open_default();
    licscan_result *r;
    licscan_threshold t = threshold_of(
        db,
        "If you have more than 5,000,000 monthly active users you must "
        "request a license from us. This Agreement is governed by the laws "
        "of Ireland.\n",
        LICSCAN_FLAG_MAU_THRESHOLD, &r);
    CHECK_EQ_INT(t.amount, 5000000);
    const licscan_restriction *x =
        licscan_result_find_restriction(r, LICSCAN_FLAG_MAU_THRESHOLD);
    /* a caller's older, shorter struct: written up to its size only */
    unsigned char small[sizeof(size_t) + 16];
    memset(small, 0xCD, sizeof small);
    CHECK_EQ_INT(licscan_restriction_threshold(
                     x, (licscan_threshold *)(void *)small, sizeof(size_t) + 8),
                 LICSCAN_OK);
    size_t got_size;
    memcpy(&got_size, small, sizeof got_size);
    CHECK_EQ_INT(got_size, sizeof(size_t) + 8);
    CHECK_EQ_INT(small[sizeof(size_t) + 8], 0xCD);
    CHECK_EQ_INT(licscan_restriction_threshold(x, &t, sizeof(size_t) - 1),
                 LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_restriction_threshold(x, NULL, sizeof t),
                 LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_restriction_threshold(NULL, &t, sizeof t),
                 LICSCAN_EINVAL);
    const licscan_restriction *law =
        licscan_result_find_restriction(r, LICSCAN_FLAG_GOVERNING_LAW);
    CHECK(law != NULL);
    CHECK_EQ_INT(licscan_restriction_threshold(law, &t, sizeof t),
                 LICSCAN_ENOTFOUND);
    CHECK_EQ_STR(licscan_restriction_scope(law), "");
    CHECK_EQ_STR(licscan_restriction_scope(NULL), "");
    licscan_result_free(r);
    licscan_db_free(db);
}

static const char *scope_of(const licscan_db *db, const char *text, uint32_t f,
                            char *out, size_t cap)
{
    licscan_result *r = scan_with(db, text, NULL);
    const licscan_restriction *x = licscan_result_find_restriction(r, f);
    CHECK(x != NULL);
    snprintf(out, cap, "%s", x ? licscan_restriction_scope(x) : "(none)");
    licscan_result_free(r);
    return out;
}

static void test_scope(void)
{
    licscan_db *db = open_default();
    char b[128];
    CHECK_EQ_STR(
        scope_of(db,
                 "With respect to any multimodal models included in Acme 3.2, "
                 "the rights granted under Section 1(a) are not being granted "
                 "to you if you are an individual domiciled in, or a company "
                 "with a principal place of business in, the European "
                 "Union.\n",
                 LICSCAN_FLAG_TERRITORY_EXCLUSION, b, sizeof b),
        "multimodal models");
    CHECK_EQ_STR(scope_of(db,
                          "The rights granted under this Agreement are not "
                          "being granted to you if you are domiciled in the "
                          "European Union.\n",
                          LICSCAN_FLAG_TERRITORY_EXCLUSION, b, sizeof b),
                 "");
    CHECK_EQ_STR(scope_of(db,
                          "You may not use Outputs to develop models that "
                          "compete with Acme.\n",
                          LICSCAN_FLAG_OUTPUT_TRAINING_BAN, b, sizeof b),
                 "models that compete with Acme");
    /* scoped in one clause, not in another: the flag holds unscoped */
    CHECK_EQ_STR(scope_of(db,
                          "You may not use Outputs to develop models that "
                          "compete with Acme.\n\nYou may not use the outputs "
                          "of the Model to train any other AI model.\n",
                          LICSCAN_FLAG_OUTPUT_TRAINING_BAN, b, sizeof b),
                 "");
    licscan_db_free(db);
}

/* Places are items each; a bilingual text takes its values from its
 * English part. */
static void test_places_and_bilingual(void)
{
    licscan_db *db = open_default();
    licscan_result *r =
        scan_with(db,
                  "The rights granted under this Agreement do not extend to "
                  "any person located in Iran, North Korea, or Cuba.\n",
                  NULL);
    const licscan_restriction *x =
        licscan_result_find_restriction(r, LICSCAN_FLAG_TERRITORY_EXCLUSION);
    CHECK(x != NULL);
    CHECK_EQ_INT(licscan_restriction_item_count(x), 3);
    CHECK_EQ_STR(licscan_restriction_item(x, 0), "Iran");
    CHECK_EQ_STR(licscan_restriction_item(x, 1), "North Korea");
    CHECK_EQ_STR(licscan_restriction_item(x, 2), "Cuba");
    licscan_result_free(r);
    r = scan_with(db,
                  "您同意在使用本模型时，严格遵守本协议附件A所列举的各项使用"
                  "限制。\n\nYou agree to comply with the use restrictions "
                  "set forth in Attachment A.\n",
                  NULL);
    x = licscan_result_find_restriction(r, LICSCAN_FLAG_ACCEPTABLE_USE_POLICY);
    CHECK(x != NULL);
    CHECK_EQ_STR(licscan_restriction_text(x), "Attachment A");
    CHECK_EQ_INT(licscan_restriction_evidence_count(x), 2);
    licscan_result_free(r);
    licscan_db_free(db);
}

/* Attribute rules: what the rule format accepts and refuses. */
static void test_attribute_rules(void)
{
    licscan_db *db = open_db();
    static const char ok[] = "rule per-x\n"
                             "  flag mau_threshold | revenue_threshold\n"
                             "  attribute consequence\n"
                             "  match pay a fee\n"
                             "  value const fee\n"
                             "end\n";
    CHECK_EQ_INT(licscan_db_add_rules(db, ok, sizeof ok - 1, "a.rules"),
                 LICSCAN_OK);
    static const char bad_const[] = "rule c\n"
                                    "  flag mau_threshold\n"
                                    "  attribute consequence\n"
                                    "  match pay\n"
                                    "  value const sometimes\n"
                                    "end\n";
    CHECK_EQ_INT(
        licscan_db_add_rules(db, bad_const, sizeof bad_const - 1, "b.rules"),
        LICSCAN_ERULE);
    static const char two_flags[] = "rule d\n"
                                    "  flag branding | attribution\n"
                                    "  match show\n"
                                    "  value const x\n"
                                    "end\n";
    CHECK_EQ_INT(
        licscan_db_add_rules(db, two_flags, sizeof two_flags - 1, "c.rules"),
        LICSCAN_ERULE);
    static const char bad_name[] = "rule e\n"
                                   "  flag branding\n"
                                   "  attribute colour\n"
                                   "  match show\n"
                                   "  value const x\n"
                                   "end\n";
    CHECK_EQ_INT(
        licscan_db_add_rules(db, bad_name, sizeof bad_name - 1, "d.rules"),
        LICSCAN_ERULE);
    /* an attribute sets no flag of its own */
    licscan_result *r = scan_with(db, "You must pay a fee.\n", NULL);
    CHECK_EQ_INT(licscan_result_restriction_count(r), 0);
    licscan_result_free(r);
    /* with a threshold in the same clause, it is the threshold's */
    r = scan_with(db, "Above 1,000 monthly users you must pay a fee.\n", NULL);
    const licscan_restriction *x =
        licscan_result_find_restriction(r, LICSCAN_FLAG_MAU_THRESHOLD);
    licscan_threshold t;
    CHECK(x && licscan_restriction_threshold(x, &t, sizeof t) == LICSCAN_OK);
    CHECK_EQ_INT(t.consequence, LICSCAN_CONSEQUENCE_FEE);
    CHECK_EQ_INT(licscan_result_restriction_count(r), 1);
    licscan_result_free(r);
    licscan_db_free(db);
}

int main(void)
{
    test_value_priority();
    test_items_and_qualifier();
    test_evidence_limit();
    test_openness();
    test_helpers();
    test_threshold_values();
    test_threshold_api();
    test_scope();
    test_places_and_bilingual();
    test_attribute_rules();
    return check_report("unit_restrictions");
}
